package dev.actrec.core.io;

import dev.actrec.core.ActionType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes action events as CSV that {@link CsvEventReader} reads back: the header
 * {@code user,item,action,ts,watch_ms,duration_ms}, then one LF-terminated row per event. A string id is quoted (with
 * doubled inner quotes) when it holds a comma, a quote or a leading/trailing space; numeric ids and numbers are
 * written as plain decimals. The header is written on construction, so an empty output still has it.
 *
 * <p>Buffered: call {@link #flush()} or {@link #close()} (which closes the stream). Not thread-safe.
 */
public final class CsvEventWriter extends EventWriter {
    static final String HEADER = "user,item,action,ts,watch_ms,duration_ms\n";
    private static final byte[][] ACTIONS = new byte[ActionType.COUNT][];

    static {
        for (int c = 0; c < ActionType.COUNT; c++) {
            ACTIONS[c] = ActionType.fromCode(c).wireName().getBytes(StandardCharsets.US_ASCII);
        }
    }

    public CsvEventWriter(OutputStream out) throws IOException {
        super(out);
        sink.putAscii(HEADER);
    }

    @Override
    public void write(long userId, String userName, long itemId, String itemName, byte type, long tsMs, int watchMs,
                      int durationMs) throws IOException {
        assert tsMs >= 0 && watchMs >= 0 && durationMs >= 0;
        ByteSink s = sink;
        if (userName == null) {
            s.ensure(20);
            s.putDecimal(userId);
        } else {
            putString(userName);
        }
        s.ensure(1);
        s.put((byte) ',');
        if (itemName == null) {
            s.ensure(20);
            s.putDecimal(itemId);
        } else {
            putString(itemName);
        }
        s.ensure(80); // ",action,ts,watch,duration\n" at most 1+9+1+19+1+10+1+10+1 bytes
        s.put((byte) ',');
        byte[] a = ACTIONS[type];
        for (byte x : a) {
            s.put(x);
        }
        s.put((byte) ',');
        s.putDecimal(tsMs);
        s.put((byte) ',');
        s.putDecimal(watchMs);
        s.put((byte) ',');
        s.putDecimal(durationMs);
        s.put((byte) '\n');
        written++;
    }

    private void putString(String id) throws IOException {
        boolean quote = !id.isEmpty() && (id.charAt(0) == ' ' || id.charAt(id.length() - 1) == ' ');
        for (int i = 0; i < id.length() && !quote; i++) {
            char c = id.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        if (!quote) {
            sink.put(id.getBytes(StandardCharsets.UTF_8));
            return;
        }
        sink.put(("\"" + id.replace("\"", "\"\"") + "\"").getBytes(StandardCharsets.UTF_8));
    }
}
