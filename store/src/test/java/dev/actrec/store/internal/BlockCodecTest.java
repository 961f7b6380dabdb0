package dev.actrec.store.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;

class BlockCodecTest {

    @Provide
    Arbitrary<long[]> blocks() {
        Arbitrary<Long> small = Arbitraries.longs().between(0, 300);
        Arbitrary<Long> wide = Arbitraries.longs().between(0, Long.MAX_VALUE);
        Arbitrary<Long> mixed = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.longs().between(0, 5000)),
                net.jqwik.api.Tuple.of(1, wide),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(0L)));
        Arbitrary<Long> values = Arbitraries.oneOf(small, wide, mixed, Arbitraries.just(7L));
        return Combinators.combine(values.list().ofMinSize(1).ofMaxSize(BlockCodec.BLOCK), Arbitraries.just(0))
                .as((l, z) -> l.stream().mapToLong(Long::longValue).toArray());
    }

    @Property(tries = 400)
    void roundTripsAnyBlock(@ForAll("blocks") long[] values) {
        assertEquals(values.length, roundTrip(values).length);
        assertArrayEquals(values, roundTrip(values));
    }

    private static long[] roundTrip(long[] values) {
        BlockCodec codec = new BlockCodec();
        ByteSink sink = new ByteSink(16);
        sink.u8(0xAB); // decoding must start at the given offset, not 0
        codec.encode(values, 0, values.length, sink);
        int end = sink.position();
        sink.zeros(8);
        long[] out = new long[BlockCodec.BLOCK];
        int pos = codec.decode(Arrays.copyOf(sink.array(), sink.position()), 1, values.length, out);
        assertEquals(end, pos, "decoder must stop exactly where the encoder stopped");
        return Arrays.copyOf(out, values.length);
    }

    @Test
    void extremeWidthsAndSparseColumns() {
        long[] all64 = new long[128];
        Arrays.fill(all64, Long.MAX_VALUE);
        all64[5] = 0;
        assertArrayEquals(all64, roundTrip(all64));
        long[] sparse = new long[128];
        sparse[3] = 123_456;
        sparse[100] = 9;
        assertArrayEquals(sparse, roundTrip(sparse));
        assertArrayEquals(new long[] {0}, roundTrip(new long[] {0}));
        assertArrayEquals(new long[] {42}, roundTrip(new long[] {42}));
    }

    @Test
    void constantColumnCostsAFewBytes() {
        long[] v = new long[128];
        Arrays.fill(v, 3);
        ByteSink sink = new ByteSink(16);
        new BlockCodec().encode(v, 0, v.length, sink);
        assertEquals(2, sink.position(), "width 0, then the base with its no-exceptions bit");
    }
}
