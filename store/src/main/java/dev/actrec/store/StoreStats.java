package dev.actrec.store;

/**
 * A snapshot of a store's size.
 *
 * @param users              distinct users
 * @param items              distinct items
 * @param actions            stored actions
 * @param sealedActions      actions in compressed chunk files (the rest are in the log and in memory)
 * @param longestHistory     actions of the user with the longest history
 * @param longestUser        that user's external id (null when empty)
 * @param chunkBytes         bytes of chunk files
 * @param logBytes           bytes of write-ahead log segments
 * @param dictionaryBytes    bytes of the id dictionaries
 * @param totalBytes         every file of the store
 */
public record StoreStats(long users, long items, long actions, long sealedActions, long longestHistory,
                         String longestUser, long chunkBytes, long logBytes, long dictionaryBytes, long totalBytes) {
    /** A fixed-width uncompressed event: user 8 + item 8 + type 1 + ts 8 + watch 4 + duration 4 bytes. */
    public static final int RAW_BYTES_PER_ACTION = 33;

    public double bytesPerAction() {
        return actions == 0 ? 0 : (double) totalBytes / actions;
    }

    public double sealedBytesPerAction() {
        return sealedActions == 0 ? 0 : (double) chunkBytes / sealedActions;
    }
}
