package dev.actrec.model;

import dev.actrec.simd.VectorKernels;

import java.util.Map;

/**
 * The Action Transformer's forward pass in plain Java, the serving twin of training's {@code ActModel}. For a
 * window of n items (n <= maxLen, oldest first; d width, h heads, dh = d / h):
 * <pre>
 * x      = e[ids] * sqrt(d) + P[n-1-t]                             (n, d); e = item_table (attributes baked in)
 * per layer:
 *   m          = LN_in(x)
 *   u, v, q, k = SiLU(m W1 + b1) split in 4 column blocks           each (n, d), heads of dh
 *   s[i,j]     = q[i]·k[j] / sqrt(dh) + R[i-j]                      j <= i, per head
 *   a[i,j]     = SiLU(s[i,j]) / (i + 1)                             pointwise, divided by the visible keys
 *   o[i]       = concat over heads of sum_j a[i,j] v[j]
 *   x          = x + (LN_attn(o) * u) W2 + b2
 * query  = LN_out(x[n-1]), then cosine normalisation and 1/temperature (see {@link TransformerForward})
 * </pre>
 * The window holds real items only, so every key j <= i is visible and i + 1 counts them; R is indexed by
 * i - j <= n - 1 <= maxLen - 1, training's clamp never binds. Earlier layers need every position; the last layer
 * computes only the newest. Thread-safe: scratch buffers are per thread and reused.
 */
public final class ActForward extends TransformerForward {

    /** One layer's weights; W1 is split into its u, v, q, k column blocks, each transposed to (out, in). */
    private record Layer(float[] lnInG, float[] lnInB, float[] wuT, float[] bu, float[] wvT, float[] bv,
                         float[] wqT, float[] bq, float[] wkT, float[] bk, float[] relBiasReversed, float[] lnAttnG,
                         float[] lnAttnB, float[] woT, float[] bo) {}

    private final class State {
        final int[] ids = new int[maxLen];
        final float[] x = new float[maxLen * d];            // (n, d) residual stream
        final float[] m = new float[maxLen * d];            // (n, d) LN_in(x)
        final float[][] kh = new float[heads][maxLen * dh];  // per head (n, dh)
        final float[][] vh = new float[heads][maxLen * dh];  // per head (n, dh)
        final float[] scores = new float[maxLen];
        final float[] row = new float[d];
        final float[] proj = new float[d];
        final float[] u = new float[d];
        final float[] qh = new float[dh];
        final float[] oh = new float[dh];
        final float[] o = new float[d];
        final float[] y = new float[d];
    }

    private final Layer[] layers;
    private final ThreadLocal<State> state = ThreadLocal.withInitial(State::new);

    ActForward(ModelFile.Contents c) {
        super(c);
        Map<String, float[]> t = c.tensors();
        layers = new Layer[config.layers()];
        for (int l = 0; l < layers.length; l++) {
            String b = "layer" + l + ".";
            float[] w = t.get(b + "w_uvqk");                                      // (d, 4d)
            float[] bias = t.get(b + "w_uvqk.b");                                 // (4d)
            layers[l] = new Layer(t.get(b + "ln_in.g"), t.get(b + "ln_in.b"),
                    columnsTransposed(w, d, 4 * d, 0, d), slice(bias, 0),
                    columnsTransposed(w, d, 4 * d, d, d), slice(bias, d),
                    columnsTransposed(w, d, 4 * d, 2 * d, d), slice(bias, 2 * d),
                    columnsTransposed(w, d, 4 * d, 3 * d, d), slice(bias, 3 * d),
                    reversed(t.get(b + "rel_bias")), t.get(b + "ln_attn.g"), t.get(b + "ln_attn.b"),
                    transpose(t.get(b + "w_out"), d, d), t.get(b + "w_out.b"));
        }
    }

    private static float[] reversed(float[] v) {
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) r[i] = v[v.length - 1 - i];
        return r;
    }

    private float[] slice(float[] v, int from) {
        return java.util.Arrays.copyOfRange(v, from, from + d);
    }

    @Override
    public void encode(int[] history, int len, float[] out) {
        State s = state.get();
        int n = begin(history, len, out, s.ids, s.x);
        if (n == 0) return;
        float[] x = s.x;
        for (int l = 0; l < layers.length; l++) {
            Layer p = layers[l];
            // m = LN_in(x), and the values and keys of every position.
            for (int t = 0; t < n; t++) {
                layerNorm(x, t * d, p.lnInG, p.lnInB, s.m, t * d, d);
                project(p.wvT, p.bv, s.m, t * d, s.row, s.proj, d);
                siluHeads(s.proj, s.vh, t);
                project(p.wkT, p.bk, s.m, t * d, s.row, s.proj, d);
                siluHeads(s.proj, s.kh, t);
            }
            int first = l == layers.length - 1 ? n - 1 : 0;
            for (int i = first; i < n; i++) {
                project(p.wuT, p.bu, s.m, i * d, s.row, s.u, d);
                VectorKernels.silu(s.u, 0, d);                                        // u[i]
                VectorKernels.matVecAdd(p.wqT, d, d, s.row, p.bq, s.proj);           // s.row still holds m[i]
                float inv = 1f / (i + 1);
                for (int h = 0; h < heads; h++) {
                    System.arraycopy(s.proj, h * dh, s.qh, 0, dh);
                    VectorKernels.silu(s.qh, 0, dh);                                  // q[i], head h
                    VectorKernels.dotMany(s.kh[h], i + 1, dh, s.qh, s.scores);
                    // silu(q.k / sqrt(dh) + R[i - j]) / (i + 1); R reversed, so R[i - j] runs forward in j.
                    VectorKernels.siluAffine(s.scores, 0, i + 1, 1f / sqrtDh, p.relBiasReversed, maxLen - 1 - i, inv);
                    VectorKernels.weightedSum(s.scores, s.vh[h], i + 1, dh, s.oh);
                    System.arraycopy(s.oh, 0, s.o, h * dh, dh);
                }
                layerNorm(s.o, 0, p.lnAttnG, p.lnAttnB, s.y, 0, d);
                for (int j = 0; j < d; j++) s.y[j] *= s.u[j];                        // LN_attn(o) * u
                VectorKernels.matVecAdd(p.woT, d, d, s.y, p.bo, s.proj);
                int xo = i * d;
                for (int j = 0; j < d; j++) x[xo + j] += s.proj[j];                  // x = x + y W2 + b2
            }
        }
        finish(x, (n - 1) * d, out);
    }

    /** SiLU of a projected (d) row, into position t of the per-head (n, dh) arrays. */
    private void siluHeads(float[] rowValues, float[][] perHead, int t) {
        for (int h = 0; h < heads; h++) {
            float[] dst = perHead[h];
            int off = t * dh;
            System.arraycopy(rowValues, h * dh, dst, off, dh);
            VectorKernels.silu(dst, off, dh);
        }
    }
}
