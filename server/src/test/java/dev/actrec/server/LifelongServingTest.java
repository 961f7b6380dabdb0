package dev.actrec.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.actrec.core.ActionColumns;
import dev.actrec.model.ForwardConfig;
import dev.actrec.model.ModelFile;
import dev.actrec.model.ServingModel;
import dev.actrec.model.SyntheticModels;
import dev.actrec.model.lifelong.CappedReadout;
import dev.actrec.model.lifelong.ItemEmbeddings;
import dev.actrec.model.lifelong.KeySet;
import dev.actrec.model.lifelong.LifelongMemory;
import dev.actrec.model.lifelong.MemoryConfig;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifelong memory in the server: users with more actions than the model's window are scored with the memory
 * term, the memory equals a fold of the stored history (after ingest, a late action, a restart, a corrupt
 * snapshot), and {@code /v1/explain} names what the score rests on.
 */
class LifelongServingTest {
    private static final int ITEMS = 300;
    private static final int WINDOW = 12;
    private static final int FAVOURITE = 7; // consumed often long ago, never in the window
    private static final Pattern SCORED = Pattern.compile("\"item\":\"([^\"]*)\",\"score\":(null|[-0-9.eE]+)");

    @TempDir
    Path dir;

    static Path model(Path dir, String name, long seed) throws Exception {
        Path f = dir.resolve(name);
        SyntheticModels.write(f, new ForwardConfig("act", 16, 2, 2, WINDOW, ITEMS, "cosine", 0.1), seed);
        return f;
    }

    /** User "long": 60 likes of the favourite among 400 older actions, then a window of other items. */
    static String longHistory(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        long ts = 1_000;
        for (int i = 0; i < 400; i++) {
            int item = i % 7 == 0 && i < 420 ? FAVOURITE : 20 + rnd.nextInt(ITEMS - 20);
            sb.append(ServerHttpTest.event("long", item, i % 7 == 0 ? "like" : "view", ts++)).append('\n');
        }
        for (int i = 0; i < 2 * WINDOW; i++) sb.append(ServerHttpTest.event("long", 100 + i, "view", ts++)).append('\n');
        for (int i = 1; i <= ITEMS; i++) sb.append(ServerHttpTest.event("catalog", i, "impression", ts++)).append('\n');
        sb.append(ServerHttpTest.event("short", 3, "view", ts)).append('\n');
        return sb.toString();
    }

    static UserMemories memories(TestServer t) throws InterruptedException {
        UserMemories m = ((ModelRecommender) t.models.current()).memories();
        assertNotNull(m, "memories are on by default");
        m.drain();
        return m;
    }

    /** The user's memory, folded here from the store's history over the model's centred item vectors. */
    static LifelongMemory rebuilt(TestServer t, ServingModel m, String user) throws Exception {
        ItemEmbeddings v = ItemEmbeddings.centred(m.numItems() + 1, m.dim(), m.itemTable());
        MemoryConfig cfg = MemoryConfig.defaults().withWindow(m.maxLen()).withHeavyHitters(memories(t).config().heavyHitters());
        LifelongMemory mem = new LifelongMemory(cfg, v);
        ActionColumns all = new ActionColumns();
        int n = t.store.readAll(t.store.findUser(user), all);
        for (int i = 0; i < n; i++) {
            int index = m.info().indexOf(t.store.itemText(all.item(i)));
            mem.append(Math.max(index, 0), all.type(i), all.timestamp(i));
        }
        return mem;
    }

    static void assertSameMemory(TestServer t, ServingModel m, String user) throws Exception {
        LifelongMemory expected = rebuilt(t, m, user);
        boolean[] same = new boolean[1];
        long[] actions = new long[1];
        assertTrue(memories(t).withMemory(t.store.findUser(user), mem -> {
            same[0] = java.util.Arrays.equals(mem.serialize(), expected.serialize());
            actions[0] = mem.actions();
        }), "user '" + user + "' has a memory");
        assertTrue(same[0], "the server's memory of '" + user + "' (" + actions[0] + " actions) equals a fold of the "
                + expected.actions() + " stored actions");
    }

    static Map<String, Float> scores(String body) {
        Map<String, Float> out = new java.util.LinkedHashMap<>();
        Matcher mt = SCORED.matcher(body);
        while (mt.find()) out.put(mt.group(1), mt.group(2).equals("null") ? Float.NaN : Float.parseFloat(mt.group(2)));
        return out;
    }

    @Test
    void longUsersAreScoredWithTheirMemoryAndExplainNamesItsParts() throws Exception {
        Path file = model(dir, "act.bin", 3);
        ServingModel m = ModelFile.load(file);
        try (TestServer t = new TestServer(dir.resolve("store"), Map.of("model", file.toString(), "memory.weight", "5", "memory.min_actions", "1"))) {
            assertEquals(200, t.post("/v1/events", TestServer.INGEST, longHistory(1)).statusCode());
            UserMemories mem = memories(t);
            assertEquals(2, mem.users(), "the long user and the catalog user have more than " + WINDOW + " actions");
            assertSameMemory(t, m, "long");

            // rank = the model's score on the window + λ·log(pool(c, memory) + 1/W), computed here
            HttpResponse<String> r = t.post("/v1/rank", TestServer.READ, "{\"user\":\"long\",\"items\":[7,50,150,\"nope\"]}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("model+memory", ModelServingTest.field(r.body(), "source"), r.body());
            LifelongMemory expected = rebuilt(t, m, "long");
            KeySet keys = new KeySet(m.dim(), 16);
            expected.longTermKeys(keys);
            ItemEmbeddings v = ItemEmbeddings.centred(m.numItems() + 1, m.dim(), m.itemTable());
            CappedReadout readout = new CappedReadout(ModelRecommender.MEMORY_BUDGET, ModelRecommender.MEMORY_TEMPERATURE);
            List<Integer> window = new ArrayList<>();
            for (int i = WINDOW; i < 2 * WINDOW; i++) window.add(100 + i);
            float[] q = ModelServingTest.query(m, window);
            Map<String, Float> got = scores(r.body());
            for (int item : new int[] {7, 50, 150}) {
                double pool = readout.pool(keys, v.rows(), v.offset(item));
                float want = ModelServingTest.score(m, q, item) + (float) (5 * Math.log(pool + 1 / keys.total()));
                assertEquals(want, got.get(Integer.toString(item)), 1e-4, "item " + item + ": " + r.body());
            }
            assertTrue(Float.isNaN(got.get("nope")), r.body());
            assertTrue(got.get("7") > got.get("50") && got.get("7") > got.get("150"), "the old favourite leads: " + r.body());

            // recommend: the memory brings the dormant favourite back; every score is the one rank gives
            r = t.get("/v1/recommend?user=long&k=5", TestServer.READ);
            assertEquals("model+memory", ModelServingTest.field(r.body(), "source"), r.body());
            Map<String, Float> rec = scores(r.body());
            assertEquals("7", rec.keySet().iterator().next(), r.body());
            assertEquals(got.get("7"), rec.get("7"), 1e-4, r.body());
            r = t.get("/v1/recommend?user=long&k=5&exclude_seen=true", TestServer.READ);
            assertFalse(scores(r.body()).containsKey("7"), "seen items stay out: " + r.body());

            // a short history has no memory: the model alone
            r = t.get("/v1/recommend?user=short&k=3", TestServer.READ);
            assertEquals("model", ModelServingTest.field(r.body(), "source"), r.body());

            // explain: the favourite's score, its memory keys (the favourite itself first), the recent window
            r = t.get("/v1/explain?user=long&item=7&top=5", TestServer.READ);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(got.get("7"), number(r.body(), "score"), 1e-4, r.body());
            assertTrue(r.body().contains("\"memory_actions\":" + (400 + 2 * WINDOW)), r.body());
            assertTrue(r.body().matches("(?s).*\"memory\":\\[\\{\"token\":\\d+,\"kind\":\"item\",\"item\":\"7\",.*"), r.body());
            assertTrue(r.body().matches("(?s).*\"recent\":\\[\\{\"item\":\"1[0-9][0-9]\",\"action\":\"view\".*"), r.body());
            r = t.get("/v1/explain?user=short&item=7", TestServer.READ);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"memory_term\":null") && r.body().contains("\"memory\":[]"), r.body());
            assertEquals(404, t.get("/v1/explain?user=nobody&item=7", TestServer.READ).statusCode());
            assertEquals(404, t.get("/v1/explain?user=long&item=nope", TestServer.READ).statusCode());
            r = t.get("/v1/explain?user=long&item=7&top=0", TestServer.READ);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"field\":\"top\""), r.body());
            assertEquals(401, t.get("/v1/explain?user=long&item=7", null).statusCode());

            String metrics = t.get("/metrics", TestServer.READ).body();
            assertTrue(metrics.contains("actrec_memory_users 2"), metrics);
        }
    }

    @Test
    void historiesShorterThanMinActionsGetNoMemory() throws Exception {
        Path file = model(dir, "act.bin", 8);
        try (TestServer t = new TestServer(dir.resolve("store"), Map.of("model", file.toString()))) { // min_actions 1000
            assertEquals(200, t.post("/v1/events", TestServer.INGEST, longHistory(5)).statusCode());
            assertEquals(0, memories(t).users(), "424 actions are fewer than the default memory.min_actions");
            HttpResponse<String> r = t.get("/v1/recommend?user=long&k=3", TestServer.READ);
            assertEquals("model", ModelServingTest.field(r.body(), "source"), r.body());
        }
    }

    @Test
    void explainNeedsAModel() throws Exception {
        try (TestServer t = new TestServer(dir.resolve("store"), Map.of())) {
            assertEquals(200, t.post("/v1/events", TestServer.INGEST, longHistory(2)).statusCode());
            HttpResponse<String> r = t.get("/v1/explain?user=long&item=7", TestServer.READ);
            assertEquals(409, r.statusCode(), r.body());
            assertTrue(r.body().contains("popularity fallback"), r.body());
        }
    }

    @Test
    void aLateActionInsideTheFoldedPartRebuildsTheUsersMemory() throws Exception {
        Path file = model(dir, "act.bin", 4);
        ServingModel m = ModelFile.load(file);
        try (TestServer t = new TestServer(dir.resolve("store"), Map.of("model", file.toString(), "memory.min_actions", "1"))) {
            assertEquals(200, t.post("/v1/events", TestServer.INGEST, longHistory(3)).statusCode());
            assertSameMemory(t, m, "long");
            long before = memories(t).rebuilds();
            // ts 1100 is among the first 400 actions (ts 1000..1423): the store places it there, long folded into the tokens
            assertEquals(200, t.post("/v1/events", TestServer.INGEST, ServerHttpTest.event("long", 42, "share", 1100)).statusCode());
            assertSameMemory(t, m, "long");
            assertEquals(before + 1, memories(t).rebuilds());
            // an action at the end is folded, not rebuilt
            assertEquals(200, t.post("/v1/events", TestServer.INGEST, ServerHttpTest.event("long", 43, "like", 9_000_000)).statusCode());
            assertSameMemory(t, m, "long");
            assertEquals(before + 1, memories(t).rebuilds());
        }
    }

    @Test
    void memoriesAreRestoredFromTheirSnapshotAndRebuiltWhenItIsCorruptOrForAnotherModel() throws Exception {
        Path file = model(dir, "act.bin", 5);
        Path other = model(dir, "other.bin", 6);
        ServingModel m = ModelFile.load(file);
        Path store = dir.resolve("store");
        Path snapshot = store.resolve(UserMemories.DIR).resolve(UserMemories.FILE);
        try (TestServer t = new TestServer(store, Map.of("model", file.toString(), "memory.min_actions", "1"))) {
            assertEquals(200, t.post("/v1/events", TestServer.INGEST, longHistory(4)).statusCode());
            memories(t);
        } // close writes the last snapshot
        assertTrue(Files.size(snapshot) > 0);

        try (TestServer t = new TestServer(store, Map.of("model", file.toString(), "memory.min_actions", "1"))) {
            UserMemories mem = memories(t);
            assertEquals(2, mem.restoredUsers(), mem.recovery());
            assertEquals(0, mem.rebuilds());
            // restored, then caught up with what arrives
            assertEquals(200, t.post("/v1/events", TestServer.INGEST, ServerHttpTest.event("long", 9, "like", 8_000_000)).statusCode());
            assertSameMemory(t, m, "long");
        }

        // another number of counters per token is another memory: rebuilt with the configured one
        try (TestServer t = new TestServer(store, Map.of("model", file.toString(), "memory.min_actions", "1",
                "memory.heavy_hitters", "9"))) {
            UserMemories mem = memories(t);
            assertEquals(0, mem.restoredUsers());
            assertTrue(mem.recovery().contains("heavy hitters " + MemoryConfig.defaults().heavyHitters() + ","), mem.recovery());
            assertEquals(9, mem.config().heavyHitters());
            assertSameMemory(t, m, "long");
        }

        byte[] bytes = Files.readAllBytes(snapshot);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(snapshot, bytes);
        try (TestServer t = new TestServer(store, Map.of("model", file.toString(), "memory.min_actions", "1"))) {
            UserMemories mem = memories(t);
            assertEquals(0, mem.restoredUsers());
            assertTrue(mem.recovery().contains("checksum"), mem.recovery());
            assertSameMemory(t, m, "long");
        }

        try (TestServer t = new TestServer(store, Map.of("model", other.toString(), "memory.min_actions", "1"))) {
            UserMemories mem = memories(t);
            assertEquals(0, mem.restoredUsers());
            assertTrue(mem.recovery().contains("built for model"), mem.recovery());
            assertSameMemory(t, ModelFile.load(other), "long");
        }

        Files.write(snapshot, new byte[] {1, 2, 3});
        try (TestServer t = new TestServer(store, Map.of("model", file.toString(), "memory.min_actions", "1"))) {
            assertTrue(memories(t).recovery().contains("too short"), memories(t).recovery());
            assertSameMemory(t, m, "long");
        }
    }

    private static float number(String body, String name) {
        Matcher mt = Pattern.compile("\"" + name + "\":([-0-9.eE]+)").matcher(body);
        assertTrue(mt.find(), name + " in " + body);
        return Float.parseFloat(mt.group(1));
    }
}
