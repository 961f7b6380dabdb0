package dev.actrec.model.retrieval;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Measures retrieval on synthetic clustered catalogs and prints one JSON object per size: exact-scan latency, HNSW
 * build time, HNSW search latency and recall@10. Not a test (no timed assertions); run it by hand on a quiet machine:
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -Xmx6g -cp <model test + main classpath> \
 *     dev.actrec.model.retrieval.RetrievalProbe [dim=64] [sizes=100000,1000000] [threads=2] [efSearch=100]
 * }</pre>
 *
 * Latencies are per query, single-threaded, after a warm-up, as median and p99 over the measured queries.
 */
public final class RetrievalProbe {

    private RetrievalProbe() {}

    public static void main(String[] args) {
        int dim = 64;
        int[] sizes = {100_000, 1_000_000};
        RetrievalConfig cfg = RetrievalConfig.defaults();
        int[] efs = {cfg.hnswEfSearch()};
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "dim" -> dim = Integer.parseInt(kv[1]);
                case "sizes" -> sizes = parseInts(kv[1]);
                case "threads" -> cfg = cfg.withBuildThreads(Integer.parseInt(kv[1]));
                case "m" -> cfg = cfg.withHnsw(Integer.parseInt(kv[1]), cfg.hnswBeamWidth(), cfg.hnswEfSearch());
                case "beamWidth" -> cfg = cfg.withHnsw(cfg.hnswM(), Integer.parseInt(kv[1]), cfg.hnswEfSearch());
                case "efSearch" -> efs = parseInts(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        for (int numItems : sizes) {
            probe(numItems, dim, cfg, efs);
        }
    }

    private static void probe(int numItems, int dim, RetrievalConfig cfg, int[] efs) {
        long seed = 42;
        // About 100 items a cluster, as in a catalog of many small genres.
        float[] table = ClusteredTable.create(numItems, dim, Math.max(1, numItems / 100), 0.5f, seed);
        ExactScanIndex exact = new ExactScanIndex(table, numItems, dim);
        float[][] queries = queries(table, numItems, dim, 200, seed);
        double[] exactMs = latencies(exact, queries);

        long cpuBefore = processCpuNanos();
        HnswItemIndex built = HnswItemIndex.build(table, numItems, dim, cfg);
        // CPU time next to wall time: on a shared machine the wall time says as much about the neighbours.
        double buildCpuS = (processCpuNanos() - cpuBefore) / 1e9;
        StringBuilder json = new StringBuilder();
        json.append(String.format(Locale.ROOT,
            "{\"items\":%d,\"dim\":%d,\"exact_ms_p50\":%.3f,\"exact_ms_p99\":%.3f,\"hnsw_m\":%d,"
                + "\"hnsw_beam_width\":%d,\"build_threads\":%d,\"hnsw_build_s\":%.2f,\"hnsw_build_cpu_s\":%.2f,"
                + "\"hnsw_graph_mb\":%d,\"runs\":[",
            numItems, dim, exactMs[0], exactMs[1], cfg.hnswM(), cfg.hnswBeamWidth(), cfg.buildThreads(),
            built.buildNanos() / 1e9, buildCpuS, built.graphBytes() >> 20));
        for (int e = 0; e < efs.length; e++) {
            HnswItemIndex index = built.withEfSearch(efs[e]);
            double[] ms = latencies(index, queries);
            double recall = RecallMeter.recallAtK(index, exact, table, 500, 10, 0.1f, seed + 1);
            json.append(String.format(Locale.ROOT,
                "%s{\"ef_search\":%d,\"hnsw_ms_p50\":%.3f,\"hnsw_ms_p99\":%.3f,\"ann_recall_at_10\":%.4f}",
                e == 0 ? "" : ",", efs[e], ms[0], ms[1], recall));
        }
        json.append("]}");
        System.out.println(json);
    }

    /** Item rows plus noise, normalised, as {@link RecallMeter} makes them. */
    private static float[][] queries(float[] table, int numItems, int dim, int n, long seed) {
        ItemTable items = new ItemTable(table, numItems, dim);
        SplittableRandom random = new SplittableRandom(seed);
        float[][] out = new float[n][dim];
        for (float[] q : out) {
            RecallMeter.randomQuery(items, 1 + random.nextInt(numItems), 0.1f, random, q);
        }
        return out;
    }

    /** {median, p99} of per-query milliseconds over the queries, after one warm-up pass over them. */
    private static double[] latencies(ItemIndex index, float[][] queries) {
        int[] items = new int[10];
        float[] scores = new float[10];
        long check = 0;
        for (float[] q : queries) {
            check += index.search(q, 10, ItemFilter.NONE, items, scores);
        }
        double[] ms = new double[queries.length];
        for (int i = 0; i < queries.length; i++) {
            long t0 = System.nanoTime();
            check += index.search(queries[i], 10, ItemFilter.NONE, items, scores);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        if (check != 20L * queries.length) { // every search must have returned 10: keeps the work observable
            throw new IllegalStateException("searches returned " + check + " results in all");
        }
        java.util.Arrays.sort(ms);
        return new double[] {ms[ms.length / 2], ms[(int) Math.min(ms.length - 1, Math.ceil(ms.length * 0.99) - 1)]};
    }

    /** CPU time of the whole JVM (all threads, JIT and GC included), or -1 if the platform does not tell. */
    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    private static int[] parseInts(String csv) {
        String[] parts = csv.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Integer.parseInt(parts[i].trim());
        }
        return out;
    }
}
