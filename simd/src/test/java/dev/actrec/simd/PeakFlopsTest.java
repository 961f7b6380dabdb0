package dev.actrec.simd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Only that the measurement runs and returns a plausible number: timings are for benchmarks, not for tests. */
class PeakFlopsTest {

  @Test
  void returnsAPositiveFiniteRate() {
    double gflops = PeakFlops.measureFmaGflops();
    System.out.printf("peak FMA (%s): %.1f GFLOP/s%n", VectorKernels.implementationName(), gflops);
    assertTrue(gflops > 0 && Double.isFinite(gflops), "gflops=" + gflops);
  }
}
