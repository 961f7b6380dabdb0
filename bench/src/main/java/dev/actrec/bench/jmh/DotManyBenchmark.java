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
 * The retrieval scan: one query scored against {@code count} contiguous item embeddings of {@code dim} floats,
 * scalar oracle against the Panama kernel, in the same run. Operations (whole scans) per microsecond.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class DotManyBenchmark {

  @Param({"64", "256", "4096"})
  int count;

  @Param({"64"})
  int dim;

  private float[] rows; // (count, dim)
  private float[] q; // (dim)
  private float[] out; // (count)
  private KernelProvider scalar;
  private KernelProvider panama;

  @Setup
  public void setUp() {
    Random random = new Random(42);
    rows = new float[count * dim];
    q = new float[dim];
    out = new float[count];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = 2f * random.nextFloat() - 1f;
    }
    for (int i = 0; i < dim; i++) {
      q[i] = 2f * random.nextFloat() - 1f;
    }
    scalar = KernelProviderLookup.forName("scalar");
    panama = KernelProviderLookup.forName("panama");
    // Measure nothing that is wrong: both must agree (to rounding) on every row before either is timed.
    float[] expected = new float[count];
    scalar.dotMany(rows, count, dim, q, expected);
    panama.dotMany(rows, count, dim, q, out);
    for (int r = 0; r < count; r++) {
      if (Math.abs(expected[r] - out[r]) > 1e-5f * dim) {
        throw new IllegalStateException("row " + r + ": panama " + out[r] + " != scalar " + expected[r]);
      }
    }
  }

  /** The scores land in an array held by a field, which the JIT cannot drop; the Blackhole makes that explicit. */
  @Benchmark
  public void dotManyScalar(Blackhole bh) {
    scalar.dotMany(rows, count, dim, q, out);
    bh.consume(out);
  }

  @Benchmark
  public void dotManyPanama(Blackhole bh) {
    panama.dotMany(rows, count, dim, q, out);
    bh.consume(out);
  }
}
