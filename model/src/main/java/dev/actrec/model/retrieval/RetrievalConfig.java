package dev.actrec.model.retrieval;

/**
 * How the server retrieves candidates from the item catalog.
 *
 * @param exactMaxItems catalogs of at most this many items are scanned exactly ({@link ExactScanIndex}); larger
 *     ones get an HNSW graph. Default {@value #DEFAULT_EXACT_MAX_ITEMS}: on the shared 2-core development machine
 *     at d=64, clustered data, k=10, the median exact scan took 2.5 ms for 100k items, 5.8 ms for 200k and 18 ms for
 *     1M (load average 3 to 10). The scan is memory-bound (it reads the whole table per request), and in the serve
 *     benchmark a 150k catalog's scan took most of the server's CPU and its recommend p99 to about 20 ms; 50k
 *     (12.8 MB at d=64) keeps a scan near 1 ms, and a graph over more items builds in a minute or less.
 * @param hnswM graph degree: neighbours kept per node on the upper levels, twice as many on the bottom one. Higher
 *     means better recall, more memory and a slower build. Default {@value #DEFAULT_HNSW_M}.
 * @param hnswBeamWidth candidates considered when linking a new node (efConstruction). Default
 *     {@value #DEFAULT_HNSW_BEAM_WIDTH}.
 * @param hnswEfSearch candidates a search keeps ({@code max(k, efSearch)}): the recall/latency knob. Default
 *     {@value #DEFAULT_HNSW_EF_SEARCH}. On the probe's clustered data (about 100 items per cluster) efSearch 100 gave
 *     recall@10 0.987 at 1M items (0.948 with 50) in under 0.5 ms; on the serve benchmark's catalog (1,000 items per
 *     cluster, queries from the model) 100 gave only 0.882 at 1M, and 200 gave 0.978 at 200k.
 * @param buildThreads threads that build the graph; 1 gives a reproducible graph. Default
 *     {@value #DEFAULT_BUILD_THREADS}.
 */
public record RetrievalConfig(int exactMaxItems, int hnswM, int hnswBeamWidth, int hnswEfSearch, int buildThreads) {

    public static final int DEFAULT_EXACT_MAX_ITEMS = 50_000;
    public static final int DEFAULT_HNSW_M = 16;
    public static final int DEFAULT_HNSW_BEAM_WIDTH = 100;
    public static final int DEFAULT_HNSW_EF_SEARCH = 200;
    public static final int DEFAULT_BUILD_THREADS = 2;

    /** Lucene's own bound on the graph degree. */
    public static final int MAX_HNSW_M = 512;

    public RetrievalConfig {
        if (exactMaxItems < 0) {
            throw new IllegalArgumentException("exactMaxItems must be >= 0, got " + exactMaxItems);
        }
        if (hnswM < 2 || hnswM > MAX_HNSW_M) {
            throw new IllegalArgumentException("hnswM must be in [2, " + MAX_HNSW_M + "], got " + hnswM);
        }
        if (hnswBeamWidth < 1) {
            throw new IllegalArgumentException("hnswBeamWidth must be >= 1, got " + hnswBeamWidth);
        }
        if (hnswEfSearch < 1) {
            throw new IllegalArgumentException("hnswEfSearch must be >= 1, got " + hnswEfSearch);
        }
        if (buildThreads < 1) {
            throw new IllegalArgumentException("buildThreads must be >= 1, got " + buildThreads);
        }
    }

    /** The documented defaults. */
    public static RetrievalConfig defaults() {
        return new RetrievalConfig(DEFAULT_EXACT_MAX_ITEMS, DEFAULT_HNSW_M, DEFAULT_HNSW_BEAM_WIDTH,
            DEFAULT_HNSW_EF_SEARCH, DEFAULT_BUILD_THREADS);
    }

    public RetrievalConfig withExactMaxItems(int value) {
        return new RetrievalConfig(value, hnswM, hnswBeamWidth, hnswEfSearch, buildThreads);
    }

    public RetrievalConfig withHnsw(int m, int beamWidth, int efSearch) {
        return new RetrievalConfig(exactMaxItems, m, beamWidth, efSearch, buildThreads);
    }

    public RetrievalConfig withBuildThreads(int value) {
        return new RetrievalConfig(exactMaxItems, hnswM, hnswBeamWidth, hnswEfSearch, value);
    }
}
