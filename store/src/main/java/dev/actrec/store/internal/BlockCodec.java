package dev.actrec.store.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Encodes one column block of up to {@link #BLOCK} non-negative longs in the smaller of two forms.
 *
 * <pre>
 * PFOR   u8 0 | varint base | u8 width b | u8 exceptions e | ceil(n*b/8) bytes: (v - base) low b bits, LSB first
 *        | e × (u8 index, varint (v - base) >>> b)
 * SPARSE u8 1 | ceil(n/8) bytes bitmap of non-zero values | PFOR block of the non-zero values in order
 * </pre>
 *
 * Patched frame of reference keeps a column small when a few values are large (a long gap between two sessions,
 * a rare item); the sparse form serves columns that are mostly zero (watch time of impressions). The encoder picks
 * the width that minimises bytes. Decoders read whole 64-bit words, so the caller guarantees 8 readable bytes
 * after the last block (the chunk format pads).
 */
public final class BlockCodec {
    public static final int BLOCK = 128;
    private static final int PFOR = 0;
    private static final int SPARSE = 1;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final int[] bitLengthCount = new int[65];
    private final long[] nonZero = new long[BLOCK];

    /** Appends the block to {@code sink}. Values must be non-negative (callers zigzag signed columns). */
    public void encode(long[] v, int off, int n, ByteSink sink) {
        assert n > 0 && n <= BLOCK : n;
        int m = 0;
        for (int i = 0; i < n; i++) {
            assert v[off + i] >= 0 : "negative value " + v[off + i];
            if (v[off + i] != 0) nonZero[m++] = v[off + i];
        }
        int pforCost = pforCost(v, off, n);
        int sparseCost = m == n || m == 0 ? Integer.MAX_VALUE : ((n + 7) >>> 3) + pforCost(nonZero, 0, m);
        if (sparseCost < pforCost) {
            sink.u8(SPARSE);
            int bytes = (n + 7) >>> 3;
            sink.ensure(bytes);
            for (int b = 0; b < bytes; b++) {
                int bits = 0;
                for (int j = 0; j < 8 && b * 8 + j < n; j++) {
                    if (v[off + b * 8 + j] != 0) bits |= 1 << j;
                }
                sink.u8(bits);
            }
            encodePfor(nonZero, 0, m, sink);
        } else {
            encodePfor(v, off, n, sink);
        }
    }

    private int pforCost(long[] v, int off, int n) {
        if (n == 0) return 3;
        long min = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) min = Math.min(min, v[off + i]);
        return 3 + varintLength(min) + (bestWidth(v, off, n, min) >>> 8);
    }

    /** Returns (bytes of packed data and exceptions) << 8 | width. */
    private int bestWidth(long[] v, int off, int n, long base) {
        java.util.Arrays.fill(bitLengthCount, 0);
        for (int i = 0; i < n; i++) bitLengthCount[64 - Long.numberOfLeadingZeros(v[off + i] - base)]++;
        int maxLen = 64;
        while (maxLen > 0 && bitLengthCount[maxLen] == 0) maxLen--;
        int bestCost = Integer.MAX_VALUE;
        int bestB = maxLen;
        for (int b = maxLen; b >= 0; b--) {
            int cost = (n * b + 7) >>> 3;
            int exceptions = 0;
            for (int len = b + 1; len <= maxLen; len++) {
                int c = bitLengthCount[len];
                exceptions += c;
                cost += c * (1 + (len - b + 6) / 7);
            }
            if (exceptions > 255) break;
            if (cost < bestCost) {
                bestCost = cost;
                bestB = b;
            }
        }
        return bestCost << 8 | bestB;
    }

    private void encodePfor(long[] v, int off, int n, ByteSink sink) {
        sink.u8(PFOR);
        long base = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) base = Math.min(base, v[off + i]);
        if (n == 0) base = 0;
        int b = n == 0 ? 0 : bestWidth(v, off, n, base) & 0xFF;
        long mask = b == 64 ? -1L : (1L << b) - 1;
        int exceptions = 0;
        for (int i = 0; i < n; i++) {
            if (((v[off + i] - base) & ~mask) != 0) exceptions++;
        }
        sink.varint(base);
        sink.u8(b);
        sink.u8(exceptions);
        int bytes = (n * b + 7) >>> 3;
        sink.ensure(bytes + 8);
        byte[] buf = sink.array();
        int start = sink.position();
        java.util.Arrays.fill(buf, start, start + bytes + 8, (byte) 0);
        long bit = 0;
        for (int i = 0; i < n; i++, bit += b) {
            long low = (v[off + i] - base) & mask;
            // Spread the value over the bytes it touches; at most 9 bytes for b = 64.
            int byteIdx = start + (int) (bit >>> 3);
            int shift = (int) (bit & 7);
            long shifted = low << shift;
            for (int k = 0; k < 8; k++) buf[byteIdx + k] |= (byte) (shifted >>> (8 * k));
            if (shift + b > 64) buf[byteIdx + 8] |= (byte) (low >>> (64 - shift));
        }
        sink.position(start + bytes);
        if (exceptions > 0) {
            for (int i = 0; i < n; i++) {
                long high = b == 64 ? 0 : (v[off + i] - base) >>> b;
                if (high != 0) {
                    sink.u8(i);
                    sink.varint(high);
                }
            }
        }
    }

    /** Decodes a block of {@code n} values at {@code pos} into {@code out[0..n)}; returns the position after it. */
    public long decode(MemorySegment seg, long pos, int n, long[] out) {
        int mode = seg.get(ValueLayout.JAVA_BYTE, pos) & 0xFF;
        if (mode == PFOR) return decodePfor(seg, pos + 1, n, out);
        if (mode != SPARSE) throw new IllegalStateException("unknown block mode " + mode + " at offset " + pos);
        int bytes = (n + 7) >>> 3;
        long bitmapAt = pos + 1;
        int m = 0;
        for (int b = 0; b < bytes; b++) m += Integer.bitCount(seg.get(ValueLayout.JAVA_BYTE, bitmapAt + b) & 0xFF);
        long end = decodePfor(seg, bitmapAt + bytes + 1, m, nonZero);
        if (seg.get(ValueLayout.JAVA_BYTE, bitmapAt + bytes) != PFOR) {
            throw new IllegalStateException("sparse block without PFOR values at offset " + pos);
        }
        java.util.Arrays.fill(out, 0, n, 0L);
        // Visit set bits only: a branch per value mispredicts on mixed columns.
        int k = 0;
        for (int b = 0; b < bytes; b++) {
            int bits = seg.get(ValueLayout.JAVA_BYTE, bitmapAt + b) & 0xFF;
            while (bits != 0) {
                out[(b << 3) + Integer.numberOfTrailingZeros(bits)] = nonZero[k++];
                bits &= bits - 1;
            }
        }
        return end;
    }

    private static long decodePfor(MemorySegment seg, long pos, int n, long[] out) {
        long base = 0;
        int shift = 0;
        byte by;
        do {
            by = seg.get(ValueLayout.JAVA_BYTE, pos++);
            base |= (long) (by & 0x7F) << shift;
            shift += 7;
        } while (by < 0);
        int b = seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
        int exceptions = seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
        if (b > 64) throw new IllegalStateException("bit width " + b + " > 64 at offset " + (pos - 2));
        if (b == 0) {
            java.util.Arrays.fill(out, 0, n, base);
        } else if (b <= 56) {
            long mask = (1L << b) - 1;
            long bit = 0;
            for (int i = 0; i < n; i++, bit += b) {
                long w = seg.get(LONG, pos + (bit >>> 3));
                out[i] = base + ((w >>> (bit & 7)) & mask);
            }
        } else {
            long mask = b == 64 ? -1L : (1L << b) - 1;
            long bit = 0;
            for (int i = 0; i < n; i++, bit += b) {
                long at = pos + (bit >>> 3);
                int s = (int) (bit & 7);
                long w = seg.get(LONG, at) >>> s;
                if (s != 0) w |= (seg.get(ValueLayout.JAVA_BYTE, at + 8) & 0xFFL) << (64 - s);
                out[i] = base + (w & mask);
            }
        }
        pos += ((long) n * b + 7) >>> 3;
        for (int e = 0; e < exceptions; e++) {
            int idx = seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
            long high = 0;
            shift = 0;
            do {
                by = seg.get(ValueLayout.JAVA_BYTE, pos++);
                high |= (long) (by & 0x7F) << shift;
                shift += 7;
            } while (by < 0);
            if (idx >= n) throw new IllegalStateException("exception index " + idx + " >= " + n + " at offset " + pos);
            out[idx] += high << b;
        }
        return pos;
    }

    static int varintLength(long v) {
        int len = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            len++;
        }
        return len;
    }
}
