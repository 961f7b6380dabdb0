package dev.actrec.bench.jmh;

import dev.actrec.simd.internal.KernelProvider;
import dev.actrec.simd.internal.KernelProviderLookup;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One dot product of two {@code size}-float vectors, scalar oracle against the Panama kernel, in the same run:
 * read the figure as the ratio of the two scores. Operations per microsecond; higher is better.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class DotBenchmark {

  @Param({"64", "256", "4096"})
  int size;

  private float[] a;
  private float[] b;
  private KernelProvider scalar;
  private KernelProvider panama;

  @Setup
  public void setUp() {
    Random random = new Random(42);
    a = new float[size];
    b = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = 2f * random.nextFloat() - 1f;
      b[i] = 2f * random.nextFloat() - 1f;
    }
    scalar = KernelProviderLookup.forName("scalar");
    panama = KernelProviderLookup.forName("panama");
    // Measure nothing that is wrong: both must agree (to rounding) before either is timed.
    float expected = scalar.dot(a, 0, b, 0, size);
    float actual = panama.dot(a, 0, b, 0, size);
    if (Math.abs(expected - actual) > 1e-5f * size) {
      throw new IllegalStateException("panama dot " + actual + " != scalar " + expected + " at size " + size);
    }
  }

  @Benchmark
  public void dotScalar(Blackhole bh) {
    bh.consume(scalar.dot(a, 0, b, 0, size));
  }

  @Benchmark
  public void dotPanama(Blackhole bh) {
    bh.consume(panama.dot(a, 0, b, 0, size));
  }
}
