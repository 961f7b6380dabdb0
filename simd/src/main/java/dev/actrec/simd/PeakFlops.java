package dev.actrec.simd;

import dev.actrec.simd.internal.KernelProvider;

/**
 * Measures this machine's fused multiply-add throughput, in GFLOP/s, with the active kernel implementation
 * ({@link VectorKernels#implementationName()}), on data that sits in the L1 cache. Benchmarks print it beside their
 * own figure as a compute floor: a kernel that reaches a large fraction of it is compute-bound, one far below it is
 * limited by memory or by its own overheads.
 *
 * <p>It is one thread's figure, on a machine that may be shared: take it as a ratio's denominator measured in the
 * same run, not as a constant.
 */
public final class PeakFlops {

  /** 8 KiB of floats: in L1 everywhere, and a multiple of {@link KernelProvider#FMA_BLOCK}. */
  private static final int FLOATS = 2048;
  private static final int TRIALS = 5;
  private static final long TRIAL_NANOS = 20_000_000L;
  private static final int WARM_UP_CALLS = 20_000;
  private static final long WARM_UP_NANOS = 2_000_000_000L;

  /** Keeps the result observable so that the JIT cannot drop the timed loop. */
  private static volatile float sink;

  private PeakFlops() {}

  /**
   * Times the FMA loop of the active implementation a few times, after a warm-up that gets it compiled, and
   * returns the best rate seen, counting 2 flops per multiply-add. Takes about half a second once compiled.
   */
  public static double measureFmaGflops() {
    KernelProvider kernels = VectorKernels.provider();
    float[] x = new float[FLOATS];
    for (int i = 0; i < x.length; i++) {
      x[i] = 1e-4f * (i % 17); // small values: the sums stay far from overflow and from subnormals
    }
    float c = 0.999f;
    // Warm-up: many short calls, so that C2 compiles the whole method (the vector API is only fast once C2 has
    // intrinsified it; in the interpreter and C1 every vector is an object). Capped in time for slow machines.
    long warmUpEnd = System.nanoTime() + WARM_UP_NANOS;
    for (int call = 0; call < WARM_UP_CALLS && System.nanoTime() < warmUpEnd; call++) {
      sink = kernels.fmaThroughput(x, c, 4);
    }
    // Calibrate: double the work until one call takes a trial's time.
    int passes = 64;
    while (passes < (1 << 24)) {
      long t0 = System.nanoTime();
      sink = kernels.fmaThroughput(x, c, passes);
      if (System.nanoTime() - t0 >= TRIAL_NANOS) {
        break;
      }
      passes *= 2;
    }
    double best = 0.0;
    for (int t = 0; t < TRIALS; t++) {
      long t0 = System.nanoTime();
      sink = kernels.fmaThroughput(x, c, passes);
      long elapsed = System.nanoTime() - t0;
      double flops = 2.0 * FLOATS * passes;
      best = Math.max(best, flops / elapsed); // flops per ns = GFLOP/s
    }
    return best;
  }
}
