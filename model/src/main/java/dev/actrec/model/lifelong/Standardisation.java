package dev.actrec.model.lifelong;

/**
 * Per-feature mean and inverse standard deviation of training rows, for the benchmark's small heads: they fit
 * standardised weights so that one penalty treats every feature alike. A constant feature gets scale 0 and so
 * contributes nothing.
 */
record Standardisation(double[] mean, double[] scale) {

    /**
     * Of rows {@code x[r * dims .. r * dims + dims)}, {@code r < rows}.
     *
     * @throws IllegalArgumentException naming the feature and row of a value that is not finite
     */
    static Standardisation of(double[] x, int dims, int rows) {
        double[] mean = new double[dims], scale = new double[dims];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dims; j++) {
                double v = x[r * dims + j];
                if (!Double.isFinite(v)) throw new IllegalArgumentException("feature " + j + " of row " + r + " is " + v);
                mean[j] += v;
            }
        }
        for (int j = 0; j < dims; j++) mean[j] /= rows;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dims; j++) {
                double dv = x[r * dims + j] - mean[j];
                scale[j] += dv * dv;
            }
        }
        for (int j = 0; j < dims; j++) {
            double sd = Math.sqrt(scale[j] / rows);
            scale[j] = sd > 1e-12 ? 1 / sd : 0;
        }
        return new Standardisation(mean, scale);
    }

    /**
     * The checks both heads make before fitting: {@code rows} rows of {@code dims} features in {@code x}, as many
     * {@code what} (labels, targets), and a non-negative penalty.
     */
    static void requireShape(double[] x, int dims, int rows, int answers, String what, double l2) {
        if (dims <= 0) throw new IllegalArgumentException("dims must be positive, was " + dims);
        if (rows <= 0 || x.length < (long) rows * dims || answers < rows) {
            throw new IllegalArgumentException("need " + rows + " rows of " + dims + " features and " + what + ", got "
                    + x.length + " values and " + answers + " " + what);
        }
        if (!(l2 >= 0)) throw new IllegalArgumentException("l2 must be non-negative, was " + l2);
    }

    int dims() { return mean.length; }

    /** z = the standardised row at {@code x[off ..)}, then 1 (the bias's input) at {@code z[dims]}. */
    void apply(double[] x, int off, double[] z) {
        int dims = mean.length;
        for (int j = 0; j < dims; j++) z[j] = (x[off + j] - mean[j]) * scale[j];
        z[dims] = 1;
    }

    /** Σ_j w_j · z_j + w[dims] for the row at {@code x[off ..)}, without a buffer. */
    double linear(double[] w, double[] x, int off) {
        int dims = mean.length;
        double s = w[dims];
        for (int j = 0; j < dims; j++) s += w[j] * (x[off + j] - mean[j]) * scale[j];
        return s;
    }
}
