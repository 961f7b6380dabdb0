package dev.actrec.model.lifelong;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RankingWeightsTest {

    /** Choices drawn from a known log-linear model among random sets: the fit recovers its weights. */
    @Test
    void recoversTheWeightsOfAChoiceModel() {
        int dims = 3, groupSize = 20, groups = 6_000;
        double[] truth = {1.2, 0.4, -0.7};
        double[] x = new double[dims * groupSize * groups], p = new double[groupSize];
        int[] chosen = new int[groups];
        SplittableRandom rnd = new SplittableRandom(12);
        for (int g = 0; g < groups; g++) {
            double z = 0;
            for (int r = 0; r < groupSize; r++) {
                double s = 0;
                for (int i = 0; i < dims; i++) s += truth[i] * (x[(g * groupSize + r) * dims + i] = rnd.nextGaussian());
                z += p[r] = Math.exp(s);
            }
            double u = rnd.nextDouble() * z;
            int c = 0;
            while (c < groupSize - 1 && (u -= p[c]) > 0) c++;
            chosen[g] = c;
        }
        double[] w = RankingWeights.fit(x, dims, groupSize, groups, chosen, 0, new double[]{0, 0, 0});
        for (int i = 0; i < dims; i++) assertEquals(truth[i], w[i], 0.06, "weight " + i);
        // the fitted weights explain the choices better than the truth's neighbours do
        double[] logits = new double[groupSize];
        double at = RankingWeights.loss(x, dims, groupSize, groups, chosen, 0, w, logits);
        assertTrue(at <= RankingWeights.loss(x, dims, groupSize, groups, chosen, 0, truth, logits));
        assertTrue(at < RankingWeights.loss(x, dims, groupSize, groups, chosen, 0, new double[]{1, 1, 1}, logits));
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RankingWeights.fit(new double[]{1, Double.POSITIVE_INFINITY}, 1, 2, 1, new int[1], 0, new double[]{0}));
        assertTrue(e.getMessage().contains("feature 0 of row 1 is Infinity"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RankingWeights.fit(new double[3], 1, 2, 2, new int[2], 0, new double[]{0}));
        assertTrue(e.getMessage().contains("need 2 groups of 2 rows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RankingWeights.fit(new double[3], 1, 1, 2, new int[2], 0, new double[]{0}));
        assertTrue(e.getMessage().contains("groupSize >= 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RankingWeights.fit(new double[4], 1, 2, 2, new int[]{0, 2}, 0, new double[]{0}));
        assertTrue(e.getMessage().contains("chosen row of group 1 must be in [0, 2), was 2"), e.getMessage());
    }

    /** The grid entry that ranks the chosen rows highest wins; ties go to the earlier entry. */
    @Test
    void bestOnHitRatePicksTheWeightsThatRankTheChosenRowsFirst() {
        // two groups of three rows, one feature pair: the chosen rows are high on feature 1 and low on feature 0
        double[] x = {0, 5, 9, 0, 1, 1,   0, 4, 8, 1, 2, 0};
        int[] chosen = {0, 0};
        double[][] grid = {{1, 0}, {0, 1}, {-1, 2}};
        assertArrayEquals(new double[]{0, 1}, RankingWeights.bestOnHitRate(x, 2, 3, 2, chosen, grid, 1), 0);
        assertArrayEquals(new double[]{1, 0}, RankingWeights.bestOnHitRate(x, 2, 3, 2, chosen, grid, 3), 0);
        // all-zero weights tie every row with the chosen one: they hit nothing, whatever their place in the grid
        assertArrayEquals(new double[]{0, 1}, RankingWeights.bestOnHitRate(x, 2, 3, 2, chosen, new double[][]{{0, 0}, {0, 1}}, 1), 0);
    }
}
