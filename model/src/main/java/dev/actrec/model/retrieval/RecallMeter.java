package dev.actrec.model.retrieval;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Measures recall@k of an index against the exact answer: the mean, over random queries, of the fraction of the
 * exact top-k that the index also returns. Queries are item rows plus Gaussian noise, normalised to unit length: they
 * look like a model's queries (near some items, not on any) without needing a model.
 */
public final class RecallMeter {

    private RecallMeter() {}

    /**
     * Recall@k of {@code candidate} against {@code exact} over {@code numQueries} queries built from {@code table}.
     *
     * @param noise standard deviation of the noise added to each coordinate of a unit-length item row; 0 queries
     *     with the rows themselves
     * @param seed fixes the queries, so two indexes can be compared on the same ones
     * @throws IllegalArgumentException if the indexes differ in size or dimension, or a count is below 1
     */
    public static double recallAtK(ItemIndex candidate, ItemIndex exact, float[] table, int numQueries, int k,
                                   float noise, long seed) {
        if (candidate.size() != exact.size() || candidate.dim() != exact.dim()) {
            throw new IllegalArgumentException("indexes differ: candidate has " + candidate.size() + " items x "
                + candidate.dim() + " dims, exact has " + exact.size() + " x " + exact.dim());
        }
        if (numQueries < 1) {
            throw new IllegalArgumentException("numQueries must be >= 1, got " + numQueries);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        int dim = exact.dim();
        int numItems = exact.size();
        if (numItems == 0) {
            return 1.0;
        }
        ItemTable items = new ItemTable(table, numItems, dim);
        float[] query = new float[dim];
        int[] truth = new int[k];
        int[] found = new int[k];
        float[] scores = new float[k];
        SplittableRandom random = new SplittableRandom(seed);
        double sum = 0;
        for (int q = 0; q < numQueries; q++) {
            randomQuery(items, 1 + random.nextInt(numItems), noise, random, query);
            int expected = exact.search(query, k, ItemFilter.NONE, truth, scores);
            int got = candidate.search(query, k, ItemFilter.NONE, found, scores);
            sum += expected == 0 ? 1.0 : (double) overlap(truth, expected, found, got) / expected;
        }
        return sum / numQueries;
    }

    /** Writes to {@code out} the unit-length sum of {@code item}'s normalised row and N(0, noise²) per coordinate. */
    static void randomQuery(ItemTable items, int item, float noise, RandomGenerator random, float[] out) {
        int dim = items.dim();
        int off = items.offset(item);
        double rowNorm = 0;
        for (int i = 0; i < dim; i++) {
            rowNorm += (double) items.rows()[off + i] * items.rows()[off + i];
        }
        double scale = rowNorm > 0 ? 1 / Math.sqrt(rowNorm) : 0;
        double norm = 0;
        for (int i = 0; i < dim; i++) {
            double v = items.rows()[off + i] * scale + noise * random.nextGaussian();
            out[i] = (float) v;
            norm += v * v;
        }
        if (norm == 0) {
            out[0] = 1; // a zero row and no noise: any direction will do
            return;
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dim; i++) {
            out[i] *= inv;
        }
    }

    /** Size of the intersection of {@code a[0..na)} and {@code b[0..nb)}; both are short, so a double loop. */
    private static int overlap(int[] a, int na, int[] b, int nb) {
        int hits = 0;
        for (int i = 0; i < na; i++) {
            for (int j = 0; j < nb; j++) {
                if (a[i] == b[j]) {
                    hits++;
                    break;
                }
            }
        }
        return hits;
    }
}
