package dev.actrec.core.io;

import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import dev.actrec.core.EventReader;
import dev.actrec.core.InputFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads action events from NDJSON: one JSON object per line, for example
 * {@code {"user": 7, "item": "sku-1", "action": "view", "ts": 1700000000000, "watch_ms": 5000, "duration_ms": 30000}}.
 *
 * <p>Fields: {@code user} and {@code item} (a JSON number or string; a string of ASCII digits that fits in a signed
 * long is the same numeric id), {@code action} (a string, a wire name of {@link ActionType}, case-insensitive),
 * {@code ts} (a number), and the optional {@code watch_ms} and {@code duration_ms} (numbers, or {@code null}, which
 * counts as absent; absent is 0). Every number must be a non-negative integer in range: fractions, exponents,
 * negatives and overflow are errors, as are wrong JSON types, unknown field names (a typo must not be silently
 * ignored), duplicate fields, missing required fields and any text after the object. Blank lines are skipped.
 *
 * <p>A hand-written parser for exactly this flat shape, working on the line's bytes in place; it is the grammar of
 * RFC 8259 restricted to one object of scalars. Not thread-safe.
 */
public final class NdjsonEventReader implements EventReader {
    private final LineBuffer lines;
    private byte[] scratch = new byte[64]; // strings with escapes, unescaped as UTF-8

    // the last string parsed: strBytes[strStart, strEnd)
    private byte[] strBytes;
    private int strStart;
    private int strEnd;

    /** Reads {@code in}; {@code source} names it in messages (a path or {@code <stdin>}). */
    public NdjsonEventReader(InputStream in, String source) {
        this(in, source, 1 << 20);
    }

    /** With an initial buffer size, so tests can exercise refills and growth. */
    public NdjsonEventReader(InputStream in, String source, int bufferBytes) {
        this.lines = new LineBuffer(in, source, bufferBytes);
    }

    @Override
    public int read(EventBatch batch, int max) throws IOException, InputFormatException {
        final LineBuffer lb = lines;
        int n = 0;
        while (n < max && lb.next()) {
            if (lb.lineStart == lb.lineEnd || lb.isBlank()) {
                continue;
            }
            parseLine(batch);
            n++;
        }
        return n;
    }

    private void parseLine(EventBatch batch) throws InputFormatException {
        final LineBuffer lb = lines;
        final byte[] b = lb.buf;
        final int end = lb.lineEnd;
        long userId = 0, itemId = 0, ts = 0;
        String userName = null, itemName = null;
        byte type = 0;
        int watch = 0, duration = 0;
        int seen = 0; // bit per EventField ordinal

        int p = skipWs(b, lb.lineStart, end);
        if (b[p] != '{') {
            throw lb.error(null, lb.lineText(), "expected a JSON object on each line, starting with '{'");
        }
        p = skipWs(b, p + 1, end);
        if (p < end && b[p] == '}') {
            p++;
        } else {
            while (true) {
                if (p >= end || b[p] != '"') {
                    throw lb.error(null, lb.lineText(), "bad JSON: expected a field name in double quotes at column "
                            + (p - lb.lineStart + 1));
                }
                p = parseString(p, end, null);
                EventField f = EventField.match(strBytes, strStart, strEnd);
                if (f == null) {
                    String name = LineBuffer.text(strBytes, strStart, strEnd);
                    throw lb.error(name, null, "unknown field; valid fields: " + EventField.names());
                }
                if ((seen & (1 << f.ordinal())) != 0) {
                    throw lb.error(f.wireName, null, "duplicate field");
                }
                seen |= 1 << f.ordinal();
                p = skipWs(b, p, end);
                if (p >= end || b[p] != ':') {
                    throw lb.error(null, lb.lineText(), "bad JSON: expected ':' after \"" + f.wireName + "\"");
                }
                p = skipWs(b, p + 1, end);
                if (p >= end) {
                    throw lb.error(f.wireName, null, "bad JSON: missing value");
                }
                byte c = b[p];
                switch (f) {
                    case USER, ITEM -> {
                        long id;
                        String name = null;
                        if (c == '"') {
                            p = parseString(p, end, f.wireName);
                            id = Fields.digits(strBytes, strStart, strEnd);
                            if (id < 0) {
                                name = Fields.stringId(lb, f.wireName, strBytes, strStart, strEnd, true);
                                id = 0;
                            }
                        } else {
                            int s = p;
                            p = numberEnd(b, p, end, f);
                            id = Fields.digits(b, s, p);
                            if (id < 0) {
                                throw lb.error(f.wireName, LineBuffer.text(b, s, p), Fields.numberProblem(b, s, p,
                                        "an id must be a non-negative integer that fits in 64 bits, or a string"));
                            }
                        }
                        if (f == EventField.USER) {
                            userId = id;
                            userName = name;
                        } else {
                            itemId = id;
                            itemName = name;
                        }
                    }
                    case ACTION -> {
                        if (c != '"') {
                            throw wrongType(b, p, end, f, "a string (one of " + ActionType.wireNames() + ")");
                        }
                        p = parseString(p, end, f.wireName);
                        type = Fields.action(lb, f.wireName, strBytes, strStart, strEnd);
                    }
                    case TS -> {
                        int s = p;
                        p = numberEnd(b, p, end, f);
                        ts = Fields.nonNegativeLong(lb, f.wireName, b, s, p);
                    }
                    case WATCH_MS, DURATION_MS -> {
                        int v = 0;
                        if (isNull(b, p, end)) {
                            p += 4;
                        } else {
                            int s = p;
                            p = numberEnd(b, p, end, f);
                            v = Fields.optionalMillis(lb, f.wireName, b, s, p);
                        }
                        if (f == EventField.WATCH_MS) {
                            watch = v;
                        } else {
                            duration = v;
                        }
                    }
                }
                p = skipWs(b, p, end);
                if (p < end && b[p] == ',') {
                    p = skipWs(b, p + 1, end);
                    continue;
                }
                if (p < end && b[p] == '}') {
                    p++;
                    break;
                }
                throw lb.error(null, lb.lineText(), "bad JSON: expected ',' or '}' after the value of \""
                        + f.wireName + "\" at column " + (p - lb.lineStart + 1));
            }
        }
        p = skipWs(b, p, end);
        if (p < end) {
            throw lb.error(null, lb.lineText(), "text after the JSON object (one object per line)");
        }
        for (EventField f : EventField.ALL) {
            if (f.required && (seen & (1 << f.ordinal())) == 0) {
                throw lb.error(f.wireName, null, "missing required field (required: user, item, action, ts)");
            }
        }
        batch.add(userId, userName, itemId, itemName, type, ts, watch, duration, lb.line());
    }

    /**
     * The end of a number token starting at {@code p}. The token runs to the next separator so that the whole
     * offending text is reported; a value that is not a number at all is a wrong-type error.
     */
    private int numberEnd(byte[] b, int p, int end, EventField f) throws InputFormatException {
        byte c = b[p];
        if (c != '-' && (c < '0' || c > '9')) {
            throw wrongType(b, p, end, f, "a number");
        }
        int e = p + 1;
        while (e < end) {
            byte x = b[e];
            if (x == ',' || x == '}' || x == ' ' || x == '\t' || x == ']') {
                break;
            }
            e++;
        }
        return e;
    }

    private InputFormatException wrongType(byte[] b, int p, int end, EventField f, String expected) {
        int e = p;
        if (b[p] == '"') {
            e = p + 1;
            while (e < end && b[e] != '"') {
                e += b[e] == '\\' ? 2 : 1;
            }
            e = Math.min(e + 1, end);
        } else {
            while (e < end && b[e] != ',' && b[e] != '}') {
                e++;
            }
        }
        String kind = switch (b[p]) {
            case '"' -> "a string";
            case '{' -> "an object";
            case '[' -> "an array";
            case 't', 'f' -> "a boolean";
            case 'n' -> "null";
            default -> b[p] == '-' || (b[p] >= '0' && b[p] <= '9') ? "a number" : "not valid JSON";
        };
        return lines.error(f.wireName, LineBuffer.text(b, p, e), "wrong JSON type: must be " + expected
                + ", found " + kind);
    }

    private static boolean isNull(byte[] b, int p, int end) {
        return p + 4 <= end && b[p] == 'n' && b[p + 1] == 'u' && b[p + 2] == 'l' && b[p + 3] == 'l';
    }

    private static int skipWs(byte[] b, int p, int end) {
        while (p < end && (b[p] == ' ' || b[p] == '\t')) {
            p++;
        }
        return p;
    }

    /**
     * Parses the JSON string whose opening quote is at {@code p}; sets strBytes/Start/End to its UTF-8 content and
     * returns the position after the closing quote. {@code field} is null for a field name.
     */
    private int parseString(int p, int end, String field) throws InputFormatException {
        final byte[] b = lines.buf;
        final int open = p;
        int s = ++p;
        while (p < end) {
            byte x = b[p];
            if (x == '"') {
                strBytes = b;
                strStart = s;
                strEnd = p;
                return p + 1;
            }
            if (x == '\\') {
                return parseEscapedString(open, s, p, end, field);
            }
            p++;
        }
        throw lines.error(field, LineBuffer.text(b, open, end), "bad JSON: unterminated string");
    }

    /** The slow path of parseString: copies into scratch while resolving escapes. */
    private int parseEscapedString(int open, int s, int p, int end, String field) throws InputFormatException {
        final byte[] b = lines.buf;
        if (scratch.length < end - s) {
            scratch = new byte[Math.max(end - s, scratch.length * 2)];
        }
        int w = 0;
        for (int i = s; i < p; i++) {
            scratch[w++] = b[i];
        }
        while (p < end) {
            byte x = b[p];
            if (x == '"') {
                strBytes = scratch;
                strStart = 0;
                strEnd = w;
                return p + 1;
            }
            if (x != '\\') {
                scratch[w++] = x;
                p++;
                continue;
            }
            if (p + 1 >= end) {
                break;
            }
            byte e = b[p + 1];
            p += 2;
            switch (e) {
                case '"', '\\', '/' -> scratch[w++] = e;
                case 'b' -> scratch[w++] = '\b';
                case 'f' -> scratch[w++] = '\f';
                case 'n' -> scratch[w++] = '\n';
                case 'r' -> scratch[w++] = '\r';
                case 't' -> scratch[w++] = '\t';
                case 'u' -> {
                    int cp = hex4(b, p, end, open, field);
                    p += 4;
                    if (Character.isHighSurrogate((char) cp) && p + 6 <= end && b[p] == '\\' && b[p + 1] == 'u') {
                        int lo = hex4(b, p + 2, end, open, field);
                        if (Character.isLowSurrogate((char) lo)) {
                            cp = Character.toCodePoint((char) cp, (char) lo);
                            p += 6;
                        }
                    }
                    if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                        throw lines.error(field, LineBuffer.text(b, open, end), "bad JSON: unpaired surrogate \\u"
                                + Integer.toHexString(cp));
                    }
                    byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                    // a \\uXXXX escape is 6 bytes and encodes to at most 4, so scratch (sized end - s) has room
                    for (byte u : utf8) {
                        scratch[w++] = u;
                    }
                }
                default -> throw lines.error(field, LineBuffer.text(b, open, end),
                        "bad JSON: invalid escape '\\" + (char) e + "'");
            }
        }
        throw lines.error(field, LineBuffer.text(b, open, end), "bad JSON: unterminated string");
    }

    private int hex4(byte[] b, int p, int end, int open, String field) throws InputFormatException {
        if (p + 4 > end) {
            throw lines.error(field, LineBuffer.text(b, open, end), "bad JSON: truncated \\u escape");
        }
        int v = 0;
        for (int i = p; i < p + 4; i++) {
            int d = Character.digit(b[i], 16);
            if (d < 0) {
                throw lines.error(field, LineBuffer.text(b, open, end), "bad JSON: invalid \\u escape");
            }
            v = v * 16 + d;
        }
        return v;
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
