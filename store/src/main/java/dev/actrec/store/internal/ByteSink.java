package dev.actrec.store.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A growable little-endian byte array writer with LEB128 varints; reused across records to avoid garbage. */
public final class ByteSink {
    private byte[] buf;
    private int pos;

    public ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public void ensure(int extra) {
        if (pos + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + extra));
        }
    }

    public void reset() { pos = 0; }
    public int position() { return pos; }
    public byte[] array() { return buf; }

    /** Moves the write position back or forward within what has been reserved (for patching headers). */
    public void position(int p) {
        assert p >= 0 && p <= buf.length;
        pos = p;
    }

    public void u8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
    }

    public void i32(int v) {
        ensure(4);
        putI32(buf, pos, v);
        pos += 4;
    }

    public void i64(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) buf[pos + i] = (byte) (v >>> (8 * i));
        pos += 8;
    }

    /** Unsigned LEB128 of a long interpreted as unsigned. */
    public void varint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    public void bytes(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, buf, pos, len);
        pos += len;
    }

    /** Appends {@code n} zero bytes (padding that lets decoders read whole words past the last value). */
    public void zeros(int n) {
        ensure(n);
        Arrays.fill(buf, pos, pos + n, (byte) 0);
        pos += n;
    }

    public ByteBuffer asBuffer() {
        return ByteBuffer.wrap(buf, 0, pos);
    }

    public static void putI32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    public static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    public static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
