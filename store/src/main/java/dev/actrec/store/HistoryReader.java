package dev.actrec.store;

import dev.actrec.core.ActionColumns;
import dev.actrec.store.internal.BlockCodec;
import dev.actrec.store.internal.ChunkCodec;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * Reads of one user's history (whole, last N, a time range) into reusable {@link ActionColumns}: the chunks in
 * order, then the frozen actions of a running checkpoint, then the unsealed tail, all under the shared lock, so a
 * read sees whole acknowledged batches only. A chunk's payload checksum is verified on its first read.
 */
final class HistoryReader {
    private final StoreState s;

    HistoryReader(StoreState s) {
        this.s = s;
    }

    /** Per-reader decoding state; readers on different threads never share one. */
    private static final ThreadLocal<ChunkCodec> READ_CODEC = ThreadLocal.withInitial(ChunkCodec::new);

    /** Replaces {@code out} with the user's whole history, oldest first; returns its length. */
    int readAll(int user, ActionColumns out) throws CorruptChunkException {
        return readLast(user, Integer.MAX_VALUE, out);
    }

    /** Replaces {@code out} with the user's last {@code n} actions, oldest first; returns how many. */
    int readLast(int user, int n, ActionColumns out) throws CorruptChunkException {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, got " + n);
        out.clear();
        s.rw.readLock().lock();
        try {
            return lastOf(s.historyOrNull(user), n, out);
        } finally {
            s.rw.readLock().unlock();
        }
    }

    /**
     * Replaces {@code out} with the user's actions at positions {@code from} (0 = the oldest) to the end, oldest
     * first, as one consistent view of the history; returns how many.
     */
    int readFrom(int user, long from, ActionColumns out) throws CorruptChunkException {
        if (from < 0) throw new IllegalArgumentException("from must be >= 0, got " + from);
        out.clear();
        s.rw.readLock().lock();
        try {
            UserHistory h = s.historyOrNull(user);
            if (h == null || from >= h.length()) return 0;
            long n = h.length() - from;
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(n + " actions from position " + from + " do not fit one read");
            }
            return lastOf(h, (int) n, out);
        } finally {
            s.rw.readLock().unlock();
        }
    }

    /** The last {@code n} actions of {@code h} into the empty {@code out}; the caller holds the read lock. */
    private int lastOf(UserHistory h, int n, ActionColumns out) throws CorruptChunkException {
        if (h == null || n == 0) return 0;
        int tailSize = h.tail == null ? 0 : h.tail.size();
        int frozenSize = h.frozen == null ? 0 : h.frozen.size();
        long need = Math.max(0, (long) n - tailSize - frozenSize);
        int startChunk = h.chunks;
        long fromStart = 0;
        while (need > 0 && startChunk > 0) {
            startChunk--;
            if (need <= h.chunkCount[startChunk]) {
                fromStart = h.chunkCount[startChunk] - need;
                need = 0;
            } else {
                need -= h.chunkCount[startChunk];
            }
        }
        if (h.length() > Integer.MAX_VALUE && n == Integer.MAX_VALUE) {
            throw new IllegalStateException("history of " + h.length() + " actions does not fit one read; use readLast");
        }
        out.ensureCapacity((int) Math.min(Integer.MAX_VALUE - 8, Math.min(n, h.length()) + 2L * ChunkCodec.HEADER));
        ChunkCodec codec = READ_CODEC.get();
        int[] regDur = s.registeredDurations();
        decodeChunks(h, startChunk, (int) (fromStart / BlockCodec.BLOCK), regDur, codec, out);
        if (frozenSize > 0) {
            int take = (int) Math.min(frozenSize, Math.max(0, (long) n - tailSize));
            out.addFrom(h.frozen, frozenSize - take, take);
        }
        if (tailSize > 0) {
            int take = (int) Math.min(tailSize, n);
            out.addFrom(h.tail, tailSize - take, take);
        }
        out.keepLast(n);
        return out.size();
    }

    /** Histories at least this long are decoded by two threads (blocks are independent). */
    static final int PARALLEL_DECODE_ACTIONS = 1 << 17;

    /**
     * Decodes chunks {@code [startChunk, h.chunks)} (the first from block {@code firstBlock}) into the empty
     * {@code out}. Long histories are split at a block boundary near the middle and the second half is decoded on
     * the common pool while this thread decodes the first, straight into disjoint ranges of the same arrays.
     */
    private void decodeChunks(UserHistory h, int startChunk, int firstBlock, int[] regDur, ChunkCodec codec,
                              ActionColumns out) throws CorruptChunkException {
        assert out.size() == 0;
        int pieces = h.chunks - startChunk;
        int[] from = new int[pieces], to = new int[pieces], offset = new int[pieces + 1];
        for (int k = 0; k < pieces; k++) {
            int c = startChunk + k;
            MemorySegment seg = verifiedChunk(h, c, codec);
            from[k] = k == 0 ? firstBlock : 0;
            to[k] = ChunkCodec.blockCount(seg, h.chunkOffset[c]);
            offset[k + 1] = offset[k] + ChunkCodec.actionsIn(seg, h.chunkOffset[c], from[k], to[k]);
        }
        int total = offset[pieces];
        out.ensureCapacity(total + BlockCodec.BLOCK);
        if (total < PARALLEL_DECODE_ACTIONS || ForkJoinPool.getCommonPoolParallelism() < 1) {
            decodePieces(h, startChunk, 0, pieces, from, to, offset, regDur, codec, out, -1, -1);
        } else {
            // Split piece `mid` at block `midBlock`: [0, mid) + [from[mid], midBlock) here, the rest on the pool.
            int half = total / 2, mid = 0;
            while (offset[mid + 1] <= half) mid++;
            int midBlock = from[mid] + (half - offset[mid]) / BlockCodec.BLOCK;
            int last = mid;
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> decodePieces(h, startChunk, last,
                    pieces, from, to, offset, regDur, READ_CODEC.get(), out, midBlock, -1));
            decodePieces(h, startChunk, 0, mid + 1, from, to, offset, regDur, codec, out, -1, midBlock);
            second.join();
        }
        out.markRelativeDurations(total, regDur);
    }

    /** Decodes pieces [p0, p1); the first may start at block {@code startBlock}, the last stop at {@code stopBlock}. */
    private void decodePieces(UserHistory h, int startChunk, int p0, int p1, int[] from, int[] to, int[] offset,
                              int[] regDur, ChunkCodec codec, ActionColumns out, int startBlock, int stopBlock) {
        for (int k = p0; k < p1; k++) {
            int c = startChunk + k;
            MemorySegment seg = s.chunkFiles.get(h.chunkFile[c]);
            int f = k == p0 && startBlock >= 0 ? startBlock : from[k];
            int t = k == p1 - 1 && stopBlock >= 0 ? stopBlock : to[k];
            int at = offset[k] + (f - from[k]) * BlockCodec.BLOCK;
            codec.decodeInto(seg, h.chunkOffset[c], f, t, regDur, out, at, true);
        }
    }

    /** Replaces {@code out} with the user's actions with {@code from <= ts < to}, in history order. */
    int readRange(int user, long from, long to, ActionColumns out) throws CorruptChunkException {
        out.clear();
        s.rw.readLock().lock();
        try {
            UserHistory h = s.historyOrNull(user);
            if (h == null || from >= to) return 0;
            ChunkCodec codec = READ_CODEC.get();
            int[] regDur = s.registeredDurations();
            for (int c = 0; c < h.chunks; c++) {
                if (h.chunkMaxTs[c] < from || h.chunkMinTs[c] >= to) continue;
                MemorySegment seg = verifiedChunk(h, c, codec);
                long at = h.chunkOffset[c];
                int blocks = ChunkCodec.blockCount(seg, at);
                int lo = 0;
                while (lo + 1 < blocks && ChunkCodec.blockFirstTs(seg, at, lo + 1) < from) lo++;
                int hi = lo;
                while (hi < blocks && ChunkCodec.blockFirstTs(seg, at, hi) < to) hi++;
                int start = out.size();
                codec.decode(seg, at, lo, hi, regDur, out);
                filterRange(out, start, from, to);
            }
            for (ActionColumns unsealedPart : new ActionColumns[] {h.frozen, h.tail}) {
                if (unsealedPart == null) continue;
                int start = out.size();
                out.addFrom(unsealedPart, 0, unsealedPart.size());
                filterRange(out, start, from, to);
            }
            return out.size();
        } finally {
            s.rw.readLock().unlock();
        }
    }

    private static void filterRange(ActionColumns c, int start, long from, long to) {
        int w = start;
        long[] ts = c.timestampArray();
        int[] it = c.itemArray();
        byte[] ty = c.typeArray();
        int[] wa = c.watchArray();
        int[] du = c.durationArray();
        for (int i = start; i < c.size(); i++) {
            if (ts[i] >= from && ts[i] < to) {
                ts[w] = ts[i];
                it[w] = it[i];
                ty[w] = ty[i];
                wa[w] = wa[i];
                du[w] = du[i];
                w++;
            }
        }
        c.setSize(w);
    }

    private MemorySegment verifiedChunk(UserHistory h, int c, ChunkCodec codec) throws CorruptChunkException {
        MemorySegment seg = s.chunkFiles.get(h.chunkFile[c]);
        if (!h.chunkVerified[c]) {
            String problem = codec.payloadProblem(seg, h.chunkOffset[c]);
            if (problem != null) throw new CorruptChunkException(s.chunkPath(h.chunkFile[c]), h.chunkOffset[c], problem);
            h.chunkVerified[c] = true; // benign race: every reader computes the same answer
        }
        return seg;
    }

}
