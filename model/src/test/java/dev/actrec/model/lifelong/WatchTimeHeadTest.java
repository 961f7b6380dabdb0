package dev.actrec.model.lifelong;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatchTimeHeadTest {

    /** Targets from a known linear model plus noise: the fit recovers its weights (raw units) and its intercept. */
    @Test
    void recoversTheWeightsOfALinearModel() {
        int rows = 20_000, dims = 3;
        double[] x = new double[rows * dims], y = new double[rows];
        SplittableRandom rnd = new SplittableRandom(9);
        for (int r = 0; r < rows; r++) {
            double a = rnd.nextGaussian() * 2 + 1, b = rnd.nextDouble() * 4, c = 7; // c is constant: carries nothing
            x[r * dims] = a;
            x[r * dims + 1] = b;
            x[r * dims + 2] = c;
            y[r] = 0.4 + 0.03 * a - 0.05 * b + rnd.nextGaussian() * 0.05;
        }
        WatchTimeHead head = WatchTimeHead.fit(x, dims, y, rows, 0);
        assertEquals(0.03, head.rawWeight(0), 0.002);
        assertEquals(-0.05, head.rawWeight(1), 0.002);
        assertEquals(0, head.rawWeight(2), 1e-12);
        assertEquals(0.4 + 0.03 - 0.1, head.fraction(new double[] {1, 2, 7}, 0), 0.003);
    }

    /** A penalty shrinks the weights towards 0; predictions stay within [0, 1] whatever the row. */
    @Test
    void penaltyShrinksAndPredictionsAreFractions() {
        double[] x = {0, 1, 2, 3, 4, 5};
        double[] y = {0, 0.2, 0.4, 0.6, 0.8, 1.0};
        double free = WatchTimeHead.fit(x, 1, y, 6, 0).rawWeight(0);
        double shrunk = WatchTimeHead.fit(x, 1, y, 6, 6).rawWeight(0);
        assertEquals(0.2, free, 1e-9);
        assertTrue(shrunk > 0 && shrunk < free, "shrunk weight " + shrunk);
        WatchTimeHead head = WatchTimeHead.fit(x, 1, y, 6, 0);
        assertEquals(1.0, head.fraction(new double[] {40}, 0));
        assertEquals(0.0, head.fraction(new double[] {-40}, 0));
    }

    @Test
    void badInputNamesWhatIsWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WatchTimeHead.fit(new double[] {1, Double.NaN}, 1, new double[] {0.1, 0.2}, 2, 1));
        assertTrue(e.getMessage().contains("feature 0 of row 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> WatchTimeHead.fit(new double[] {1, 2}, 1, new double[] {0.1, Double.POSITIVE_INFINITY}, 2, 1));
        assertTrue(e.getMessage().contains("target of row 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WatchTimeHead.fit(new double[] {1}, 1, new double[1], 2, 1));
        assertTrue(e.getMessage().contains("need 2 rows"), e.getMessage());
    }
}
