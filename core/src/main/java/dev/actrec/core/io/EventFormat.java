package dev.actrec.core.io;

import java.util.Locale;

/**
 * The input formats of action events, with detection by file name and by content.
 *
 * <ul>
 *   <li>{@link #CSV}: header line then rows ({@link CsvEventReader}); extension {@code .csv}.</li>
 *   <li>{@link #NDJSON}: one JSON object per line ({@link NdjsonEventReader}); {@code .ndjson}, {@code .jsonl}.</li>
 *   <li>{@link #SEQUENCES}: {@code user item_1 ... item_n} per line ({@link SequenceLineReader}); {@code .txt}.</li>
 * </ul>
 * A trailing {@code .gz} is ignored for detection (the readers' opener decompresses gzip by its magic bytes).
 */
public enum EventFormat {
    CSV("csv"),
    NDJSON("ndjson"),
    SEQUENCES("sequences");

    private final String cliName;

    EventFormat(String cliName) {
        this.cliName = cliName;
    }

    /** The lower-case name used on the command line. */
    public String cliName() {
        return cliName;
    }

    /** Parses a command-line name: csv, ndjson (or jsonl), sequences (or seq, txt); case-insensitive. */
    public static EventFormat fromName(String name) {
        switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "csv": return CSV;
            case "ndjson", "jsonl": return NDJSON;
            case "sequences", "seq", "txt": return SEQUENCES;
            default: throw new IllegalArgumentException("unknown event format '" + name
                    + "'; valid formats: csv, ndjson (or jsonl), sequences (or seq, txt)");
        }
    }

    /** The format a file name's extension names ({@code .gz} stripped), or null. */
    public static EventFormat fromFileName(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".gz")) {
            n = n.substring(0, n.length() - 3);
        }
        if (n.endsWith(".csv")) return CSV;
        if (n.endsWith(".ndjson") || n.endsWith(".jsonl")) return NDJSON;
        if (n.endsWith(".txt")) return SEQUENCES;
        return null;
    }

    /**
     * Guesses the format from the first non-blank line in {@code data[0, length)} (the start of an input; that line
     * may be cut off at {@code length}): {@code {} means NDJSON, a header whose first column is a known column name
     * means CSV, only digits and blanks mean SEQUENCES. Returns null when none applies or there is no non-blank line.
     */
    public static EventFormat sniff(byte[] data, int length) {
        int p = firstNonBlankLine(data, length);
        if (p < 0) {
            return null;
        }
        int end = p;
        while (end < length && data[end] != '\n' && data[end] != '\r') {
            end++;
        }
        if (data[p] == '{') {
            return NDJSON;
        }
        int q = data[p] == '"' ? p + 1 : p;
        int t = q;
        while (t < end && data[t] != ',' && data[t] != '"' && data[t] != ' ' && data[t] != '\t') {
            t++;
        }
        String first = new String(data, q, t - q, java.nio.charset.StandardCharsets.ISO_8859_1)
                .toLowerCase(Locale.ROOT);
        byte[] fb = first.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        if (EventField.match(fb, 0, fb.length) != null) {
            return CSV;
        }
        boolean digits = false;
        for (int i = p; i < end; i++) {
            byte c = data[i];
            if (c >= '0' && c <= '9') {
                digits = true;
            } else if (c != ' ' && c != '\t') {
                return null;
            }
        }
        return digits ? SEQUENCES : null;
    }

    /** Offset of the first non-blank line's first non-blank byte (after a UTF-8 BOM), or -1. */
    static int firstNonBlankLine(byte[] data, int length) {
        int p = 0;
        if (length >= 3 && data[0] == (byte) 0xEF && data[1] == (byte) 0xBB && data[2] == (byte) 0xBF) {
            p = 3;
        }
        while (p < length) {
            byte c = data[p];
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                return p;
            }
            p++;
        }
        return -1;
    }
}
