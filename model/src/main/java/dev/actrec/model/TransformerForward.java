package dev.actrec.model;

import dev.actrec.simd.VectorKernels;

import java.util.Map;

/**
 * What {@link SasRecForward} and {@link ActForward} share: the item table, the position embeddings and the final
 * layer norm; turning a raw history into the window of item indexes; the input embedding; and the end of the pass
 * (final norm, cosine normalisation, 1/temperature). Also the small per-vector operations of both models.
 *
 * <p>Window: the newest {@code min(len, maxLen)} entries of the history, with 0 entries dropped and the rest kept in
 * order, so an unknown item neither takes a position nor is seen; this equals training's left-padded window, where
 * position ids count from the newest item and padding is masked out of every attention.
 *
 * <p>Cosine similarity: the item table is L2-normalised row by row at load (the score of an item is then the
 * training logit), and the norms are kept, {@code inputScale[i] = sqrt(||E[i]||^2 + 1e-12)}, so the input
 * embedding {@code E[i] = table[i] * inputScale[i]} needs no second table. One (numItems + 1) x d table in total.
 */
abstract sealed class TransformerForward implements ServingModel permits SasRecForward, ActForward {
    static final float LN_EPS = 1e-8f;

    final ModelInfo info;
    final ForwardConfig config;
    final int d;
    final int maxLen;
    final float sqrtD;
    final int heads;
    final int dh;
    final float sqrtDh;
    /** (numItems + 1, d); L2-normalised rows when cosine. */
    private final float[] table;
    /** (numItems + 1) norms of the raw rows when cosine, else null. */
    private final float[] inputScale;
    /** (maxLen, d); row p is the position p steps before the newest. */
    private final float[] posEmb;
    private final float[] lnOutG;
    private final float[] lnOutB;
    private final float queryScale;

    TransformerForward(ModelFile.Contents c) {
        this.info = c.info();
        this.config = c.config();
        this.d = config.dim();
        this.maxLen = config.maxLen();
        this.sqrtD = (float) Math.sqrt(d);
        this.heads = config.heads();
        this.dh = config.headDim();
        this.sqrtDh = (float) Math.sqrt(dh);
        Map<String, float[]> t = c.tensors();
        this.table = t.get("item_table");
        this.posEmb = t.get("pos_emb");
        this.lnOutG = t.get("ln_out.g");
        this.lnOutB = t.get("ln_out.b");
        this.queryScale = (float) (1.0 / config.temperature());
        if (config.cosine()) {
            inputScale = new float[config.numItems() + 1];
            for (int i = 0; i <= config.numItems(); i++) {
                inputScale[i] = l2Normalize(table, i * d, d);
            }
        } else {
            inputScale = null;
        }
    }

    @Override public final ModelInfo info() { return info; }

    @Override public final float[] itemTable() { return table; }

    /** The configuration the model was loaded with. */
    public final ForwardConfig config() { return config; }

    /**
     * Checks the arguments and writes the window of {@code history} into {@code ids[0..n)}, oldest first.
     *
     * @return n, the number of items in the window (0 for an empty or all-unknown history)
     */
    /**
     * The start of every forward pass: the window's item ids into {@code ids} and their embeddings into {@code x}
     * {@code (n, d)}; returns n. With no usable item, writes the empty history's query to {@code out} and returns 0.
     */
    final int begin(int[] history, int len, float[] out, int[] ids, float[] x) {
        int n = window(history, len, out, ids);
        if (n == 0) {
            java.util.Arrays.fill(x, 0, d, 0f);
            finish(x, 0, out);
            return 0;
        }
        embed(ids, n, x);
        return n;
    }

    final int window(int[] history, int len, float[] out, int[] ids) {
        if (history == null) throw new IllegalArgumentException("history is null");
        if (len < 0 || len > history.length) {
            throw new IllegalArgumentException("len=" + len + " outside [0, history.length=" + history.length + "]");
        }
        if (out == null || out.length < d) {
            throw new IllegalArgumentException("out needs " + d + " floats, got " + (out == null ? 0 : out.length));
        }
        int n = 0;
        int numItems = config.numItems();
        for (int t = Math.max(0, len - maxLen); t < len; t++) {
            int id = history[t];
            if (id < 0 || id > numItems) {
                throw new IllegalArgumentException("history[" + t + "] = " + id + " is not an item index (0.."
                        + numItems + ")");
            }
            if (id != 0) ids[n++] = id;
        }
        return n;
    }

    /** {@code x[t] = E[ids[t]] * sqrt(d) + P[n-1-t]} for t < n; x is (n, d). */
    final void embed(int[] ids, int n, float[] x) {
        for (int t = 0; t < n; t++) {
            int id = ids[t];
            float scale = inputScale == null ? sqrtD : inputScale[id] * sqrtD;
            int xo = t * d;
            int eo = id * d;
            int po = (n - 1 - t) * d;
            for (int j = 0; j < d; j++) x[xo + j] = table[eo + j] * scale + posEmb[po + j];
        }
    }

    /**
     * The end of the pass: {@code out = LN_out(h)}, then for cosine {@code out / sqrt(||out||^2 + 1e-12)}, then
     * {@code out / temperature}. An empty window passes zeros, whose norm is the bias ln_out.b, as in training,
     * where a padded last position is zeroed after every block.
     */
    final void finish(float[] h, int off, float[] out) {
        layerNorm(h, off, lnOutG, lnOutB, out, 0, d);
        if (config.cosine()) l2Normalize(out, 0, d);
        for (int j = 0; j < d; j++) out[j] *= queryScale;
    }

    // ---- per-vector operations (the matrix work goes through VectorKernels) ----

    /** {@code out = (x - mean) / sqrt(var + eps) * g + b} over {@code x[off..off+n)}; population variance. */
    static void layerNorm(float[] x, int off, float[] g, float[] b, float[] out, int outOff, int n) {
        double sum = 0;
        for (int j = 0; j < n; j++) sum += x[off + j];
        float mean = (float) (sum / n);
        double sq = 0;
        for (int j = 0; j < n; j++) {
            float c = x[off + j] - mean;
            sq += c * c;
        }
        float inv = (float) (1.0 / Math.sqrt(sq / n + LN_EPS));
        for (int j = 0; j < n; j++) out[outOff + j] = (x[off + j] - mean) * inv * g[j] + b[j];
    }

    /** Scales {@code x[off..off+n)} to {@code x / sqrt(||x||^2 + 1e-12)}; returns the divisor. */
    static float l2Normalize(float[] x, int off, int n) {
        double sq = 0;
        for (int j = 0; j < n; j++) sq += (double) x[off + j] * x[off + j];
        float norm = (float) Math.sqrt(sq + 1e-12);
        for (int j = 0; j < n; j++) x[off + j] /= norm;
        return norm;
    }

    /** A (rows, cols) row-major matrix as (cols, rows): training's (in, out) weights become rows per output. */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
        return t;
    }

    /** Columns {@code [from, from + n)} of an (in, out) matrix, transposed: (n, in) row-major. */
    static float[] columnsTransposed(float[] m, int rows, int cols, int from, int n) {
        float[] t = new float[n * rows];
        for (int r = 0; r < rows; r++) for (int c = 0; c < n; c++) t[c * rows + r] = m[r * cols + from + c];
        return t;
    }

    /** {@code out = W x + b} for a row of {@code x} at {@code xOff}, staged through {@code row} (the kernels read from 0). */
    static void project(float[] wT, float[] bias, float[] x, int xOff, float[] row, float[] out, int n) {
        System.arraycopy(x, xOff, row, 0, n);
        VectorKernels.matVecAdd(wT, bias.length, n, row, bias, out);
    }
}
