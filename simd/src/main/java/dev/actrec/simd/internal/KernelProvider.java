package dev.actrec.simd.internal;

/**
 * The float32 kernels behind {@link dev.actrec.simd.VectorKernels}, with one scalar implementation (the oracle) and
 * one that uses the incubating vector API.
 *
 * <p>Contract: implementations trust their arguments. The facade has checked every size, offset and array length
 * before calling, so implementations only {@code assert} their invariants. No method allocates, and every method is
 * safe to call from many threads at once on disjoint output arrays (implementations hold no mutable state).
 */
public interface KernelProvider {

  /** A short name for logs and benchmark output: {@code "scalar"} or {@code "panama"}. */
  String name();

  /** Returns {@code Σ a[aOff+i]·b[bOff+i]} for {@code i < n}. */
  float dot(float[] a, int aOff, float[] b, int bOff, int n);

  /**
   * Scores one query against {@code count} contiguous rows: {@code out[r] = rows[r·dim .. r·dim+dim) · q[0..dim)}.
   * This is also a row-major matrix-vector product, with {@code rows} the matrix and {@code q} the vector.
   */
  void dotMany(float[] rows, int count, int dim, float[] q, float[] out);

  /**
   * Scores {@code queryCount} queries against rows packed by {@code VectorKernels.packRows} ({@code blocks} blocks
   * of {@code VectorKernels.PACK} rows): {@code out[i·stride + r] = queries[i·dim ..) · row r} for every row of
   * every block, with {@code stride = blocks·PACK}. Each product is a chain of fused multiply-adds over the columns
   * in ascending order, in both implementations, so their results are identical.
   */
  void dotManyPacked(float[] queries, int queryCount, int dim, float[] packed, int blocks, float[] out);

  /** {@code y[yOff+i] += alpha·x[xOff+i]} for {@code i < n}. */
  void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n);

  /** Replaces {@code x[off..off+n)} by its softmax, subtracting the maximum first so that exp cannot overflow. */
  void softmaxInPlace(float[] x, int off, int n);

  /**
   * Returns {@code log Σ exp(x[off+i])} for {@code i < n}, computed as {@code max + log Σ exp(x[off+i] - max)} so
   * that exp cannot overflow; {@code x} is not changed. -∞ when {@code n == 0} or every entry is -∞.
   */
  float logSumExp(float[] x, int off, int n);

  /**
   * {@code x[off+i] = silu(x[off+i]·scale + bias[biasOff+i])·post} for {@code i < n}, where {@code silu(v) = v /
   * (1 + exp(-v))}; a null {@code bias} adds nothing.
   */
  void siluAffine(float[] x, int off, int n, float scale, float[] bias, int biasOff, float post);

  /** {@code out[0..dim) = Σ weights[i]·rows[i·dim .. i·dim+dim)} for {@code i < count}; overwrites {@code out}. */
  void weightedSum(float[] weights, float[] rows, int count, int dim, float[] out);

  /**
   * Writes the {@code min(k, n)} best of {@code scores[0..n)} to {@code outIdx}/{@code outScores} in descending
   * order, ties broken by the lower index, and returns how many it wrote. Order is {@link Float#compare}, a total
   * order (NaN above +∞, -0.0 below 0.0). The output arrays double as the heap, so nothing is allocated.
   */
  int topK(float[] scores, int n, int k, int[] outIdx, float[] outScores);

  /**
   * The fused multiply-add loop that {@link dev.actrec.simd.PeakFlops} times: {@code passes} passes over
   * {@code x}, each element feeding one FMA ({@code acc = x·c + acc}) into independent accumulators, so that the
   * FMA units and not the latency of one chain set the pace. Returns the sum of the accumulators so that the JIT
   * cannot drop the work. {@code x.length} must be a multiple of {@link #FMA_BLOCK}.
   */
  float fmaThroughput(float[] x, float c, int passes);

  /** {@link #fmaThroughput}'s input length must be a multiple of this (8 accumulators × 16 lanes of AVX-512). */
  int FMA_BLOCK = 128;
}
