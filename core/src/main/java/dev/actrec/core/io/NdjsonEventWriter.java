package dev.actrec.core.io;

import dev.actrec.core.ActionType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes action events as NDJSON that {@link NdjsonEventReader} reads back, one object per LF-terminated line:
 * {@code {"user":7,"item":"a,b","action":"view","ts":1000,"watch_ms":0,"duration_ms":0}}. Numeric ids are JSON numbers,
 * string ids JSON strings (quote, backslash and control characters escaped; other characters as raw UTF-8). All six
 * fields are always written.
 *
 * <p>Buffered: call {@link #flush()} or {@link #close()} (which closes the stream). Not thread-safe.
 */
public final class NdjsonEventWriter extends EventWriter {
    private static final byte[] USER = ascii("{\"user\":");
    private static final byte[] ITEM = ascii(",\"item\":");
    private static final byte[][] ACTIONS = new byte[ActionType.COUNT][];
    private static final byte[] TS = ascii("\",\"ts\":");
    private static final byte[] WATCH = ascii(",\"watch_ms\":");
    private static final byte[] DURATION = ascii(",\"duration_ms\":");

    static {
        for (int c = 0; c < ActionType.COUNT; c++) {
            ACTIONS[c] = ascii(",\"action\":\"" + ActionType.fromCode(c).wireName());
        }
    }

    public NdjsonEventWriter(OutputStream out) {
        super(out);
    }

    @Override
    public void write(long userId, String userName, long itemId, String itemName, byte type, long tsMs, int watchMs,
                      int durationMs) throws IOException {
        assert tsMs >= 0 && watchMs >= 0 && durationMs >= 0;
        ByteSink s = sink;
        s.ensure(USER.length + 20);
        putRaw(USER);
        if (userName == null) {
            s.putDecimal(userId);
        } else {
            putString(userName);
        }
        s.ensure(ITEM.length + 20);
        putRaw(ITEM);
        if (itemName == null) {
            s.putDecimal(itemId);
        } else {
            putString(itemName);
        }
        s.ensure(120); // the rest of the line is at most ~100 bytes
        putRaw(ACTIONS[type]);
        putRaw(TS);
        s.putDecimal(tsMs);
        putRaw(WATCH);
        s.putDecimal(watchMs);
        putRaw(DURATION);
        s.putDecimal(durationMs);
        s.put((byte) '}');
        s.put((byte) '\n');
        written++;
    }

    /** Copies bytes the caller has ensured room for. */
    private void putRaw(byte[] bytes) {
        for (byte b : bytes) {
            sink.put(b);
        }
    }

    private void putString(String id) throws IOException {
        StringBuilder sb = new StringBuilder(id.length() + 8).append('"');
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
        sink.put(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
