package dev.actrec.model.lifelong;

/**
 * A watch-time head: E[watch / duration | features of the shown item] = b + Σ w_j · z_j, clamped to [0, 1], z = the
 * features standardised on the training rows. Ridge regression (L2 on w, not on b), solved in closed form, so the
 * fit is unique and needs no learning rate or seed. The regression counterpart of {@link EngagementHead}: in the
 * lifelong benchmark it tells how much each method's view of the history says about how long the user will watch.
 * Immutable once fitted.
 */
public final class WatchTimeHead {
    private final Standardisation st;
    private final double[] weights;  // dims weights, then the bias

    private WatchTimeHead(Standardisation st, double[] weights) {
        this.st = st;
        this.weights = weights;
    }

    /**
     * Fits on rows {@code x[r * dims .. r * dims + dims)} with targets {@code fraction[r]}, {@code r < rows}.
     *
     * @param l2 penalty λ·|w|² on the standardised weights, ≥ 0
     * @throws IllegalArgumentException when the arrays are too short, or a feature or target is not finite
     */
    public static WatchTimeHead fit(double[] x, int dims, double[] fraction, int rows, double l2) {
        Standardisation.requireShape(x, dims, rows, fraction.length, "targets", l2);
        for (int r = 0; r < rows; r++) {
            if (!Double.isFinite(fraction[r])) throw new IllegalArgumentException("target of row " + r + " is " + fraction[r]);
        }
        Standardisation st = Standardisation.of(x, dims, rows);
        int k = dims + 1;
        double[] z = new double[k], a = new double[k * k], b = new double[k], w = new double[k];
        for (int r = 0; r < rows; r++) {
            st.apply(x, r * dims, z);
            for (int i = 0; i < k; i++) {
                b[i] += z[i] * fraction[r];
                for (int j = 0; j < k; j++) a[i * k + j] += z[i] * z[j];
            }
        }
        for (int i = 0; i < dims; i++) a[i * k + i] += l2;
        for (int i = 0; i < k; i++) a[i * k + i] += 1e-9; // keeps a constant feature's row solvable
        LinearSolve.solve(a, b, w, k);
        return new WatchTimeHead(st, w);
    }

    /** Predicted watch fraction of the row at {@code x[offset .. offset + dims)}, in [0, 1]. */
    public double fraction(double[] x, int offset) {
        return Math.min(1, Math.max(0, st.linear(weights, x, offset)));
    }

    /** The weight of feature j per unit of the raw (unstandardised) feature. */
    public double rawWeight(int j) {
        return weights[j] * st.scale()[j];
    }

    public int dims() { return st.dims(); }
}
