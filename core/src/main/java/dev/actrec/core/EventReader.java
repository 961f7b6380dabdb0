package dev.actrec.core;

import java.io.Closeable;
import java.io.IOException;

/**
 * Streams action events from an input (CSV, NDJSON or the one-line-per-user benchmark format) into batches.
 * Implementations validate every field and throw {@link InputFormatException} naming source, line, field and value;
 * after such an exception the batch contents are unspecified and the caller must discard them.
 */
public interface EventReader extends Closeable {
    /**
     * Appends up to {@code max} events to {@code batch}. Returns the number appended; 0 means end of input.
     */
    int read(EventBatch batch, int max) throws IOException, InputFormatException;

    /** The last line number consumed (1-based), for progress output. */
    long linesRead();

    /** Bytes consumed so far, for progress output (may be approximate). */
    long bytesRead();
}
