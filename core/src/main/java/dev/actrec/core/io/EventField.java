package dev.actrec.core.io;

import java.nio.charset.StandardCharsets;

/** The fields of an action event, by their CSV column / NDJSON key names. */
enum EventField {
    USER("user", true),
    ITEM("item", true),
    ACTION("action", true),
    TS("ts", true),
    WATCH_MS("watch_ms", false),
    DURATION_MS("duration_ms", false);

    static final EventField[] ALL = values();

    final String wireName;
    final byte[] wireBytes;
    final boolean required;

    EventField(String wireName, boolean required) {
        this.wireName = wireName;
        this.wireBytes = wireName.getBytes(StandardCharsets.US_ASCII);
        this.required = required;
    }

    /** The field whose name is exactly {@code b[start, end)}, or null. */
    static EventField match(byte[] b, int start, int end) {
        int n = end - start;
        fields:
        for (EventField f : ALL) {
            byte[] w = f.wireBytes;
            if (w.length != n) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                if (b[start + i] != w[i]) {
                    continue fields;
                }
            }
            return f;
        }
        return null;
    }

    /** "user, item, action, ts, watch_ms, duration_ms", for messages. */
    static String names() {
        StringBuilder sb = new StringBuilder();
        for (EventField f : ALL) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(f.wireName);
        }
        return sb.toString();
    }
}
