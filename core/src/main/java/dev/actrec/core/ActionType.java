package dev.actrec.core;

import java.util.Locale;

/**
 * The kinds of action a user takes on an item. Each has a stable one-byte code that is written to disk and must
 * never be renumbered; new types take new codes.
 */
public enum ActionType {
    IMPRESSION(0),
    VIEW(1),
    LONG_VIEW(2),
    LIKE(3),
    COMMENT(4),
    SHARE(5),
    FOLLOW(6),
    SKIP(7),
    PURCHASE(8);

    /** Number of codes in use; codes are 0..COUNT-1. */
    public static final int COUNT = 9;

    private static final ActionType[] BY_CODE = new ActionType[COUNT];

    static {
        for (ActionType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final byte code;
    private final String wireName;

    ActionType(int code) {
        this.code = (byte) code;
        this.wireName = name().toLowerCase(Locale.ROOT);
    }

    /** The on-disk code. */
    public byte code() {
        return code;
    }

    /** The name used in CSV, NDJSON and JSON output, e.g. {@code long_view}. */
    public String wireName() {
        return wireName;
    }

    public static ActionType fromCode(int code) {
        if (code < 0 || code >= COUNT) {
            throw new IllegalArgumentException("unknown action type code " + code + " (valid: 0.." + (COUNT - 1) + ")");
        }
        return BY_CODE[code];
    }

    /** Parses a wire name (case-insensitive) or returns null when it names no type. */
    public static ActionType parseOrNull(CharSequence s) {
        for (ActionType t : BY_CODE) {
            if (t.wireName.contentEquals(s) || t.wireName.equalsIgnoreCase(s.toString())) {
                return t;
            }
        }
        return null;
    }

    /** All wire names, for error messages. */
    public static String wireNames() {
        StringBuilder sb = new StringBuilder();
        for (ActionType t : BY_CODE) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(t.wireName);
        }
        return sb.toString();
    }
}
