package dev.actrec.model.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Exact scan against the naive scalar oracle on awkward sizes, ties, exclusions and bad arguments. */
class ExactScanIndexTest {

    private static final long SEED = 0x5eed_0001L;

    @Test
    void matchesNaiveLoopOnAwkwardSizes() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int numItems : new int[] {1, 3, 13, 1021}) {
            for (int dim : new int[] {1, 3, 16, 67}) {
                long seed = random.nextLong();
                float[] table = ClusteredTable.uniform(numItems, dim, seed);
                ExactScanIndex index = new ExactScanIndex(table, numItems, dim);
                float[] query = randomQuery(dim, seed + 1);
                for (int k : new int[] {1, 5, numItems, numItems + 3}) {
                    int[] items = new int[k];
                    float[] scores = new float[k];
                    int count = index.search(query, k, ItemFilter.NONE, items, scores);
                    NaiveRetrieval.assertExactTopK("seed=" + seed + " n=" + numItems + " d=" + dim + " k=" + k,
                        table, numItems, dim, query, k, ItemFilter.NONE, items, scores, count);
                }
            }
        }
    }

    @Test
    void exclusionsWithGoodAndBadSizeHints() {
        int numItems = 1021;
        int dim = 13;
        float[] table = ClusteredTable.uniform(numItems, dim, SEED);
        ExactScanIndex index = new ExactScanIndex(table, numItems, dim);
        float[] query = randomQuery(dim, SEED + 7);
        int[] items = new int[20];
        float[] scores = new float[20];
        index.search(query, 20, ItemFilter.NONE, items, scores);
        int[] top20 = items.clone();

        // A sorted filter knows its size: one selection suffices.
        SortedItemFilter seen = new SortedItemFilter(4).reset(top20, 10);
        int count = index.search(query, 10, seen, items, scores);
        NaiveRetrieval.assertExactTopK("sorted", table, numItems, dim, query, 10, seen, items, scores, count);
        assertArrayEquals(Arrays.copyOfRange(top20, 10, 20), Arrays.copyOf(items, 10));

        // A filter that hides its size (hint 0) and drops the best 600: the selection must widen several times.
        double[] naive = NaiveRetrieval.scores(table, numItems, dim, query);
        Integer[] order = new Integer[numItems];
        for (int i = 0; i < numItems; i++) {
            order[i] = i + 1;
        }
        Arrays.sort(order, (a, b) -> Double.compare(naive[b], naive[a]));
        boolean[] dropped = new boolean[numItems + 1];
        for (int i = 0; i < 600; i++) {
            dropped[order[i]] = true;
        }
        ItemFilter hidden = item -> dropped[item];
        count = index.search(query, 10, hidden, items, scores);
        NaiveRetrieval.assertExactTopK("hidden", table, numItems, dim, query, 10, hidden, items, scores, count);

        // The same 600 announced: above MASK_ABOVE the excluded rows are masked instead of over-selected.
        ItemFilter announced = new ItemFilter() {
            @Override
            public boolean excluded(int item) {
                return dropped[item];
            }

            @Override
            public int sizeHint() {
                return 600;
            }
        };
        count = index.search(query, 10, announced, items, scores);
        NaiveRetrieval.assertExactTopK("announced", table, numItems, dim, query, 10, announced, items, scores, count);
        ItemFilter allButThree = new ItemFilter() {
            @Override
            public boolean excluded(int item) {
                return item != 3 && item != 500 && item != 1021;
            }

            @Override
            public int sizeHint() {
                return numItems - 3;
            }
        };
        count = index.search(query, 10, allButThree, items, scores);
        assertEquals(3, count);
        NaiveRetrieval.assertExactTopK("all but three", table, numItems, dim, query, 10, allButThree, items, scores,
            count);
    }

    @Test
    void excludingEverythingOrAllButSomeReturnsWhatIsLeft() {
        int numItems = 13;
        int dim = 3;
        float[] table = ClusteredTable.uniform(numItems, dim, SEED + 2);
        ExactScanIndex index = new ExactScanIndex(table, numItems, dim);
        float[] query = randomQuery(dim, SEED + 3);
        int[] items = new int[20];
        float[] scores = new float[20];
        assertEquals(0, index.search(query, 5, item -> true, items, scores));
        ItemFilter allButTwo = item -> item != 4 && item != 9;
        int count = index.search(query, 20, allButTwo, items, scores);
        assertEquals(2, count);
        NaiveRetrieval.assertExactTopK("all but two", table, numItems, dim, query, 20, allButTwo, items, scores, count);
    }

    @Test
    void tiesGoToTheLowerItemAndPaddingIsNeverReturned() {
        // Integer rows: every dot product is exact, so ties are real ties in both kernel implementations.
        int numItems = 13;
        int dim = 3;
        float[] table = new float[(numItems + 1) * dim];
        for (int item = 1; item <= numItems; item++) {
            table[item * dim] = item % 3 == 0 ? -1 : -2; // items 3, 6, 9, 12 tie for best at -1
        }
        ExactScanIndex index = new ExactScanIndex(table, numItems, dim);
        int[] items = new int[6];
        float[] scores = new float[6];
        // Every real score is negative, so the padding row's 0 would win if it were not skipped.
        int count = index.search(new float[] {1, 0, 0}, 6, ItemFilter.NONE, items, scores);
        assertEquals(6, count);
        assertArrayEquals(new int[] {3, 6, 9, 12, 1, 2}, items);
        assertArrayEquals(new float[] {-1, -1, -1, -1, -2, -2}, scores);
    }

    @Test
    void kAboveNumItemsReturnsEveryItem() {
        float[] table = ClusteredTable.uniform(3, 4, SEED);
        ExactScanIndex index = new ExactScanIndex(table, 3, 4);
        int[] items = new int[3]; // min(k, size) long is enough
        float[] scores = new float[3];
        int count = index.search(randomQuery(4, SEED), 100, ItemFilter.NONE, items, scores);
        assertEquals(3, count);
        int[] sorted = items.clone();
        Arrays.sort(sorted);
        assertArrayEquals(new int[] {1, 2, 3}, sorted);
    }

    @Test
    void emptyCatalogReturnsNothing() {
        ExactScanIndex index = new ExactScanIndex(new float[4], 0, 4);
        assertEquals(0, index.search(new float[4], 3, ItemFilter.NONE, new int[0], new float[0]));
    }

    @Test
    void badArgumentsNameTheValue() {
        ExactScanIndex index = new ExactScanIndex(ClusteredTable.uniform(13, 4, SEED), 13, 4);
        int[] items = new int[10];
        float[] scores = new float[10];
        assertMessage("k must be >= 1, got 0",
            () -> index.search(new float[4], 0, ItemFilter.NONE, items, scores));
        assertMessage("k must be >= 1, got -3",
            () -> index.search(new float[4], -3, ItemFilter.NONE, items, scores));
        assertMessage("query.length=5 but the index has dim=4",
            () -> index.search(new float[5], 3, ItemFilter.NONE, items, scores));
        assertMessage("min(k, size)=10 results do not fit: outItems.length=5",
            () -> index.search(new float[4], 10, ItemFilter.NONE, new int[5], scores));
        assertThrows(NullPointerException.class, () -> index.search(new float[4], 3, null, items, scores));
        assertMessage("table.length=11 is less than (numItems + 1) x dim = (2 + 1) x 4 = 12",
            () -> new ExactScanIndex(new float[11], 2, 4));
        assertMessage("dim must be >= 1, got 0", () -> new ExactScanIndex(new float[11], 2, 0));
        assertMessage("numItems must be >= 0, got -1", () -> new ExactScanIndex(new float[11], -1, 2));
    }

    @Test
    void steadyStateSearchDoesNotAllocate() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
            || !threads.isThreadAllocatedMemorySupported()) {
            return;
        }
        int numItems = 5000;
        int dim = 32;
        ExactScanIndex index = new ExactScanIndex(ClusteredTable.uniform(numItems, dim, SEED), numItems, dim);
        float[] query = randomQuery(dim, SEED);
        int[] items = new int[10];
        float[] scores = new float[10];
        SortedItemFilter seen = new SortedItemFilter(8).reset(new int[] {5, 7, 11}, 3);
        // The kernels allocate until C2 has compiled them, so measure rounds until one is clean (or give up).
        long tid = Thread.currentThread().threadId();
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 30 && allocated >= 16_000; round++) {
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 1_000; i++) {
                index.search(query, 10, seen, items, scores);
            }
            allocated = threads.getThreadAllocatedBytes(tid) - before;
        }
        // Allows a little for the measurement itself; a per-search allocation would be >= 16 KB over 1000 calls.
        assertTrue(allocated < 16_000, "1000 searches still allocated " + allocated + " bytes after 30 rounds");
    }

    private static void assertMessage(String expectedPart, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expectedPart), "message '" + e.getMessage() + "' lacks '" + expectedPart
            + "'");
    }

    static float[] randomQuery(int dim, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] q = new float[dim];
        for (int i = 0; i < dim; i++) {
            q[i] = (float) random.nextGaussian();
        }
        return q;
    }
}
