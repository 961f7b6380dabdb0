package dev.actrec.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.actrec.core.ActionColumns;
import dev.actrec.store.ActionStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the server process with SIGKILL while two clients ingest over HTTP, several times, and checks after each
 * kill that every batch answered 200 is in the store in full, and that no batch is there in part.
 */
class ServerKill9Test {
    static final int PER_BATCH = 200;
    static final int CLIENTS = 2;

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void noAcknowledgedEventIsLostWhenTheServerIsKilled() throws Exception {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        int cycles = Integer.getInteger("actrec.serverCrashCycles", 3);
        AtomicLong nextBatch = new AtomicLong();
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        for (int cycle = 0; cycle < cycles; cycle++) {
            ChildJvm child = ChildJvm.start(ServerCrashChild.class, Map.of(), dir.toString());
            URI uri = URI.create("http://127.0.0.1:" + child.port() + "/v1/events");
            AtomicLong ackedThisCycle = new AtomicLong();
            Thread[] clients = new Thread[CLIENTS];
            for (int c = 0; c < CLIENTS; c++) {
                clients[c] = new Thread(() -> ingestUntilRefused(uri, nextBatch, acked, ackedThisCycle));
                clients[c].start();
            }
            while (ackedThisCycle.get() < 3 && child.process().isAlive()) Thread.sleep(5);
            Thread.sleep(rnd.nextInt(300));
            child.kill();
            for (Thread c : clients) c.join();
            assertTrue(ackedThisCycle.get() >= 3, "too little acknowledged in cycle " + cycle + " (seed " + seed + ")");

            Map<Long, Integer> present = storedBatches(dir);
            for (long b : acked) {
                assertEquals(Integer.valueOf(PER_BATCH), present.get(b), "acknowledged batch " + b
                        + " lost or partial after kill " + cycle + " (seed " + seed + ")");
            }
            for (var e : present.entrySet()) {
                assertEquals(PER_BATCH, e.getValue(), "batch " + e.getKey() + " is partial (seed " + seed + ")");
            }
            System.out.printf("cycle %d: %d batches acknowledged in total, %d stored%n", cycle, acked.size(), present.size());
        }
    }

    /** Sends numbered batches until the server stops answering; records the ones answered 200. */
    private static void ingestUntilRefused(URI uri, AtomicLong nextBatch, Set<Long> acked, AtomicLong ackedThisCycle) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        while (true) {
            long b = nextBatch.getAndIncrement();
            StringBuilder body = new StringBuilder(PER_BATCH * 64);
            for (int i = 0; i < PER_BATCH; i++) {
                body.append("{\"user\":").append(b % 7).append(",\"item\":").append(b * PER_BATCH + i)
                        .append(",\"action\":\"view\",\"ts\":").append(b * 1000 + i).append("}\n");
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + ServerCrashChild.TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) throw new AssertionError("batch " + b + ": " + r.statusCode() + " " + r.body());
                acked.add(b);
                ackedThisCycle.incrementAndGet();
            } catch (IOException e) {
                return; // the server died: this batch was never acknowledged
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Events per batch number (ts / 1000) across the whole store, checking each event's item matches its ts. */
    private static Map<Long, Integer> storedBatches(Path dir) throws IOException {
        Map<Long, Integer> perBatch = new HashMap<>();
        try (ActionStore store = ActionStore.open(dir)) {
            ActionColumns c = new ActionColumns();
            for (int u = 0; u < store.userCount(); u++) {
                store.readAll(u, c);
                for (int i = 0; i < c.size(); i++) {
                    long ts = c.timestamp(i);
                    assertEquals(Long.toString((ts / 1000) * PER_BATCH + ts % 1000), store.itemText(c.item(i)));
                    perBatch.merge(ts / 1000, 1, Integer::sum);
                }
            }
        }
        return perBatch;
    }
}
