package dev.actrec.core.gen;

import dev.actrec.core.gen.SyntheticEventGenerator.BatchSink;
import dev.actrec.core.io.CsvEventWriter;
import dev.actrec.core.io.EventFormat;
import dev.actrec.core.io.NdjsonEventWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.LongConsumer;

/** Writes a generator's batches to a stream as CSV or NDJSON: what both generators' {@code writeTo} do. */
public final class GeneratedEventWriter {
    /** A generator: produces every event in batches, reporting progress, and returns the count. */
    @FunctionalInterface
    public interface Source {
        long generate(int batchSize, LongConsumer progress, BatchSink sink) throws IOException;
    }

    private GeneratedEventWriter() {}

    /** Writes everything {@code source} generates to {@code out} (flushed, not closed); returns the count. */
    public static long write(OutputStream out, EventFormat format, LongConsumer progress, int batchSize, Source source)
            throws IOException {
        // The writers close what they write to; the caller's stream must stay open.
        OutputStream keepOpen = new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        switch (format) {
            case CSV -> {
                try (CsvEventWriter w = new CsvEventWriter(keepOpen)) {
                    return source.generate(batchSize, progress, w::write);
                }
            }
            case NDJSON -> {
                try (NdjsonEventWriter w = new NdjsonEventWriter(keepOpen)) {
                    return source.generate(batchSize, progress, w::write);
                }
            }
            default -> throw new IllegalArgumentException("the generator writes csv or ndjson, not " + format.cliName());
        }
    }
}
