package dev.actrec.bench.jmh;

import dev.actrec.core.ActionType;
import dev.actrec.model.lifelong.AttentionConfig;
import dev.actrec.model.lifelong.ItemEmbeddings;
import dev.actrec.model.lifelong.LifelongMemory;
import dev.actrec.model.lifelong.MemoryConfig;
import dev.actrec.model.lifelong.ReadoutInput;
import dev.actrec.model.lifelong.ReadoutWeights;
import dev.actrec.model.lifelong.TrainedReadout;
import dev.actrec.simd.VectorKernels;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One ranking request of {@code act_trained}: 1,000 candidates read out over a full memory (256 tokens, H = 4, so
 * up to 1,280 keys) and a 200-action window, d = 32, as in {@code bench lifelong} at 10^6. The floor is the same
 * request's dot products alone (every candidate against every window row and key), which any readout of these keys
 * must compute. Milliseconds per request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class TrainedReadoutBenchmark {
  private static final int ITEMS = 5_000, DIM = 32, CLUSTERS = 400, CANDIDATES = 1_000, HISTORY = 100_000;

  private ItemEmbeddings emb;
  private TrainedReadout readout;
  private ReadoutInput in;
  private int[] cands;
  private double[] fWin, fLong;
  private float[] windowRows, keyRows, q, dots;

  @Setup
  public void setUp() {
    SplittableRandom r = new SplittableRandom(42);
    // items cluster around 400 directions, so the memory's tokens and heavy hitters form as on real data
    float[] centres = new float[CLUSTERS * DIM], rows = new float[ITEMS * DIM];
    for (int i = 0; i < centres.length; i++) centres[i] = (float) r.nextGaussian();
    for (int i = 0; i < ITEMS; i++) {
      for (int j = 0; j < DIM; j++) rows[i * DIM + j] = centres[(i % CLUSTERS) * DIM + j] + 0.5f * (float) r.nextGaussian();
    }
    emb = ItemEmbeddings.centred(ITEMS, DIM, rows);
    MemoryConfig mc = MemoryConfig.defaults();
    LifelongMemory mem = new LifelongMemory(mc, emb);
    for (int a = 0; a < HISTORY; a++) {
      int cluster = (a / 500 * 7 + (int) (Math.pow(r.nextDouble(), 3) * 80)) % CLUSTERS;
      int item = cluster + CLUSTERS * (int) (Math.pow(r.nextDouble(), 3) * (ITEMS / CLUSTERS));
      mem.append(item, (byte) r.nextInt(ActionType.COUNT), a * 60_000L);
    }
    Map<String, float[]> named = ReadoutWeights.handSet(mc, AttentionConfig.defaults(), DIM).named();
    for (float[] v : named.values()) for (int i = 0; i < v.length; i++) v[i] += (float) (r.nextDouble() - 0.5) * 0.2f;
    readout = new TrainedReadout(ReadoutWeights.of(DIM, named), emb);
    in = new ReadoutInput(DIM, mc.window(), mc.maxLongTermKeys()).fill(mem);
    cands = new int[CANDIDATES];
    for (int c = 0; c < CANDIDATES; c++) cands[c] = r.nextInt(ITEMS);
    fWin = new double[CANDIDATES];
    fLong = new double[CANDIDATES];
    windowRows = new float[in.windowSize() * DIM];
    for (int j = 0; j < in.windowSize(); j++) System.arraycopy(emb.rows(), emb.offset(in.windowItem(j)), windowRows, j * DIM, DIM);
    keyRows = new float[in.keyCount() * DIM];
    in.keyRows(emb, keyRows, 0);
    q = new float[DIM];
    dots = new float[Math.max(in.windowSize(), in.keyCount())];
    if (in.keyCount() < 1_000) throw new IllegalStateException("the memory should be nearly full: " + in.keyCount() + " keys");
  }

  @Benchmark
  public void trainedReadout(Blackhole bh) {
    readout.candidates(in, cands, CANDIDATES, fWin, fLong);
    bh.consume(fWin);
    bh.consume(fLong);
  }

  @Benchmark
  public void dotProductsFloor(Blackhole bh) {
    float[] rows = emb.rows();
    float acc = 0;
    for (int c = 0; c < CANDIDATES; c++) {
      System.arraycopy(rows, emb.offset(cands[c]), q, 0, DIM);
      VectorKernels.dotMany(windowRows, in.windowSize(), DIM, q, dots);
      acc += dots[0];
      VectorKernels.dotMany(keyRows, in.keyCount(), DIM, q, dots);
      acc += dots[0];
    }
    bh.consume(acc);
  }
}
