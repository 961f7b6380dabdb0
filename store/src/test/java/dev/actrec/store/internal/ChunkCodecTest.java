package dev.actrec.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.actrec.core.ActionColumns;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class ChunkCodecTest {
    /** Any run of actions (sorted timestamps, any ids, types, watch times, durations) decodes to itself. */
    @Property(tries = 150)
    void chunkRoundTripsWholeAndByBlockRange(@ForAll @IntRange(min = 1, max = 1500) int n,
                                             @ForAll @LongRange(min = 0) long seed,
                                             @ForAll @IntRange(min = 0, max = 3) int shape) {
        Random rnd = new Random(seed);
        int items = 1 + rnd.nextInt(shape == 0 ? 5 : 2_000_000);
        int[] registered = new int[items];
        for (int i = 0; i < items; i++) registered[i] = rnd.nextInt(Integer.MAX_VALUE);
        ActionColumns src = new ActionColumns(n);
        long ts = shape == 3 ? Long.MAX_VALUE / 2 : rnd.nextInt(1000);
        for (int i = 0; i < n; i++) {
            ts += switch (shape) {
                case 0 -> 0;                                        // all in the same millisecond
                case 1 -> rnd.nextInt(60_000);                      // a session
                default -> rnd.nextInt(10) == 0 ? (long) rnd.nextInt(Integer.MAX_VALUE) * 1000 : rnd.nextInt(9);
            };
            int item = rnd.nextInt(items);
            int dur = rnd.nextInt(4) == 0 ? rnd.nextInt(Integer.MAX_VALUE) : registered[item];
            src.add(item, (byte) rnd.nextInt(9), ts, rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(Integer.MAX_VALUE), dur);
        }
        ChunkCodec codec = new ChunkCodec();
        ByteSink sink = new ByteSink(64);
        sink.i32(0); // the chunk does not start at offset 0 of its file
        codec.encode(42, src, 0, n, registered, sink);
        MemorySegment seg = MemorySegment.ofArray(Arrays.copyOf(sink.array(), sink.position()));
        assertNull(codec.headerProblem(seg, 4));
        assertNull(codec.payloadProblem(seg, 4));
        assertEquals(42, ChunkCodec.user(seg, 4));
        int blocks = ChunkCodec.blockCount(seg, 4);

        ActionColumns out = new ActionColumns(1);
        assertEquals(n, codec.decode(seg, 4, 0, blocks, registered, out));
        assertSame(src, 0, out, n);

        int from = rnd.nextInt(blocks), to = from + 1 + rnd.nextInt(blocks - from);
        out.clear();
        int got = codec.decode(seg, 4, from, to, registered, out);
        assertEquals(ChunkCodec.actionsIn(seg, 4, from, to), got);
        assertSame(src, from * BlockCodec.BLOCK, out, got);
    }

    private static void assertSame(ActionColumns expected, int from, ActionColumns actual, int n) {
        assertEquals(n, actual.size());
        for (int i = 0; i < n; i++) {
            int e = from + i;
            String at = "action " + e;
            assertEquals(expected.timestamp(e), actual.timestamp(i), at);
            assertEquals(expected.item(e), actual.item(i), at);
            assertEquals(expected.type(e), actual.type(i), at);
            assertEquals(expected.watchMs(e), actual.watchMs(i), at);
            assertEquals(expected.durationMs(e), actual.durationMs(i), at);
        }
    }
}
