package dev.actrec.model.retrieval;

import dev.actrec.simd.VectorKernels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.InfoStream;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.hnsw.ConcurrentHnswMerger;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;
import org.apache.lucene.util.hnsw.UpdateableRandomVectorScorer;

/**
 * Approximate maximum-inner-product retrieval over an HNSW graph built with Lucene's {@code util.hnsw} package,
 * directly over the item table: no Lucene index, no copy of the vectors. Graph node {@code n} is item {@code n + 1};
 * the padding row is not in the graph.
 *
 * <p>Scoring: the graph is built and searched with Lucene's maximum-inner-product similarity,
 * {@link VectorUtil#scaleMaxInnerProductScore} of the dot product, which is monotonic in it and never negative. The
 * {@code k} items found are then re-scored with {@link VectorKernels#dot} and re-sorted, so returned scores are plain
 * dot products, comparable with {@link ExactScanIndex}'s.
 *
 * <p>Exclusions are passed to the graph search as the accepted-nodes filter: excluded items are still walked
 * through as graph hops but never collected, so the search keeps looking until it has {@code max(k, efSearch)}
 * accepted items. If it still finds fewer than {@code k} (exclusions covering most of the catalog, or a tiny
 * catalog), the search falls back to the exact scan, so the count returned is always that of an exact index.
 *
 * <p>Build: {@code buildThreads > 1} uses Lucene's concurrent graph builder (the one segment merges use), whose
 * graph depends on thread timing; one thread uses the sequential builder, whose graph is the same on every run.
 *
 * <p>Thread-safe: searches use Lucene's thread-safe search over an on-heap graph; per-thread scratch holds the query
 * scorer and the filter view. Lucene's searcher allocates its candidate queue and visited set per search (small
 * next to the graph walk); the exact fallback keeps its own per-thread scratch.
 */
public final class HnswItemIndex implements ItemIndex {

    private final ItemTable table;
    private final OnHeapHnswGraph graph; // null when the catalog is empty
    private final int efSearch;
    private final long buildNanos;
    private final ExactScanIndex fallback;
    private final ThreadLocal<SearchScratch> scratch;

    private HnswItemIndex(ItemTable table, OnHeapHnswGraph graph, int efSearch, long buildNanos) {
        this.table = table;
        this.graph = graph;
        this.efSearch = efSearch;
        this.buildNanos = buildNanos;
        this.fallback = new ExactScanIndex(table.rows(), table.numItems(), table.dim());
        this.scratch = ThreadLocal.withInitial(() -> new SearchScratch(table));
    }

    /**
     * Builds the graph over items {@code 1..numItems} of {@code table} with {@code cfg}'s {@code hnswM},
     * {@code hnswBeamWidth} and {@code buildThreads}; searches will use {@code cfg.hnswEfSearch()}. Takes seconds to
     * minutes for a million items (see the package's measurements in {@code RetrievalProbe}).
     *
     * @param table row-major {@code (numItems + 1) x dim}, row 0 the padding row; kept by reference, not copied
     * @throws IllegalArgumentException if the table is shorter than {@code (numItems + 1) x dim}, or a size is bad
     */
    public static HnswItemIndex build(float[] table, int numItems, int dim, RetrievalConfig cfg) {
        ItemTable items = new ItemTable(table, numItems, dim);
        long start = System.nanoTime();
        OnHeapHnswGraph graph = numItems == 0 ? null : buildGraph(items, cfg);
        return new HnswItemIndex(items, graph, cfg.hnswEfSearch(), System.nanoTime() - start);
    }

    private static OnHeapHnswGraph buildGraph(ItemTable items, RetrievalConfig cfg) {
        RandomVectorScorerSupplier scorers = new RowScorerSupplier(items);
        int n = items.numItems();
        try {
            if (cfg.buildThreads() == 1) {
                return HnswGraphBuilder.create(scorers, cfg.hnswM(), cfg.hnswBeamWidth(), HnswGraphBuilder.randSeed, n)
                    .build(n);
            }
            try (ExecutorService pool = Executors.newFixedThreadPool(cfg.buildThreads(), new BuildThreads())) {
                // The concurrent builder is reached through the merger segment merges use. With no segment graphs
                // added it starts from an empty graph and never reads the field info or the merged vector values,
                // which is why both may be null here.
                ConcurrentHnswMerger merger = new ConcurrentHnswMerger(null, scorers, cfg.hnswM(),
                    cfg.hnswBeamWidth(), new TaskExecutor(pool), cfg.buildThreads());
                return merger.merge(null, InfoStream.NO_OUTPUT, n);
            }
        } catch (IOException e) {
            // Our scorers read a heap array and never throw; Lucene's signatures declare it for off-heap readers.
            throw new UncheckedIOException("HNSW build over " + n + " items failed", e);
        }
    }

    @Override
    public int search(float[] query, int k, ItemFilter exclude, int[] outItems, float[] outScores) {
        table.checkSearch(query, k, exclude, outItems, outScores);
        int numItems = table.numItems();
        if (numItems == 0) {
            return 0;
        }
        SearchScratch s = scratch.get();
        s.scorer.setQuery(query);
        s.accepted.filter = exclude;
        ScoreDoc[] found;
        try {
            KnnCollector collector = HnswGraphSearcher.search(s.scorer, Math.max(k, efSearch), graph,
                exclude == ItemFilter.NONE ? null : s.accepted, Integer.MAX_VALUE);
            found = collector.topDocs().scoreDocs;
        } catch (IOException e) {
            throw new UncheckedIOException("HNSW search failed", e);
        } finally {
            s.scorer.setQuery(null);
            s.accepted.filter = ItemFilter.NONE;
        }
        int count = Math.min(k, found.length);
        if (count < Math.min(k, numItems)) {
            // Too few accepted items reachable: let the exact scan decide what is left.
            return fallback.search(query, k, exclude, outItems, outScores);
        }
        for (int i = 0; i < count; i++) {
            int item = found[i].doc + 1;
            assert item >= 1 && item <= numItems : "graph node " + found[i].doc + " is outside the catalog";
            outItems[i] = item;
            outScores[i] = VectorKernels.dot(table.rows(), table.offset(item), query, 0, table.dim());
        }
        sortBestFirst(outItems, outScores, count);
        return count;
    }

    /**
     * Insertion sort by score descending, ties by lower item. The input comes from the graph search already in (or
     * near) this order, and k is small, so this is linear in practice.
     */
    private static void sortBestFirst(int[] items, float[] scores, int n) {
        for (int i = 1; i < n; i++) {
            int item = items[i];
            float score = scores[i];
            int j = i - 1;
            while (j >= 0 && (Float.compare(scores[j], score) < 0
                || (Float.compare(scores[j], score) == 0 && items[j] > item))) {
                items[j + 1] = items[j];
                scores[j + 1] = scores[j];
                j--;
            }
            items[j + 1] = item;
            scores[j + 1] = score;
        }
    }

    @Override
    public String kind() {
        return "hnsw";
    }

    @Override
    public int size() {
        return table.numItems();
    }

    @Override
    public int dim() {
        return table.dim();
    }

    /** Wall-clock time the graph build took, in nanoseconds. */
    public long buildNanos() {
        return buildNanos;
    }

    /** Lucene's estimate of the graph's heap size in bytes (the item table is not counted: it is shared). */
    public long graphBytes() {
        return graph == null ? 0 : graph.ramBytesUsed();
    }

    /**
     * This index with another {@code efSearch}: the same graph (shared, not rebuilt), a different recall/latency
     * trade-off.
     */
    public HnswItemIndex withEfSearch(int newEfSearch) {
        if (newEfSearch < 1) {
            throw new IllegalArgumentException("efSearch must be >= 1, got " + newEfSearch);
        }
        return new HnswItemIndex(table, graph, newEfSearch, buildNanos);
    }

    /** Size of the candidate list searches keep, {@code max(k, efSearch)}. */
    public int efSearch() {
        return efSearch;
    }

    @Override
    public String toString() {
        return "HnswItemIndex[items=" + table.numItems() + ", dim=" + table.dim() + ", efSearch=" + efSearch + "]";
    }

    // ---- Lucene adapters: scorers over rows of the item table, and the exclusion filter as accepted ordinals ----

    private static final class SearchScratch {
        final RowScorer scorer;
        final AcceptedNodes accepted;

        SearchScratch(ItemTable table) {
            scorer = new RowScorer(table);
            accepted = new AcceptedNodes(table.numItems());
        }
    }

    /**
     * Scores graph nodes against a query that is either an outside vector (search) or another node's row (build).
     * One instance per thread; not thread-safe.
     */
    private static final class RowScorer implements UpdateableRandomVectorScorer {
        private final ItemTable table;
        private float[] query;
        private int queryOffset;

        RowScorer(ItemTable table) {
            this.table = table;
        }

        void setQuery(float[] q) {
            query = q;
            queryOffset = 0;
        }

        @Override
        public void setScoringOrdinal(int node) {
            query = table.rows();
            queryOffset = table.offset(node + 1);
        }

        @Override
        public float score(int node) {
            float dot = VectorKernels.dot(table.rows(), table.offset(node + 1), query, queryOffset, table.dim());
            return VectorUtil.scaleMaxInnerProductScore(dot);
        }

        @Override
        public int maxOrd() {
            return table.numItems();
        }
    }

    /** Stateless: every {@link #scorer()} is a fresh scorer, so a copy can be this same supplier. */
    private record RowScorerSupplier(ItemTable table) implements RandomVectorScorerSupplier {
        @Override
        public UpdateableRandomVectorScorer scorer() {
            return new RowScorer(table);
        }

        @Override
        public RandomVectorScorerSupplier copy() {
            return this;
        }
    }

    /** Graph node n is accepted unless item n + 1 is excluded. */
    private static final class AcceptedNodes implements Bits {
        private final int length;
        ItemFilter filter = ItemFilter.NONE;

        AcceptedNodes(int length) {
            this.length = length;
        }

        @Override
        public boolean get(int node) {
            return !filter.excluded(node + 1);
        }

        @Override
        public int length() {
            return length;
        }
    }

    private static final class BuildThreads implements ThreadFactory {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "hnsw-build-" + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        }
    }
}
