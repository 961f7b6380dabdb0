package dev.actrec.store;

import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Child process of {@link CrashRecoveryTest}: appends numbered batches forever and prints {@code ACK k} once batch k
 * is durable, until the parent kills it with SIGKILL. Batch k holds {@link #PER_BATCH} events spread over
 * {@link #USERS} users with timestamps {@code k * 1000 + j}, so the parent can tell batches apart.
 */
public final class CrashIngestChild {
    static final int USERS = 5;
    static final int PER_BATCH = 50;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long start = Long.parseLong(args[1]);
        int sealThreshold = Integer.parseInt(args[2]);
        // Frequent checkpoints that also compact, so kills land inside both.
        StoreConfig cfg = StoreConfig.defaults(dir).withSealThreshold(sealThreshold).withCompactAfterChunks(4);
        ActionStore store = ActionStore.open(cfg);
        ArrayDeque<CompletableFuture<AppendResult>> inFlight = new ArrayDeque<>();
        ArrayDeque<Long> numbers = new ArrayDeque<>();
        System.out.println("OPEN");
        System.out.flush();
        for (long k = start; ; k++) {
            EventBatch b = batch(k);
            inFlight.add(store.appendAsync(b));
            numbers.add(k);
            while (!inFlight.isEmpty() && (inFlight.size() > 3 || inFlight.peek().isDone())) {
                inFlight.poll().join();
                System.out.println("ACK " + numbers.poll());
                System.out.flush();
            }
        }
    }

    static EventBatch batch(long k) {
        EventBatch b = new EventBatch(PER_BATCH);
        for (int j = 0; j < PER_BATCH; j++) {
            int u = j % USERS;
            String name = u == 0 ? "user-zero" : null; // one string id, the rest numeric
            b.add(u, name, k * PER_BATCH + j, null, ActionType.fromCode(j % ActionType.COUNT).code(),
                    k * 1000 + j, j * 10, 30_000, 0);
        }
        return b;
    }
}
