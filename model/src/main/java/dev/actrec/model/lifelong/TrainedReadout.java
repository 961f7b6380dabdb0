package dev.actrec.model.lifelong;

import dev.actrec.simd.VectorKernels;

import java.util.Arrays;

/**
 * The lifelong memory read out with learned weights ({@link ReadoutWeights}): the pure-Java forward pass of what
 * {@code ReadoutTrainer} trains with DJL, term for term. For a candidate c with item vector e_c,
 * <pre>
 *   f_window(c) = log Σ_{j ∈ window} exp( type_bias[t_j] + age_bias[b_j] + (e_c·A_w·e_j − 1) · κ_w )
 *   f_long(c)   = log( δ + Σ_{k ∈ memory keys} exp( γ·log m_k + kind_bias[kind_k] + (e_c·A_l·k − 1) · κ_l ) )
 *   score(c)    = f_window(c) + λ · f_long(c) + β · log(1 + n_c)
 * </pre>
 * with κ = exp(log inverse temperature), and λ and log δ moved by the memory's size ({@link ReadoutWeights#longWeight(double)},
 * {@link #longWeight(ReadoutInput)}). Each sum is one log-sum-exp over float terms (the maximum taken out
 * first; {@link VectorKernels#logSumExp}). An empty
 * window gives f_window = 0 for every candidate and no keys gives f_long = log δ: constants, so the ranking then
 * rests on the other terms. Not thread-safe; buffers are reused.
 */
public final class TrainedReadout {
    private final ReadoutWeights w;
    private final ItemEmbeddings emb;
    private final int items, d;
    private final float[] winProjected, longProjected;  // (items, d): e_c · A
    private final float kappaWin, kappaLong, gamma;
    private final float[] typeBias, ageBias, kindBias;  // read per key on the request path: arrays, not lookups by name
    private float[] keyRows = new float[0], dots = new float[0], terms = new float[0];
    private final float[] q;
    private final int[] allItems;
    private float[] bias = new float[0];

    public TrainedReadout(ReadoutWeights weights, ItemEmbeddings emb) {
        if (weights.dim() != emb.dim()) {
            throw new IllegalArgumentException("readout weights of width " + weights.dim() + " for item vectors of width " + emb.dim());
        }
        this.w = weights;
        this.emb = emb;
        this.items = emb.items();
        this.d = emb.dim();
        winProjected = project(weights.raw("win_proj"));
        longProjected = project(weights.raw("long_proj"));
        kappaWin = weights.windowInverseTemperature();
        kappaLong = weights.longInverseTemperature();
        gamma = weights.massExponent();
        typeBias = weights.raw("type_bias");
        ageBias = weights.raw("age_bias");
        kindBias = weights.raw("kind_bias");
        q = new float[d];
        allItems = new int[items];
        for (int i = 0; i < items; i++) allItems[i] = i;
    }

    public ReadoutWeights weights() { return w; }

    /** λ at this position: the memory term's weight in the score. */
    public double longWeight(ReadoutInput in) { return w.longWeight(in.lengthFeature()); }

    private float[] project(float[] a) {
        float[] out = new float[items * d];
        float[] rows = emb.rows();
        for (int i = 0; i < items; i++) projectOne(rows, emb.offset(i), a, out, i * d);
        return out;
    }

    private void projectOne(float[] src, int off, float[] a, float[] out, int outOff) {
        Arrays.fill(out, outOff, outOff + d, 0);
        for (int r = 0; r < d; r++) VectorKernels.axpy(src[off + r], a, r * d, out, outOff, d);
    }

    /** f_window and f_long of every item of the catalog (index = item index): {@link #candidates} over all items. */
    public void catalog(ReadoutInput in, double[] fWindow, double[] fLong) {
        candidates(in, allItems, items, fWindow, fLong);
    }

    /**
     * f_window and f_long of {@code cands[0..n)} (item indices): the request-time path. Per candidate, its projected
     * vector (precomputed for the catalog) against every window row and key, then one vectorised log-sum-exp.
     */
    public void candidates(ReadoutInput in, int[] cands, int n, double[] fWindow, double[] fLong) {
        int win = in.windowSize(), k = in.keyCount();
        float[] rows = emb.rows();
        ensureKeys(Math.max(win, k));
        for (int j = 0; j < win; j++) System.arraycopy(rows, emb.offset(in.windowItem(j)), keyRows, j * d, d);
        windowBiases(in);
        for (int c = 0; c < n; c++) {
            System.arraycopy(winProjected, cands[c] * d, q, 0, d);
            fWindow[c] = win == 0 ? 0 : lse(win, kappaWin);
        }
        double logFloor = w.logFloor(in.lengthFeature());
        if (k == 0) {
            Arrays.fill(fLong, 0, n, logFloor);
            return;
        }
        in.keyRows(emb, keyRows, 0);
        longBiases(in);
        for (int c = 0; c < n; c++) {
            System.arraycopy(longProjected, cands[c] * d, q, 0, d);
            fLong[c] = logAddExp(lse(k, kappaLong), logFloor);
        }
    }

    private void windowBiases(ReadoutInput in) {
        for (int j = 0; j < in.windowSize(); j++) {
            bias[j] = typeBias[in.windowType(j)] + ageBias[in.windowAgeBucket(j)] - kappaWin;
        }
    }

    private void longBiases(ReadoutInput in) {
        for (int k = 0; k < in.keyCount(); k++) {
            bias[k] = gamma * in.keyLogMass(k) + kindBias[in.keyKind(k)] - kappaLong;
        }
    }

    /** log Σ_j exp(bias_j + (q · key_j) κ) over the first {@code n} key rows. */
    private double lse(int n, float kappa) {
        VectorKernels.dotMany(keyRows, n, d, q, dots);
        System.arraycopy(bias, 0, terms, 0, n);
        VectorKernels.axpy(kappa, dots, 0, terms, 0, n);
        return VectorKernels.logSumExp(terms, 0, n);
    }

    private static double logAddExp(double a, double b) {
        double m = Math.max(a, b);
        return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
    }

    private void ensureKeys(int n) {
        if (keyRows.length < n * d) keyRows = new float[Math.max(n * d, keyRows.length * 2)];
        if (bias.length < n) bias = new float[Math.max(n, bias.length * 2)];
        if (dots.length < n) dots = new float[Math.max(n, dots.length * 2)];
        if (terms.length < n) terms = new float[Math.max(n, terms.length * 2)];
    }
}
