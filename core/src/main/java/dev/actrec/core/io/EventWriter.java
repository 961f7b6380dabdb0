package dev.actrec.core.io;

import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;

/** Writes action events in one text format; subclasses encode one event, this class feeds them. Not thread-safe. */
public abstract class EventWriter implements Closeable, Flushable {
    /** Where subclasses put the encoded bytes. */
    final ByteSink sink;
    /** Events written so far; subclasses count each one. */
    long written;

    EventWriter(java.io.OutputStream out) {
        this.sink = new ByteSink(out, 1 << 16);
    }

    /** Writes every event of the batch, in order. */
    public final void write(EventBatch batch) throws IOException {
        for (int i = 0; i < batch.size(); i++) {
            write(batch.userId(i), batch.userName(i), batch.itemId(i), batch.itemName(i), batch.type(i),
                    batch.timestamp(i), batch.watchMs(i), batch.durationMs(i));
        }
    }

    /** Writes one event with numeric ids. */
    public final void write(long userId, long itemId, ActionType type, long tsMs, int watchMs, int durationMs)
            throws IOException {
        write(userId, null, itemId, null, type.code(), tsMs, watchMs, durationMs);
    }

    /** Writes one event; a non-null {@code userName}/{@code itemName} is a string id and wins over the number. */
    public abstract void write(long userId, String userName, long itemId, String itemName, byte type, long tsMs,
                               int watchMs, int durationMs) throws IOException;

    /** Events written so far. */
    public final long eventsWritten() {
        return written;
    }

    @Override
    public final void flush() throws IOException {
        sink.flush();
    }

    @Override
    public final void close() throws IOException {
        sink.close();
    }
}
