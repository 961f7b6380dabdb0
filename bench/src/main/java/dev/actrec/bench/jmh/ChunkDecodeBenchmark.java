package dev.actrec.bench.jmh;

import dev.actrec.core.ActionColumns;
import dev.actrec.store.internal.ByteSink;
import dev.actrec.store.internal.ChunkCodec;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
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

/**
 * Decoding one sealed chunk of {@code actions} actions (sessions of views and impressions over a Zipf-like catalog)
 * into reused columns, single-threaded, with the floor measured in the same run: copying the same number of decoded
 * bytes from arrays that already hold them. Nanoseconds per action; lower is better.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class ChunkDecodeBenchmark {

  @Param({"4096", "262144"})
  int actions;

  private MemorySegment chunk;
  private int[] registered;
  private ChunkCodec codec;
  private ActionColumns out;
  private ActionColumns decoded;
  private int blocks;

  @Setup
  public void setUp() {
    Random rnd = new Random(7);
    int catalog = 200_000;
    registered = new int[catalog];
    for (int i = 0; i < catalog; i++) registered[i] = 5_000 + rnd.nextInt(600_000);
    ActionColumns src = new ActionColumns(actions);
    long ts = 1_700_000_000_000L;
    for (int i = 0; i < actions; i++) {
      ts += rnd.nextInt(12) == 0 ? rnd.nextInt(30_000_000) : rnd.nextInt(30_000);
      int item = (int) Math.min(catalog - 1, Math.exp(rnd.nextDouble() * Math.log(catalog)));
      byte type = (byte) (rnd.nextInt(2) == 0 ? 0 : 1 + rnd.nextInt(8));
      src.add(item, type, ts, type == 0 ? 0 : rnd.nextInt(registered[item]), registered[item]);
    }
    codec = new ChunkCodec();
    ByteSink sink = new ByteSink(1 << 16);
    codec.encode(1, src, 0, actions, registered, sink);
    chunk = MemorySegment.ofArray(Arrays.copyOf(sink.array(), sink.position()));
    blocks = ChunkCodec.blockCount(chunk, 0);
    out = new ActionColumns(actions + 128);
    decoded = new ActionColumns(actions + 128);
    codec.decode(chunk, 0, 0, blocks, registered, decoded);
    // Time nothing that is wrong: the decoded chunk must equal what was encoded.
    for (int i = 0; i < actions; i++) {
      if (decoded.timestamp(i) != src.timestamp(i) || decoded.item(i) != src.item(i)
          || decoded.durationMs(i) != src.durationMs(i) || decoded.watchMs(i) != src.watchMs(i)) {
        throw new IllegalStateException("chunk decodes wrongly at action " + i);
      }
    }
  }

  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(1)
  public ActionColumns decodeChunk() {
    out.clear();
    codec.decode(chunk, 0, 0, blocks, registered, out);
    return out;
  }

  /** Floor: the same 21 bytes per action copied from columns that already hold them. */
  @Benchmark
  public ActionColumns copyDecodedColumns() {
    out.clear();
    out.addFrom(decoded, 0, actions);
    return out;
  }
}
