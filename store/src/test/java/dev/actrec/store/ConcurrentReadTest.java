package dev.actrec.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.actrec.core.ActionColumns;
import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers run while batches are appended and checkpoints seal in the background. Every batch writes exactly
 * {@link #PER_USER} actions to each of {@link #USERS} users, so a consistent read sees a multiple of PER_USER actions,
 * in time order, never fewer than an earlier read of the same user.
 */
class ConcurrentReadTest {
    static final int USERS = 4;
    static final int PER_USER = 25;

    @TempDir
    Path dir;

    @Test
    void readersSeeWholeBatchesInOrderWhileCheckpointsRunInTheBackground() throws Exception {
        int batches = 400;
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        // A small threshold makes several background seals happen while readers run.
        try (ActionStore store = ActionStore.open(StoreConfig.defaults(dir).withSealThreshold(7_000))) {
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                Thread t = new Thread(() -> {
                    ActionColumns c = new ActionColumns();
                    long[] seen = new long[USERS];
                    try {
                        while (!done.get()) {
                            for (int u = 0; u < USERS; u++) {
                                int id = store.findUser(u);
                                if (id < 0) continue;
                                int n = store.readAll(id, c);
                                assertEquals(0, n % PER_USER, "a partial batch is visible: " + n);
                                assertTrue(n >= seen[u], "history shrank from " + seen[u] + " to " + n);
                                seen[u] = n;
                                for (int i = 1; i < n; i++) assertTrue(c.timestamp(i) > c.timestamp(i - 1), "order at " + i);
                                int last = store.readLast(id, 60, c);
                                assertEquals(Math.min(60, n), Math.min(last, n), "readLast size");
                                reads.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        readerFailure.compareAndSet(null, e);
                    }
                });
                t.start();
                readers.add(t);
            }
            List<CompletableFuture<AppendResult>> pending = new ArrayList<>();
            for (int k = 0; k < batches; k++) {
                EventBatch b = new EventBatch();
                for (int j = 0; j < PER_USER; j++) {
                    for (int u = 0; u < USERS; u++) b.add(u, k * 1000L + j, ActionType.VIEW, k * 1000L + j, 1, 2);
                }
                pending.add(store.appendAsync(b));
                if (pending.size() > 8) pending.remove(0).join();
            }
            pending.forEach(CompletableFuture::join);
            done.set(true);
            for (Thread t : readers) t.join();
            if (readerFailure.get() != null) throw new AssertionError("reader failed", readerFailure.get());
            assertTrue(reads.get() > 0);
            ActionColumns c = new ActionColumns();
            for (int u = 0; u < USERS; u++) assertEquals(batches * PER_USER, store.readAll(store.findUser(u), c));
            assertTrue(store.stats().sealedActions() > 0, "background checkpoints sealed something");
        }
    }
}
