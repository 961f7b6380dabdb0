package dev.actrec.core.io;

import dev.actrec.core.EventReader;
import dev.actrec.core.InputFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventFormatTest {
    private static final String CSV = "user,item,action,ts\n1,2,view,3\n";
    private static final String NDJSON = "{\"user\":1,\"item\":2,\"action\":\"view\",\"ts\":3}\n";
    private static final String SEQ = "1 2\n";

    @ParameterizedTest
    @CsvSource({"events.csv,CSV", "E.CSV,CSV", "a.ndjson,NDJSON", "a.jsonl,NDJSON", "Beauty.txt,SEQUENCES",
            "x.csv.gz,CSV", "x.jsonl.gz,NDJSON", "events,", "events.json,", "events.gz,"})
    void byExtension(String name, EventFormat expected) {
        assertEquals(expected, EventFormat.fromFileName(name));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "user,item,action,ts|CSV",
            "\"ts\",\"user\",\"item\",\"action\"|CSV",
            "Item,User,Action,TS|CSV",
            "  {\"user\":1}|NDJSON",
            "12 3 4 5|SEQUENCES",
            "12\t3|SEQUENCES",
            "7|SEQUENCES",
            "hello,world|",
            "12 abc|",
            "[1,2]|"})
    void bySniffing(String firstLine, EventFormat expected) {
        for (String prefix : new String[]{"", "\n\n", "\r\n  \n", "\uFEFF"}) {
            byte[] b = (prefix + firstLine + "\n").getBytes(StandardCharsets.UTF_8);
            assertEquals(expected, EventFormat.sniff(b, b.length), () -> prefix + firstLine);
        }
    }

    @Test
    void sniffingEmptyOrBlankInputFindsNothing() {
        assertNull(EventFormat.sniff(new byte[0], 0));
        byte[] blank = " \n\t\r\n".getBytes(StandardCharsets.US_ASCII);
        assertNull(EventFormat.sniff(blank, blank.length));
    }

    @Test
    void namesForTheCommandLine() {
        assertEquals(EventFormat.CSV, EventFormat.fromName("CSV"));
        assertEquals(EventFormat.NDJSON, EventFormat.fromName("jsonl"));
        assertEquals(EventFormat.SEQUENCES, EventFormat.fromName("sequences"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventFormat.fromName("xml"));
        assertTrue(e.getMessage().contains("'xml'") && e.getMessage().contains("csv"), e.getMessage());
    }

    /** Detection on a pipe: the sniffed prefix is pushed back, so nothing is lost, even byte by byte. */
    @Test
    void detectsOnStdinLikeStreams() throws Exception {
        for (boolean trickle : new boolean[]{false, true}) {
            assertReads(CsvEventReader.class, RoundTripPropertiesTest.stream(bytes("\n" + CSV), trickle));
            assertReads(NdjsonEventReader.class, RoundTripPropertiesTest.stream(bytes(NDJSON), trickle));
            assertReads(SequenceLineReader.class, RoundTripPropertiesTest.stream(bytes(SEQ), trickle));
            assertReads(CsvEventReader.class, RoundTripPropertiesTest.stream(gzip(CSV), trickle));
        }
    }

    /** Sniffing must not wait for 64 KiB from a slow producer: the first complete line is enough. */
    @Test
    void detectionStopsAtTheFirstLine() throws Exception {
        byte[] first = bytes(CSV);
        InputStream pipe = new InputStream() {
            int pos;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= first.length) {
                    throw new AssertionError("read past what the producer has sent");
                }
                int n = Math.min(len, first.length - pos);
                System.arraycopy(first, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        try (EventReader r = EventReaders.open(pipe, EventReaders.STDIN, null)) {
            assertInstanceOf(CsvEventReader.class, r);
        }
    }

    @Test
    void undetectableInputNamesTheLine() {
        InputFormatException e = assertThrows(InputFormatException.class, () -> EventReaders.open(
                new ByteArrayInputStream(bytes("\n\nuid;iid;when\n")), EventReaders.STDIN, null));
        assertEquals("<stdin>", e.source());
        assertEquals(3, e.line());
        assertEquals("uid;iid;when", e.value());
        assertTrue(e.getMessage().contains("cannot tell the input format"), e.getMessage());
    }

    @Test
    void emptyInputHasNoEvents() throws Exception {
        try (EventReader r = EventReaders.open(new ByteArrayInputStream(new byte[0]), EventReaders.STDIN, null)) {
            assertEquals(List.of(), Ev.readAll(r, 10));
        }
    }

    @Test
    void opensFilesByExtensionThenContent(@TempDir Path dir) throws Exception {
        // the extension wins: this .txt file is read as sequences even though it could pass for CSV data
        Path txt = Files.writeString(dir.resolve("seq.txt"), "5 6 7\n");
        try (EventReader r = EventReaders.open(txt, null)) {
            assertInstanceOf(SequenceLineReader.class, r);
            assertEquals(2, Ev.readAll(r, 10).size());
        }
        Path noExt = Files.write(dir.resolve("events"), bytes(NDJSON));
        try (EventReader r = EventReaders.open(noExt, null)) {
            assertInstanceOf(NdjsonEventReader.class, r);
            assertEquals(1, Ev.readAll(r, 10).size());
        }
        Path gz = Files.write(dir.resolve("events.csv.gz"), gzip(CSV));
        try (EventReader r = EventReaders.open(gz, null)) {
            assertEquals(1, Ev.readAll(r, 10).size());
        }
        // an explicit format is taken as given
        Path csvAsTxt = Files.writeString(dir.resolve("x.txt"), CSV);
        try (EventReader r = EventReaders.open(csvAsTxt, EventFormat.CSV)) {
            assertEquals(1, Ev.readAll(r, 10).size());
        }
        // errors name the file
        Path bad = Files.writeString(dir.resolve("bad.csv"), "user,item,action,ts\n1,2,view,x\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> {
            try (EventReader r = EventReaders.open(bad, null)) {
                Ev.readAll(r, 10);
            }
        });
        assertEquals(bad.toString(), e.source());
        assertTrue(e.getMessage().startsWith(bad + ":2: field 'ts' value 'x': "), e.getMessage());
    }

    private static void assertReads(Class<?> type, InputStream in) throws Exception {
        try (EventReader r = EventReaders.open(in, EventReaders.STDIN, null)) {
            assertInstanceOf(type, r);
            List<Ev> events = Ev.readAll(r, 10);
            assertEquals(1, events.size());
            assertEquals(1, events.get(0).userId());
            assertEquals(2, events.get(0).itemId());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(String s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes(s));
        }
        return out.toByteArray();
    }
}
