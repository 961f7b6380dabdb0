package dev.actrec.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.actrec.core.ActionColumns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM with SIGKILL while it ingests, many times, and checks after each kill that every acknowledged
 * batch is there, no batch is partial, nothing is duplicated, and the batches form a prefix of what was sent.
 */
class CrashRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void nothingAcknowledgedIsLostAcrossRepeatedKill9() throws Exception {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        int cycles = Integer.getInteger("actrec.crashCycles", 20);
        long nextBatch = 0;
        long totalAcked = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            // Small seal thresholds make kills land inside checkpoints too.
            int sealThreshold = 500 + rnd.nextInt(3000);
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashIngestChild.class.getName(),
                    dir.toString(), Long.toString(nextBatch), Integer.toString(sealThreshold))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            AtomicLong maxAck = new AtomicLong(-1);
            AtomicLong acks = new AtomicLong();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.startsWith("ACK ")) {
                            maxAck.set(Long.parseLong(line.substring(4)));
                            acks.incrementAndGet();
                        }
                    }
                } catch (IOException ignored) {
                    // the pipe breaks when the child dies
                }
            });
            reader.start();
            // Let it acknowledge something, then kill it at a random moment.
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acks.get() == 0 && child.isAlive() && System.nanoTime() < waitUntil) Thread.sleep(5);
            assertTrue(acks.get() > 0, "child acknowledged nothing (cycle " + cycle + ", seed " + seed + ")");
            Thread.sleep(rnd.nextInt(400));
            child.destroyForcibly(); // SIGKILL
            child.waitFor();
            reader.join();
            long acked = maxAck.get();
            totalAcked += acks.get();

            long present = verify(dir, seed, cycle);
            assertTrue(present - 1 >= acked, "acknowledged batch " + acked + " lost; store ends at "
                    + (present - 1) + " (cycle " + cycle + ", seed " + seed + ")");
            System.out.printf("cycle %d: %d acks, last acked %d, store holds batches 0..%d%n", cycle, acks.get(), acked, present - 1);
            nextBatch = present;
        }
        assertTrue(totalAcked > cycles, "too little was ingested to mean anything");
    }

    /** Checks batches 0..n-1 are all whole and nothing else is stored; returns n. */
    private static long verify(Path dir, long seed, int cycle) throws IOException {
        StoreConfig cfg = StoreConfig.defaults(dir).withCheckpointOnClose(cycle % 2 == 0);
        try (ActionStore store = ActionStore.open(cfg)) {
            Map<Long, Integer> perBatch = new HashMap<>();
            ActionColumns c = new ActionColumns();
            long total = 0;
            for (int u = 0; u < store.userCount(); u++) {
                store.readAll(u, c);
                for (int i = 0; i < c.size(); i++) {
                    long ts = c.timestamp(i);
                    perBatch.merge(ts / 1000, 1, Integer::sum);
                    long expectedItem = (ts / 1000) * CrashIngestChild.PER_BATCH + ts % 1000;
                    assertEquals(Long.toString(expectedItem), store.itemText(c.item(i)), "item of ts " + ts);
                    if (i > 0) assertTrue(ts > c.timestamp(i - 1), "duplicate or disorder at ts " + ts + " (seed " + seed + ")");
                }
                total += c.size();
            }
            long n = perBatch.size();
            for (long k = 0; k < n; k++) {
                assertEquals(Integer.valueOf(CrashIngestChild.PER_BATCH), perBatch.get(k),
                        "batch " + k + " partial or missing (cycle " + cycle + ", seed " + seed + ")");
            }
            assertEquals(n * CrashIngestChild.PER_BATCH, total);
            return n;
        }
    }
}
