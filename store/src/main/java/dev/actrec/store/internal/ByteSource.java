package dev.actrec.store.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A cursor over a memory segment (a mapped file or a heap array) with little-endian reads and LEB128 varints.
 * Bounds are the segment's; reading past them throws {@link IndexOutOfBoundsException}, which callers turn into
 * a named corruption error.
 */
public final class ByteSource {
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private MemorySegment seg;
    private long pos;

    public ByteSource(MemorySegment seg, long pos) {
        this.seg = seg;
        this.pos = pos;
    }

    public void reset(MemorySegment s, long p) {
        seg = s;
        pos = p;
    }

    public MemorySegment segment() { return seg; }
    public long position() { return pos; }
    public void position(long p) { pos = p; }
    public long remaining() { return seg.byteSize() - pos; }

    public int u8() {
        return seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
    }

    public int i32() {
        int v = seg.get(INT, pos);
        pos += 4;
        return v;
    }

    public long i64() {
        long v = seg.get(LONG, pos);
        pos += 8;
        return v;
    }

    public long varint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = seg.get(ValueLayout.JAVA_BYTE, pos++);
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) return result;
        }
        throw new IllegalStateException("varint longer than 10 bytes at offset " + (pos - 10));
    }

    public void skip(long n) {
        pos += n;
    }
}
