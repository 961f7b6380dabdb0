package dev.actrec.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A byte buffer in front of an OutputStream with the few encoders the writers need. Not thread-safe. */
final class ByteSink {
    private final OutputStream out;
    private final byte[] buf;
    private int pos;

    ByteSink(OutputStream out, int capacity) {
        this.out = out;
        this.buf = new byte[capacity];
    }

    /** Makes room for {@code n} more bytes; {@code n} must not exceed the capacity. */
    void ensure(int n) throws IOException {
        if (pos + n > buf.length) {
            drain();
        }
    }

    void put(byte b) {
        buf[pos++] = b;
    }

    void put(byte[] bytes) throws IOException {
        if (bytes.length > buf.length - pos) {
            drain();
            if (bytes.length > buf.length) {
                out.write(bytes);
                return;
            }
        }
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
    }

    /** Writes a non-negative decimal; the caller has ensured 20 bytes of room. */
    void putDecimal(long v) {
        assert v >= 0 : v;
        if (v < 10) {
            buf[pos++] = (byte) ('0' + v);
            return;
        }
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) {
            digits++;
        }
        int i = pos + digits;
        pos = i;
        while (v >= 10) {
            long q = v / 10;
            buf[--i] = (byte) ('0' + (v - q * 10));
            v = q;
        }
        buf[--i] = (byte) ('0' + v);
    }

    void putAscii(String s) throws IOException {
        put(s.getBytes(StandardCharsets.US_ASCII));
    }

    void drain() throws IOException {
        if (pos > 0) {
            out.write(buf, 0, pos);
            pos = 0;
        }
    }

    void flush() throws IOException {
        drain();
        out.flush();
    }

    void close() throws IOException {
        try {
            drain();
        } finally {
            out.close();
        }
    }
}
