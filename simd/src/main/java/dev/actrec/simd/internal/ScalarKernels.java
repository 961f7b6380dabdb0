package dev.actrec.simd.internal;

/**
 * The plain-loop kernels: the default when the vector API is absent or switched off, and the oracle that the
 * vectorised kernels are tested against. Each loop is written in the most obvious order, so that its result is the
 * one a reader would compute by hand; {@link PanamaKernels} reuses these loops below its size threshold.
 */
public final class ScalarKernels implements KernelProvider {

  public ScalarKernels() {}

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    return dotLoop(a, aOff, b, bOff, n);
  }

  @Override
  public void dotMany(float[] rows, int count, int dim, float[] q, float[] out) {
    for (int r = 0; r < count; r++) {
      out[r] = dotLoop(rows, r * dim, q, 0, dim);
    }
  }

  @Override
  public void dotManyPacked(float[] queries, int queryCount, int dim, float[] packed, int blocks, float[] out) {
    for (int i = 0; i < queryCount; i++) {
      packedRowLoop(queries, i * dim, dim, packed, 0, blocks, out, i * blocks * PACK);
    }
  }

  /** Rows per packed block; the facade's {@code PACK}. */
  static final int PACK = 8;

  /**
   * One query against packed blocks {@code [fromBlock, blocks)}: {@code out[outOff + r]} for the rows of those
   * blocks, each a chain of {@link Math#fma} over the columns in ascending order (the vector kernel's order).
   */
  static void packedRowLoop(float[] q, int qOff, int dim, float[] packed, int fromBlock, int blocks, float[] out,
                            int outOff) {
    for (int b = fromBlock; b < blocks; b++) {
      int p = b * dim * PACK;
      for (int r = 0; r < PACK; r++) {
        float acc = 0f;
        for (int j = 0; j < dim; j++) {
          acc = Math.fma(packed[p + j * PACK + r], q[qOff + j], acc);
        }
        out[outOff + b * PACK + r] = acc;
      }
    }
  }

  @Override
  public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    axpyLoop(alpha, x, xOff, y, yOff, n);
  }

  @Override
  public void softmaxInPlace(float[] x, int off, int n) {
    softmaxLoop(x, off, n);
  }

  @Override
  public void weightedSum(float[] weights, float[] rows, int count, int dim, float[] out) {
    weightedSumLoop(weights, rows, count, dim, out);
  }

  @Override
  public int topK(float[] scores, int n, int k, int[] outIdx, float[] outScores) {
    int size = 0;
    if (k > 0) {
      for (int i = 0; i < n; i++) {
        size = TopKHeap.offer(outIdx, outScores, size, k, i, scores[i]);
      }
    }
    TopKHeap.sortDescending(outIdx, outScores, size);
    return size;
  }

  @Override
  public float fmaThroughput(float[] x, float c, int passes) {
    assert x.length % FMA_BLOCK == 0 : x.length;
    // Eight independent chains, enough to hide the FMA latency of one scalar unit.
    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
    for (int p = 0; p < passes; p++) {
      for (int i = 0; i < x.length; i += 8) {
        s0 = Math.fma(x[i], c, s0);
        s1 = Math.fma(x[i + 1], c, s1);
        s2 = Math.fma(x[i + 2], c, s2);
        s3 = Math.fma(x[i + 3], c, s3);
        s4 = Math.fma(x[i + 4], c, s4);
        s5 = Math.fma(x[i + 5], c, s5);
        s6 = Math.fma(x[i + 6], c, s6);
        s7 = Math.fma(x[i + 7], c, s7);
      }
    }
    return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
  }

  // ---- the plain loops, shared with PanamaKernels for short inputs and tails ----

  static float dotLoop(float[] a, int aOff, float[] b, int bOff, int n) {
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  static void axpyLoop(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += alpha * x[xOff + i];
    }
  }

  static void weightedSumLoop(float[] weights, float[] rows, int count, int dim, float[] out) {
    for (int j = 0; j < dim; j++) {
      out[j] = 0f;
    }
    for (int i = 0; i < count; i++) {
      float w = weights[i];
      int rowStart = i * dim;
      for (int j = 0; j < dim; j++) {
        out[j] += w * rows[rowStart + j];
      }
    }
  }

  @Override
  public void siluAffine(float[] x, int off, int n, float scale, float[] bias, int biasOff, float post) {
    siluAffineLoop(x, off, n, scale, bias, biasOff, post);
  }

  static void siluAffineLoop(float[] x, int off, int n, float scale, float[] bias, int biasOff, float post) {
    for (int i = 0; i < n; i++) {
      float v = x[off + i] * scale + (bias == null ? 0f : bias[biasOff + i]);
      x[off + i] = v / (1f + (float) Math.exp(-v)) * post;
    }
  }

  @Override
  public float logSumExp(float[] x, int off, int n) {
    return logSumExpLoop(x, off, n);
  }

  /** Exp and the sum in double, as in {@link #expMinusMaxLoop}. */
  static float logSumExpLoop(float[] x, int off, int n) {
    float max = maxLoop(x, off, n);
    if (max == Float.NEGATIVE_INFINITY) {
      return max;
    }
    double sum = 0.0;
    for (int i = off; i < off + n; i++) {
      sum += Math.exp((double) x[i] - max);
    }
    return (float) (max + Math.log(sum));
  }

  static void softmaxLoop(float[] x, int off, int n) {
    if (n == 0) {
      return;
    }
    float max = maxLoop(x, off, n);
    scaleBy(x, off, n, expMinusMaxLoop(x, off, n, max));
  }

  static float maxLoop(float[] x, int off, int n) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = off; i < off + n; i++) {
      max = Math.max(max, x[i]);
    }
    return max;
  }

  /**
   * Replaces each {@code x[i]} by {@code exp(x[i] - max)} and returns {@code 1 / Σ} of the new values. Exp and the
   * sum run in double: Math.exp returns a double anyway, and a float sum of 10^6 terms would lose digits.
   */
  static float expMinusMaxLoop(float[] x, int off, int n, float max) {
    double sum = 0.0;
    for (int i = off; i < off + n; i++) {
      double e = Math.exp((double) x[i] - max);
      x[i] = (float) e;
      sum += e;
    }
    return (float) (1.0 / sum);
  }

  static void scaleBy(float[] x, int off, int n, float factor) {
    for (int i = off; i < off + n; i++) {
      x[i] *= factor;
    }
  }
}
