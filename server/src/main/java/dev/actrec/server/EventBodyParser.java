package dev.actrec.server;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.actrec.core.EventBatch;
import dev.actrec.core.InputFormatException;
import dev.actrec.core.io.NdjsonEventReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Turns a {@code POST /v1/events} body into one {@link EventBatch}: NDJSON (one event object per line) or a JSON
 * array of the same objects, told apart by the first non-blank byte. Both go through the store's NDJSON reader, so
 * the fields and their checks are exactly those of the file format; an array element is re-serialised as one line,
 * so "line L" in an error is element L-1 of the array. The body is read as a stream and refused with 413 as soon as
 * it passes {@code maxBytes}, so memory is bounded by the limit whatever the client sends. On request, a SHA-256 of the raw
 * body comes back with the batch, to tell an idempotent retry from a different request reusing its key.
 */
final class EventBodyParser {
    private static final int PEEK = 1 << 16;
    static final String SOURCE = "body";

    private EventBodyParser() {
    }

    /**
     * Reads the body into {@code batch} (cleared by the caller) and returns the SHA-256 of the raw body, or null
     * when {@code digest} is false (no idempotency key).
     */
    static byte[] parse(InputStream body, long maxBytes, boolean digest, EventBatch batch) throws IOException {
        assert batch.isEmpty();
        MessageDigest sha = digest ? sha256() : null;
        InputStream limited = new LimitedInputStream(body, maxBytes);
        InputStream in = digest ? new DigestInputStream(limited, sha) : limited;
        // Peek without a buffered copy of the stream: the NDJSON reader buffers the body itself.
        // A blank run longer than PEEK is no array: the NDJSON reader then says what is wrong.
        byte[] head = new byte[16];
        int headLength = 0, first = -1;
        while (headLength < PEEK && (first = in.read()) >= 0) {
            if (headLength == head.length) head = Arrays.copyOf(head, head.length * 2);
            head[headLength++] = (byte) first;
            if (first != ' ' && first != '\t' && first != '\r' && first != '\n') break;
        }
        InputStream whole = new SequenceInputStream(new ByteArrayInputStream(head, 0, headLength), in);
        if (first == '[') {
            byte[] lines = arrayToLines(whole);
            readNdjson(new ByteArrayInputStream(lines), batch);
        } else {
            readNdjson(whole, batch);
        }
        return digest ? sha.digest() : null;
    }

    private static void readNdjson(InputStream in, EventBatch batch) throws IOException {
        NdjsonEventReader reader = new NdjsonEventReader(in, SOURCE, 1 << 16);
        try {
            while (reader.read(batch, 4096) > 0) {
                // keep reading: the whole body is one atomic batch
            }
        } catch (InputFormatException e) {
            // The reader adds an event only once its line is valid, so the batch size is the bad event's index.
            throw ApiException.badEvent(e.field(), e.getMessage(), e.line(), batch.size());
        }
    }

    /** Re-serialises each element of a JSON array as one compact line. */
    private static byte[] arrayToLines(InputStream in) throws IOException {
        ByteArrayOutputStream lines = new ByteArrayOutputStream(8192);
        try (JsonParser p = Json.FACTORY.createParser(in)) {
            if (p.nextToken() != JsonToken.START_ARRAY) throw new IllegalStateException("peeked '[' but found none");
            int index = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
                if (t != JsonToken.START_OBJECT) {
                    throw ApiException.badEvent(null, "event " + index + ": expected a JSON object, found "
                            + describe(t, p), index + 1, index);
                }
                try (JsonGenerator g = Json.FACTORY.createGenerator(lines, JsonEncoding.UTF8)) {
                    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                    g.copyCurrentStructure(p);
                }
                lines.write('\n');
            }
            JsonToken after = p.nextToken();
            if (after != null) {
                throw ApiException.badRequest("body", "text after the closing ']' of the event array: " + describe(after, p));
            }
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("body", "malformed JSON array: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        }
        return lines.toByteArray();
    }

    private static String describe(JsonToken t, JsonParser p) throws IOException {
        return t == null ? "end of input" : t.isScalarValue() ? "'" + p.getText() + "'" : t.asString() == null
                ? t.name() : "'" + t.asString() + "'";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /** Fails with 413 once more than {@code max} bytes have been read. */
    static final class LimitedInputStream extends FilterInputStream {
        private final long max;
        private long count;

        LimitedInputStream(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) count(1);
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count(n);
            return n;
        }

        private void count(int n) {
            count += n;
            if (count > max) throw ApiException.tooLarge(max);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
