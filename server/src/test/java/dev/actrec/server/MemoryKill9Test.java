package dev.actrec.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.actrec.model.ModelFile;
import dev.actrec.model.ServingModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the real server process ({@link ServerProcess}) with SIGKILL while it ingests long histories and its memory
 * updater folds them and writes a snapshot after every round (memory.snapshot_s=0), so kills land inside folds and
 * inside snapshot writes. After each kill, a server started on the same directory must hold, for every long user, a
 * memory equal to a fold of exactly what the store holds.
 */
class MemoryKill9Test {
    private static final String TOKEN = "memory-kill-token-0123456789";
    private static final int USERS = 4;
    private static final int PER_BATCH = 300;

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void aKilledServerRecoversMemoriesConsistentWithTheStore() throws Exception {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        Path model = LifelongServingTest.model(dir, "act.bin", 9);
        ServingModel m = ModelFile.load(model);
        Path data = dir.resolve("data");
        AtomicLong nextBatch = new AtomicLong();
        int restoredSomewhere = 0;
        int cycles = Integer.getInteger("actrec.memoryCrashCycles", 3);
        for (int cycle = 0; cycle < cycles; cycle++) {
            ChildJvm child = ChildJvm.start(ServerProcess.class, Map.of("ACTREC_TOKEN", TOKEN), data.toString(),
                    "model=" + model, "memory.snapshot_s=0", "memory.min_actions=1");
            URI uri = URI.create("http://127.0.0.1:" + child.port() + "/v1/events");
            AtomicLong acked = new AtomicLong();
            Thread client = new Thread(() -> ingestUntilRefused(uri, nextBatch, acked, seed));
            client.start();
            while (acked.get() < 4 && child.process().isAlive()) Thread.sleep(5);
            Thread.sleep(rnd.nextInt(400));
            child.kill();
            client.join();
            assertTrue(acked.get() >= 4, "too little acknowledged in cycle " + cycle + " (seed " + seed + ")");

            try (TestServer t = new TestServer(data, Map.of("model", model.toString(), "memory.min_actions", "1"))) {
                UserMemories mem = LifelongServingTest.memories(t);
                if (mem.restoredUsers() > 0) restoredSomewhere++;
                for (int u = 0; u < USERS; u++) {
                    String user = "u" + u;
                    if (t.store.historyLength(t.store.findUser(user)) > m.maxLen()) {
                        LifelongServingTest.assertSameMemory(t, m, user);
                    }
                }
                System.out.printf("cycle %d: %d batches acknowledged; %s%n", cycle, acked.get(), mem.recovery());
            }
        }
        assertTrue(restoredSomewhere > 0, "no restart used a snapshot, so recovery from one was not tested (seed " + seed + ")");
    }

    /** Sends batches (one user each, in turn) until the server stops answering. */
    private static void ingestUntilRefused(URI uri, AtomicLong nextBatch, AtomicLong acked, long seed) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Random rnd = new Random(seed ^ nextBatch.get());
        while (true) {
            long b = nextBatch.getAndIncrement();
            StringBuilder body = new StringBuilder(PER_BATCH * 64);
            for (int i = 0; i < PER_BATCH; i++) {
                body.append("{\"user\":\"u").append(b % USERS).append("\",\"item\":").append(1 + rnd.nextInt(250))
                        .append(",\"action\":\"").append(i % 5 == 0 ? "like" : "view").append("\",\"ts\":")
                        .append(b * 1000 + i).append("}\n");
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                acked.incrementAndGet();
            } catch (IOException e) {
                return; // the server died
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
