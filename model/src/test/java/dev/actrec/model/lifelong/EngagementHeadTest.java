package dev.actrec.model.lifelong;

import dev.actrec.core.gen.lifelong.LifelongOracle;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngagementHeadTest {

    /** Labels drawn from a known logistic model: the fit recovers its weights (raw units) and its bias. */
    @Test
    void recoversTheWeightsOfALogisticModel() {
        int rows = 40_000, dims = 3;
        double[] x = new double[rows * dims];
        boolean[] y = new boolean[rows];
        SplittableRandom rnd = new SplittableRandom(5);
        for (int r = 0; r < rows; r++) {
            double a = rnd.nextGaussian() * 2 + 1, b = rnd.nextDouble() * 4, c = 7; // c is constant: carries nothing
            x[r * dims] = a;
            x[r * dims + 1] = b;
            x[r * dims + 2] = c;
            double p = 1 / (1 + Math.exp(-(0.8 * a - 1.5 * b + 0.5)));
            y[r] = rnd.nextDouble() < p;
        }
        EngagementHead head = EngagementHead.fit(x, dims, y, rows, 0);
        assertEquals(0.8, head.rawWeight(0), 0.05);
        assertEquals(-1.5, head.rawWeight(1), 0.08);
        assertEquals(0, head.rawWeight(2), 1e-12);
        double[] row = {1, 2, 7};
        assertEquals(1 / (1 + Math.exp(-(0.8 - 3 + 0.5))), head.probability(row, 0), 0.02);
    }

    /** A perfectly separable set stays finite under an L2 penalty and ranks the classes apart. */
    @Test
    void separableDataStaysFiniteWithAPenalty() {
        double[] x = {-2, -1, -0.5, 0.5, 1, 2};
        boolean[] y = {false, false, false, true, true, true};
        EngagementHead head = EngagementHead.fit(x, 1, y, 6, 1);
        assertTrue(Double.isFinite(head.rawWeight(0)) && head.rawWeight(0) > 0, "weight " + head.rawWeight(0));
        assertTrue(head.probability(x, 3) > 0.5 && head.probability(x, 2) < 0.5);
    }

    /**
     * Rare positives far out on a heavy-tailed feature (like skips among a few hundred rows, over log pools):
     * Newton's full step from the base rate overshoots and every probability rounds to 0 or 1. With the step halved
     * until the loss stops growing, the fit stays where probabilities are distinct and ranks most positives first.
     */
    @Test
    void rarePositivesFarOutDoNotSaturateTheFit() {
        int rows = 150, dims = 3;
        double[] x = new double[rows * dims];
        boolean[] y = new boolean[rows];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int r = 0; r < rows; r++) {
            y[r] = r % 65 == 0;
            for (int j = 0; j < dims; j++) {
                double v = rnd.nextGaussian();
                if (rnd.nextInt(10) == 0) v = -18 * rnd.nextDouble();
                x[r * dims + j] = y[r] && j == 0 ? -18 : v;
            }
        }
        EngagementHead head = EngagementHead.fit(x, dims, y, rows, 1);
        double[] p = new double[rows];
        for (int r = 0; r < rows; r++) {
            p[r] = head.probability(x, r * dims);
            assertTrue(p[r] > 0 && p[r] < 1, "row " + r + ": probability " + p[r]);
        }
        assertTrue(LifelongOracle.auc(p, y, rows) > 0.9, "positives not ranked first");
    }

    @Test
    void rejectsOneClassAndBadInput() {
        double[] x = {1, 2, 3};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngagementHead.fit(x, 1, new boolean[]{true, true, true}, 3, 1));
        assertTrue(e.getMessage().contains("3 of 3 training rows are engaged"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> EngagementHead.fit(new double[]{1, Double.NaN, 3}, 1, new boolean[]{true, false, true}, 3, 1));
        assertTrue(e.getMessage().contains("feature 0 of row 1 is NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EngagementHead.fit(x, 2, new boolean[]{true, false}, 2, 1));
        assertTrue(e.getMessage().contains("need 2 rows of 2 features"), e.getMessage());
    }
}
