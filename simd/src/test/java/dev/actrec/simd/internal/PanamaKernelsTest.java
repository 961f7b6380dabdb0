package dev.actrec.simd.internal;

import static dev.actrec.simd.internal.TestData.OFFSETS;
import static dev.actrec.simd.internal.TestData.SIZES;
import static dev.actrec.simd.internal.TestData.floats;
import static dev.actrec.simd.internal.TestData.random;
import static dev.actrec.simd.internal.TestData.replay;
import static dev.actrec.simd.internal.TestData.sumTolerance;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every vectorised kernel against the scalar oracle, on awkward sizes and offsets and on seeded random data. */
class PanamaKernelsTest {

  private static final ScalarKernels SCALAR = new ScalarKernels();
  private static KernelProvider panama;

  @BeforeAll
  static void loadPanama() {
    KernelProviderLookup.Choice choice = KernelProviderLookup.choose("panama", true, () -> null);
    assumeTrue(choice.warning() == null, "vector kernels unavailable here: " + choice.warning());
    panama = choice.provider();
  }

  @Test
  void dotMatchesScalar() {
    for (int n : SIZES) {
      for (int aOff : OFFSETS) {
        int bOff = (aOff * 3) % 7;
        Random r = random(1, n, aOff);
        float[] a = floats(r, aOff + n + 3);
        float[] b = floats(r, bOff + n + 3);
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
          magnitude += Math.abs((double) a[aOff + i] * b[bOff + i]);
        }
        assertEquals(SCALAR.dot(a, aOff, b, bOff, n), panama.dot(a, aOff, b, bOff, n), sumTolerance(n, magnitude),
            replay("dot", "n=" + n + " aOff=" + aOff + " bOff=" + bOff));
      }
    }
  }

  @Test
  void dotManyPackedEqualsScalarExactly() {
    for (int dim : new int[] {1, 3, 8, 31, 64}) {
      for (int queries : new int[] {1, 3, 4, 5, 9}) {
        for (int blocks : new int[] {1, 2, 3, 5}) {
          Random r = random(9, dim, queries * 100 + blocks);
          float[] q = floats(r, queries * dim);
          float[] packed = floats(r, blocks * ScalarKernels.PACK * dim);
          float[] expected = new float[queries * blocks * ScalarKernels.PACK];
          float[] actual = new float[expected.length];
          SCALAR.dotManyPacked(q, queries, dim, packed, blocks, expected);
          panama.dotManyPacked(q, queries, dim, packed, blocks, actual);
          assertArrayEquals(expected, actual,
              replay("dotManyPacked", "dim=" + dim + " queries=" + queries + " blocks=" + blocks));
        }
      }
    }
  }

  @Test
  void dotManyMatchesScalar() {
    for (int dim : SIZES) {
      for (int count : new int[] {0, 1, 3, 4, 5, 13}) {
        Random r = random(2, dim, count);
        float[] rows = floats(r, count * dim + 2);
        float[] q = floats(r, dim + 1);
        float[] expected = new float[count + 1];
        float[] actual = new float[count + 1];
        SCALAR.dotMany(rows, count, dim, q, expected);
        panama.dotMany(rows, count, dim, q, actual);
        for (int row = 0; row < count; row++) {
          double magnitude = 0;
          for (int j = 0; j < dim; j++) {
            magnitude += Math.abs((double) rows[row * dim + j] * q[j]);
          }
          assertEquals(expected[row], actual[row], sumTolerance(dim, magnitude),
              replay("dotMany", "dim=" + dim + " count=" + count + " row=" + row));
        }
        assertEquals(0f, actual[count], replay("dotMany", "wrote past count=" + count));
      }
    }
  }

  @Test
  void axpyMatchesScalar() {
    for (int n : SIZES) {
      for (int xOff : OFFSETS) {
        int yOff = (xOff * 3) % 7;
        Random r = random(3, n, xOff);
        float alpha = 4f * r.nextFloat() - 2f;
        float[] x = floats(r, xOff + n + 2);
        float[] y = floats(r, yOff + n + 2);
        float[] expected = y.clone();
        float[] actual = y.clone();
        SCALAR.axpy(alpha, x, xOff, expected, yOff, n);
        panama.axpy(alpha, x, xOff, actual, yOff, n);
        for (int i = 0; i < y.length; i++) {
          boolean inSlice = i >= yOff && i < yOff + n;
          // One rounding (fma) against two: at most an ulp of each operand apart.
          double tolerance = inSlice ? Math.ulp(1f) * (Math.abs(y[i]) + Math.abs(alpha * x[xOff + i - yOff])) : 0;
          assertEquals(expected[i], actual[i], tolerance,
              replay("axpy", "n=" + n + " xOff=" + xOff + " yOff=" + yOff + " alpha=" + alpha + " i=" + i));
        }
      }
    }
  }

  @Test
  void siluAffineMatchesScalar() {
    for (int n : SIZES) {
      for (int off : OFFSETS) {
        Random r = random(9, n, off);
        float[] x = floats(r, off + n + 2);
        float[] bias = floats(r, off + n + 3);
        for (int i = 0; i < x.length; i++) {
          x[i] *= 12f; // both tails of the sigmoid, where exp is largest and smallest
        }
        for (float[] b : new float[][] {null, bias}) {
          float[] expected = x.clone();
          float[] actual = x.clone();
          SCALAR.siluAffine(expected, off, n, 0.7f, b, 1, 0.25f);
          panama.siluAffine(actual, off, n, 0.7f, b, 1, 0.25f);
          for (int i = 0; i < x.length; i++) {
            // Two exp implementations, each within an ulp or two, then a division and a product.
            assertEquals(expected[i], actual[i], 8 * Math.ulp(expected[i]) + Float.MIN_NORMAL,
                replay("siluAffine", "n=" + n + " off=" + off + " bias=" + (b != null) + " i=" + i));
          }
        }
      }
    }
  }

  @Test
  void logSumExpMatchesScalar() {
    for (int n : SIZES) {
      for (int off : OFFSETS) {
        Random r = random(5, n, off);
        float[] x = floats(r, off + n + 2);
        for (int i = 0; i < x.length; i++) {
          x[i] *= 30f;
        }
        float[] before = x.clone();
        float expected = SCALAR.logSumExp(x, off, n);
        float actual = panama.logSumExp(x, off, n);
        assertEquals(expected, actual, 1e-6f * Math.max(1f, Math.abs(expected)) + 4 * Math.ulp(expected),
            replay("logSumExp", "n=" + n + " off=" + off));
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, x, "x is not changed");
      }
    }
  }

  @Test
  void softmaxMatchesScalar() {
    for (int n : SIZES) {
      for (int off : OFFSETS) {
        Random r = random(4, n, off);
        float[] x = floats(r, off + n + 2);
        for (int i = 0; i < x.length; i++) {
          x[i] *= 20f; // spread the logits so that the distribution is far from uniform
        }
        float[] expected = x.clone();
        float[] actual = x.clone();
        SCALAR.softmaxInPlace(expected, off, n);
        panama.softmaxInPlace(actual, off, n);
        for (int i = 0; i < x.length; i++) {
          assertEquals(expected[i], actual[i], 2 * Math.ulp(expected[i]),
              replay("softmax", "n=" + n + " off=" + off + " i=" + i));
        }
      }
    }
  }

  @Test
  void weightedSumMatchesScalar() {
    for (int dim : SIZES) {
      for (int count : new int[] {0, 1, 3, 13, 64}) {
        Random r = random(5, dim, count);
        float[] weights = floats(r, count + 1);
        float[] rows = floats(r, count * dim + 3);
        float[] expected = new float[dim + 1];
        float[] actual = new float[dim + 1];
        Arrays.fill(actual, 42f); // must be overwritten, not added to
        actual[dim] = 0f;
        SCALAR.weightedSum(weights, rows, count, dim, expected);
        panama.weightedSum(weights, rows, count, dim, actual);
        for (int j = 0; j < dim; j++) {
          double magnitude = 0;
          for (int i = 0; i < count; i++) {
            magnitude += Math.abs((double) weights[i] * rows[i * dim + j]);
          }
          assertEquals(expected[j], actual[j], sumTolerance(count, magnitude),
              replay("weightedSum", "dim=" + dim + " count=" + count + " column=" + j));
        }
        assertEquals(0f, actual[dim], replay("weightedSum", "wrote past dim=" + dim));
      }
    }
  }

  @Test
  void topKMatchesScalarAndSorting() {
    for (int n : SIZES) {
      for (int k : new int[] {0, 1, 3, 10, 100, n, n + 5}) {
        for (boolean manyTies : new boolean[] {false, true}) {
          Random r = random(6, n, k, manyTies ? 1 : 0);
          float[] scores = new float[n + 2];
          for (int i = 0; i < scores.length; i++) {
            scores[i] = manyTies ? r.nextInt(5) : r.nextFloat();
          }
          String params = "n=" + n + " k=" + k + " manyTies=" + manyTies;
          int kept = Math.min(k, n);
          int[] expectedIdx = sortedTopIndices(scores, n, kept);
          float[] expectedScores = new float[kept];
          for (int i = 0; i < kept; i++) {
            expectedScores[i] = scores[expectedIdx[i]];
          }
          for (KernelProvider kernels : new KernelProvider[] {SCALAR, panama}) {
            int[] idx = new int[kept];
            float[] top = new float[kept];
            assertEquals(kept, kernels.topK(scores, n, kept, idx, top), replay(kernels.name() + " topK", params));
            assertArrayEquals(expectedIdx, idx, replay(kernels.name() + " topK", params));
            assertArrayEquals(expectedScores, top, replay(kernels.name() + " topK", params));
          }
        }
      }
    }
  }

  @Test
  void fmaThroughputMatchesScalar() {
    Random r = random(7);
    float[] x = floats(r, 2 * KernelProvider.FMA_BLOCK);
    float expected = SCALAR.fmaThroughput(x, 0.5f, 3);
    assertEquals(expected, panama.fmaThroughput(x, 0.5f, 3), sumTolerance(3 * x.length, 1.5 * x.length),
        replay("fmaThroughput", ""));
  }

  /** The oracle for top-k: a stable sort of all indices by descending {@link Float#compare}. */
  static int[] sortedTopIndices(float[] scores, int n, int k) {
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Float.compare(scores[y], scores[x])); // stable: ties keep the lower index first
    int[] top = new int[k];
    for (int i = 0; i < k; i++) {
      top[i] = order[i];
    }
    return top;
  }
}
