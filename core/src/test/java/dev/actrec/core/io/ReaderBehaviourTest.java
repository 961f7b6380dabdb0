package dev.actrec.core.io;

import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import dev.actrec.core.EventReader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The accepted variations of each format. */
class ReaderBehaviourTest {
    private static final byte VIEW = ActionType.VIEW.code();
    private static final byte LIKE = ActionType.LIKE.code();

    @Test
    void csvColumnsInAnyOrderQuotesCrlfBlankLinesBomAndNoFinalNewline() throws Exception {
        String csv = "\uFEFFTs, action ,Item,user,duration_ms\r\n"
                + "\r\n"
                + "5,LIKE,\"sku \"\"7\"\", red\",\"007\",60000\r\n"
                + "   \n"
                + "6,view,9,\"名前\",\r\n"
                + "\"7\",\"long_view\",10,11,\"\"";
        List<Ev> got = read(new CsvEventReader(in(csv), "t.csv"));
        assertEquals(List.of(
                new Ev(7, null, 0, "sku \"7\", red", LIKE, 5, 0, 60000),
                new Ev(0, "名前", 9, null, VIEW, 6, 0, 0),
                new Ev(11, null, 10, null, ActionType.LONG_VIEW.code(), 7, 0, 0)), got);
    }

    @Test
    void csvSourceLinesCountBlankLines() throws Exception {
        CsvEventReader r = new CsvEventReader(in("\nuser,item,action,ts\n\n1,2,view,3\n"), "t.csv");
        EventBatch b = new EventBatch();
        assertEquals(1, r.read(b, 10));
        assertEquals(4, b.sourceLine(0));
        assertEquals(0, r.read(b, 10));
        assertEquals(4, r.linesRead());
        assertEquals(33, r.bytesRead());
    }

    @Test
    void csvHeaderOnlyOrEmptyHasNoEvents() throws Exception {
        assertEquals(List.of(), read(new CsvEventReader(in("user,item,action,ts\n"), "t.csv")));
        assertEquals(List.of(), read(new CsvEventReader(in(""), "t.csv")));
    }

    @Test
    void ndjsonAcceptsAnyOrderWhitespaceEscapesNullOptionalsAndStringIds() throws Exception {
        String json = "  { \"ts\" : 5 , \"action\":\"Like\", \"item\": \"a\\\"b\\\\c\\u00e9\\ud83d\\ude00\","
                + " \"user\": \"42\", \"watch_ms\": null, \"duration_ms\": 2147483647 }  \r\n"
                + "\n"
                + "{\"user\":9223372036854775807,\"item\":0,\"action\":\"view\",\"ts\":0}";
        List<Ev> got = read(new NdjsonEventReader(in(json), "t.ndjson"));
        assertEquals(List.of(
                new Ev(42, null, 0, "a\"b\\cé\uD83D\uDE00", LIKE, 5, 0, Integer.MAX_VALUE),
                new Ev(Long.MAX_VALUE, null, 0, null, VIEW, 0, 0, 0)), got);
    }

    @Test
    void sequencesAreOrdinalViews() throws Exception {
        List<Ev> got = read(new SequenceLineReader(in("1 10 11\n\n2\n3  12\t13 \r\nu4 x\n"), "s.txt"));
        assertEquals(List.of(
                new Ev(1, null, 10, null, VIEW, 1, 0, 0),
                new Ev(1, null, 11, null, VIEW, 2, 0, 0),
                new Ev(3, null, 12, null, VIEW, 1, 0, 0),
                new Ev(3, null, 13, null, VIEW, 2, 0, 0),
                new Ev(0, "u4", 0, "x", VIEW, 1, 0, 0)), got);
    }

    @Test
    void aLineLongerThanTheBufferGrowsIt() throws Exception {
        StringBuilder sb = new StringBuilder("1");
        for (int i = 0; i < 5000; i++) sb.append(' ').append(i);
        sb.append('\n').append("2 7\n");
        SequenceLineReader r = new SequenceLineReader(in(sb.toString()), "s.txt", 16);
        EventBatch b = new EventBatch();
        long events = 0;
        int n;
        while ((n = r.read(b, 777)) > 0) {
            events += n;
        }
        assertEquals(5001, events);
        assertEquals(5000, b.timestamp(4999)); // the 5000th item of the line
        assertEquals(2, b.userId(5000));
        assertNull(b.userName(5000));
    }

    /** Every line of the real benchmark datasets parses, and the interaction counts match their README. */
    @Test
    void readsTheSharedBenchmarkDatasets() throws Exception {
        Path beauty = Path.of("/work/shared/datasets/Beauty/Beauty.txt");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(beauty), "dataset not present");
        try (EventReader r = EventReaders.open(beauty, null)) {
            EventBatch b = new EventBatch(8192);
            long n = 0;
            int k;
            while ((k = r.read(b, 8192)) > 0) {
                n += k;
                b.clear();
            }
            // 198,502 interactions minus nothing: every item token of every line is one view
            assertEquals(198_502, n);
            assertEquals(22_363, r.linesRead());
        }
    }

    private static ByteArrayInputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static List<Ev> read(EventReader r) throws Exception {
        try (r) {
            return Ev.readAll(r, 3);
        }
    }
}
