package dev.actrec.model.lifelong;

import java.util.Arrays;

/**
 * The weights of a log-linear next-item ranker, score(c) = Σ_j w_j · f_j(c), fitted on observed choices by
 * softmax maximum likelihood: each choice is a group of rows (the whole catalog, or the chosen item and items drawn
 * uniformly from it, whose sampling correction is a constant the softmax ignores) and the index of the chosen row.
 * The negative log-likelihood plus an L2 penalty is convex; Newton's method with step halving finds its minimum
 * without a learning rate or seed.
 *
 * <p>In the lifelong benchmark the features are the parts of a method's score ({@link LifelongScorer#features}),
 * so the fit replaces the hand-set (1, λ, β) with weights learned on the training positions of the same data: every
 * method gets the same treatment, and the memory's readout is fitted on the memory states it reads at serving.
 */
public final class RankingWeights {
    private static final int MAX_ITERATIONS = 50;

    private RankingWeights() {}

    /**
     * Fits weights on {@code groups} groups of {@code groupSize} rows of {@code dims} features; row
     * {@code chosen[g]} of group g is the chosen item. Starts from {@code start} (e.g. hand-set weights; the optimum does not depend on it).
     *
     * @throws IllegalArgumentException when the arrays are too short, the sizes are not positive, or a feature is not finite
     */
    public static double[] fit(double[] x, int dims, int groupSize, int groups, int[] chosen, double l2, double[] start) {
        if (dims <= 0 || groupSize < 2 || groups <= 0) {
            throw new IllegalArgumentException("need dims > 0, groupSize >= 2 and groups > 0, got " + dims + ", " + groupSize + ", " + groups);
        }
        if (x.length < (long) dims * groupSize * groups || start.length != dims) {
            throw new IllegalArgumentException("need " + groups + " groups of " + groupSize + " rows of " + dims
                    + " features and " + dims + " start weights, got " + x.length + " values and " + start.length + " weights");
        }
        if (!(l2 >= 0)) throw new IllegalArgumentException("l2 must be non-negative, was " + l2);
        if (chosen.length < groups) throw new IllegalArgumentException("need " + groups + " chosen rows, got " + chosen.length);
        for (int g = 0; g < groups; g++) {
            if (chosen[g] < 0 || chosen[g] >= groupSize) {
                throw new IllegalArgumentException("chosen row of group " + g + " must be in [0, " + groupSize + "), was " + chosen[g]);
            }
        }
        for (int i = 0; i < dims * groupSize * groups; i++) {
            if (!Double.isFinite(x[i])) {
                throw new IllegalArgumentException("feature " + i % dims + " of row " + i / dims + " is " + x[i]);
            }
        }
        double[] w = start.clone(), grad = new double[dims], hess = new double[dims * dims], step = new double[dims];
        double[] mean = new double[dims], logits = new double[groupSize];
        double loss = loss(x, dims, groupSize, groups, chosen, l2, w, logits);
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            Arrays.fill(grad, 0);
            Arrays.fill(hess, 0);
            for (int g = 0; g < groups; g++) {
                int base = g * groupSize * dims;
                double max = logits(x, base, groupSize, dims, w, logits);
                double z = 0;
                for (int r = 0; r < groupSize; r++) z += logits[r] = Math.exp(logits[r] - max);
                Arrays.fill(mean, 0);
                for (int r = 0; r < groupSize; r++) {
                    double p = logits[r] / z;
                    int off = base + r * dims;
                    for (int i = 0; i < dims; i++) {
                        mean[i] += p * x[off + i];
                        for (int j = 0; j <= i; j++) hess[i * dims + j] += p * x[off + i] * x[off + j];
                    }
                }
                for (int i = 0; i < dims; i++) {
                    grad[i] += x[base + chosen[g] * dims + i] - mean[i]; // ascent direction of the log-likelihood
                    for (int j = 0; j <= i; j++) hess[i * dims + j] -= mean[i] * mean[j];
                }
            }
            for (int i = 0; i < dims; i++) for (int j = 0; j < i; j++) hess[j * dims + i] = hess[i * dims + j];
            for (int i = 0; i < dims; i++) {
                grad[i] -= l2 * w[i];
                hess[i * dims + i] += l2 + 1e-9; // a feature constant within every group keeps its row solvable
            }
            LinearSolve.solve(hess, grad, step, dims);
            double[] next = new double[dims];
            double t = 1, nextLoss;
            while (true) { // Newton's step, halved until the loss does not grow
                for (int i = 0; i < dims; i++) next[i] = w[i] + t * step[i];
                nextLoss = loss(x, dims, groupSize, groups, chosen, l2, next, logits);
                if (nextLoss <= loss || t < 1e-6) break;
                t /= 2;
            }
            if (!(nextLoss <= loss)) break;
            double largest = 0;
            for (int i = 0; i < dims; i++) largest = Math.max(largest, Math.abs(next[i] - w[i]));
            w = next;
            boolean done = loss - nextLoss < 1e-12 * Math.max(1, loss) || largest < 1e-9;
            loss = nextLoss;
            if (done) break;
        }
        return w;
    }

    /**
     * Of the candidate weight vectors {@code grid}, the one whose ranking puts the chosen row of most groups in the
     * top {@code top}; a row that ties the chosen one counts as above it, so weights that flatten the scores gain
     * nothing. Ties between grid entries go to the earlier one. The fit for when the metric is top-k hit rate rather
     * than likelihood.
     */
    public static double[] bestOnHitRate(double[] x, int dims, int groupSize, int groups, int[] chosen, double[][] grid, int top) {
        if (grid.length == 0) throw new IllegalArgumentException("the grid is empty");
        double[] best = null;
        long bestHits = -1;
        double[] logits = new double[groupSize];
        for (double[] w : grid) {
            if (w.length != dims) throw new IllegalArgumentException("grid weights must have " + dims + " entries, got " + w.length);
            long hits = 0;
            for (int g = 0; g < groups; g++) {
                logits(x, g * groupSize * dims, groupSize, dims, w, logits);
                double target = logits[chosen[g]];
                int above = 0;
                for (int r = 0; r < groupSize && above < top; r++) if (r != chosen[g] && logits[r] >= target) above++;
                if (above < top) hits++;
            }
            if (hits > bestHits) {
                bestHits = hits;
                best = w;
            }
        }
        return best.clone();
    }

    /** Mean negative log-likelihood of the chosen rows plus l2·|w|²/2. */
    static double loss(double[] x, int dims, int groupSize, int groups, int[] chosen, double l2, double[] w, double[] logits) {
        double nll = 0;
        for (int g = 0; g < groups; g++) {
            double max = logits(x, g * groupSize * dims, groupSize, dims, w, logits);
            double z = 0;
            for (int r = 0; r < groupSize; r++) z += Math.exp(logits[r] - max);
            nll += max + Math.log(z) - logits[chosen[g]];
        }
        double pen = 0;
        for (double v : w) pen += v * v;
        return nll / groups + l2 * pen / 2 / groups;
    }

    /** The group's logits w·x_r into {@code logits}; returns the largest (the softmax's shift). */
    private static double logits(double[] x, int base, int groupSize, int dims, double[] w, double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < groupSize; r++) {
            logits[r] = dot(w, x, base + r * dims, dims);
            max = Math.max(max, logits[r]);
        }
        return max;
    }

    private static double dot(double[] w, double[] x, int off, int dims) {
        double s = 0;
        for (int i = 0; i < dims; i++) s += w[i] * x[off + i];
        return s;
    }
}
