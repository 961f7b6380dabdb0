package dev.actrec.core.io;

import dev.actrec.core.EventReader;
import dev.actrec.core.InputFormatException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Opens an {@link EventReader} for a file or for standard input, detecting gzip compression (by its magic bytes) and,
 * when no format is given, the format: by the file extension first (see {@link EventFormat#fromFileName}), else by
 * sniffing the first non-blank line ({@link EventFormat#sniff}). Sniffing reads a prefix of the stream and pushes it
 * back in front of the rest, so it works on pipes.
 */
public final class EventReaders {
    /** How much of the input sniffing looks at. */
    static final int SNIFF_BYTES = 64 << 10;
    static final String STDIN = "<stdin>";

    private EventReaders() {
    }

    /**
     * Opens {@code path} ({@code null}: standard input) in {@code format} ({@code null}: detect it). The source name in
     * error messages is the path as given, or {@code <stdin>}.
     *
     * @throws InputFormatException when the format is to be detected and the content fits none
     */
    public static EventReader open(Path path, EventFormat format) throws IOException, InputFormatException {
        if (path == null) {
            return open(System.in, STDIN, format);
        }
        if (format == null) {
            format = EventFormat.fromFileName(path.getFileName().toString());
        }
        InputStream in = Files.newInputStream(path);
        try {
            return open(in, path.toString(), format);
        } catch (IOException | InputFormatException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Opens a stream; {@code source} names it in messages. {@code format} null means detect it from the content. */
    public static EventReader open(InputStream in, String source, EventFormat format)
            throws IOException, InputFormatException {
        byte[] head = new byte[SNIFF_BYTES];
        int n = readUpTo(in, head, 2);
        in = pushBack(head, n, in);
        if (n == 2 && head[0] == (byte) 0x1f && head[1] == (byte) 0x8b) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        if (format == null) {
            n = readFirstLine(in, head);
            in = pushBack(head, n, in);
            format = EventFormat.sniff(head, n);
            if (format == null) {
                int p = EventFormat.firstNonBlankLine(head, n);
                if (p >= 0) {
                    long line = 1;
                    for (int i = 0; i < p; i++) {
                        line += head[i] == '\n' ? 1 : 0;
                    }
                    int e = p;
                    while (e < n && head[e] != '\n' && head[e] != '\r') {
                        e++;
                    }
                    throw new InputFormatException(source, line, null, new String(head, p, e - p,
                            StandardCharsets.UTF_8), "cannot tell the input format: expected a CSV header (user,item,"
                            + "action,ts,...), a JSON object per line, or 'user_id item_1 item_2 ...' ids; "
                            + "name the format explicitly");
                }
                format = EventFormat.SEQUENCES; // empty input: any reader yields no events
            }
        }
        return switch (format) {
            case CSV -> new CsvEventReader(in, source);
            case NDJSON -> new NdjsonEventReader(in, source);
            case SEQUENCES -> new SequenceLineReader(in, source);
        };
    }

    private static int readUpTo(InputStream in, byte[] buf, int want) throws IOException {
        int n = 0;
        while (n < want) {
            int r = in.read(buf, n, want - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n;
    }

    /**
     * Reads until the first non-blank line is complete, the buffer is full or the input ends, so that a slow pipe
     * is not waited on longer than needed.
     */
    private static int readFirstLine(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        boolean content = false;
        while (n < buf.length) {
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                break;
            }
            for (int i = n; i < n + r; i++) {
                byte c = buf[i];
                if (c == '\n' && content) {
                    return n + r;
                }
                content |= c != ' ' && c != '\t' && c != '\r' && c != '\n';
            }
            n += r;
        }
        return n;
    }

    private static InputStream pushBack(byte[] head, int n, InputStream rest) {
        if (n == 0) {
            return rest;
        }
        return new SequenceInputStream(new ByteArrayInputStream(head.clone(), 0, n), rest);
    }
}
