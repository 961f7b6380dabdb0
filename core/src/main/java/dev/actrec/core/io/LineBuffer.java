package dev.actrec.core.io;

import dev.actrec.core.InputFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Splits a byte stream into lines inside one large reusable buffer, so parsers work on bytes in place.
 *
 * <p>After {@link #next()} returns true the current line is {@code buf[lineStart, lineEnd)} without its terminator
 * (LF or CRLF). The bytes stay valid until the following {@code next()}. Lines are counted 1-based, blank ones too,
 * so {@link #line()} is the number a text editor shows. A UTF-8 byte order mark at the very start is skipped.
 *
 * <p>Not thread-safe.
 */
final class LineBuffer implements AutoCloseable {
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A_0A0A_0A0A_0A0AL;

    /** Longest accepted line; a sequence line of a heavy user (10^6 items) is about 8 MiB. */
    static final int MAX_LINE_BYTES = 64 << 20;

    private final InputStream in;
    private final String source;
    byte[] buf;
    private int pos;       // start of the unconsumed bytes
    private int limit;     // end of the valid bytes
    private boolean eof;
    private long line;
    private long bytesConsumed;
    private boolean atStart = true;

    int lineStart;
    int lineEnd;

    LineBuffer(InputStream in, String source, int initialCapacity) {
        this.in = in;
        this.source = source;
        this.buf = new byte[Math.max(initialCapacity, 16)];
    }

    String source() {
        return source;
    }

    /** The 1-based number of the current line (0 before the first). */
    long line() {
        return line;
    }

    long bytesConsumed() {
        return bytesConsumed;
    }

    /** Advances to the next line; false at the end of the input. */
    boolean next() throws IOException, InputFormatException {
        int scan = pos;
        while (true) {
            int nl = indexOfNewline(buf, scan, limit);
            if (nl >= 0) {
                setLine(pos, nl, nl + 1);
                return true;
            }
            if (eof) {
                if (pos == limit) {
                    return false;
                }
                setLine(pos, limit, limit); // a final line without newline
                return true;
            }
            scan = limit;
            scan -= fill(); // fill() may move the bytes; keep scanning where we stopped
        }
    }

    private void setLine(int start, int end, int nextPos) {
        if (atStart) {
            atStart = false;
            if (end - start >= 3 && buf[start] == (byte) 0xEF && buf[start + 1] == (byte) 0xBB
                    && buf[start + 2] == (byte) 0xBF) {
                start += 3;
            }
        }
        lineStart = start;
        lineEnd = end > start && buf[end - 1] == '\r' ? end - 1 : end;
        bytesConsumed += nextPos - pos;
        pos = nextPos;
        line++;
    }

    /**
     * Reads more bytes, compacting or growing the buffer first. Returns how far the unconsumed bytes moved left.
     */
    private int fill() throws IOException, InputFormatException {
        int shift = 0;
        if (limit == buf.length) {
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                shift = pos;
                limit -= pos;
                pos = 0;
            } else {
                if (buf.length >= MAX_LINE_BYTES) {
                    throw new InputFormatException(source, line + 1, null, null,
                            "line longer than " + MAX_LINE_BYTES + " bytes");
                }
                byte[] bigger = new byte[Math.min(MAX_LINE_BYTES, buf.length * 2)];
                System.arraycopy(buf, 0, bigger, 0, limit);
                buf = bigger;
            }
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
        return shift;
    }

    /** Finds '\n' eight bytes at a time (SWAR), then finishes byte by byte. */
    static int indexOfNewline(byte[] b, int from, int to) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long x = (long) LONGS.get(b, i) ^ NEWLINES;
            // the lowest byte of x that is zero gets its high bit set (higher ones may be false positives)
            long zero = (x - 0x0101_0101_0101_0101L) & ~x & 0x8080_8080_8080_8080L;
            if (zero != 0) {
                return i + (Long.numberOfTrailingZeros(zero) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** True when the current line holds only spaces and tabs. */
    boolean isBlank() {
        for (int i = lineStart; i < lineEnd; i++) {
            byte c = buf[i];
            if (c != ' ' && c != '\t') {
                return false;
            }
        }
        return true;
    }

    /** The current line as text, for messages. */
    String lineText() {
        return text(buf, lineStart, lineEnd);
    }

    /** Lenient UTF-8 decoding of at most 1 KiB, for messages and exception values only. */
    static String text(byte[] b, int start, int end) {
        int n = Math.min(end - start, 1024); // keeps a whole 8 MiB line out of an exception
        return new String(b, start, Math.max(0, n), StandardCharsets.UTF_8);
    }

    InputFormatException error(String field, String value, String problem) {
        return new InputFormatException(source, line, field, value, problem);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
