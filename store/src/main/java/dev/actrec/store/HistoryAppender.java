package dev.actrec.store;

import dev.actrec.core.ActionColumns;
import dev.actrec.store.internal.ChunkCodec;
import java.lang.foreign.MemorySegment;

/**
 * Adds acknowledged actions to users' unsealed tails, keeping each tail sorted by timestamp (ties in arrival
 * order) and dropping exact duplicates of anything already stored. Runs on one thread at a time: recovery, then the
 * sync thread with the write lock held. Replaying the log through it reproduces the same histories, because every
 * decision depends only on what was applied before.
 */
final class HistoryAppender {
    static final int STORED = 0;
    static final int LATE = 1;
    static final int DUPLICATE = 2;

    private final StoreState s;
    private final ChunkCodec codec = new ChunkCodec();
    private final ActionColumns probe = new ActionColumns(256);

    HistoryAppender(StoreState s) {
        this.s = s;
    }

    /** Adds one action; returns {@link #STORED}, {@link #LATE} (stored, older than the user's newest) or {@link #DUPLICATE}. */
    int apply(int user, int item, byte type, long ts, int watch, int dur) {
        UserHistory h = s.history(user);
        ActionColumns t = h.tail;
        if (t == null) h.tail = t = new ActionColumns(8);
        int n = t.size();
        boolean late = (n > 0 && ts < t.timestamp(n - 1)) || (n == 0 && ts < h.sealedMaxTs);
        if ((n > 0 && ts <= t.timestamp(n - 1)) || ts <= h.sealedMaxTs) {
            if (isDuplicate(h, item, type, ts, watch, dur)) {
                s.duplicateTotal++;
                return DUPLICATE;
            }
        }
        if (n == 0 || ts >= t.timestamp(n - 1)) {
            t.add(item, type, ts, watch, dur);
        } else {
            t.insert(upperBound(t, ts), item, type, ts, watch, dur);
        }
        s.unsealed++;
        s.totalActions++;
        if (late) s.lateTotal++;
        return late ? LATE : STORED;
    }

    /** First index in the sorted columns whose timestamp is greater than {@code ts}. */
    private static int upperBound(ActionColumns t, long ts) {
        long[] a = t.timestampArray();
        int lo = 0, hi = t.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= ts) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private boolean isDuplicate(UserHistory h, int item, byte type, long ts, int watch, int dur) {
        if (containsAction(h.tail, item, type, ts, watch, dur) || containsAction(h.frozen, item, type, ts, watch, dur)) {
            return true;
        }
        for (int c = 0; c < h.chunks; c++) {
            if (ts < h.chunkMinTs[c] || ts > h.chunkMaxTs[c]) continue;
            MemorySegment seg = s.chunkFiles.get(h.chunkFile[c]);
            long at = h.chunkOffset[c];
            int blocks = ChunkCodec.blockCount(seg, at);
            // Blocks are in time order: the action can only sit in blocks whose range covers ts.
            for (int blk = 0; blk < blocks; blk++) {
                if (ChunkCodec.blockFirstTs(seg, at, blk) > ts) break;
                if (blk + 1 < blocks && ChunkCodec.blockFirstTs(seg, at, blk + 1) < ts) continue;
                probe.clear();
                codec.decode(seg, at, blk, blk + 1, s.registeredDurations(), probe);
                if (containsAction(probe, item, type, ts, watch, dur)) return true;
            }
        }
        return false;
    }

    /** Whether the time-sorted columns {@code t} (may be null) hold exactly this action. */
    private static boolean containsAction(ActionColumns t, int item, byte type, long ts, int watch, int dur) {
        if (t == null) return false;
        for (int i = upperBound(t, ts) - 1; i >= 0 && t.timestamp(i) == ts; i--) {
            if (t.item(i) == item && t.type(i) == type && t.watchMs(i) == watch && t.durationMs(i) == dur) return true;
        }
        return false;
    }
}
