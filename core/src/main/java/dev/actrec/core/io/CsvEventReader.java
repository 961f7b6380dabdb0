package dev.actrec.core.io;

import dev.actrec.core.EventBatch;
import dev.actrec.core.EventReader;
import dev.actrec.core.InputFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads action events from CSV.
 *
 * <p>The first non-blank line is a header naming the columns, in any order: {@code user}, {@code item},
 * {@code action}, {@code ts} (required) and {@code watch_ms}, {@code duration_ms} (optional; absent or empty cells are
 * 0). Header names are matched case-insensitively; an unknown, duplicate or missing required name is an error naming
 * the header. Fields follow RFC 4180: a field may be double-quoted, and a quote inside a quoted field is doubled
 * ({@code "a ""b"", c"}). A quoted field may not span lines (ids cannot hold line breaks anyway). Lines end with LF or
 * CRLF; blank lines are skipped; the last line may lack its newline; a leading UTF-8 byte order mark is ignored.
 *
 * <p>Every row must have exactly as many fields as the header. Ids follow {@link EventBatch}'s rule: ASCII digits
 * that fit in a signed long make a numeric id, anything else a string id (at most 256 UTF-8 bytes, no control
 * characters; an unquoted id must not start or end with a space).
 *
 * <p>Speed: rows are parsed from the byte buffer in place; a String is created only for a string id or an error.
 * Not thread-safe.
 */
public final class CsvEventReader implements EventReader {
    private final LineBuffer lines;
    private EventField[] columns; // header order; null until the header is read
    private byte[] scratch = new byte[64]; // unescaped quoted fields that contain doubled quotes

    // the current field, set by nextField: bytes fieldBytes[fieldStart, fieldEnd)
    private byte[] fieldBytes;
    private int fieldStart;
    private int fieldEnd;
    private boolean fieldQuoted;

    /** Reads {@code in}; {@code source} names it in messages (a path or {@code <stdin>}). */
    public CsvEventReader(InputStream in, String source) {
        this(in, source, 1 << 20);
    }

    /** With an initial buffer size, so tests can exercise refills and growth. */
    CsvEventReader(InputStream in, String source, int bufferBytes) {
        this.lines = new LineBuffer(in, source, bufferBytes);
    }

    @Override
    public int read(EventBatch batch, int max) throws IOException, InputFormatException {
        if (columns == null && !readHeader()) {
            return 0;
        }
        final EventField[] cols = columns;
        final LineBuffer lb = lines;
        int n = 0;
        while (n < max && lb.next()) {
            if (lb.lineStart == lb.lineEnd || lb.isBlank()) {
                continue;
            }
            long userId = -1, itemId = -1, ts = 0;
            String userName = null, itemName = null;
            byte type = 0;
            int watch = 0, duration = 0;
            int p = lb.lineStart;
            final int end = lb.lineEnd;
            for (int c = 0; c < cols.length; c++) {
                EventField f = cols[c];
                if (c > 0) {
                    if (p >= end) {
                        throw lb.error(f.wireName, null, "missing field: the row has " + c + " fields but the header has "
                                + cols.length + " (" + headerNames() + ")");
                    }
                    p++; // the comma nextField stopped at
                }
                if (f != EventField.ACTION) {
                    // Fast path for the common case, a short unquoted number: digits are parsed in the same pass
                    // that finds the comma. Anything else (quotes, string ids, errors) takes the general path.
                    final byte[] lb0 = lb.buf;
                    int s = p;
                    long v = 0;
                    while (p < end) {
                        int d = lb0[p] - '0';
                        if (d < 0 || d > 9) {
                            break;
                        }
                        v = v * 10 + d;
                        p++;
                    }
                    int len = p - s;
                    if (len > 0 && (p == end || lb0[p] == ',')
                            && len <= (f == EventField.WATCH_MS || f == EventField.DURATION_MS ? 9 : 18)) {
                        switch (f) {
                            case USER -> userId = v;
                            case ITEM -> itemId = v;
                            case TS -> ts = v;
                            case WATCH_MS -> watch = (int) v;
                            default -> duration = (int) v;
                        }
                        continue;
                    }
                    p = s;
                }
                p = nextField(p, end, f);
                byte[] b = fieldBytes;
                int s = fieldStart, e = fieldEnd;
                switch (f) {
                    case USER -> {
                        userId = Fields.digits(b, s, e);
                        if (userId < 0) {
                            userName = Fields.stringId(lb, f.wireName, b, s, e, fieldQuoted);
                        }
                    }
                    case ITEM -> {
                        itemId = Fields.digits(b, s, e);
                        if (itemId < 0) {
                            itemName = Fields.stringId(lb, f.wireName, b, s, e, fieldQuoted);
                        }
                    }
                    case ACTION -> type = Fields.action(lb, f.wireName, b, s, e);
                    case TS -> ts = Fields.nonNegativeLong(lb, f.wireName, b, s, e);
                    case WATCH_MS -> watch = Fields.optionalMillis(lb, f.wireName, b, s, e);
                    case DURATION_MS -> duration = Fields.optionalMillis(lb, f.wireName, b, s, e);
                }
            }
            if (p < end) {
                throw lb.error(null, lb.lineText(), "too many fields: the header has " + cols.length + " ("
                        + headerNames() + ")");
            }
            batch.add(userName == null ? userId : 0, userName, itemName == null ? itemId : 0, itemName, type, ts,
                    watch, duration, lb.line());
            n++;
        }
        return n;
    }

    /**
     * Splits off the field that starts at {@code p}; sets fieldBytes/Start/End/Quoted and returns the position of
     * the comma after it (or the line end).
     */
    private int nextField(int p, int end, EventField f) throws InputFormatException {
        byte[] b = lines.buf;
        if (p < end && b[p] == '"') {
            return quotedField(p, end, f == null ? "header" : f.wireName);
        }
        int s = p;
        while (p < end) {
            byte x = b[p];
            if (x == ',') {
                break;
            }
            if (x == '"') {
                throw lines.error(f == null ? "header" : f.wireName, LineBuffer.text(b, s, end),
                        "a double quote inside an unquoted field; quote the whole field and double the quote");
            }
            p++;
        }
        fieldBytes = b;
        fieldStart = s;
        fieldEnd = p;
        fieldQuoted = false;
        return p;
    }

    private int quotedField(int p, int end, String field) throws InputFormatException {
        byte[] b = lines.buf;
        int open = p;
        int s = ++p;
        int q = -1; // position of the closing quote
        boolean escaped = false;
        while (p < end) {
            if (b[p] == '"') {
                if (p + 1 < end && b[p + 1] == '"') {
                    escaped = true;
                    p += 2;
                    continue;
                }
                q = p;
                break;
            }
            p++;
        }
        if (q < 0) {
            throw lines.error(field, LineBuffer.text(b, open, end),
                    "unterminated quoted field (a quoted field cannot span lines)");
        }
        if (q + 1 < end && b[q + 1] != ',') {
            throw lines.error(field, LineBuffer.text(b, open, end), "unexpected text after the closing quote");
        }
        if (escaped) {
            if (scratch.length < q - s) {
                scratch = new byte[Math.max(q - s, scratch.length * 2)];
            }
            int w = 0;
            for (int i = s; i < q; i++) {
                scratch[w++] = b[i];
                if (b[i] == '"') {
                    i++; // skip the second quote of the pair
                }
            }
            fieldBytes = scratch;
            fieldStart = 0;
            fieldEnd = w;
        } else {
            fieldBytes = b;
            fieldStart = s;
            fieldEnd = q;
        }
        fieldQuoted = true;
        return q + 1;
    }

    private boolean readHeader() throws IOException, InputFormatException {
        LineBuffer lb = lines;
        do {
            if (!lb.next()) {
                return false; // empty input: no header, no events
            }
        } while (lb.isBlank());
        String header = lb.lineText();
        EventField[] cols = new EventField[EventField.ALL.length + 1];
        int count = 0;
        int p = lb.lineStart;
        while (true) {
            p = nextField(p, lb.lineEnd, null);
            String name = new String(fieldBytes, fieldStart, fieldEnd - fieldStart, StandardCharsets.UTF_8)
                    .strip().toLowerCase(Locale.ROOT);
            byte[] nb = name.getBytes(StandardCharsets.UTF_8);
            EventField f = EventField.match(nb, 0, nb.length);
            if (f == null) {
                throw lb.error("header", header, "unknown column '" + name + "'; valid columns: " + EventField.names()
                        + " (the first line must be the header)");
            }
            for (int i = 0; i < count; i++) {
                if (cols[i] == f) {
                    throw lb.error("header", header, "duplicate column '" + name + "'");
                }
            }
            cols[count++] = f;
            if (p >= lb.lineEnd) {
                break;
            }
            p++;
        }
        for (EventField f : EventField.ALL) {
            if (!f.required) {
                continue;
            }
            boolean present = false;
            for (int i = 0; i < count; i++) {
                present |= cols[i] == f;
            }
            if (!present) {
                throw lb.error("header", header, "missing required column '" + f.wireName
                        + "'; required: user, item, action, ts");
            }
        }
        columns = java.util.Arrays.copyOf(cols, count);
        return true;
    }

    private String headerNames() {
        StringBuilder sb = new StringBuilder();
        for (EventField f : columns) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append(f.wireName);
        }
        return sb.toString();
    }

    @Override
    public long linesRead() {
        return lines.line();
    }

    @Override
    public long bytesRead() {
        return lines.bytesConsumed();
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
