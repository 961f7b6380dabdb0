package dev.actrec.model.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The scalar oracle: scores every item with a plain double-precision loop, and checks that a search's answer is a
 * correct top-k up to float rounding (the kernels sum in another order and fuse multiply-adds).
 */
final class NaiveRetrieval {

    private NaiveRetrieval() {}

    /** {@code out[item]} = Σ query[i]·row[i] in double; out[0] is unused. */
    static double[] scores(float[] table, int numItems, int dim, float[] query) {
        double[] out = new double[numItems + 1];
        for (int item = 1; item <= numItems; item++) {
            double sum = 0;
            for (int i = 0; i < dim; i++) {
                sum += (double) table[item * dim + i] * query[i];
            }
            out[item] = sum;
        }
        return out;
    }

    /** Tolerance for one dot product of length dim, scaled by Σ|a_i·b_i| (the float summation bound, with slack). */
    static double tolerance(float[] table, int dim, int item, float[] query) {
        double abs = 0;
        for (int i = 0; i < dim; i++) {
            abs += Math.abs((double) table[item * dim + i] * query[i]);
        }
        return 1e-6 + 4 * dim * Math.ulp(1f) * abs;
    }

    /**
     * Asserts that {@code items[0..count)} with {@code scores} is an exact top-k of the non-excluded items: the right
     * count, distinct valid items, scores equal to the naive ones within tolerance, best first, and no left-out item
     * scoring above the last one returned.
     */
    static void assertExactTopK(String context, float[] table, int numItems, int dim, float[] query, int k,
                                ItemFilter exclude, int[] items, float[] scores, int count) {
        double[] naive = scores(table, numItems, dim, query);
        int eligible = 0;
        for (int item = 1; item <= numItems; item++) {
            if (!exclude.excluded(item)) {
                eligible++;
            }
        }
        assertEquals(Math.min(k, eligible), count, context + ": count");
        boolean[] returned = new boolean[numItems + 1];
        for (int i = 0; i < count; i++) {
            int item = items[i];
            assertTrue(item >= 1 && item <= numItems, context + ": item " + item + " out of range at rank " + i);
            assertFalse(returned[item], context + ": item " + item + " returned twice");
            assertFalse(exclude.excluded(item), context + ": excluded item " + item + " returned");
            returned[item] = true;
            double tol = tolerance(table, dim, item, query);
            assertEquals(naive[item], scores[i], tol, context + ": score of item " + item);
            if (i > 0) {
                assertTrue(Float.compare(scores[i - 1], scores[i]) >= 0, context + ": not best first at rank " + i);
            }
        }
        if (count == 0) {
            return;
        }
        double last = scores[count - 1];
        for (int item = 1; item <= numItems; item++) {
            if (!returned[item] && !exclude.excluded(item)
                && naive[item] > last + tolerance(table, dim, item, query)) {
                fail(context + ": item " + item + " scores " + naive[item] + " but was left out; last returned "
                    + last);
            }
        }
    }
}
