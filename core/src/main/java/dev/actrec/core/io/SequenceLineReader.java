package dev.actrec.core.io;

import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import dev.actrec.core.EventReader;
import dev.actrec.core.InputFormatException;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the one-line-per-user benchmark format of the sequential-recommendation datasets
 * ({@code user_id item_1 item_2 ... item_n}, chronological, separated by spaces or tabs) as {@code view} actions.
 * The k-th item of a line (1-based) gets timestamp k, so order is kept; watch and duration are 0. Ids follow
 * {@link EventBatch}'s rule (numeric when all digits, else a string). A line holding only a user has no events; blank
 * lines are skipped.
 *
 * <p>A long line may be split over several {@link #read} calls: the reader remembers where it stopped. Each event's
 * source line is the user's line. Not thread-safe.
 */
public final class SequenceLineReader implements EventReader {
    private static final byte VIEW = ActionType.VIEW.code();

    private final LineBuffer lines;
    private boolean inLine;   // a line's items are partly emitted
    private int pos;          // next unread byte of the current line
    private long k;           // ordinal of the last emitted item
    private long userId;
    private String userName;

    /** Reads {@code in}; {@code source} names it in messages (a path or {@code <stdin>}). */
    public SequenceLineReader(InputStream in, String source) {
        this(in, source, 1 << 20);
    }

    /** With an initial buffer size, so tests can exercise refills and growth. */
    SequenceLineReader(InputStream in, String source, int bufferBytes) {
        this.lines = new LineBuffer(in, source, bufferBytes);
    }

    @Override
    public int read(EventBatch batch, int max) throws IOException, InputFormatException {
        final LineBuffer lb = lines;
        int n = 0;
        while (n < max) {
            if (!inLine) {
                if (!lb.next()) {
                    break;
                }
                startLine();
                if (!inLine) {
                    continue;
                }
            }
            final byte[] b = lb.buf;
            final int end = lb.lineEnd;
            int p = pos;
            while (n < max) {
                p = skipSpace(b, p, end);
                if (p >= end) {
                    inLine = false;
                    break;
                }
                int s = p;
                p = tokenEnd(b, p, end);
                long item = Fields.digits(b, s, p);
                String itemName = null;
                k++;
                if (item < 0) {
                    itemName = Fields.stringId(lb, "item", b, s, p, true);
                    item = 0;
                }
                batch.add(userId, userName, item, itemName, VIEW, k, 0, 0, lb.line());
                n++;
            }
            pos = p;
        }
        return n;
    }

    /** Parses the user id at the start of the current line; leaves inLine false for a blank line. */
    private void startLine() throws InputFormatException {
        final LineBuffer lb = lines;
        final byte[] b = lb.buf;
        int p = skipSpace(b, lb.lineStart, lb.lineEnd);
        if (p >= lb.lineEnd) {
            return;
        }
        int s = p;
        p = tokenEnd(b, p, lb.lineEnd);
        userId = Fields.digits(b, s, p);
        userName = null;
        if (userId < 0) {
            userName = Fields.stringId(lb, "user", b, s, p, true);
            userId = 0;
        }
        pos = p;
        k = 0;
        inLine = true;
    }

    private static int skipSpace(byte[] b, int p, int end) {
        while (p < end && (b[p] == ' ' || b[p] == '\t')) {
            p++;
        }
        return p;
    }

    private static int tokenEnd(byte[] b, int p, int end) {
        while (p < end && b[p] != ' ' && b[p] != '\t') {
            p++;
        }
        return p;
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
