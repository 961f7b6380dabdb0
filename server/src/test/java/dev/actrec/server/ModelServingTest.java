package dev.actrec.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.actrec.model.ForwardConfig;
import dev.actrec.model.ModelFile;
import dev.actrec.model.ServingModel;
import dev.actrec.model.SyntheticModels;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trained-model file served over real HTTP: recommend and rank agree with the model computed directly on the
 * user's history, ingested actions change the answer at once, and POST /v1/admin/model swaps models under load
 * with no failed request and no response that mixes two models. The lifelong memory is off here, so the answers are
 * the model's alone; {@code LifelongServingTest} covers the memory.
 */
class ModelServingTest {
    private static final int ITEMS = 300;
    private static final Pattern SCORED = Pattern.compile("\"item\":\"([^\"]*)\",\"score\":(null|[-0-9.eE]+)");

    @TempDir
    Path dir;

    static Path model(Path dir, String name, String kind, long seed) throws Exception {
        Path f = dir.resolve(name);
        SyntheticModels.write(f, new ForwardConfig(kind, 16, 2, 2, 12, ITEMS, "cosine", 0.1), seed);
        return f;
    }

    /** What the model says for this history (oldest first), computed here without the server. */
    record Expected(List<String> items, List<Float> scores) {
    }

    static float[] query(ServingModel m, List<Integer> history) {
        int[] h = history.stream().mapToInt(Integer::intValue).toArray();
        float[] q = new float[m.dim()];
        m.encode(h, h.length, q);
        return q;
    }

    static float score(ServingModel m, float[] q, int item) {
        float s = 0;
        for (int j = 0; j < m.dim(); j++) s += q[j] * m.itemTable()[item * m.dim() + j];
        return s;
    }

    static Expected topK(ServingModel m, List<Integer> history, int k, Set<Integer> exclude, Set<Integer> inStore) {
        float[] q = query(m, history);
        List<Integer> order = new ArrayList<>();
        for (int i = 1; i <= m.numItems(); i++) if (!exclude.contains(i) && inStore.contains(i)) order.add(i);
        order.sort((a, b) -> Float.compare(score(m, q, b), score(m, q, a)));
        List<String> items = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        for (int i = 0; i < Math.min(k, order.size()); i++) {
            items.add(Integer.toString(order.get(i)));
            scores.add(score(m, q, order.get(i)));
        }
        return new Expected(items, scores);
    }

    /** Items in order; scores within 1e-4 (a null score is NaN). */
    static void assertAnswer(Expected e, String body) {
        Matcher mt = SCORED.matcher(body);
        List<String> items = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        while (mt.find()) {
            items.add(mt.group(1));
            scores.add(mt.group(2).equals("null") ? Float.NaN : Float.parseFloat(mt.group(2)));
        }
        assertEquals(e.items(), items, body);
        for (int i = 0; i < items.size(); i++) assertEquals(e.scores().get(i), scores.get(i), 1e-4, body);
    }

    static String field(String body, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(body);
        return m.find() ? m.group(1) : null;
    }

    /** users 1..20, each 15 distinct random items of 1..ITEMS-50 (the last 50 items are not in the store yet). */
    static Map<Integer, List<Integer>> histories(TestServer t) throws Exception {
        SplittableRandom rnd = new SplittableRandom(5);
        Map<Integer, List<Integer>> h = new java.util.TreeMap<>();
        StringBuilder sb = new StringBuilder();
        long ts = 1_000;
        for (int u = 1; u <= 20; u++) {
            List<Integer> items = new ArrayList<>();
            while (items.size() < 15) {
                int i = 1 + rnd.nextInt(ITEMS - 50);
                if (!items.contains(i)) items.add(i);
            }
            for (int i : items) sb.append(ServerHttpTest.event(u, i, "view", ts++)).append('\n');
            h.put(u, items);
        }
        // Every item below ITEMS-50 is in the store, via a user of its own.
        for (int i = 1; i <= ITEMS - 50; i++) sb.append(ServerHttpTest.event("catalog", i, "impression", ts++)).append('\n');
        HttpResponse<String> r = t.post("/v1/events", TestServer.INGEST, sb.toString());
        assertEquals(200, r.statusCode(), r.body());
        return h;
    }

    static Set<Integer> range(int from, int to) {
        Set<Integer> s = new HashSet<>();
        for (int i = from; i <= to; i++) s.add(i);
        return s;
    }

    @Test
    void recommendAndRankAreTheModelsAnswersAndFollowNewActions() throws Exception {
        Path file = model(dir, "act.bin", "act", 11);
        ServingModel m = ModelFile.load(file);
        try (TestServer t = new TestServer(dir.resolve("store"), Map.of("memory.enabled", "false"))) {
            Map<Integer, List<Integer>> h = histories(t);
            HttpResponse<String> r = t.post("/v1/admin/model", TestServer.ADMIN, "{\"path\":\"" + file + "\"}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(m.info().version(), field(r.body(), "model"));
            assertTrue(r.body().contains("\"store_items_known\":" + (ITEMS - 50)), r.body());
            Set<Integer> inStore = range(1, ITEMS - 50);

            // The window is the newest maxLen (12) of the 15 items.
            List<Integer> user3 = h.get(3);
            r = t.get("/v1/recommend?user=3&k=7", TestServer.READ);
            assertEquals(m.info().version(), field(r.body(), "model"), r.body());
            assertEquals("model", field(r.body(), "source"), r.body());
            assertAnswer(topK(m, user3.subList(3, 15), 7, Set.of(), inStore), r.body());

            r = t.get("/v1/recommend?user=3&k=7&exclude_seen=true", TestServer.READ);
            assertAnswer(topK(m, user3.subList(3, 15), 7, new HashSet<>(user3), inStore), r.body());

            // A new action changes the answer at once; a new item enters the store and becomes recommendable.
            r = t.post("/v1/events", TestServer.INGEST, ServerHttpTest.event(3, ITEMS - 10, "like", 5_000_000) + "\n");
            assertEquals(200, r.statusCode(), r.body());
            List<Integer> after = new ArrayList<>(user3.subList(4, 15));
            after.add(ITEMS - 10);
            Set<Integer> nowInStore = new HashSet<>(inStore);
            nowInStore.add(ITEMS - 10);
            r = t.get("/v1/recommend?user=3&k=7", TestServer.READ);
            assertAnswer(topK(m, after, 7, Set.of(), nowInStore), r.body());

            // Rank: the model's score for known items, null for items it cannot score.
            r = t.post("/v1/rank", TestServer.READ, "{\"user\":3,\"items\":[5,\"" + (ITEMS - 10) + "\",\"nope\",99999]}");
            assertEquals(200, r.statusCode(), r.body());
            float[] q = query(m, after);
            assertAnswer(new Expected(List.of("5", Integer.toString(ITEMS - 10), "nope", "99999"),
                    List.of(score(m, q, 5), score(m, q, ITEMS - 10), Float.NaN, Float.NaN)), r.body());

            // Unknown and empty users: the popularity fallback, labelled as such, under the model's name.
            r = t.get("/v1/recommend?user=stranger&k=3", TestServer.READ);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("popularity", field(r.body(), "source"), r.body());
            assertEquals(m.info().version(), field(r.body(), "model"), r.body());

            String metrics = t.get("/metrics", TestServer.READ).body();
            assertTrue(metrics.contains("actrec_model_info{model=\"" + m.info().version() + "\",retrieval=\"exact\"} 1"), metrics);
            assertTrue(!metrics.contains("model=\"popularity-fallback\""), metrics);
        }
    }

    @Test
    void aCatalogAboveTheExactThresholdIsServedThroughHnswWithItsRecallReported() throws Exception {
        Path file = model(dir, "act.bin", "act", 12);
        ServingModel m = ModelFile.load(file);
        try (TestServer t = new TestServer(dir.resolve("store"), Map.of("retrieval.exact_max_items", "100", "memory.enabled", "false"))) {
            Map<Integer, List<Integer>> h = histories(t);
            HttpResponse<String> r = t.post("/v1/admin/model", TestServer.ADMIN, "{\"path\":\"" + file + "\"}");
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"retrieval\":\"hnsw\""), r.body());
            Matcher recall = Pattern.compile("\"retrieval_recall_at_10\":([0-9.]+)").matcher(r.body());
            assertTrue(recall.find() && Double.parseDouble(recall.group(1)) >= 0.9, r.body());
            // A graph over 300 items searched with ef=100 visits nearly all of them: the answers are the exact ones.
            for (int user : List.of(1, 7, 13)) {
                List<Integer> hist = h.get(user);
                r = t.get("/v1/recommend?user=" + user + "&k=5&exclude_seen=true", TestServer.READ);
                assertEquals("model", field(r.body(), "source"), r.body());
                assertAnswer(topK(m, hist.subList(3, 15), 5, new HashSet<>(hist), range(1, ITEMS - 50)), r.body());
            }
            String metrics = t.get("/metrics", TestServer.READ).body();
            assertTrue(metrics.contains("retrieval=\"hnsw\"") && metrics.contains("actrec_retrieval_recall_at_10 "),
                    metrics);
        }
    }

    @Test
    void aBadOrIncompatibleModelIsRefusedAndTheCurrentOneKeepsServing() throws Exception {
        Path good = model(dir, "good.bin", "sasrec", 3);
        Path corrupt = dir.resolve("corrupt.bin");
        byte[] bytes = Files.readAllBytes(good);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(corrupt, bytes);
        Path truncated = dir.resolve("truncated.bin");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(good), 1000));
        try (TestServer t = new TestServer(dir.resolve("store"), Map.of("model", good.toString(), "memory.enabled", "false"))) {
            histories(t);
            String version = ModelFile.load(good).info().version();
            for (Path bad : List.of(corrupt, truncated, dir.resolve("store"))) {
                HttpResponse<String> r = t.post("/v1/admin/model", TestServer.ADMIN, "{\"path\":\"" + bad + "\"}");
                assertEquals(400, r.statusCode(), r.body());
                assertTrue(r.body().contains("\"field\":\"path\"") && r.body().contains(bad.getFileName().toString()),
                        r.body());
                assertEquals(version, t.models.current().name());
                r = t.get("/v1/recommend?user=1&k=3", TestServer.READ);
                assertEquals(version, field(r.body(), "model"), r.body());
            }
        }
        // A store whose items are not the model's keys (strings, not 1..numItems).
        try (TestServer t = new TestServer(dir.resolve("other-store"), Map.of("memory.enabled", "false"))) {
            assertEquals(200, t.post("/v1/events", TestServer.INGEST, ServerHttpTest.event("u", "song-a", "view", 1)
                    + "\n").statusCode());
            HttpResponse<String> r = t.post("/v1/admin/model", TestServer.ADMIN, "{\"path\":\"" + good + "\"}");
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("incompatible"), r.body());
            assertEquals(PopularityRecommender.NAME, t.models.current().name());
        }
    }

    @Test
    void hotSwapUnderLoadFailsNothingAndNeverMixesModels() throws Exception {
        Path a = model(dir, "a.bin", "act", 21);
        Path b = model(dir, "b.bin", "sasrec", 22);
        ServingModel ma = ModelFile.load(a);
        ServingModel mb = ModelFile.load(b);
        try (TestServer t = new TestServer(dir.resolve("store"), Map.of("model", a.toString(), "memory.enabled", "false"))) {
            Map<Integer, List<Integer>> h = histories(t);
            Set<Integer> inStore = range(1, ITEMS - 50);
            Map<String, Map<Integer, Expected>> expected = new ConcurrentHashMap<>();
            for (ServingModel m : List.of(ma, mb)) {
                Map<Integer, Expected> byUser = new java.util.HashMap<>();
                for (var e : h.entrySet()) byUser.put(e.getKey(), topK(m, e.getValue().subList(3, 15), 5, Set.of(), inStore));
                expected.put(m.info().version(), byUser);
            }
            AtomicInteger answered = new AtomicInteger();
            Set<String> seen = ConcurrentHashMap.newKeySet();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int id = c;
                Thread th = new Thread(() -> {
                    try {
                        for (int i = 0; !stop.get(); i++) {
                            int user = 1 + (id * 7 + i) % 20;
                            HttpResponse<String> r = t.get("/v1/recommend?user=" + user + "&k=5", TestServer.READ);
                            assertEquals(200, r.statusCode(), r.body());
                            String v = field(r.body(), "model");
                            seen.add(v);
                            assertAnswer(expected.get(v).get(user), r.body());
                            answered.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                clients.add(th);
                th.start();
            }
            for (int s = 0; s < 20; s++) {
                Path next = s % 2 == 0 ? b : a;
                HttpResponse<String> r = t.post("/v1/admin/model", TestServer.ADMIN, "{\"path\":\"" + next + "\"}");
                assertEquals(200, r.statusCode(), r.body());
                int before = answered.get();
                while (answered.get() < before + 10 && failures.isEmpty()) Thread.onSpinWait();
            }
            stop.set(true);
            for (Thread th : clients) th.join();
            assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.get(0));
            assertEquals(Set.of(ma.info().version(), mb.info().version()), seen);
        }
    }
}
