package dev.actrec.store;

import java.nio.file.Path;

/**
 * How a store is opened.
 *
 * @param dir                 the data directory (created when missing)
 * @param sealThreshold       unsealed actions held in memory (and in the log) before a checkpoint seals them into
 *                            compressed chunk files; bounds memory and recovery time
 * @param maxGroupActions     most actions one group commit (one fsync) takes from the queue
 * @param queueCapacity       batches waiting for the commit thread before {@code appendAsync} blocks (backpressure)
 * @param checkpointOnClose   seal the in-memory tail on close, so the next open replays nothing
 * @param compactAfterChunks  a checkpoint merges a user's whole sealed history into one chunk once it spans this
 *                            many chunks (0: never), so that a lifelong history does not scatter over thousands of
 *                            small chunks
 */
public record StoreConfig(Path dir, int sealThreshold, int maxGroupActions, int queueCapacity, boolean checkpointOnClose,
                          int compactAfterChunks) {
    public static final int DEFAULT_SEAL_THRESHOLD = 8_000_000;
    public static final int DEFAULT_COMPACT_AFTER_CHUNKS = 16;

    public StoreConfig {
        if (dir == null) throw new IllegalArgumentException("dir must be set");
        if (sealThreshold < 1) throw new IllegalArgumentException("sealThreshold must be >= 1, got " + sealThreshold);
        if (maxGroupActions < 1) throw new IllegalArgumentException("maxGroupActions must be >= 1, got " + maxGroupActions);
        if (queueCapacity < 1) throw new IllegalArgumentException("queueCapacity must be >= 1, got " + queueCapacity);
        if (compactAfterChunks < 0 || compactAfterChunks == 1) {
            throw new IllegalArgumentException("compactAfterChunks must be 0 (never) or >= 2, got " + compactAfterChunks);
        }
    }

    public static StoreConfig defaults(Path dir) {
        return new StoreConfig(dir, DEFAULT_SEAL_THRESHOLD, 1 << 20, 32, true, DEFAULT_COMPACT_AFTER_CHUNKS);
    }

    public StoreConfig withSealThreshold(int n) {
        return new StoreConfig(dir, n, maxGroupActions, queueCapacity, checkpointOnClose, compactAfterChunks);
    }

    public StoreConfig withCheckpointOnClose(boolean b) {
        return new StoreConfig(dir, sealThreshold, maxGroupActions, queueCapacity, b, compactAfterChunks);
    }

    public StoreConfig withCompactAfterChunks(int n) {
        return new StoreConfig(dir, sealThreshold, maxGroupActions, queueCapacity, checkpointOnClose, n);
    }
}
