package dev.actrec.model.retrieval;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses the index for a catalog: exact up to {@link RetrievalConfig#exactMaxItems()} items, HNSW above. */
public final class ItemIndexes {

    private static final Logger LOG = LoggerFactory.getLogger(ItemIndexes.class);

    private ItemIndexes() {}

    /**
     * An {@link ExactScanIndex} if {@code numItems <= cfg.exactMaxItems()}, otherwise a freshly built
     * {@link HnswItemIndex} (which can take a while: the build time is logged).
     *
     * @param table row-major {@code (numItems + 1) x dim}, row 0 the padding row; kept by reference, not copied
     */
    public static ItemIndex choose(float[] table, int numItems, int dim, RetrievalConfig cfg) {
        Objects.requireNonNull(cfg, "cfg");
        if (numItems <= cfg.exactMaxItems()) {
            return new ExactScanIndex(table, numItems, dim);
        }
        HnswItemIndex index = HnswItemIndex.build(table, numItems, dim, cfg);
        LOG.info("built HNSW over {} items x {} dims in {} ms (M={}, beamWidth={}, efSearch={}, threads={}, "
            + "graph {} MB)", numItems, dim, index.buildNanos() / 1_000_000, cfg.hnswM(), cfg.hnswBeamWidth(),
            cfg.hnswEfSearch(), cfg.buildThreads(), index.graphBytes() >> 20);
        return index;
    }
}
