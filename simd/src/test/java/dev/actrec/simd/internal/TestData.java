package dev.actrec.simd.internal;

import java.util.Random;

/**
 * Seeded, replayable test data. Every run uses one base seed, printed in each failure message; run again with
 * {@code -Dtests.seed=<that value>} to replay exactly the same cases.
 */
public final class TestData {

  /** The base seed of this run: {@code -Dtests.seed} (decimal or 0x-hex) if given, otherwise a fresh one. */
  public static final long SEED = initialSeed();

  /** Sizes that hit every path: empty, below the vector threshold, odd tails, exact multiples, large. */
  public static final int[] SIZES = {0, 1, 3, 7, 13, 31, 64, 1021, 4097};

  /** Start offsets that break any alignment of the vector loads. */
  public static final int[] OFFSETS = {0, 1, 5};

  private TestData() {}

  private static long initialSeed() {
    String given = System.getProperty("tests.seed");
    if (given == null || given.isBlank()) {
      return new Random().nextLong();
    }
    return given.startsWith("0x") ? Long.parseUnsignedLong(given.substring(2), 16) : Long.parseLong(given);
  }

  /** A generator for one case, derived from the base seed and the case's parameters. */
  public static Random random(long... caseParams) {
    long s = SEED;
    for (long p : caseParams) {
      s = s * 0x9E3779B97F4A7C15L + p; // mix the parameters in, so that each case gets its own stream
    }
    return new Random(s);
  }

  /** The replay hint that starts every failure message. */
  public static String replay(String kernel, String params) {
    return kernel + " " + params + " [replay with -Dtests.seed=0x" + Long.toHexString(SEED) + "]";
  }

  /** {@code n} uniform floats in [-1, 1). */
  public static float[] floats(Random r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = 2f * r.nextFloat() - 1f;
    }
    return x;
  }

  /**
   * Tolerance between two summations of {@code n} products in different orders: each may be off from the exact
   * sum by about {@code n·ε·Σ|terms|} (ε = 2^-24), so two of them by twice that; {@code ulp(1f)} is 2ε.
   */
  public static double sumTolerance(int n, double sumOfAbsTerms) {
    return (n + 1) * (double) Math.ulp(1f) * sumOfAbsTerms + Float.MIN_NORMAL;
  }
}
