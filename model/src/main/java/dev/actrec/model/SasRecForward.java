package dev.actrec.model;

import dev.actrec.simd.VectorKernels;

import java.util.Map;

/**
 * SASRec's forward pass in plain Java, the serving twin of training's {@code SasRecModel} (same formula, same
 * weights). For a window of n items (n <= maxLen, oldest first; d width, h heads, dh = d / h):
 * <pre>
 * x      = E[ids] * sqrt(d) + P[n-1-t]                              (n, d)
 * per block:
 *   q    = LN_attn(x)
 *   Q, K, V = q Wq + bq, x Wk + bk, x Wv + bv                        (n, d), split into h heads of dh
 *   o[i] = concat over heads of softmax_j<=i(Q[i]·K[j] / sqrt(dh)) V  causal
 *   x    = q + o Wo + bo
 *   x    = LN_ffn(x);  x = x + ReLU(x W1 + b1) W2 + b2
 * query  = LN_out(x[n-1]), then cosine normalisation and 1/temperature (see {@link TransformerForward})
 * </pre>
 * Earlier blocks need every position (they feed the next block's keys and values); the last block computes only
 * the newest position. Thread-safe: scratch buffers are per thread; nothing is allocated per call once a thread has
 * its buffers.
 */
public final class SasRecForward extends TransformerForward {

    /** One block's weights, matrices transposed to (out, in) rows for {@link VectorKernels#matVecAdd}. */
    private record Block(float[] lnAttnG, float[] lnAttnB, float[] wqT, float[] bq, float[] wkT, float[] bk,
                         float[] wvT, float[] bv, float[] woT, float[] bo, float[] lnFfnG, float[] lnFfnB,
                         float[] w1T, float[] b1, float[] w2T, float[] b2) {}

    /** Per-thread scratch, sized for a full window. */
    private final class State {
        final int[] ids = new int[maxLen];
        final float[] x = new float[maxLen * d];            // (n, d) the residual stream
        final float[][] kh = new float[heads][maxLen * dh];  // per head (n, dh): keys
        final float[][] vh = new float[heads][maxLen * dh];  // per head (n, dh): values
        final float[] scores = new float[maxLen];            // (n) one head's attention row
        final float[] row = new float[d];                    // staging of one row for the kernels
        final float[] q = new float[d];                      // LN_attn(x[i])
        final float[] proj = new float[d];                   // one projected row (Q[i], K[t] or V[t])
        final float[] qh = new float[dh];
        final float[] oh = new float[dh];
        final float[] o = new float[d];                      // attention output of row i
        final float[] f = new float[d];                      // feed-forward hidden
        final float[] g = new float[d];
    }

    private final Block[] blocks;
    private final ThreadLocal<State> state = ThreadLocal.withInitial(State::new);

    SasRecForward(ModelFile.Contents c) {
        super(c);
        Map<String, float[]> t = c.tensors();
        blocks = new Block[config.layers()];
        for (int l = 0; l < blocks.length; l++) {
            String b = "block" + l + ".";
            blocks[l] = new Block(t.get(b + "ln_attn.g"), t.get(b + "ln_attn.b"),
                    transpose(t.get(b + "wq"), d, d), t.get(b + "wq.b"),
                    transpose(t.get(b + "wk"), d, d), t.get(b + "wk.b"),
                    transpose(t.get(b + "wv"), d, d), t.get(b + "wv.b"),
                    transpose(t.get(b + "wo"), d, d), t.get(b + "wo.b"),
                    t.get(b + "ln_ffn.g"), t.get(b + "ln_ffn.b"),
                    transpose(t.get(b + "ffn1"), d, d), t.get(b + "ffn1.b"),
                    transpose(t.get(b + "ffn2"), d, d), t.get(b + "ffn2.b"));
        }
    }

    @Override
    public void encode(int[] history, int len, float[] out) {
        State s = state.get();
        int n = begin(history, len, out, s.ids, s.x);
        if (n == 0) return;
        float[] x = s.x;
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            // Keys and values of every position, from this block's input x.
            for (int t = 0; t < n; t++) {
                project(b.wkT, b.bk, x, t * d, s.row, s.proj, d);
                scatterHeads(s.proj, s.kh, t);
                project(b.wvT, b.bv, x, t * d, s.row, s.proj, d);
                scatterHeads(s.proj, s.vh, t);
            }
            // Rows are updated in place: row i's new value depends only on row i and on K, V computed above.
            int first = l == blocks.length - 1 ? n - 1 : 0;
            for (int i = first; i < n; i++) {
                int xo = i * d;
                layerNorm(x, xo, b.lnAttnG, b.lnAttnB, s.q, 0, d);                 // q = LN_attn(x[i])
                VectorKernels.matVecAdd(b.wqT, d, d, s.q, b.bq, s.proj);            // Q[i]
                for (int h = 0; h < heads; h++) {
                    System.arraycopy(s.proj, h * dh, s.qh, 0, dh);
                    VectorKernels.dotMany(s.kh[h], i + 1, dh, s.qh, s.scores);       // (i+1) keys j <= i
                    for (int j = 0; j <= i; j++) s.scores[j] /= sqrtDh;
                    VectorKernels.softmaxInPlace(s.scores, 0, i + 1);
                    VectorKernels.weightedSum(s.scores, s.vh[h], i + 1, dh, s.oh);
                    System.arraycopy(s.oh, 0, s.o, h * dh, dh);
                }
                VectorKernels.matVecAdd(b.woT, d, d, s.o, b.bo, s.proj);            // o Wo + bo
                for (int j = 0; j < d; j++) s.row[j] = s.q[j] + s.proj[j];         // x = q + attention
                layerNorm(s.row, 0, b.lnFfnG, b.lnFfnB, s.g, 0, d);                // x = LN_ffn(x)
                VectorKernels.matVecAdd(b.w1T, d, d, s.g, b.b1, s.f);
                for (int j = 0; j < d; j++) s.f[j] = Math.max(0f, s.f[j]);         // ReLU
                VectorKernels.matVecAdd(b.w2T, d, d, s.f, b.b2, s.proj);
                for (int j = 0; j < d; j++) x[xo + j] = s.g[j] + s.proj[j];        // x = x + FFN(x)
            }
        }
        finish(x, (n - 1) * d, out);
    }

    /** Copies a (d) row into position t of the per-head (n, dh) arrays. */
    private void scatterHeads(float[] rowValues, float[][] perHead, int t) {
        for (int h = 0; h < heads; h++) System.arraycopy(rowValues, h * dh, perHead[h], t * dh, dh);
    }
}
