package dev.actrec.train;

import dev.actrec.core.dataset.SequenceDataset;

import java.util.SplittableRandom;

/** Small generated data sets with a pattern a sequence model can learn exactly. */
final class SyntheticSequences {
    private SyntheticSequences() {}

    /**
     * Each user walks a fixed permutation of the items from a random starting point: the next item is a function of
     * the current one, so a model that learns the permutation predicts every target. No item repeats in a sequence
     * (length < items), so masking seen items never hides a target.
     */
    static SequenceDataset permutationWalks(int users, int items, int minLen, int maxLen, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] next = new int[items + 1];
        int[] perm = new int[items];
        for (int i = 0; i < items; i++) perm[i] = i + 1;
        for (int i = items - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (int i = 0; i < items; i++) next[perm[i]] = perm[(i + 1) % items];
        int[][] seqs = new int[users][];
        for (int u = 0; u < users; u++) {
            int len = minLen + rnd.nextInt(maxLen - minLen + 1);
            seqs[u] = new int[len];
            seqs[u][0] = 1 + rnd.nextInt(items);
            for (int t = 1; t < len; t++) seqs[u][t] = next[seqs[u][t - 1]];
        }
        return SequenceDataset.of("synthetic-permutation-walks", seqs);
    }
}
