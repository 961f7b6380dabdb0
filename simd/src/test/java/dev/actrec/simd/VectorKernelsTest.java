package dev.actrec.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The public facade: argument checks, exact results on small hand-computed cases, and boundary values (NaN, ±∞,
 * ±0, overflow), run through whichever implementation is active and, where it matters, through both.
 */
class VectorKernelsTest {

  @Test
  void defaultJvmUnderTestVectorises() {
    // Surefire starts this JVM with --add-modules jdk.incubator.vector and no -Dactrec.simd.
    if (System.getProperty("actrec.simd") == null) {
      assertEquals("panama", VectorKernels.implementationName());
    }
  }

  // ---- small exact cases ----

  @Test
  void smallExactResults() {
    assertEquals(32f, VectorKernels.dot(new float[] {1, 2, 3}, new float[] {4, 5, 6}));
    assertEquals(0f, VectorKernels.dot(new float[0], new float[0]));
    assertEquals(22f, VectorKernels.dot(new float[] {9, 1, 2, 9}, 1, new float[] {3, 4, 9}, 1, 2));

    float[] m = {1, 2, 3, 4, 5, 6}; // (2, 3)
    float[] out = new float[2];
    VectorKernels.matVec(m, 2, 3, new float[] {1, 0, -1}, out);
    assertArrayEquals(new float[] {-2, -2}, out);
    VectorKernels.matVecAdd(m, 2, 3, new float[] {1, 1, 1}, new float[] {10, 20}, out);
    assertArrayEquals(new float[] {16, 35}, out);

    float[] y = {1, 1, 1, 1};
    VectorKernels.axpy(2f, new float[] {1, 2, 3}, 0, y, 1, 3);
    assertArrayEquals(new float[] {1, 3, 5, 7}, y);

    float[] scores = new float[3];
    VectorKernels.dotMany(new float[] {1, 0, 0, 1, 1, 1}, 3, 2, new float[] {2, 3}, scores);
    assertArrayEquals(new float[] {2, 3, 5}, scores);

    float[] sum = {7, 7};
    VectorKernels.weightedSum(new float[] {0.5f, 2f}, new float[] {2, 4, 1, 1}, 2, 2, sum);
    assertArrayEquals(new float[] {3, 4}, sum);
    VectorKernels.weightedSum(new float[0], new float[0], 0, 2, sum);
    assertArrayEquals(new float[] {0, 0}, sum);
  }

  @Test
  void largeExactDot() {
    // Integers below 2^24 add exactly in any order, so both implementations must give the exact value.
    float[] ones = new float[4097];
    Arrays.fill(ones, 1f);
    assertEquals(4097f, VectorKernels.dot(ones, ones));
    float[] rows = new float[13 * 64];
    Arrays.fill(rows, 2f);
    float[] q = Arrays.copyOf(ones, 64);
    float[] out = new float[13];
    VectorKernels.dotMany(rows, 13, 64, q, out);
    float[] expected = new float[13];
    Arrays.fill(expected, 128f);
    assertArrayEquals(expected, out);
  }

  // ---- boundary values ----

  @Test
  void dotPropagatesNanInfinityAndOverflow() {
    for (int n : new int[] {3, 64, 1021}) {
      float[] a = new float[n];
      float[] b = new float[n];
      Arrays.fill(a, 1f);
      Arrays.fill(b, 1f);
      a[n / 2] = Float.NaN;
      assertTrue(Float.isNaN(VectorKernels.dot(a, b)), "NaN, n=" + n);
      a[n / 2] = Float.POSITIVE_INFINITY;
      assertEquals(Float.POSITIVE_INFINITY, VectorKernels.dot(a, b), "+inf, n=" + n);
      b[n / 2] = 0f;
      assertTrue(Float.isNaN(VectorKernels.dot(a, b)), "inf * 0, n=" + n);
      Arrays.fill(a, Float.MAX_VALUE);
      Arrays.fill(b, 2f);
      assertEquals(Float.POSITIVE_INFINITY, VectorKernels.dot(a, b), "overflow, n=" + n);
      Arrays.fill(a, Float.MIN_VALUE);
      Arrays.fill(b, 0.5f);
      assertEquals(0f, VectorKernels.dot(a, b), "underflow to zero, n=" + n);
    }
  }

  @Test
  void packedRowsScoreLikeDotProducts() {
    // Small integers: every product and partial sum is exact in float, so any order of summation gives the same.
    int dim = 5;
    for (int count : new int[] {1, 7, 8, 9, 17}) {
      for (int queries : new int[] {1, 4, 6}) {
        float[] rows = new float[count * dim];
        for (int i = 0; i < rows.length; i++) rows[i] = (i * 7 % 11) - 5;
        float[] q = new float[queries * dim];
        for (int i = 0; i < q.length; i++) q[i] = (i * 5 % 7) - 3;
        float[] packed = new float[VectorKernels.packedLength(count, dim)];
        Arrays.fill(packed, 99f); // padding must be overwritten with zeros
        VectorKernels.packRows(rows, count, dim, packed);
        int stride = packed.length / dim;
        assertEquals((count + 7) / 8 * 8, stride);
        float[] out = new float[queries * stride];
        VectorKernels.dotManyPacked(q, queries, dim, packed, count, out);
        for (int i = 0; i < queries; i++) {
          for (int r = 0; r < stride; r++) {
            float expected = r < count ? VectorKernels.dot(q, i * dim, rows, r * dim, dim) : 0f;
            assertEquals(expected, out[i * stride + r], "count=" + count + " query " + i + " row " + r);
          }
        }
      }
    }
    assertMessage(IllegalArgumentException.class,
        () -> VectorKernels.dotManyPacked(new float[5], 1, 5, new float[40], 9, new float[16]), "packed.length=40");
    assertMessage(IllegalArgumentException.class,
        () -> VectorKernels.dotManyPacked(new float[5], 1, 5, new float[40], 8, new float[7]), "out.length=7");
  }

  @Test
  void logSumExpIsStableAndExact() {
    assertEquals(1001f + (float) Math.log1p(Math.exp(-1)), VectorKernels.logSumExp(new float[] {1000f, 1001f}, 0, 2), 1e-4f);
    for (int n : new int[] {1, 7, 64, 4097}) {
      float[] same = new float[n + 1];
      Arrays.fill(same, -3.5f);
      same[n] = 99f; // outside the slice
      assertEquals(-3.5 + Math.log(n), VectorKernels.logSumExp(same, 0, n), 1e-5 * Math.max(1, Math.log(n)), "n=" + n);
      float[] allMasked = new float[n];
      Arrays.fill(allMasked, Float.NEGATIVE_INFINITY);
      assertEquals(Float.NEGATIVE_INFINITY, VectorKernels.logSumExp(allMasked, 0, n), "all -inf, n=" + n);
    }
    float[] masked = {Float.NEGATIVE_INFINITY, 2f, Float.NEGATIVE_INFINITY};
    assertEquals(2f, VectorKernels.logSumExp(masked, 0, 3), 1e-6f, "-inf entries add nothing");
    assertEquals(Float.NEGATIVE_INFINITY, VectorKernels.logSumExp(new float[0], 0, 0));
    assertTrue(Float.isNaN(VectorKernels.logSumExp(new float[] {1f, Float.NaN, 2f}, 0, 3)), "NaN in, NaN out");
  }

  @Test
  void softmaxIsStableAndNormalised() {
    float[] big = {1000f, 1001f};
    VectorKernels.softmaxInPlace(big, 0, 2);
    assertEquals(1f / (1f + (float) Math.E), big[0], 1e-6f);
    assertEquals(1f, big[0] + big[1], 1e-6f);

    float[] masked = {9f, Float.NEGATIVE_INFINITY, 0f, Float.NEGATIVE_INFINITY, 9f};
    VectorKernels.softmaxInPlace(masked, 1, 3);
    assertArrayEquals(new float[] {9f, 0f, 1f, 0f, 9f}, masked, "masked entries get 0, outside is untouched");

    for (int n : new int[] {1, 7, 64, 4097}) {
      float[] uniform = new float[n];
      Arrays.fill(uniform, -3.5f);
      VectorKernels.softmaxInPlace(uniform, 0, n);
      for (float p : uniform) {
        assertEquals(1f / n, p, Math.ulp(1f / n) * 2, "uniform, n=" + n);
      }
      float[] allMasked = new float[n];
      Arrays.fill(allMasked, Float.NEGATIVE_INFINITY);
      VectorKernels.softmaxInPlace(allMasked, 0, n);
      assertTrue(Float.isNaN(allMasked[0]), "all -inf gives NaN, n=" + n);
    }
    VectorKernels.softmaxInPlace(new float[0], 0, 0); // no-op
  }

  @Test
  void siluIsTheSwishFunction() {
    float[] x = {0f, 1f, -1f, 20f, -20f, 3f, 9f};
    VectorKernels.silu(x, 1, 5);
    assertEquals(0f, x[0]);
    assertEquals(0.7310586f, x[1], 1e-6f);
    assertEquals(-0.26894143f, x[2], 1e-6f);
    assertEquals(20f, x[3], 1e-5f);
    assertEquals(0f, x[4], 1e-6f);
    assertEquals(3f / (1f + (float) Math.exp(-3)), x[5], 1e-6f);
    assertEquals(9f, x[6], "outside the slice is untouched");

    float[] scores = new float[37];
    float[] bias = new float[40];
    for (int i = 0; i < scores.length; i++) scores[i] = i * 0.25f - 4f;
    for (int i = 0; i < bias.length; i++) bias[i] = (i % 5) * 0.1f;
    float[] expected = new float[scores.length];
    for (int i = 0; i < scores.length; i++) {
      float v = scores[i] * 0.5f + bias[i + 3];
      expected[i] = v / (1f + (float) Math.exp(-v)) / 37f;
    }
    VectorKernels.siluAffine(scores, 0, scores.length, 0.5f, bias, 3, 1f / 37f);
    assertArrayEquals(expected, scores, 1e-6f);
    assertMessage(IndexOutOfBoundsException.class, () -> VectorKernels.siluAffine(scores, 0, 37, 1f, bias, 4, 1f),
        "bias[4, 4 + 37)");
  }

  @Test
  void topKOrdersLikeAStableDescendingSort() {
    float[] scores = {0f, Float.NaN, -0f, Float.POSITIVE_INFINITY, 1f, Float.NEGATIVE_INFINITY, 1f, -0f, 0f, 3f};
    int n = scores.length;
    int[] idx = new int[n];
    float[] top = new float[n];
    assertEquals(n, VectorKernels.topK(scores, n, n + 3, idx, top), "k > n keeps n");
    assertArrayEquals(new int[] {1, 3, 9, 4, 6, 0, 8, 2, 7, 5}, idx);
    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(top[7]));

    int[] idx3 = new int[3];
    float[] top3 = new float[3];
    assertEquals(3, VectorKernels.topK(scores, 9, 3, idx3, top3), "only the first n=9 scores count");
    assertArrayEquals(new int[] {1, 3, 4}, idx3);
    assertEquals(0, VectorKernels.topK(scores, n, 0, new int[0], new float[0]));
    assertEquals(0, VectorKernels.topK(scores, 0, 5, new int[0], new float[0]));
  }

  @Test
  void topKOfALongScanWithTies() {
    int n = 4097;
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      scores[i] = (i * 7919) % 97; // every value repeats ~42 times, the best (96) at scattered indices
    }
    int[] idx = new int[50];
    float[] top = new float[50];
    VectorKernels.topK(scores, n, 50, idx, top);
    for (int i = 1; i < 50; i++) {
      assertTrue(top[i - 1] > top[i] || (top[i - 1] == top[i] && idx[i - 1] < idx[i]), "at " + i);
    }
    assertEquals(96f, top[0]);
  }

  // ---- argument checks ----

  @Test
  void dotRejectsBadArguments() {
    float[] a = new float[8];
    assertMessage(IllegalArgumentException.class, () -> VectorKernels.dot(a, new float[7]), "a.length=8",
        "b.length=7");
    assertMessage(IllegalArgumentException.class, () -> VectorKernels.dot(a, 0, a, 0, -1), "n must be >= 0",
        "-1");
    assertMessage(IndexOutOfBoundsException.class, () -> VectorKernels.dot(a, 5, a, 0, 4), "a[5, 5 + 4)",
        "a.length=8");
    assertMessage(IndexOutOfBoundsException.class, () -> VectorKernels.dot(a, 0, a, -1, 4), "b[-1, -1 + 4)");
    assertMessage(NullPointerException.class, () -> VectorKernels.dot(null, 0, a, 0, 1), "a");
  }

  @Test
  void matrixKernelsRejectBadShapes() {
    float[] m = new float[6];
    float[] out = new float[3];
    assertMessage(IllegalArgumentException.class,
        () -> VectorKernels.matVec(m, 2, 4, new float[4], out), "m.length=6", "2 x 4 = 8");
    assertMessage(IllegalArgumentException.class,
        () -> VectorKernels.matVec(m, 2, 3, new float[2], out), "x.length=2", "3");
    assertMessage(IllegalArgumentException.class,
        () -> VectorKernels.matVec(m, 3, 2, new float[2], new float[2]), "out.length=2", "3");
    assertMessage(IllegalArgumentException.class,
        () -> VectorKernels.matVec(m, -1, 2, new float[2], out), "rows/count must be >= 0", "-1");
    float[] x = new float[3];
    assertMessage(IllegalArgumentException.class, () -> VectorKernels.matVec(m, 2, 3, x, x), "same array", "x");
    assertMessage(IllegalArgumentException.class, () -> VectorKernels.dotMany(m, 2, 3, x, m), "same array", "rows");
    assertMessage(IllegalArgumentException.class,
        () -> VectorKernels.matVecAdd(m, 2, 3, x, new float[1], out), "bias.length=1", "2");
    assertMessage(IllegalArgumentException.class,
        () -> VectorKernels.dotMany(m, 4, 2, new float[2], out), "rows.length=6", "4 x 2 = 8");
    assertMessage(IllegalArgumentException.class,
        () -> VectorKernels.weightedSum(new float[1], m, 2, 3, out), "weights.length=1", "2");
    assertMessage(IllegalArgumentException.class,
        () -> VectorKernels.weightedSum(new float[2], m, 2, 3, new float[2]), "out.length=2", "3");
    // 2^16 x 2^16 overflows an int; the check must not be fooled.
    assertMessage(IllegalArgumentException.class,
        () -> VectorKernels.dotMany(m, 1 << 16, 1 << 16, new float[1 << 16], out), "4294967296");
  }

  @Test
  void vectorKernelsRejectBadSlices() {
    float[] y = new float[4];
    assertMessage(IndexOutOfBoundsException.class, () -> VectorKernels.axpy(1f, new float[4], 0, y, 1, 4),
        "y[1, 1 + 4)", "y.length=4");
    float[] xy = new float[40];
    assertMessage(IllegalArgumentException.class, () -> VectorKernels.axpy(1f, xy, 0, xy, 8, 20),
        "x[0, 0 + 20)", "y[8, 8 + 20)", "overlap");
    VectorKernels.axpy(1f, xy, 0, xy, 20, 20); // adjacent slices are fine
    VectorKernels.axpy(1f, xy, 4, xy, 4, 20); // and so is the same slice: y += alpha·y
    assertMessage(IndexOutOfBoundsException.class, () -> VectorKernels.softmaxInPlace(y, 3, 2),
        "x[3, 3 + 2)", "x.length=4");
    assertMessage(IllegalArgumentException.class, () -> VectorKernels.softmaxInPlace(y, 0, -2), "-2");
  }

  @Test
  void topKRejectsBadArguments() {
    float[] scores = new float[5];
    assertMessage(IllegalArgumentException.class, () -> VectorKernels.topK(scores, 6, 1, new int[1], new float[1]),
        "n=6", "scores.length=5");
    assertMessage(IllegalArgumentException.class,
        () -> VectorKernels.topK(scores, 5, -1, new int[1], new float[1]), "k must be >= 0", "-1");
    assertMessage(IllegalArgumentException.class,
        () -> VectorKernels.topK(scores, 5, 3, new int[2], new float[3]), "min(k, n)=3", "outIdx.length=2");
  }

  private static void assertMessage(Class<? extends Throwable> type, Executable call, String... fragments) {
    Throwable thrown = assertThrows(type, call);
    for (String fragment : fragments) {
      assertTrue(String.valueOf(thrown.getMessage()).contains(fragment),
          "message '" + thrown.getMessage() + "' lacks '" + fragment + "'");
    }
  }
}
