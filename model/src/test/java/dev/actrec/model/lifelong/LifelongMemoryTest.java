package dev.actrec.model.lifelong;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifelongMemoryTest {
    private static final int ITEMS = 40, DIM = 8;
    /** Small budget so that tokens fill up, heavy hitters evict and the window wraps within short histories. */
    private static final MemoryConfig SMALL = MemoryConfig.defaults().withTokens(5).withWindow(7).withJoinCosine(0.3f);

    static ItemEmbeddings randomEmbeddings(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] rows = new float[ITEMS * DIM];
        for (int i = 0; i < rows.length; i++) rows[i] = (float) (rnd.nextDouble() * 2 - 1);
        Arrays.fill(rows, 3 * DIM, 4 * DIM, 0f); // item 3 has no vector: it must join, never open a token
        return ItemEmbeddings.of(ITEMS, DIM, rows);
    }

    record History(int[] items, byte[] types, long[] ts, int[] cuts) {}

    @Provide
    Arbitrary<History> histories() {
        Arbitrary<List<Integer>> items = Arbitraries.integers().between(0, ITEMS - 1).list().ofMinSize(0).ofMaxSize(300);
        return Combinators.combine(items, Arbitraries.longs(), Arbitraries.integers().between(1, 40)).as((list, seed, every) -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            int n = list.size();
            int[] it = list.stream().mapToInt(Integer::intValue).toArray();
            byte[] ty = new byte[n];
            long[] ts = new long[n];
            for (int i = 0; i < n; i++) {
                ty[i] = (byte) rnd.nextInt(9);
                ts[i] = 1_000L * i + rnd.nextInt(1000);
            }
            int[] cuts = java.util.stream.IntStream.range(1, n).filter(i -> i % every == 0).toArray();
            return new History(it, ty, ts, cuts);
        });
    }

    /** Section 6: the memory maintained action by action, persisted and reloaded between batches, equals a rebuild. */
    @Property(tries = 200)
    void incrementalWithReloadsEqualsRebuild(@ForAll("histories") History h) throws Exception {
        ItemEmbeddings emb = randomEmbeddings(5);
        LifelongMemory live = new LifelongMemory(SMALL, emb);
        int next = 0;
        for (int i = 0; i < h.items().length; i++) {
            live.append(h.items()[i], h.types()[i], h.ts()[i]);
            if (next < h.cuts().length && h.cuts()[next] == i + 1) {
                live = LifelongMemory.deserialize(live.serialize(), SMALL, emb); // the nearline updater restarts
                next++;
            }
        }
        LifelongMemory rebuilt = LifelongMemory.rebuild(SMALL, emb, h.items(), h.types(), h.ts(), h.items().length);
        assertArrayEquals(rebuilt.serialize(), live.serialize());
        assertEquals(h.items().length, live.actions());
        assertTrue(live.tokensUsed() <= SMALL.tokens());
        assertEquals(Math.min(h.items().length, SMALL.window()), live.windowFill());
    }

    /** Every older action's weight is in the tokens, and the long-term keys carry exactly that mass. */
    @Property(tries = 100)
    void tokensHoldTheMassOfEveryOlderAction(@ForAll("histories") History h) {
        ItemEmbeddings emb = randomEmbeddings(6);
        LifelongMemory mem = LifelongMemory.rebuild(SMALL, emb, h.items(), h.types(), h.ts(), h.items().length);
        double expected = 0;
        for (int i = 0; i < h.items().length - SMALL.window(); i++) expected += SMALL.typeWeight(h.types()[i]);
        assertEquals(expected, mem.tokenMass(), 1e-4 * Math.max(1, expected));
        KeySet keys = new KeySet(DIM, 4);
        mem.longTermKeys(keys);
        double sum = 0;
        for (int i = 0; i < keys.size(); i++) {
            assertTrue(keys.weights()[i] > 0, "key weight " + keys.weights()[i]);
            sum += keys.weights()[i];
        }
        assertEquals(expected, sum, 1e-3 * Math.max(1, expected));
    }

    private static LifelongMemory sample() {
        ItemEmbeddings emb = randomEmbeddings(7);
        SplittableRandom rnd = new SplittableRandom(11);
        LifelongMemory mem = new LifelongMemory(SMALL, emb);
        for (int i = 0; i < 500; i++) mem.append(rnd.nextInt(ITEMS), (byte) rnd.nextInt(9), i * 10L);
        return mem;
    }

    @Test
    void roundTripKeepsEveryByteAndTheLayoutSize() throws Exception {
        LifelongMemory mem = sample();
        byte[] bytes = mem.serialize();
        assertEquals(mem.serializedBytes(), bytes.length);
        LifelongMemory back = LifelongMemory.deserialize(bytes, SMALL, randomEmbeddings(7));
        assertArrayEquals(bytes, back.serialize());
        // and it keeps evolving identically
        mem.append(1, (byte) 2, 99_999);
        back.append(1, (byte) 2, 99_999);
        assertTrue(mem.sameState(back));
    }

    @Test
    void corruptBytesAreNamed() {
        byte[] bytes = sample().serialize();
        ItemEmbeddings emb = randomEmbeddings(7);
        for (int i : new int[]{0, 5, 30, bytes.length / 2, bytes.length - 1}) {
            byte[] bad = bytes.clone();
            bad[i] ^= 0x10;
            MemoryFormatException e = assertThrows(MemoryFormatException.class, () -> LifelongMemory.deserialize(bad, SMALL, emb));
            assertTrue(e.getMessage().contains("magic") || e.getMessage().contains("version") || e.getMessage().contains("checksum"),
                    e.getMessage());
        }
        assertThrows(MemoryFormatException.class, () -> LifelongMemory.deserialize(Arrays.copyOf(bytes, 20), SMALL, emb));
        MemoryFormatException shape = assertThrows(MemoryFormatException.class,
                () -> LifelongMemory.deserialize(bytes, SMALL.withTokens(6), emb));
        assertTrue(shape.getMessage().contains("shape"), shape.getMessage());
        MemoryFormatException other = assertThrows(MemoryFormatException.class,
                () -> LifelongMemory.deserialize(bytes, SMALL, randomEmbeddings(8)));
        assertTrue(other.getMessage().contains("embeddings"), other.getMessage());
    }

    @Test
    void stateIsBoundedWhateverTheLength() {
        ItemEmbeddings emb = randomEmbeddings(9);
        MemoryConfig cfg = MemoryConfig.defaults().withJoinCosine(0.99f);
        LifelongMemory mem = new LifelongMemory(cfg, emb);
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < 20_000; i++) mem.append(rnd.nextInt(ITEMS), (byte) rnd.nextInt(9), i);
        int bound = 4 * 6 + 8 + 8 + 8 + cfg.window() * 13 + cfg.tokens() * (16 + 4 * DIM + 12 * cfg.heavyHitters()) + 4;
        assertTrue(mem.serializedBytes() <= bound, mem.serializedBytes() + " > " + bound);
    }
}
