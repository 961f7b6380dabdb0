package dev.actrec.model.lifelong;

import dev.actrec.simd.VectorKernels;

/**
 * TWIN-style capped target attention of one query over grouped keys: keys by descending {@code q·k} (ties: the
 * earlier key), whole keys while the actions they stand for fit in a budget of {@code budget} actions, the last one
 * pro rata (its mean weight per action), then
 * <pre>
 *   pool(q, keys) = (1 / W) · Σ_{kept k} w_k' · exp((q·k − 1) / τ)
 * </pre>
 * normalised by the pool's whole mass W (what is not kept counts as zero). Over the history grouped by item this is
 * the TWIN baseline; over a {@link LifelongMemory}'s keys it is ACT's memory readout.
 *
 * <p>Most requests need only a few keys: one memory token usually stands for more actions than the budget. So the
 * readout first selects the best {@value #FIRST_PASS} keys and only when they do not fill the budget selects four
 * times as many, and so on up to {@code budget} keys; every selection ranks identically (same scores, same tie rule),
 * so the result is the same as selecting {@code budget} keys at once, at a fraction of the heap work.
 *
 * <p>Not thread-safe: one per thread; buffers grow to the largest key set seen and are then reused.
 */
public final class CappedReadout {
    static final int FIRST_PASS = 8;

    private final int budget;
    private final float invTau;
    private float[] dots = new float[1024];
    private float[] query = new float[0];
    private final int[] topIdx;
    private final float[] topScore;

    /**
     * @param budget      actions' worth of keys attended over (TWIN's top-k), at least 1
     * @param temperature τ of the attention, above 0
     */
    public CappedReadout(int budget, float temperature) {
        if (budget < 1) throw new IllegalArgumentException("budget must be at least 1, was " + budget);
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be above 0, was " + temperature);
        this.budget = budget;
        this.invTau = 1f / temperature;
        topIdx = new int[budget];
        topScore = new float[budget];
    }

    /** pool(q, keys) for the query {@code q[qOff .. qOff + keys.dim())}. */
    public double pool(KeySet keys, float[] q, int qOff) {
        return read(keys, q, qOff, null, null, 0);
    }

    /**
     * pool(q, keys) as {@link #pool}, also writing the kept keys (indexes into {@code keys}, best first) and each
     * one's term of the pool into {@code outKeys}/{@code outTerms}, at most {@code max} of them; the number written
     * is {@link #lastKept()}. For explanations, not for the hot path.
     */
    public double explain(KeySet keys, float[] q, int qOff, int[] outKeys, double[] outTerms, int max) {
        return read(keys, q, qOff, outKeys, outTerms, max);
    }

    private int lastKept;

    /** Keys written by the last {@link #explain}. */
    public int lastKept() { return lastKept; }

    private double read(KeySet keys, float[] q, int qOff, int[] outKeys, double[] outTerms, int max) {
        lastKept = 0;
        int n = keys.size();
        if (n == 0 || keys.total() <= 0) return 0;
        if (dots.length < n) dots = new float[Math.max(n, dots.length * 2)];
        int d = keys.dim();
        if (query.length != d) query = new float[d];
        System.arraycopy(q, qOff, query, 0, d);
        VectorKernels.dotMany(keys.rows(), n, d, query, dots);
        float[] act = keys.actions();
        // Select the best 8, 32, ... keys until they fill the budget; each pass ranks as the last would.
        int want = Math.min(FIRST_PASS, budget), kept;
        while (true) {
            kept = VectorKernels.topK(dots, n, want, topIdx, topScore);
            if (kept < want || want == budget) break;
            double inKept = 0;
            for (int r = 0; r < kept; r++) inKept += act[topIdx[r]];
            if (inKept >= budget) break;
            want = Math.min(budget, want * 4);
        }
        float[] w = keys.weights();
        double remaining = budget, s = 0;
        for (int r = 0; r < kept && remaining > 0; r++) {
            int k = topIdx[r];
            double take = Math.min(act[k], remaining);
            double term = w[k] * (take / act[k]) * Math.exp((topScore[r] - 1) * invTau);
            s += term;
            remaining -= take;
            if (outKeys != null && lastKept < max) {
                outKeys[lastKept] = k;
                outTerms[lastKept++] = term / keys.total();
            }
        }
        return s / keys.total();
    }
}
