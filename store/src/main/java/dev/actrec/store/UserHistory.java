package dev.actrec.store;

import dev.actrec.core.ActionColumns;
import java.util.Arrays;

/**
 * One user's place in the store: references to its sealed chunks, oldest first, and the unsealed tail in memory.
 * The tail is sorted by timestamp (arrival order among equal timestamps). Mutated only by the commit thread under
 * the store's write lock; read under its read lock.
 */
final class UserHistory {
    int chunks;
    int[] chunkFile = new int[0];
    long[] chunkOffset = new long[0];
    int[] chunkCount = new int[0];
    long[] chunkMinTs = new long[0];
    long[] chunkMaxTs = new long[0];
    /** Whether a chunk's payload checksum has been checked; verified once, on first read. */
    boolean[] chunkVerified = new boolean[0];
    long sealed;
    long sealedMaxTs = Long.MIN_VALUE;
    /** Actions being sealed by a running checkpoint: immutable, after the chunks and before the tail. */
    ActionColumns frozen;
    /** Null while empty, so a million idle users cost little memory. */
    ActionColumns tail;

    long length() {
        return sealed + (frozen == null ? 0 : frozen.size()) + (tail == null ? 0 : tail.size());
    }

    /** Forgets every chunk (their actions now live in one superseding chunk, added next). */
    void resetChunks() {
        chunks = 0;
        sealed = 0;
    }

    void addChunk(int file, long offset, int count, long minTs, long maxTs) {
        if (chunks == chunkFile.length) {
            int c = Math.max(2, chunks * 2);
            chunkFile = Arrays.copyOf(chunkFile, c);
            chunkOffset = Arrays.copyOf(chunkOffset, c);
            chunkCount = Arrays.copyOf(chunkCount, c);
            chunkMinTs = Arrays.copyOf(chunkMinTs, c);
            chunkMaxTs = Arrays.copyOf(chunkMaxTs, c);
            chunkVerified = Arrays.copyOf(chunkVerified, c);
        }
        chunkFile[chunks] = file;
        chunkOffset[chunks] = offset;
        chunkCount[chunks] = count;
        chunkMinTs[chunks] = minTs;
        chunkMaxTs[chunks] = maxTs;
        chunks++;
        sealed += count;
        sealedMaxTs = Math.max(sealedMaxTs, maxTs);
    }
}
