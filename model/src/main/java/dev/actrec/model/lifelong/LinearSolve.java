package dev.actrec.model.lifelong;

/** The small dense systems of the Newton steps that fit {@link EngagementHead} and {@link RankingWeights}. */
final class LinearSolve {
    private LinearSolve() {}

    /** Solves a·x = b (a is k×k, row-major; both are overwritten) by Gaussian elimination with partial pivoting. */
    static void solve(double[] a, double[] b, double[] x, int k) {
        for (int c = 0; c < k; c++) {
            int piv = c;
            for (int r = c + 1; r < k; r++) if (Math.abs(a[r * k + c]) > Math.abs(a[piv * k + c])) piv = r;
            if (piv != c) {
                for (int j = 0; j < k; j++) {
                    double t = a[c * k + j];
                    a[c * k + j] = a[piv * k + j];
                    a[piv * k + j] = t;
                }
                double t = b[c];
                b[c] = b[piv];
                b[piv] = t;
            }
            for (int r = c + 1; r < k; r++) {
                double f = a[r * k + c] / a[c * k + c];
                if (f == 0) continue;
                for (int j = c; j < k; j++) a[r * k + j] -= f * a[c * k + j];
                b[r] -= f * b[c];
            }
        }
        for (int r = k - 1; r >= 0; r--) {
            double s = b[r];
            for (int j = r + 1; j < k; j++) s -= a[r * k + j] * x[j];
            x[r] = s / a[r * k + r];
        }
    }
}
