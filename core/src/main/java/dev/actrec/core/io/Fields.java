package dev.actrec.core.io;

import dev.actrec.core.ActionType;
import dev.actrec.core.InputFormatException;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Field parsers shared by the readers: they work on {@code bytes[start, end)} in place and build a String only for a
 * string id or for an error message. Every failure is an {@link InputFormatException} naming source, line, field and
 * value.
 */
final class Fields {
    /** Longest string id, in UTF-8 bytes. */
    static final int MAX_ID_BYTES = 256;

    static final String TS_PROBLEM = "must be a non-negative integer (milliseconds)";
    static final String MS_PROBLEM = "must be a non-negative integer (milliseconds) at most " + Integer.MAX_VALUE;

    private static final byte[][] ACTION_NAMES = new byte[ActionType.COUNT][];
    private static final int MAX_ACTION_LENGTH = 16;
    /** code + 1 by (name length * 32 + first letter's low five bits); 0 for none. */
    private static final byte[] ACTION_BY_LENGTH_AND_FIRST = new byte[MAX_ACTION_LENGTH * 32];

    static {
        for (int c = 0; c < ActionType.COUNT; c++) {
            byte[] name = ActionType.fromCode(c).wireName().getBytes(StandardCharsets.US_ASCII);
            ACTION_NAMES[c] = name;
            int slot = name.length * 32 + (name[0] & 31);
            // new action types must keep (length, first letter) unique, or this table needs a second probe
            if (name.length >= MAX_ACTION_LENGTH || ACTION_BY_LENGTH_AND_FIRST[slot] != 0) {
                throw new ExceptionInInitializerError("action names collide in the lookup table: " + c);
            }
            ACTION_BY_LENGTH_AND_FIRST[slot] = (byte) (c + 1);
        }
    }

    private Fields() {
    }

    /**
     * The value of an all-digit token that fits in a signed long, or a negative number when the token is empty, has a
     * non-digit or overflows. This is the rule that makes a token a numeric id.
     */
    static long digits(byte[] b, int start, int end) {
        if (start >= end) {
            return -1;
        }
        if (end - start > 19) {
            return longDigits(b, start, end);
        }
        long v = 0;
        for (int i = start; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        // 19 digits are below 2^64, so an overflow of the signed range shows up as a negative value
        return v;
    }

    /** Tokens longer than 19 characters: numeric only with leading zeros. */
    private static long longDigits(byte[] b, int start, int end) {
        int i = start;
        while (i < end - 1 && b[i] == '0') {
            i++;
        }
        for (int j = i; j < end; j++) {
            if (b[j] < '0' || b[j] > '9') {
                return -1;
            }
        }
        return end - i > 19 ? -1 : digits(b, i, end);
    }

    /** A non-negative long field such as {@code ts}. */
    static long nonNegativeLong(LineBuffer ctx, String field, byte[] b, int start, int end)
            throws InputFormatException {
        if (start == end) {
            throw ctx.error(field, "", "missing value; " + TS_PROBLEM);
        }
        long v = digits(b, start, end);
        if (v < 0) {
            throw ctx.error(field, LineBuffer.text(b, start, end), numberProblem(b, start, end, TS_PROBLEM));
        }
        return v;
    }

    /** A non-negative int field such as {@code watch_ms}; empty means absent, which is 0. */
    static int optionalMillis(LineBuffer ctx, String field, byte[] b, int start, int end)
            throws InputFormatException {
        if (start == end) {
            return 0;
        }
        int n = end - start;
        if (n <= 9) { // cannot overflow an int
            int v = 0;
            for (int i = start; i < end; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) {
                    throw ctx.error(field, LineBuffer.text(b, start, end), numberProblem(b, start, end, MS_PROBLEM));
                }
                v = v * 10 + d;
            }
            return v;
        }
        long v = digits(b, start, end);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw ctx.error(field, LineBuffer.text(b, start, end), numberProblem(b, start, end, MS_PROBLEM));
        }
        return (int) v;
    }

    /** Says what is wrong with a token that is not a plain non-negative integer. */
    static String numberProblem(byte[] b, int start, int end, String rule) {
        boolean allDigits = true;
        for (int i = start; i < end; i++) {
            if (b[i] < '0' || b[i] > '9') {
                allDigits = false;
                break;
            }
        }
        if (allDigits && start < end) {
            return "out of range; " + rule;
        }
        if (start < end && b[start] == '-') {
            return "negative; " + rule;
        }
        for (int i = start; i < end; i++) {
            if (b[i] == '.' || b[i] == 'e' || b[i] == 'E') {
                return "not an integer; " + rule;
            }
        }
        return rule;
    }

    /** Parses a wire name (ASCII case-insensitive) in place; returns the code. */
    static byte action(LineBuffer ctx, String field, byte[] b, int start, int end) throws InputFormatException {
        int n = end - start;
        if (n > 0 && n < MAX_ACTION_LENGTH) {
            // the (length, first letter) pair already singles out one name; then compare the rest
            int c = ACTION_BY_LENGTH_AND_FIRST[n * 32 + (b[start] & 31)] - 1;
            if (c >= 0 && equalsIgnoreAsciiCase(ACTION_NAMES[c], b, start)) {
                return (byte) c;
            }
        }
        throw ctx.error(field, LineBuffer.text(b, start, end), start == end
                ? "missing action; valid actions: " + ActionType.wireNames()
                : "unknown action; valid actions: " + ActionType.wireNames());
    }

    private static boolean equalsIgnoreAsciiCase(byte[] lower, byte[] b, int start) {
        for (int i = 0; i < lower.length; i++) {
            int x = b[start + i];
            if (x >= 'A' && x <= 'Z') {
                x += 'a' - 'A';
            }
            if (x != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Validates and decodes a string id. {@code explicit} is true when the value was quoted (CSV) or a JSON string;
     * an unquoted CSV id must not start or end with a space, since that is almost always a formatting slip.
     */
    static String stringId(LineBuffer ctx, String field, byte[] b, int start, int end, boolean explicit)
            throws InputFormatException {
        int n = end - start;
        if (n == 0) {
            throw ctx.error(field, "", "empty id");
        }
        if (n > MAX_ID_BYTES) {
            throw ctx.error(field, LineBuffer.text(b, start, end),
                    "id longer than " + MAX_ID_BYTES + " UTF-8 bytes (" + n + ")");
        }
        boolean ascii = true;
        for (int i = start; i < end; i++) {
            int x = b[i];
            if (x < 0) {
                ascii = false;
            } else if (x < 0x20 || x == 0x7F) {
                throw ctx.error(field, LineBuffer.text(b, start, end).replaceAll("\\p{Cntrl}", "?"),
                        "id contains a control character (code " + x + ")");
            }
        }
        if (!explicit && (b[start] == ' ' || b[end - 1] == ' ')) {
            throw ctx.error(field, LineBuffer.text(b, start, end),
                    "id starts or ends with a space; quote the field if the space belongs to the id");
        }
        if (ascii) {
            return new String(b, start, n, StandardCharsets.ISO_8859_1);
        }
        String s;
        try {
            CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            s = dec.decode(ByteBuffer.wrap(b, start, n)).toString();
        } catch (CharacterCodingException e) {
            throw ctx.error(field, LineBuffer.text(b, start, end), "id is not valid UTF-8");
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                throw ctx.error(field, s.replaceAll("\\p{Cntrl}", "?"),
                        "id contains a control character (U+" + String.format("%04X", (int) s.charAt(i)) + ")");
            }
        }
        return s;
    }
}
