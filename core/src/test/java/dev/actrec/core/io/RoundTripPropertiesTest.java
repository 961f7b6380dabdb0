package dev.actrec.core.io;

import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Events written by the CSV and NDJSON writers read back equal to the originals. */
class RoundTripPropertiesTest {

    @Property(tries = 200)
    void csvRoundTrip(@ForAll("events") @Size(max = 40) List<Ev> events,
                      @ForAll @IntRange(min = 16, max = 300) int bufferBytes,
                      @ForAll @IntRange(min = 1, max = 50) int perRead,
                      @ForAll boolean trickle) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CsvEventWriter w = new CsvEventWriter(out)) {
            EventBatch b = new EventBatch(2);
            for (int i = 0; i < events.size(); i++) {
                // half through the batch path, half one by one
                if (i % 2 == 0) {
                    events.get(i).addTo(b);
                } else {
                    Ev e = events.get(i);
                    w.write(e.userId(), e.userName(), e.itemId(), e.itemName(), e.type(), e.ts(), e.watch(),
                            e.duration());
                }
                if (i % 2 == 0) {
                    w.write(b);
                    b.clear();
                }
            }
            assertEquals(events.size(), w.eventsWritten());
        }
        InputStream in = stream(out.toByteArray(), trickle);
        try (CsvEventReader r = new CsvEventReader(in, "t.csv", bufferBytes)) {
            assertEquals(events, Ev.readAll(r, perRead));
        }
    }

    @Property(tries = 200)
    void ndjsonRoundTrip(@ForAll("events") @Size(max = 40) List<Ev> events,
                         @ForAll @IntRange(min = 16, max = 300) int bufferBytes,
                         @ForAll @IntRange(min = 1, max = 50) int perRead,
                         @ForAll boolean trickle) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (NdjsonEventWriter w = new NdjsonEventWriter(out)) {
            EventBatch b = new EventBatch(2);
            for (Ev e : events) e.addTo(b);
            w.write(b);
            assertEquals(events.size(), w.eventsWritten());
        }
        InputStream in = stream(out.toByteArray(), trickle);
        try (NdjsonEventReader r = new NdjsonEventReader(in, "t.ndjson", bufferBytes)) {
            assertEquals(events, Ev.readAll(r, perRead));
        }
    }

    /** The sequence format: each line's items come back as views with ts 1..n, however the reads are split. */
    @Property(tries = 100)
    void sequencesKeepOrder(@ForAll @Size(max = 10) List<@Size(max = 30) List<@IntRange(min = 0) Integer>> lines,
                            @ForAll @IntRange(min = 16, max = 200) int bufferBytes,
                            @ForAll @IntRange(min = 1, max = 40) int perRead) throws Exception {
        StringBuilder sb = new StringBuilder();
        List<Ev> expected = new java.util.ArrayList<>();
        for (int u = 0; u < lines.size(); u++) {
            sb.append(u + 1);
            for (int k = 0; k < lines.get(u).size(); k++) {
                int item = lines.get(u).get(k);
                sb.append(k % 3 == 0 ? "\t" : " ").append(item);
                expected.add(new Ev(u + 1, null, item, null, ActionType.VIEW.code(), k + 1, 0, 0));
            }
            sb.append(u % 2 == 0 ? "\n" : "\r\n");
        }
        byte[] data = sb.toString().getBytes(StandardCharsets.US_ASCII);
        try (SequenceLineReader r = new SequenceLineReader(new ByteArrayInputStream(data), "s.txt", bufferBytes)) {
            assertEquals(expected, Ev.readAll(r, perRead));
        }
    }

    @Provide
    Arbitrary<List<Ev>> events() {
        Arbitrary<Long> ids = Arbitraries.longs().between(0, Long.MAX_VALUE);
        Arbitrary<String> names = Arbitraries.strings()
                .withChars("abcXYZ09 ,\"'-_;é中\u00a0")
                .withChars("\ud83d\ude00") // a surrogate pair (emoji) stays together as it comes as a pair
                .ofMinLength(1).ofMaxLength(30)
                .filter(s -> !s.chars().allMatch(c -> c >= '0' && c <= '9'))
                .filter(s -> validSurrogates(s));
        Arbitrary<String> maybeName = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(null)),
                net.jqwik.api.Tuple.of(2, names),
                net.jqwik.api.Tuple.of(1, Arbitraries.just("x".repeat(Fields.MAX_ID_BYTES))));
        Arbitrary<Byte> types = Arbitraries.integers().between(0, ActionType.COUNT - 1).map(Integer::byteValue);
        Arbitrary<Long> ts = Arbitraries.longs().between(0, Long.MAX_VALUE);
        Arbitrary<Integer> ms = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<Ev> ev = Combinators.combine(ids, maybeName, ids, maybeName, types, ts, ms, ms)
                .as(Ev::new);
        return ev.list();
    }

    private static boolean validSurrogates(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return false;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** A stream that may hand out one to three bytes per read, like a slow pipe. */
    static InputStream stream(byte[] data, boolean trickle) {
        if (!trickle) return new ByteArrayInputStream(data);
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + (pos % 3)));
            }
        };
    }
}
