package dev.actrec.simd;

import dev.actrec.simd.internal.KernelProvider;
import dev.actrec.simd.internal.KernelProviderLookup;
import java.util.Objects;

/**
 * Float32 kernels for the serving forward pass and for exact retrieval: dot products, matrix-vector products,
 * attention's softmax and value aggregation, and top-k selection.
 *
 * <p>This facade checks its arguments and throws with the offending sizes and offsets; the work happens in a
 * {@link KernelProvider} chosen once, on first use: the vectorised one when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}, the scalar one otherwise or when {@code -Dactrec.simd=scalar} is set.
 * {@link #implementationName()} tells which is active.
 *
 * <p>Array conventions: a matrix or a set of rows is one row-major {@code float[]}; inputs may be longer than
 * needed and only the stated prefix or slice is read; outputs may be longer and only the stated prefix is written.
 * No method allocates. The two implementations differ only by floating-point rounding (summation order, fused
 * multiply-add): for a sum of n products, by at most about {@code n·2^-23·Σ|a_i·b_i|}, the textbook bound for
 * float summation; softmax and top-k give the same results in both.
 *
 * <p>Thread safety: all methods are stateless and may run concurrently, as long as threads do not share an output
 * array.
 */
public final class VectorKernels {

  private VectorKernels() {}

  /** Chooses the provider on first use; the JVM's class initialisation makes this lazy and thread-safe. */
  private static final class Holder {
    static final KernelProvider PROVIDER = KernelProviderLookup.lookup();
  }

  /** The active provider, for {@link PeakFlops} in this package. */
  static KernelProvider provider() {
    return Holder.PROVIDER;
  }

  /** {@code "panama"} or {@code "scalar"}: the implementation behind every method of this class. */
  public static String implementationName() {
    return Holder.PROVIDER.name();
  }

  /** Returns {@code Σ a[i]·b[i]} over two arrays of the same length. */
  public static float dot(float[] a, float[] b) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    if (a.length != b.length) {
      throw new IllegalArgumentException("vector lengths differ: a.length=" + a.length + ", b.length=" + b.length);
    }
    return Holder.PROVIDER.dot(a, 0, b, 0, a.length);
  }

  /** Returns {@code Σ a[aOff+i]·b[bOff+i]} for {@code 0 <= i < n}; 0 when {@code n == 0}. */
  public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    checkLength("n", n);
    checkSlice("a", a, aOff, n);
    checkSlice("b", b, bOff, n);
    return Holder.PROVIDER.dot(a, aOff, b, bOff, n);
  }

  /**
   * Row-major matrix-vector product: {@code out[r] = m[r·cols .. r·cols+cols) · x[0..cols)} for {@code r < rows}.
   *
   * @param m the matrix, at least {@code rows·cols} long
   * @param x at least {@code cols} long
   * @param out at least {@code rows} long; must be neither {@code m} nor {@code x}
   */
  public static void matVec(float[] m, int rows, int cols, float[] x, float[] out) {
    checkMatrix("m", m, rows, cols);
    checkAtLeast("x", x, cols);
    checkAtLeast("out", out, rows);
    checkDistinct("out", out, "x", x);
    checkDistinct("out", out, "m", m);
    // A row-major matrix-vector product is the retrieval scan: one query against `rows` contiguous rows.
    Holder.PROVIDER.dotMany(m, rows, cols, x, out);
  }

  /** {@link #matVec} plus a bias: {@code out[r] = m[r]·x + bias[r]}; {@code bias} is at least {@code rows} long. */
  public static void matVecAdd(float[] m, int rows, int cols, float[] x, float[] bias, float[] out) {
    checkMatrix("m", m, rows, cols);
    checkAtLeast("x", x, cols);
    checkAtLeast("bias", bias, rows);
    checkAtLeast("out", out, rows);
    checkDistinct("out", out, "x", x);
    checkDistinct("out", out, "m", m);
    checkDistinct("out", out, "bias", bias);
    Holder.PROVIDER.dotMany(m, rows, cols, x, out);
    Holder.PROVIDER.axpy(1f, bias, 0, out, 0, rows);
  }

  /**
   * {@code y[yOff+i] += alpha·x[xOff+i]} for {@code 0 <= i < n}. The two slices may be the same slice, but must
   * not otherwise overlap (a vectorised loop would read values it has already updated).
   */
  public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    checkLength("n", n);
    checkSlice("x", x, xOff, n);
    checkSlice("y", y, yOff, n);
    if (x == y && xOff != yOff && Math.abs(xOff - yOff) < n) {
      throw new IllegalArgumentException("x[" + xOff + ", " + xOff + " + " + n + ") and y[" + yOff + ", " + yOff
          + " + " + n + ") overlap in the same array");
    }
    Holder.PROVIDER.axpy(alpha, x, xOff, y, yOff, n);
  }

  /**
   * Scores one query against {@code count} contiguous rows of {@code dim} floats (the retrieval scan):
   * {@code out[r] = rows[r·dim .. r·dim+dim) · q[0..dim)}.
   *
   * @param rows at least {@code count·dim} long, row-major
   * @param q at least {@code dim} long
   * @param out at least {@code count} long; must be neither {@code rows} nor {@code q}
   */
  public static void dotMany(float[] rows, int count, int dim, float[] q, float[] out) {
    checkMatrix("rows", rows, count, dim);
    checkAtLeast("q", q, dim);
    checkAtLeast("out", out, count);
    checkDistinct("out", out, "q", q);
    checkDistinct("out", out, "rows", rows);
    Holder.PROVIDER.dotMany(rows, count, dim, q, out);
  }

  /** Rows per block of the packed layout ({@link #packRows}). */
  public static final int PACK = 8;

  /** Floats the packed form of {@code count} rows of {@code dim} takes: whole blocks of {@link #PACK} rows. */
  public static int packedLength(int count, int dim) {
    checkLength("count", count);
    checkLength("dim", dim);
    return Math.multiplyExact((count + PACK - 1) / PACK * PACK, dim);
  }

  /**
   * Packs {@code count} row-major rows for {@link #dotManyPacked}: block {@code b} holds rows {@code 8b .. 8b+8}
   * column by column, {@code packed[(b·dim + j)·8 + r] = rows[(8b + r)·dim + j]}; rows past {@code count} in the
   * last block are zeros. Many queries against the same rows then cost one vector load per column for 8 rows.
   *
   * @param packed at least {@link #packedLength packedLength(count, dim)} long; must not be {@code rows}
   */
  public static void packRows(float[] rows, int count, int dim, float[] packed) {
    checkMatrix("rows", rows, count, dim);
    checkAtLeast("packed", packed, packedLength(count, dim));
    checkDistinct("packed", packed, "rows", rows);
    int blocks = (count + PACK - 1) / PACK;
    for (int b = 0; b < blocks; b++) {
      int p = b * dim * PACK;
      for (int r = 0; r < PACK; r++) {
        int row = b * PACK + r;
        if (row < count) {
          for (int j = 0; j < dim; j++) packed[p + j * PACK + r] = rows[row * dim + j];
        } else {
          for (int j = 0; j < dim; j++) packed[p + j * PACK + r] = 0f;
        }
      }
    }
  }

  /**
   * Scores {@code queryCount} row-major queries against {@code count} rows packed by {@link #packRows}, a small
   * matrix product: {@code out[i·stride + r] = queries[i·dim .. i·dim+dim) · row r} with
   * {@code stride = packedLength(count, dim) / dim} (count rounded up to whole blocks; the padding rows score 0).
   * Each product is a chain of fused multiply-adds over the columns in order, in both implementations, so this
   * kernel gives identical results with or without the vector module (unlike {@link #dotMany}).
   *
   * @param out at least {@code queryCount·stride} long; must be neither {@code queries} nor {@code packed}
   */
  public static void dotManyPacked(float[] queries, int queryCount, int dim, float[] packed, int count, float[] out) {
    checkMatrix("queries", queries, queryCount, dim);
    int blocks = (count + PACK - 1) / PACK;
    checkAtLeast("packed", packed, packedLength(count, dim));
    checkAtLeast("out", out, Math.multiplyExact(queryCount, blocks * PACK));
    checkDistinct("out", out, "queries", queries);
    checkDistinct("out", out, "packed", packed);
    Holder.PROVIDER.dotManyPacked(queries, queryCount, dim, packed, blocks, out);
  }

  /** Replaces {@code x[off..off+n)} by its SiLU, {@code v / (1 + exp(-v))} (also called swish). */
  public static void silu(float[] x, int off, int n) {
    checkLength("n", n);
    checkSlice("x", x, off, n);
    Holder.PROVIDER.siluAffine(x, off, n, 1f, null, 0, 1f);
  }

  /**
   * {@code x[off+i] = silu(x[off+i]·scale + bias[biasOff+i])·post} for {@code i < n}: scale, shift by a bias slice,
   * SiLU and scale again in one pass, as pointwise attention weights need ({@code silu(q·k/√d + b)/n}).
   *
   * @param bias at least {@code biasOff + n} long
   */
  public static void siluAffine(float[] x, int off, int n, float scale, float[] bias, int biasOff, float post) {
    checkLength("n", n);
    checkSlice("x", x, off, n);
    Objects.requireNonNull(bias, "bias");
    checkSlice("bias", bias, biasOff, n);
    Holder.PROVIDER.siluAffine(x, off, n, scale, bias, biasOff, post);
  }

  /**
   * Replaces {@code x[off..off+n)} by its softmax, {@code exp(x_i - max) / Σ exp(x_j - max)}. Subtracting the
   * maximum keeps exp from overflowing, so inputs such as {@code [1000, 1001]} are fine. A slice with a NaN, or
   * whose entries are all -∞ (nothing to attend to), becomes NaN. Does nothing when {@code n == 0}.
   */
  public static void softmaxInPlace(float[] x, int off, int n) {
    checkLength("n", n);
    checkSlice("x", x, off, n);
    Holder.PROVIDER.softmaxInPlace(x, off, n);
  }

  /**
   * {@code log Σ exp(x[off+i])} over {@code i < n}, as {@code max + log Σ exp(x_i - max)} so that large inputs do
   * not overflow; {@code x} is not changed. -∞ for {@code n == 0} or when every entry is -∞; NaN if one is NaN.
   */
  public static float logSumExp(float[] x, int off, int n) {
    checkLength("n", n);
    checkSlice("x", x, off, n);
    return Holder.PROVIDER.logSumExp(x, off, n);
  }

  /**
   * Weighted sum of rows, as in attention's aggregation of values:
   * {@code out[0..dim) = Σ weights[i]·rows[i·dim .. i·dim+dim)} for {@code i < count}. Overwrites {@code out}; all
   * zeros when {@code count == 0}.
   *
   * @param weights at least {@code count} long
   * @param rows at least {@code count·dim} long, row-major
   * @param out at least {@code dim} long; must be neither {@code weights} nor {@code rows}
   */
  public static void weightedSum(float[] weights, float[] rows, int count, int dim, float[] out) {
    checkMatrix("rows", rows, count, dim);
    checkAtLeast("weights", weights, count);
    checkAtLeast("out", out, dim);
    checkDistinct("out", out, "weights", weights);
    checkDistinct("out", out, "rows", rows);
    Holder.PROVIDER.weightedSum(weights, rows, count, dim, out);
  }

  /**
   * Exact top-k: writes the indices and scores of the {@code min(k, n)} highest of {@code scores[0..n)} to
   * {@code outIdx} and {@code outScores}, best first, ties broken by the lower index, and returns how many it
   * wrote. Scores are ordered by {@link Float#compare} (NaN ranks above +∞, and 0.0 above -0.0), so the result is
   * that of a stable descending sort. Uses the output arrays as a bounded heap: O(n log k) time, no allocation.
   *
   * @param outIdx at least {@code min(k, n)} long
   * @param outScores at least {@code min(k, n)} long
   */
  public static int topK(float[] scores, int n, int k, int[] outIdx, float[] outScores) {
    Objects.requireNonNull(scores, "scores");
    Objects.requireNonNull(outIdx, "outIdx");
    Objects.requireNonNull(outScores, "outScores");
    checkLength("n", n);
    checkLength("k", k);
    if (n > scores.length) {
      throw new IllegalArgumentException("n=" + n + " exceeds scores.length=" + scores.length);
    }
    int kept = Math.min(k, n);
    if (outIdx.length < kept || outScores.length < kept) {
      throw new IllegalArgumentException("min(k, n)=" + kept + " results do not fit: outIdx.length="
          + outIdx.length + ", outScores.length=" + outScores.length);
    }
    return Holder.PROVIDER.topK(scores, n, kept, outIdx, outScores);
  }

  // ---- argument checks: messages name the argument and give the offending values ----

  private static void checkLength(String name, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, got " + value);
    }
  }

  private static void checkSlice(String name, float[] array, int off, int n) {
    Objects.requireNonNull(array, name);
    if (off < 0 || off > array.length - n) {
      throw new IndexOutOfBoundsException(name + "[" + off + ", " + off + " + " + n + ") is out of bounds for "
          + name + ".length=" + array.length);
    }
  }

  private static void checkMatrix(String name, float[] m, int rows, int cols) {
    Objects.requireNonNull(m, name);
    checkLength("rows/count", rows);
    checkLength("cols/dim", cols);
    long needed = (long) rows * cols;
    if (needed > m.length) {
      throw new IllegalArgumentException(name + ".length=" + m.length + " is less than " + rows + " x " + cols
          + " = " + needed);
    }
  }

  private static void checkAtLeast(String name, float[] array, int needed) {
    Objects.requireNonNull(array, name);
    if (array.length < needed) {
      throw new IllegalArgumentException(name + ".length=" + array.length + " is less than the " + needed
          + " elements needed");
    }
  }

  /** Outputs written while inputs are still being read must not alias them. */
  private static void checkDistinct(String outName, float[] out, String inName, float[] in) {
    if (out == in) {
      throw new IllegalArgumentException(outName + " must not be the same array as " + inName);
    }
  }
}
