package dev.actrec.simd.internal;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MAX;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels written with {@code jdk.incubator.vector}, using the platform's preferred float species (8 lanes on
 * AVX2, 16 on AVX-512). Every kernel has the same shape: below {@link #THRESHOLD} elements it runs the scalar loop
 * of {@link ScalarKernels}; above it, it loops to {@code loopBound} over four vectors per step with separate
 * accumulators (so that one FMA's latency does not stall the next), then one vector per step, reduces, and
 * finishes with a scalar tail.
 *
 * <p>Results differ from the scalar oracle only by rounding: sums are added in another order, and products are
 * fused (one rounding instead of two).
 *
 * <p>Loaded only by reflection from {@link KernelProviderLookup}, after it has checked that the vector module is
 * present; the constructor throws if the preferred species is too narrow to be worth it.
 */
public final class PanamaKernels implements KernelProvider {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  /** Below this many elements, loop set-up and the final reduction cost more than the vector loop saves. */
  static final int THRESHOLD = 2 * LANES;

  public PanamaKernels() {
    if (LANES < 4) {
      throw new UnsupportedOperationException(
          "preferred float species has " + LANES + " lanes (" + SPECIES + "); vectorising would not pay");
    }
  }

  @Override
  public String name() {
    return "panama";
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    if (n < THRESHOLD) {
      return ScalarKernels.dotLoop(a, aOff, b, bOff, n);
    }
    int i = 0;
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    FloatVector acc2 = FloatVector.zero(SPECIES);
    FloatVector acc3 = FloatVector.zero(SPECIES);
    int unrolledBound = SPECIES.loopBound(n) - 3 * LANES;
    for (; i < unrolledBound; i += 4 * LANES) {
      acc0 = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc0);
      acc1 = FloatVector.fromArray(SPECIES, a, aOff + i + LANES)
          .fma(FloatVector.fromArray(SPECIES, b, bOff + i + LANES), acc1);
      acc2 = FloatVector.fromArray(SPECIES, a, aOff + i + 2 * LANES)
          .fma(FloatVector.fromArray(SPECIES, b, bOff + i + 2 * LANES), acc2);
      acc3 = FloatVector.fromArray(SPECIES, a, aOff + i + 3 * LANES)
          .fma(FloatVector.fromArray(SPECIES, b, bOff + i + 3 * LANES), acc3);
    }
    int bound = SPECIES.loopBound(n);
    for (; i < bound; i += LANES) {
      acc0 = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc0);
    }
    float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(ADD);
    // Scalar tail: the last n % LANES elements.
    for (; i < n; i++) {
      sum = Math.fma(a[aOff + i], b[bOff + i], sum);
    }
    return sum;
  }

  @Override
  public void dotMany(float[] rows, int count, int dim, float[] q, float[] out) {
    if (dim < THRESHOLD) {
      for (int r = 0; r < count; r++) {
        out[r] = ScalarKernels.dotLoop(rows, r * dim, q, 0, dim);
      }
      return;
    }
    // Four rows at a time, one accumulator each: the four chains are independent, and each chunk of q is loaded
    // once for four rows instead of once per row.
    int r = 0;
    for (; r + 4 <= count; r += 4) {
      dot4Rows(rows, r * dim, dim, q, out, r);
    }
    // Remaining rows: one at a time.
    for (; r < count; r++) {
      out[r] = dot(rows, r * dim, q, 0, dim);
    }
  }

  /** The packed layout's block width is 8 floats whatever the preferred species: one 256-bit vector. */
  private static final VectorSpecies<Float> PACKED = FloatVector.SPECIES_256;

  @Override
  public void dotManyPacked(float[] queries, int queryCount, int dim, float[] packed, int blocks, float[] out) {
    int stride = blocks * ScalarKernels.PACK;
    int i = 0;
    // Four queries against two blocks (16 rows) per step: eight accumulators, each column's two row vectors loaded
    // once for four queries, and no horizontal reduction (each lane is one row's product).
    for (; i + 4 <= queryCount; i += 4) {
      int q0 = i * dim;
      int b = 0;
      for (; b + 2 <= blocks; b += 2) {
        packed4x2(queries, q0, dim, packed, b, out, i * stride + b * ScalarKernels.PACK, stride);
      }
      if (b < blocks) { // an odd last block
        for (int k = 0; k < 4; k++) {
          packed1x1(queries, q0 + k * dim, dim, packed, b, out, (i + k) * stride + b * ScalarKernels.PACK);
        }
      }
    }
    // One query: four blocks per step, so that four independent accumulator chains hide the FMA latency.
    for (; i < queryCount; i++) {
      int b = 0;
      for (; b + 4 <= blocks; b += 4) {
        packed1x4(queries, i * dim, dim, packed, b, out, i * stride + b * ScalarKernels.PACK);
      }
      for (; b < blocks; b++) {
        packed1x1(queries, i * dim, dim, packed, b, out, i * stride + b * ScalarKernels.PACK);
      }
    }
  }

  private static void packed4x2(float[] q, int q0, int dim, float[] packed, int block, float[] out, int o,
                                int stride) {
    int p0 = block * dim * ScalarKernels.PACK;
    int p1 = p0 + dim * ScalarKernels.PACK;
    int q1 = q0 + dim, q2 = q1 + dim, q3 = q2 + dim;
    FloatVector a00 = FloatVector.zero(PACKED), a01 = FloatVector.zero(PACKED);
    FloatVector a10 = FloatVector.zero(PACKED), a11 = FloatVector.zero(PACKED);
    FloatVector a20 = FloatVector.zero(PACKED), a21 = FloatVector.zero(PACKED);
    FloatVector a30 = FloatVector.zero(PACKED), a31 = FloatVector.zero(PACKED);
    for (int j = 0; j < dim; j++) {
      FloatVector k0 = FloatVector.fromArray(PACKED, packed, p0 + j * ScalarKernels.PACK);
      FloatVector k1 = FloatVector.fromArray(PACKED, packed, p1 + j * ScalarKernels.PACK);
      FloatVector f = FloatVector.broadcast(PACKED, q[q0 + j]);
      a00 = k0.fma(f, a00);
      a01 = k1.fma(f, a01);
      f = FloatVector.broadcast(PACKED, q[q1 + j]);
      a10 = k0.fma(f, a10);
      a11 = k1.fma(f, a11);
      f = FloatVector.broadcast(PACKED, q[q2 + j]);
      a20 = k0.fma(f, a20);
      a21 = k1.fma(f, a21);
      f = FloatVector.broadcast(PACKED, q[q3 + j]);
      a30 = k0.fma(f, a30);
      a31 = k1.fma(f, a31);
    }
    int w = ScalarKernels.PACK;
    a00.intoArray(out, o);
    a01.intoArray(out, o + w);
    a10.intoArray(out, o + stride);
    a11.intoArray(out, o + stride + w);
    a20.intoArray(out, o + 2 * stride);
    a21.intoArray(out, o + 2 * stride + w);
    a30.intoArray(out, o + 3 * stride);
    a31.intoArray(out, o + 3 * stride + w);
  }

  private static void packed1x4(float[] q, int q0, int dim, float[] packed, int block, float[] out, int o) {
    int w = ScalarKernels.PACK;
    int p0 = block * dim * w, p1 = p0 + dim * w, p2 = p1 + dim * w, p3 = p2 + dim * w;
    FloatVector a0 = FloatVector.zero(PACKED), a1 = FloatVector.zero(PACKED);
    FloatVector a2 = FloatVector.zero(PACKED), a3 = FloatVector.zero(PACKED);
    for (int j = 0; j < dim; j++) {
      FloatVector f = FloatVector.broadcast(PACKED, q[q0 + j]);
      a0 = FloatVector.fromArray(PACKED, packed, p0 + j * w).fma(f, a0);
      a1 = FloatVector.fromArray(PACKED, packed, p1 + j * w).fma(f, a1);
      a2 = FloatVector.fromArray(PACKED, packed, p2 + j * w).fma(f, a2);
      a3 = FloatVector.fromArray(PACKED, packed, p3 + j * w).fma(f, a3);
    }
    a0.intoArray(out, o);
    a1.intoArray(out, o + w);
    a2.intoArray(out, o + 2 * w);
    a3.intoArray(out, o + 3 * w);
  }

  private static void packed1x1(float[] q, int q0, int dim, float[] packed, int block, float[] out, int o) {
    int p0 = block * dim * ScalarKernels.PACK;
    FloatVector a0 = FloatVector.zero(PACKED);
    for (int j = 0; j < dim; j++) {
      a0 = FloatVector.fromArray(PACKED, packed, p0 + j * ScalarKernels.PACK)
          .fma(FloatVector.broadcast(PACKED, q[q0 + j]), a0);
    }
    a0.intoArray(out, o);
  }

  /** {@code out[r..r+4) = rows[start + j·dim ..] · q} for the four rows starting at {@code start}. */
  private static void dot4Rows(float[] rows, int start, int dim, float[] q, float[] out, int r) {
    int s0 = start, s1 = start + dim, s2 = start + 2 * dim, s3 = start + 3 * dim;
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    FloatVector acc2 = FloatVector.zero(SPECIES);
    FloatVector acc3 = FloatVector.zero(SPECIES);
    int bound = SPECIES.loopBound(dim);
    int j = 0;
    for (; j < bound; j += LANES) {
      FloatVector qv = FloatVector.fromArray(SPECIES, q, j);
      acc0 = FloatVector.fromArray(SPECIES, rows, s0 + j).fma(qv, acc0);
      acc1 = FloatVector.fromArray(SPECIES, rows, s1 + j).fma(qv, acc1);
      acc2 = FloatVector.fromArray(SPECIES, rows, s2 + j).fma(qv, acc2);
      acc3 = FloatVector.fromArray(SPECIES, rows, s3 + j).fma(qv, acc3);
    }
    float d0 = acc0.reduceLanes(ADD);
    float d1 = acc1.reduceLanes(ADD);
    float d2 = acc2.reduceLanes(ADD);
    float d3 = acc3.reduceLanes(ADD);
    // Scalar tail: the last dim % LANES columns of each of the four rows.
    for (; j < dim; j++) {
      float qj = q[j];
      d0 = Math.fma(rows[s0 + j], qj, d0);
      d1 = Math.fma(rows[s1 + j], qj, d1);
      d2 = Math.fma(rows[s2 + j], qj, d2);
      d3 = Math.fma(rows[s3 + j], qj, d3);
    }
    out[r] = d0;
    out[r + 1] = d1;
    out[r + 2] = d2;
    out[r + 3] = d3;
  }

  @Override
  public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    if (n < THRESHOLD) {
      ScalarKernels.axpyLoop(alpha, x, xOff, y, yOff, n);
      return;
    }
    // No accumulator here: every element is independent, so one vector per step already keeps the units busy.
    FloatVector va = FloatVector.broadcast(SPECIES, alpha);
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += LANES) {
      FloatVector.fromArray(SPECIES, x, xOff + i)
          .fma(va, FloatVector.fromArray(SPECIES, y, yOff + i))
          .intoArray(y, yOff + i);
    }
    // Scalar tail.
    for (; i < n; i++) {
      y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
    }
  }

  @Override
  public void softmaxInPlace(float[] x, int off, int n) {
    if (n == 0) {
      return;
    }
    if (n < THRESHOLD) {
      ScalarKernels.softmaxLoop(x, off, n);
      return;
    }
    // exp stays scalar (the same loop as the oracle); the max and the final scaling are vectorised.
    float max = max(x, off, n);
    float inverseSum = ScalarKernels.expMinusMaxLoop(x, off, n, max);
    FloatVector factor = FloatVector.broadcast(SPECIES, inverseSum);
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += LANES) {
      FloatVector.fromArray(SPECIES, x, off + i).mul(factor).intoArray(x, off + i);
    }
    // Scalar tail.
    for (; i < n; i++) {
      x[off + i] *= inverseSum;
    }
  }

  @Override
  public float logSumExp(float[] x, int off, int n) {
    if (n < THRESHOLD) {
      return ScalarKernels.logSumExpLoop(x, off, n);
    }
    // The vector exp, as in siluAffine: the lifelong readout takes one of these per candidate over ~1,500 keys, and
    // its scalar exps were most of a ranking request. The sum runs in float lanes: every term is in (0, 1] and
    // one of them is 1, so the relative error stays near n·ulp(1)/lanes.
    float max = max(x, off, n);
    if (max == Float.NEGATIVE_INFINITY) {
      return max;
    }
    FloatVector m = FloatVector.broadcast(SPECIES, max);
    FloatVector acc = FloatVector.zero(SPECIES);
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += LANES) {
      acc = acc.add(FloatVector.fromArray(SPECIES, x, off + i).sub(m).lanewise(VectorOperators.EXP));
    }
    double sum = acc.reduceLanes(VectorOperators.ADD);
    // Scalar tail.
    for (; i < n; i++) {
      sum += Math.exp((double) x[off + i] - max);
    }
    return (float) (max + Math.log(sum));
  }

  @Override
  public void siluAffine(float[] x, int off, int n, float scale, float[] bias, int biasOff, float post) {
    if (n < THRESHOLD) {
      ScalarKernels.siluAffineLoop(x, off, n, scale, bias, biasOff, post);
      return;
    }
    // The vector exp (an intrinsic of the JDK) was 7x faster than Math.exp per element here, within 4e-9 of it
    // on inputs in [-5, 5]; SiLU over attention scores and projections was about half of the act forward pass.
    FloatVector s = FloatVector.broadcast(SPECIES, scale);
    FloatVector p = FloatVector.broadcast(SPECIES, post);
    int bound = SPECIES.loopBound(n);
    int i = 0;
    for (; i < bound; i += LANES) {
      FloatVector v = FloatVector.fromArray(SPECIES, x, off + i).mul(s);
      if (bias != null) {
        v = v.add(FloatVector.fromArray(SPECIES, bias, biasOff + i));
      }
      v.div(v.neg().lanewise(VectorOperators.EXP).add(1f)).mul(p).intoArray(x, off + i);
    }
    // Scalar tail.
    ScalarKernels.siluAffineLoop(x, off + i, n - i, scale, bias, bias == null ? 0 : biasOff + i, post);
  }

  private static float max(float[] x, int off, int n) {
    FloatVector m0 = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
    FloatVector m1 = m0, m2 = m0, m3 = m0;
    int i = 0;
    int unrolledBound = SPECIES.loopBound(n) - 3 * LANES;
    for (; i < unrolledBound; i += 4 * LANES) {
      m0 = m0.max(FloatVector.fromArray(SPECIES, x, off + i));
      m1 = m1.max(FloatVector.fromArray(SPECIES, x, off + i + LANES));
      m2 = m2.max(FloatVector.fromArray(SPECIES, x, off + i + 2 * LANES));
      m3 = m3.max(FloatVector.fromArray(SPECIES, x, off + i + 3 * LANES));
    }
    int bound = SPECIES.loopBound(n);
    for (; i < bound; i += LANES) {
      m0 = m0.max(FloatVector.fromArray(SPECIES, x, off + i));
    }
    float max = m0.max(m1).max(m2.max(m3)).reduceLanes(MAX);
    // Scalar tail.
    for (; i < n; i++) {
      max = Math.max(max, x[off + i]);
    }
    return max;
  }

  @Override
  public void weightedSum(float[] weights, float[] rows, int count, int dim, float[] out) {
    if (dim < THRESHOLD) {
      ScalarKernels.weightedSumLoop(weights, rows, count, dim, out);
      return;
    }
    // Column blocks of four vectors are summed over all rows in registers and stored once, instead of reading
    // and writing out[] once per row.
    int j = 0;
    int unrolledBound = SPECIES.loopBound(dim) - 3 * LANES;
    for (; j < unrolledBound; j += 4 * LANES) {
      FloatVector acc0 = FloatVector.zero(SPECIES);
      FloatVector acc1 = FloatVector.zero(SPECIES);
      FloatVector acc2 = FloatVector.zero(SPECIES);
      FloatVector acc3 = FloatVector.zero(SPECIES);
      for (int i = 0, rowStart = j; i < count; i++, rowStart += dim) {
        FloatVector w = FloatVector.broadcast(SPECIES, weights[i]);
        acc0 = FloatVector.fromArray(SPECIES, rows, rowStart).fma(w, acc0);
        acc1 = FloatVector.fromArray(SPECIES, rows, rowStart + LANES).fma(w, acc1);
        acc2 = FloatVector.fromArray(SPECIES, rows, rowStart + 2 * LANES).fma(w, acc2);
        acc3 = FloatVector.fromArray(SPECIES, rows, rowStart + 3 * LANES).fma(w, acc3);
      }
      acc0.intoArray(out, j);
      acc1.intoArray(out, j + LANES);
      acc2.intoArray(out, j + 2 * LANES);
      acc3.intoArray(out, j + 3 * LANES);
    }
    int bound = SPECIES.loopBound(dim);
    for (; j < bound; j += LANES) {
      FloatVector acc = FloatVector.zero(SPECIES);
      for (int i = 0, rowStart = j; i < count; i++, rowStart += dim) {
        acc = FloatVector.fromArray(SPECIES, rows, rowStart).fma(FloatVector.broadcast(SPECIES, weights[i]), acc);
      }
      acc.intoArray(out, j);
    }
    // Scalar tail: the last dim % LANES columns.
    for (; j < dim; j++) {
      float sum = 0f;
      for (int i = 0, at = j; i < count; i++, at += dim) {
        sum = Math.fma(weights[i], rows[at], sum);
      }
      out[j] = sum;
    }
  }

  @Override
  public int topK(float[] scores, int n, int k, int[] outIdx, float[] outScores) {
    if (k == 0) {
      return 0;
    }
    int size = 0;
    int i = 0;
    // Fill the heap with the first k scores.
    for (; i < n && size < k; i++) {
      size = TopKHeap.offer(outIdx, outScores, size, k, i, scores[i]);
    }
    // Then skip, four vectors at a time, every block in which all scores are strictly below the worst kept: a
    // later index never wins a tie, so none of them could get in. The test is conservative (NaN and -0.0/0.0
    // lanes fall through to the exact scalar check), and once the heap holds good scores most blocks are skipped.
    int unrolledBound = n - 4 * LANES;
    for (; i <= unrolledBound; i += 4 * LANES) {
      float worst = outScores[0];
      VectorMask<Float> allBelow = FloatVector.fromArray(SPECIES, scores, i).compare(LT, worst)
          .and(FloatVector.fromArray(SPECIES, scores, i + LANES).compare(LT, worst))
          .and(FloatVector.fromArray(SPECIES, scores, i + 2 * LANES).compare(LT, worst))
          .and(FloatVector.fromArray(SPECIES, scores, i + 3 * LANES).compare(LT, worst));
      if (!allBelow.allTrue()) {
        for (int j = i; j < i + 4 * LANES; j++) {
          size = TopKHeap.offer(outIdx, outScores, size, k, j, scores[j]);
        }
      }
    }
    // Scalar tail (also the whole scan when n is short).
    for (; i < n; i++) {
      size = TopKHeap.offer(outIdx, outScores, size, k, i, scores[i]);
    }
    TopKHeap.sortDescending(outIdx, outScores, size);
    return size;
  }

  @Override
  public float fmaThroughput(float[] x, float c, int passes) {
    assert x.length % FMA_BLOCK == 0 && FMA_BLOCK % (8 * LANES) == 0 : x.length + " " + LANES;
    // Eight accumulators: two FMA units × a latency of about four cycles need eight chains in flight.
    FloatVector vc = FloatVector.broadcast(SPECIES, c);
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (int p = 0; p < passes; p++) {
      for (int i = 0; i < x.length; i += 8 * LANES) {
        a0 = FloatVector.fromArray(SPECIES, x, i).fma(vc, a0);
        a1 = FloatVector.fromArray(SPECIES, x, i + LANES).fma(vc, a1);
        a2 = FloatVector.fromArray(SPECIES, x, i + 2 * LANES).fma(vc, a2);
        a3 = FloatVector.fromArray(SPECIES, x, i + 3 * LANES).fma(vc, a3);
        a4 = FloatVector.fromArray(SPECIES, x, i + 4 * LANES).fma(vc, a4);
        a5 = FloatVector.fromArray(SPECIES, x, i + 5 * LANES).fma(vc, a5);
        a6 = FloatVector.fromArray(SPECIES, x, i + 6 * LANES).fma(vc, a6);
        a7 = FloatVector.fromArray(SPECIES, x, i + 7 * LANES).fma(vc, a7);
      }
    }
    return a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).reduceLanes(ADD);
  }
}
