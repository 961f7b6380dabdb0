package dev.actrec.store.internal;

import dev.actrec.core.ActionColumns;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes one sealed chunk: a run of one user's actions, in time order, as compressed columns.
 *
 * <pre>
 * header, 48 bytes, little-endian:
 *   u32 magic 'ACK1' | u32 user | u32 count | u32 flags | i64 minTs | i64 maxTs
 *   | u32 payloadLength | u32 crc32c(payload) | u32 crc32c(header bytes 0..39) | u32 reserved (0)
 * payload:
 *   blocks × u32 block offset (from payload start) | blocks × i64 first timestamp of the block
 *   | blocks, each of up to 128 actions: ts deltas from the block's first ts (n-1, PFOR/SPARSE, absent when n = 1)
 *     | items (0 = same as the previous action in the block, else item + 1) | types | watch ms
 *     | zigzag(duration ms - the item's registered duration)
 * </pre>
 *
 * A chunk has ⌈count / 128⌉ blocks. Flag {@link #SUPERSEDES}: the chunk holds the user's whole sealed history as of
 * its checkpoint (written by compaction), so the user's chunks in earlier files are dead. Each column block uses
 * {@link BlockCodec}. Durations are stored as the difference to the duration registered for
 * the item when it entered the dictionary: a duration is the item's property, so the column is almost always zero
 * and costs nothing. Not thread-safe: one codec per thread.
 */
public final class ChunkCodec {
    public static final int MAGIC = 0x314B4341; // "ACK1"
    public static final int HEADER = 48;
    /** Header flag: this chunk replaces every earlier chunk of its user. */
    public static final int SUPERSEDES = 1;
    private static final int B = BlockCodec.BLOCK;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final BlockCodec blocks = new BlockCodec();
    private final long[] col = new long[B];
    private final int[] intCol = new int[B];
    private final ByteSink payload = new ByteSink(1 << 16);
    private final CRC32C crc = new CRC32C();

    /**
     * Appends a chunk holding {@code src[from, from+n)} of {@code user} to {@code out}. Timestamps must be
     * non-decreasing. {@code registeredDuration[item]} is the item's registered duration.
     */
    public void encode(int user, ActionColumns src, int from, int n, int[] registeredDuration, ByteSink out) {
        encode(user, src, from, n, registeredDuration, 0, out);
    }

    /** As {@link #encode(int, ActionColumns, int, int, int[], ByteSink)}, with header {@code flags}. */
    public void encode(int user, ActionColumns src, int from, int n, int[] registeredDuration, int flags, ByteSink out) {
        assert n > 0;
        int blockCount = (n + B - 1) / B;
        long[] ts = src.timestampArray();
        int[] items = src.itemArray();
        byte[] types = src.typeArray();
        int[] watch = src.watchArray();
        int[] dur = src.durationArray();
        long minTs = Long.MAX_VALUE, maxTs = Long.MIN_VALUE;
        for (int i = from; i < from + n; i++) {
            minTs = Math.min(minTs, ts[i]);
            maxTs = Math.max(maxTs, ts[i]);
        }
        payload.reset();
        payload.zeros(blockCount * 12);
        for (int blk = 0; blk < blockCount; blk++) {
            int s = from + blk * B;
            int len = Math.min(B, from + n - s);
            ByteSink.putI32(payload.array(), blk * 4, payload.position());
            putI64(payload.array(), blockCount * 4 + blk * 8, ts[s]); // the block's first ts lives in the index only
            if (len > 1) {
                for (int i = 1; i < len; i++) {
                    col[i - 1] = ts[s + i] - ts[s + i - 1];
                    assert col[i - 1] >= 0 : "timestamps must be sorted inside a chunk";
                }
                blocks.encode(col, 0, len - 1, payload);
            }
            // 0 = the same item as the previous action (an impression, then its view, then a like), else item + 1:
            // repeats become zeros, which the sparse form stores as one bit each.
            col[0] = items[s] + 1L;
            for (int i = 1; i < len; i++) col[i] = items[s + i] == items[s + i - 1] ? 0 : items[s + i] + 1L;
            blocks.encode(col, 0, len, payload);
            for (int i = 0; i < len; i++) col[i] = types[s + i];
            blocks.encode(col, 0, len, payload);
            for (int i = 0; i < len; i++) col[i] = watch[s + i];
            blocks.encode(col, 0, len, payload);
            for (int i = 0; i < len; i++) col[i] = ByteSink.zigzag((long) dur[s + i] - registeredDuration[items[s + i]]);
            blocks.encode(col, 0, len, payload);
        }
        crc.reset();
        crc.update(payload.array(), 0, payload.position());
        int payloadCrc = (int) crc.getValue();
        int headerAt = out.position();
        out.i32(MAGIC);
        out.i32(user);
        out.i32(n);
        out.i32(flags);
        out.i64(minTs);
        out.i64(maxTs);
        out.i32(payload.position());
        out.i32(payloadCrc);
        crc.reset();
        crc.update(out.array(), headerAt, 40);
        out.i32((int) crc.getValue());
        out.i32(0);
        out.bytes(payload.array(), 0, payload.position());
    }

    private static void putI64(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) b[off + i] = (byte) (v >>> (8 * i));
    }

    /** The fields of a chunk header, read without checks (see {@link #headerProblem}). */
    public static int user(MemorySegment seg, long at) { return seg.get(INT, at + 4); }
    public static int count(MemorySegment seg, long at) { return seg.get(INT, at + 8); }
    public static int flags(MemorySegment seg, long at) { return seg.get(INT, at + 12); }
    public static int blockCount(MemorySegment seg, long at) { return (count(seg, at) + B - 1) / B; }
    public static long minTs(MemorySegment seg, long at) { return seg.get(LONG, at + 16); }
    public static long maxTs(MemorySegment seg, long at) { return seg.get(LONG, at + 24); }
    public static int payloadLength(MemorySegment seg, long at) { return seg.get(INT, at + 32); }

    /** Null when the header at {@code at} is well formed, else what is wrong with it. */
    public String headerProblem(MemorySegment seg, long at) {
        if (at + HEADER > seg.byteSize()) return "truncated chunk header";
        if (seg.get(INT, at) != MAGIC) return String.format("bad chunk magic 0x%08x", seg.get(INT, at));
        crc.reset();
        crc.update(seg.asSlice(at, 40).asByteBuffer());
        if ((int) crc.getValue() != seg.get(INT, at + 40)) return "chunk header checksum mismatch";
        int count = count(seg, at);
        if (count <= 0) return "impossible count " + count;
        if ((flags(seg, at) & ~SUPERSEDES) != 0) return "unknown chunk flags " + Integer.toHexString(flags(seg, at));
        long len = payloadLength(seg, at) & 0xFFFFFFFFL;
        if (at + HEADER + len > seg.byteSize()) return "chunk payload of " + len + " bytes runs past the end of the file";
        return null;
    }

    /** Null when the payload matches its checksum, else the problem. */
    public String payloadProblem(MemorySegment seg, long at) {
        crc.reset();
        crc.update(seg.asSlice(at + HEADER, payloadLength(seg, at) & 0xFFFFFFFFL).asByteBuffer());
        return (int) crc.getValue() == seg.get(INT, at + 36) ? null : "chunk payload checksum mismatch";
    }

    /** First timestamp of block {@code blk} of the chunk at {@code at}. */
    public static long blockFirstTs(MemorySegment seg, long at, int blk) {
        return seg.get(LONG, at + HEADER + 4L * blockCount(seg, at) + 8L * blk);
    }

    /** Heap copy of the blocks being decoded, reused; see {@link BlockCodec#decode}. */
    private byte[] scratch = new byte[1 << 16];

    /**
     * Appends blocks {@code [fromBlock, toBlock)} of the chunk at {@code at} to {@code out}.
     * Returns the number of actions appended.
     */
    public int decode(MemorySegment seg, long at, int fromBlock, int toBlock, int[] registeredDuration, ActionColumns out) {
        if (fromBlock >= toBlock) return 0;
        // Relative durations must stay a prefix: after absolute ones, resolve here instead.
        boolean relative = !out.hasAbsoluteDurations();
        int size = out.size();
        out.ensureCapacity(size + (toBlock - fromBlock) * B);
        int n = decodeInto(seg, at, fromBlock, toBlock, registeredDuration, out, size, relative);
        if (relative) out.markRelativeDurations(size + n, registeredDuration);
        else out.setSize(size + n);
        return n;
    }

    /** Actions in blocks {@code [fromBlock, toBlock)} of the chunk at {@code at}. */
    public static int actionsIn(MemorySegment seg, long at, int fromBlock, int toBlock) {
        return Math.max(0, Math.min(count(seg, at), toBlock * B) - fromBlock * B);
    }

    /**
     * Writes blocks {@code [fromBlock, toBlock)} into {@code out}'s arrays from index {@code offset} on, without
     * touching its size (so that several threads can fill disjoint ranges); durations are left relative to
     * {@code registeredDuration} when {@code relativeDurations}. The arrays must already hold the range.
     * Returns the number of actions written.
     */
    public int decodeInto(MemorySegment seg, long at, int fromBlock, int toBlock, int[] registeredDuration,
                          ActionColumns out, int offset, boolean relativeDurations) {
        if (fromBlock >= toBlock) return 0;
        int count = count(seg, at);
        int blockCount = blockCount(seg, at);
        assert toBlock <= blockCount;
        long payloadAt = at + HEADER;
        long start = seg.get(INT, payloadAt + 4L * fromBlock) & 0xFFFFFFFFL;
        long end = toBlock == blockCount ? (payloadLength(seg, at) & 0xFFFFFFFFL)
                : seg.get(INT, payloadAt + 4L * toBlock) & 0xFFFFFFFFL;
        int len = (int) (end - start);
        if (scratch.length < len + 16) scratch = new byte[Math.max(len + 16, scratch.length * 2)];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, payloadAt + start, scratch, 0, len);
        Arrays.fill(scratch, len, len + 16, (byte) 0);
        byte[] buf = scratch;
        int total = 0;
        boolean relative = relativeDurations;
        long[] ts = out.timestampArray();
        int[] items = out.itemArray();
        byte[] types = out.typeArray();
        int[] watch = out.watchArray();
        int[] dur = out.rawDurationArray();
        int pos = 0;
        int size = offset;
        for (int blk = fromBlock; blk < toBlock; blk++) {
            int n = Math.min(B, count - blk * B);
            int o = size;
            long t = blockFirstTs(seg, at, blk);
            ts[o] = t;
            if (n > 1) {
                pos = blocks.decode(buf, pos, n - 1, col);
                for (int i = 1; i < n; i++) {
                    t += col[i - 1];
                    ts[o + i] = t;
                }
            }
            pos = blocks.decodeInts(buf, pos, n, items, o);
            if (items[o] == 0) throw new IllegalStateException("block " + blk + " starts with a repeated item");
            items[o]--;
            for (int i = o + 1; i < o + n; i++) items[i] = items[i] == 0 ? items[i - 1] : items[i] - 1;
            pos = blocks.decodeInts(buf, pos, n, intCol, 0);
            for (int i = 0; i < n; i++) types[o + i] = (byte) intCol[i];
            pos = blocks.decodeInts(buf, pos, n, watch, o);
            pos = blocks.decodeInts(buf, pos, n, dur, o);
            // Differences to the item's registered duration; ActionColumns adds the item's duration on access.
            if (relative) {
                for (int i = o; i < o + n; i++) dur[i] = (dur[i] >>> 1) ^ -(dur[i] & 1);
            } else {
                for (int i = o; i < o + n; i++) dur[i] = registeredDuration[items[i]] + ((dur[i] >>> 1) ^ -(dur[i] & 1));
            }
            size += n;
            total += n;
        }
        return total;
    }
}
