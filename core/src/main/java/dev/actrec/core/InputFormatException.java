package dev.actrec.core;

/**
 * Bad input: names the source, the 1-based line, the field and the offending value, so a user can fix the file.
 * Checked, because every caller of a reader must decide what a rejected batch means for it.
 */
public final class InputFormatException extends Exception {
    private final String source;
    private final long line;
    private final String field;
    private final String value;

    public InputFormatException(String source, long line, String field, String value, String problem) {
        super(source + ":" + line + ": " + (field == null ? "" : "field '" + field + "' ")
                + (value == null ? "" : "value '" + abbreviate(value) + "': ") + problem);
        this.source = source;
        this.line = line;
        this.field = field;
        this.value = value;
    }

    private static String abbreviate(String v) {
        return v.length() <= 80 ? v : v.substring(0, 77) + "...";
    }

    public String source() { return source; }
    public long line() { return line; }
    /** The field name, or null when the whole line is wrong. */
    public String field() { return field; }
    /** The offending value, or null. */
    public String value() { return value; }
}
