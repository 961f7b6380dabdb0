package dev.actrec.store.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Encodes one column block of up to {@link #BLOCK} non-negative longs in the smaller of two forms.
 *
 * <pre>
 * PFOR   u8 width b (0..64) | varint (base << 1 | (e > 0 ? 1 : 0)) | [u8 exceptions e, when e > 0]
 *        | ceil(n*b/8) bytes: (v - base) low b bits, LSB first
 *        | e × (u8 index, varint (v - base) >>> b)
 * SPARSE u8 0x80 | ceil(n/8) bytes bitmap of non-zero values | PFOR block of the non-zero values in order
 * </pre>
 *
 * Patched frame of reference keeps a column small when a few values are large (a long gap between two sessions,
 * a rare item); the sparse form serves columns that are mostly zero (watch time of impressions). The encoder picks
 * the width that minimises bytes. Decoders read whole 64-bit words, so the caller guarantees 8 readable bytes
 * after the last block (ChunkCodec decodes from a heap copy padded with zeros).
 */
public final class BlockCodec {
    public static final int BLOCK = 128;
    /** First byte of a sparse block; a PFOR block starts with its width, 0..64. */
    private static final int SPARSE = 0x80;

    private final int[] allLengths = new int[65];
    private final int[] nonZeroLengths = new int[65];
    private final long[] nonZero = new long[BLOCK];
    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Appends the block to {@code sink}. Values must be non-negative (callers zigzag signed columns). */
    public void encode(long[] v, int off, int n, ByteSink sink) {
        assert n > 0 && n <= BLOCK : n;
        long min = Long.MAX_VALUE;
        int zeros = 0;
        for (int i = 0; i < n; i++) {
            long x = v[off + i];
            assert x >= 0 : "negative value " + x;
            min = Math.min(min, x);
            if (x == 0) zeros++;
        }
        Arrays.fill(allLengths, 0);
        Arrays.fill(nonZeroLengths, 0);
        for (int i = 0; i < n; i++) {
            long x = v[off + i];
            allLengths[64 - Long.numberOfLeadingZeros(x - min)]++;
            nonZeroLengths[64 - Long.numberOfLeadingZeros(x)]++;
        }
        int pfor = bestWidth(allLengths, n);
        int pforCost = 1 + varintLength(min << 1) + (pfor >>> 8);
        int m = n - zeros;
        int sparse = 0, sparseCost = Integer.MAX_VALUE;
        if (zeros > 0 && m > 0) {
            nonZeroLengths[0] = 0; // zeros are in the bitmap, not among the values
            sparse = bestWidth(nonZeroLengths, m);
            sparseCost = ((n + 7) >>> 3) + 3 + (sparse >>> 8);
        }
        if (sparseCost < pforCost) {
            sink.u8(SPARSE);
            int bytes = (n + 7) >>> 3;
            sink.ensure(bytes);
            int k = 0;
            for (int b = 0; b < bytes; b++) {
                int bits = 0;
                for (int j = 0; j < 8 && b * 8 + j < n; j++) {
                    long x = v[off + b * 8 + j];
                    if (x != 0) {
                        bits |= 1 << j;
                        nonZero[k++] = x;
                    }
                }
                sink.u8(bits);
            }
            writePfor(nonZero, 0, m, 0, sparse & 0xFF, sink);
        } else {
            writePfor(v, off, n, min, pfor & 0xFF, sink);
        }
    }

    /**
     * The width with the fewest bytes of packed values plus exceptions for a histogram of bit lengths, as
     * (bytes << 8 | width). At most 255 exceptions fit a block header.
     */
    private static int bestWidth(int[] lengthCount, int n) {
        int maxLen = 64;
        while (maxLen > 0 && lengthCount[maxLen] == 0) maxLen--;
        int bestCost = (n * maxLen + 7) >>> 3;
        int bestB = maxLen;
        int exceptions = 0;
        for (int b = maxLen - 1; b >= 0; b--) {
            exceptions += lengthCount[b + 1];
            if (exceptions > 255) break;
            int cost = (n * b + 7) >>> 3;
            for (int len = b + 1; len <= maxLen && cost < bestCost; len++) {
                cost += lengthCount[len] * (1 + (len - b + 6) / 7);
            }
            if (cost < bestCost) {
                bestCost = cost;
                bestB = b;
            }
        }
        return bestCost << 8 | bestB;
    }

    private static void writePfor(long[] v, int off, int n, long base, int b, ByteSink sink) {
        long mask = b == 64 ? -1L : (1L << b) - 1;
        int exceptions = 0;
        for (int i = 0; i < n; i++) {
            if (((v[off + i] - base) & ~mask) != 0) exceptions++;
        }
        sink.u8(b);
        sink.varint(base << 1 | (exceptions > 0 ? 1 : 0)); // base < 2^63, so the shift loses nothing (unsigned)
        if (exceptions > 0) sink.u8(exceptions);
        int bytes = (n * b + 7) >>> 3;
        sink.ensure(bytes + 8);
        byte[] buf = sink.array();
        int at = sink.position();
        // Accumulate bits LSB first and store whole 64-bit words; the last partial word is cut to its bytes.
        long acc = 0;
        int accBits = 0;
        for (int i = 0; i < n; i++) {
            long x = (v[off + i] - base) & mask;
            acc |= x << accBits;
            accBits += b;
            if (accBits >= 64) {
                LE_LONG.set(buf, at, acc);
                at += 8;
                accBits -= 64;
                acc = accBits == 0 ? 0 : x >>> (b - accBits);
            }
        }
        if (accBits > 0) LE_LONG.set(buf, at, acc);
        sink.position(sink.position() + bytes);
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

    /**
     * Decodes a block of {@code n} values at {@code buf[pos]} into {@code out[0..n)}; returns the position after it.
     * Works on a heap copy of the bytes: C2 compiles array and byte-array-view accesses to plain loads, where memory
     * segment accesses kept their checks in the inner loop (measured 2x slower).
     */
    public int decode(byte[] buf, int pos, int n, long[] out) {
        int head = buf[pos] & 0xFF;
        if (head <= 64) return decodePfor(buf, pos, n, out);
        if (head != SPARSE) throw new IllegalStateException("unknown block header " + head + " at offset " + pos);
        int bytes = (n + 7) >>> 3;
        int bitmapAt = pos + 1;
        int m = 0;
        for (int b = 0; b < bytes; b++) m += Integer.bitCount(buf[bitmapAt + b] & 0xFF);
        if ((buf[bitmapAt + bytes] & 0xFF) > 64) throw new IllegalStateException("sparse block without PFOR values at offset " + pos);
        int end = decodePfor(buf, bitmapAt + bytes, m, nonZero);
        Arrays.fill(out, 0, n, 0L);
        // Visit set bits only: a branch per value mispredicts on mixed columns.
        int k = 0;
        for (int b = 0; b < bytes; b++) {
            int bits = buf[bitmapAt + b] & 0xFF;
            while (bits != 0) {
                out[(b << 3) + Integer.numberOfTrailingZeros(bits)] = nonZero[k++];
                bits &= bits - 1;
            }
        }
        return end;
    }

    private static int decodePfor(byte[] buf, int pos, int n, long[] out) {
        int b = buf[pos++] & 0xFF;
        if (b > 64) throw new IllegalStateException("bit width " + b + " > 64 at offset " + (pos - 1));
        long head = varintAt(buf, pos);
        pos = skipVarint(buf, pos);
        long base = head >>> 1;
        int exceptions = (head & 1) != 0 ? buf[pos++] & 0xFF : 0;
        if (b == 0) {
            Arrays.fill(out, 0, n, base);
        } else if (b <= 56) {
            long mask = (1L << b) - 1;
            int bit = 0;
            for (int i = 0; i < n; i++, bit += b) {
                long w = (long) LE_LONG.get(buf, pos + (bit >>> 3));
                out[i] = base + ((w >>> (bit & 7)) & mask);
            }
        } else {
            long mask = b == 64 ? -1L : (1L << b) - 1;
            int bit = 0;
            for (int i = 0; i < n; i++, bit += b) {
                int at = pos + (bit >>> 3);
                int s = bit & 7;
                long w = (long) LE_LONG.get(buf, at) >>> s;
                if (s != 0) w |= (buf[at + 8] & 0xFFL) << (64 - s);
                out[i] = base + (w & mask);
            }
        }
        pos += (n * b + 7) >>> 3;
        for (int e = 0; e < exceptions; e++) {
            int idx = buf[pos++] & 0xFF;
            long high = varintAt(buf, pos);
            pos = skipVarint(buf, pos);
            if (idx >= n) throw new IllegalStateException("exception index " + idx + " >= " + n + " at offset " + pos);
            out[idx] += high << b;
        }
        return pos;
    }

    /**
     * Decodes a block of 32-bit column values (items, types, watch times, zigzagged duration differences) straight
     * into {@code out[off, off+n)}: the same formats as {@link #decode}, without a pass through a long array.
     * Returns the position after the block.
     */
    public int decodeInts(byte[] buf, int pos, int n, int[] out, int off) {
        int head = buf[pos] & 0xFF;
        if (head <= 64) return decodePforInts(buf, pos, n, out, off);
        if (head != SPARSE) throw new IllegalStateException("unknown block header " + head + " at offset " + pos);
        int bytes = (n + 7) >>> 3;
        int bitmapAt = pos + 1;
        int m = 0;
        for (int b = 0; b < bytes; b++) m += Integer.bitCount(buf[bitmapAt + b] & 0xFF);
        if ((buf[bitmapAt + bytes] & 0xFF) > 64) throw new IllegalStateException("sparse block without PFOR values at offset " + pos);
        int end = decodePfor(buf, bitmapAt + bytes, m, nonZero);
        Arrays.fill(out, off, off + n, 0);
        int k = 0;
        for (int b = 0; b < bytes; b++) {
            int bits = buf[bitmapAt + b] & 0xFF;
            while (bits != 0) {
                out[off + (b << 3) + Integer.numberOfTrailingZeros(bits)] = (int) nonZero[k++];
                bits &= bits - 1;
            }
        }
        return end;
    }

    private static int decodePforInts(byte[] buf, int pos, int n, int[] out, int off) {
        int b = buf[pos++] & 0xFF;
        if (b > 32) throw new IllegalStateException("bit width " + b + " > 32 in a 32-bit column at offset " + (pos - 1));
        long head = varintAt(buf, pos);
        pos = skipVarint(buf, pos);
        long base = head >>> 1;
        int exceptions = (head & 1) != 0 ? buf[pos++] & 0xFF : 0;
        int ibase = (int) base;
        if (b == 0) {
            Arrays.fill(out, off, off + n, ibase);
        } else {
            long mask = (1L << b) - 1;
            int bit = 0;
            for (int i = 0; i < n; i++, bit += b) {
                long w = (long) LE_LONG.get(buf, pos + (bit >>> 3));
                out[off + i] = ibase + (int) ((w >>> (bit & 7)) & mask);
            }
        }
        pos += (n * b + 7) >>> 3;
        for (int e = 0; e < exceptions; e++) {
            int idx = buf[pos++] & 0xFF;
            long high = varintAt(buf, pos);
            pos = skipVarint(buf, pos);
            if (idx >= n) throw new IllegalStateException("exception index " + idx + " >= " + n + " at offset " + pos);
            out[off + idx] += (int) (high << b);
        }
        return pos;
    }

    private static long varintAt(byte[] buf, int pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte by = buf[pos++];
            v |= (long) (by & 0x7F) << shift;
            if (by >= 0) return v;
        }
    }

    private static int skipVarint(byte[] buf, int pos) {
        while (buf[pos++] < 0) { }
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
