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
    /** Queries whose key products {@link #logPoolsBesideFloor} computes together. */
    static final int QUERY_BLOCK = 32;

    private final int budget;
    private final float invTau;
    private float[] dots = new float[1024];
    private float[] queries = new float[0];
    private float[] kept = new float[0];
    private int[] keptKey = new int[0];
    private int lastKept;
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
        return read(keys, q, qOff, null, null, 0, Float.NEGATIVE_INFINITY);
    }

    /**
     * pool(q, keys) without the keys less similar to q than {@link #negligibleBelow()}: their terms are dropped.
     * What that changes is bounded: a kept key's term is at most (weight per action) × (its share of the budget) ×
     * exp((q·k − 1)/τ), so all dropped terms together are below {@code maxWeightPerAction · budget · e^-20 / W}, that is
     * below {@code 2.1e-9 · maxWeightPerAction · budget} times the pool's floor δ/W (δ = 1 action). Next to that floor
     * (the server's score adds it before the log) the difference is invisible, and the selection then runs over the
     * few keys that can matter instead of all of them; most candidates have none and cost one scan.
     */
    public double poolBesideFloor(KeySet keys, float[] q, int qOff) {
        return read(keys, q, qOff, null, null, 0, negligibleBelow());
    }

    /**
     * {@code log(poolBesideFloor + δ/W)} with δ = 1 action and W the keys' whole mass: the serving score's memory
     * term before its weight λ.
     */
    public double logPoolBesideFloor(KeySet keys, float[] q, int qOff) {
        return Math.log(poolBesideFloor(keys, q, qOff) + 1.0 / keys.total());
    }

    /** Similarity below which a key's term is under e^-20 of its weight: 1 − 20τ. */
    public float negligibleBelow() {
        return 1f - 20f / invTau;
    }

    /**
     * pool(q, keys) as {@link #pool}, also writing the kept keys (indexes into {@code keys}, best first) and each
     * one's term of the pool into {@code outKeys}/{@code outTerms}, at most {@code max} of them; the number written
     * is {@link #lastKept()}. For explanations, not for the hot path.
     */
    public double explain(KeySet keys, float[] q, int qOff, int[] outKeys, double[] outTerms, int max) {
        return read(keys, q, qOff, outKeys, outTerms, max, Float.NEGATIVE_INFINITY);
    }

    /** Keys written by the last {@link #explain}. */
    public int lastKept() { return lastKept; }

    /**
     * {@link #logPoolBesideFloor} for {@code count} queries at once, the query {@code i} at {@code q[qOffsets[i] ..)}
     * into {@code out[i]}; the same values as one call per query, at a fraction of the cost: the key products of a
     * block of queries are one small matrix product ({@link VectorKernels#dotManyPacked}).
     */
    public void logPoolsBesideFloor(KeySet keys, float[] q, int[] qOffsets, int count, double[] out) {
        double floor = 1.0 / keys.total();
        int n = keys.size();
        if (n == 0 || keys.total() <= 0) {
            for (int i = 0; i < count; i++) out[i] = Math.log(floor);
            return;
        }
        int d = keys.dim();
        float[] packed = keys.packed();
        int stride = VectorKernels.packedLength(n, d) / d;
        if (queries.length < QUERY_BLOCK * d) queries = new float[QUERY_BLOCK * d];
        if (dots.length < QUERY_BLOCK * stride) dots = new float[QUERY_BLOCK * stride];
        float minSimilarity = negligibleBelow();
        for (int from = 0; from < count; from += QUERY_BLOCK) {
            int block = Math.min(QUERY_BLOCK, count - from);
            for (int i = 0; i < block; i++) System.arraycopy(q, qOffsets[from + i], queries, i * d, d);
            VectorKernels.dotManyPacked(queries, block, d, packed, n, dots);
            for (int i = 0; i < block; i++) {
                out[from + i] = Math.log(select(keys, dots, i * stride, null, null, 0, minSimilarity) + floor);
            }
        }
    }

    private double read(KeySet keys, float[] q, int qOff, int[] outKeys, double[] outTerms, int max, float minSimilarity) {
        lastKept = 0;
        int n = keys.size();
        if (n == 0 || keys.total() <= 0) return 0;
        int d = keys.dim();
        int stride = VectorKernels.packedLength(n, d) / d;
        if (dots.length < stride) dots = new float[Math.max(stride, dots.length * 2)];
        if (queries.length < d) queries = new float[d];
        System.arraycopy(q, qOff, queries, 0, d);
        VectorKernels.dotManyPacked(queries, 1, d, keys.packed(), n, dots);
        return select(keys, dots, 0, outKeys, outTerms, max, minSimilarity);
    }

    /** The pool from one query's key products {@code dots[off .. off + keys.size())}. */
    private double select(KeySet keys, float[] dots, int off, int[] outKeys, double[] outTerms, int max,
                          float minSimilarity) {
        lastKept = 0;
        int n = keys.size();
        if (kept.length < n) {
            kept = new float[Math.max(n, kept.length * 2)];
            keptKey = new int[kept.length];
        }
        float[] scores = dots;
        int[] index = null;  // position in scores -> key, when the keys were filtered
        if (minSimilarity > Float.NEGATIVE_INFINITY) {
            // Keep the keys that can matter, in key order (so ties still go to the earlier key).
            int m = 0;
            for (int i = 0; i < n; i++) {
                float dot = dots[off + i];
                if (dot >= minSimilarity) {
                    kept[m] = dot;
                    keptKey[m++] = i;
                }
            }
            if (m == 0) return 0;
            scores = kept;
            index = keptKey;
            n = m;
        } else if (off != 0) {
            System.arraycopy(dots, off, kept, 0, n);
            scores = kept;
        }
        float[] act = keys.actions();
        // Select the best 8, 32, ... keys until they fill the budget; each pass ranks as the last would.
        int want = Math.min(FIRST_PASS, budget), selected;
        while (true) {
            selected = VectorKernels.topK(scores, n, want, topIdx, topScore);
            if (selected < want || want == budget) break;
            double inSelected = 0;
            for (int r = 0; r < selected; r++) inSelected += act[index == null ? topIdx[r] : index[topIdx[r]]];
            if (inSelected >= budget) break;
            want = Math.min(budget, want * 4);
        }
        float[] w = keys.weights();
        double remaining = budget, s = 0;
        for (int r = 0; r < selected && remaining > 0; r++) {
            int k = index == null ? topIdx[r] : index[topIdx[r]];
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
