package dev.actrec.model.lifelong;

import java.util.Arrays;

/**
 * An action head: P(engaged | features of the shown item) = σ(b + Σ w_j · z_j), z = the features standardised on
 * the training rows. Fitted by Newton's method (iteratively re-weighted least squares) with step halving on the
 * log-likelihood with an L2 penalty on w (not on b), which is concave, so the fit is unique and needs no learning
 * rate or seed. Also used for one action type against the rest (the lifelong benchmark's per-type heads).
 *
 * <p>Why so small a head: in the lifelong benchmark every method's score is made of the same few parts
 * ({@link LifelongScorer#features}); the head learns how much each part says about engagement, so AUC compares
 * what each method's view of the history knows, not a hand-set weighting. Immutable once fitted.
 */
public final class EngagementHead {
    private static final int MAX_ITERATIONS = 50;

    private final Standardisation st;
    private final double[] weights;  // dims weights, then the bias

    private EngagementHead(Standardisation st, double[] weights) {
        this.st = st;
        this.weights = weights;
    }

    /**
     * Fits on rows {@code x[r * dims .. r * dims + dims)} with labels {@code engaged[r]}, {@code r < rows}.
     *
     * @param l2 penalty λ·|w|² / 2 on the standardised weights, ≥ 0
     * @throws IllegalArgumentException when the arrays are too short, a feature is not finite, or one class is absent
     */
    public static EngagementHead fit(double[] x, int dims, boolean[] engaged, int rows, double l2) {
        Standardisation.requireShape(x, dims, rows, engaged.length, "labels", l2);
        int positives = 0;
        for (int r = 0; r < rows; r++) if (engaged[r]) positives++;
        if (positives == 0 || positives == rows) {
            throw new IllegalArgumentException("an engagement head needs both classes; " + positives + " of " + rows
                    + " training rows are engaged");
        }
        Standardisation st = Standardisation.of(x, dims, rows);

        int k = dims + 1;
        double[] w = new double[k];
        w[dims] = Math.log((double) positives / (rows - positives)); // start at the base rate
        double[] z = new double[k], grad = new double[k], hess = new double[k * k], step = new double[k];
        double[] next = new double[k];
        double loss = loss(x, dims, engaged, rows, l2, st, w, z);
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            Arrays.fill(grad, 0);
            Arrays.fill(hess, 0);
            for (int r = 0; r < rows; r++) {
                st.apply(x, r * dims, z);
                double p = sigmoid(dot(w, z));
                double g = (engaged[r] ? 1 : 0) - p, h = p * (1 - p);
                for (int i = 0; i < k; i++) {
                    grad[i] += g * z[i];
                    for (int j = 0; j <= i; j++) hess[i * k + j] += h * z[i] * z[j];
                }
            }
            for (int i = 0; i < k; i++) for (int j = 0; j < i; j++) hess[j * k + i] = hess[i * k + j];
            for (int i = 0; i < dims; i++) {
                grad[i] -= l2 * w[i];
                hess[i * k + i] += l2;
            }
            for (int i = 0; i < k; i++) hess[i * k + i] += 1e-9; // keeps a constant feature's row solvable
            LinearSolve.solve(hess, grad, step, k);
            // Newton's step, halved until the loss does not grow: a full step from the base rate can overshoot by
            // hundreds of units when one class is rare, and the probabilities then all round to 0 or 1.
            double t = 1, nextLoss;
            while (true) {
                for (int i = 0; i < k; i++) next[i] = w[i] + t * step[i];
                nextLoss = loss(x, dims, engaged, rows, l2, st, next, z);
                if (nextLoss <= loss || t < 1e-6) break;
                t /= 2;
            }
            if (!(nextLoss <= loss)) break;
            double largest = 0;
            for (int i = 0; i < k; i++) largest = Math.max(largest, Math.abs(next[i] - w[i]));
            System.arraycopy(next, 0, w, 0, k);
            loss = nextLoss;
            if (largest < 1e-10) break;
        }
        return new EngagementHead(st, w);
    }

    /** Negative log-likelihood of the rows plus (l2 / 2) · |w|² (bias excluded). */
    private static double loss(double[] x, int dims, boolean[] engaged, int rows, double l2, Standardisation st,
                               double[] w, double[] z) {
        double s = 0;
        for (int r = 0; r < rows; r++) {
            st.apply(x, r * dims, z);
            double m = dot(w, z);
            s += logOnePlusExp(engaged[r] ? -m : m); // -log σ(m) or -log(1 - σ(m))
        }
        for (int i = 0; i < dims; i++) s += 0.5 * l2 * w[i] * w[i];
        return s;
    }

    private static double logOnePlusExp(double v) {
        return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
    }

    /** P(engaged) of the row at {@code x[offset .. offset + dims)}. */
    public double probability(double[] x, int offset) {
        return sigmoid(st.linear(weights, x, offset));
    }

    /** The weight of feature j per unit of the raw (unstandardised) feature. */
    public double rawWeight(int j) {
        return weights[j] * st.scale()[j];
    }

    public int dims() { return st.dims(); }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double sigmoid(double s) {
        return s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s));
    }
}
