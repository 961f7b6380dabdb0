package dev.actrec.model.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Choosing an index from the config, the config's validation, and the recall meter's own edges. */
class ItemIndexesTest {

    private static final long SEED = 0x5eed_0003L;

    @Test
    void exactUpToTheThresholdHnswAbove() {
        float[] table = ClusteredTable.create(500, 8, 10, 0.5f, SEED);
        RetrievalConfig cfg = RetrievalConfig.defaults().withExactMaxItems(500);
        ItemIndex atThreshold = ItemIndexes.choose(table, 500, 8, cfg);
        assertEquals("exact", atThreshold.kind());
        assertEquals(500, atThreshold.size());
        ItemIndex above = ItemIndexes.choose(table, 500, 8, cfg.withExactMaxItems(499));
        assertEquals("hnsw", above.kind());
        assertEquals(8, above.dim());
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        RetrievalConfig cfg = RetrievalConfig.defaults();
        assertEquals(RetrievalConfig.DEFAULT_EXACT_MAX_ITEMS, cfg.exactMaxItems());
        assertEquals(16, cfg.hnswM());
        assertEquals(100, cfg.hnswBeamWidth());
        assertEquals(RetrievalConfig.DEFAULT_HNSW_EF_SEARCH, cfg.hnswEfSearch());
        assertEquals(2, cfg.buildThreads());
    }

    @Test
    void invalidConfigNamesTheField() {
        RetrievalConfig d = RetrievalConfig.defaults();
        assertMessage("exactMaxItems must be >= 0, got -1", () -> d.withExactMaxItems(-1));
        assertMessage("hnswM must be in [2, 512], got 1", () -> d.withHnsw(1, 100, 100));
        assertMessage("hnswM must be in [2, 512], got 513", () -> d.withHnsw(513, 100, 100));
        assertMessage("hnswBeamWidth must be >= 1, got 0", () -> d.withHnsw(16, 0, 100));
        assertMessage("hnswEfSearch must be >= 1, got 0", () -> d.withHnsw(16, 100, 0));
        assertMessage("buildThreads must be >= 1, got 0", () -> d.withBuildThreads(0));
    }

    @Test
    void exactAgainstItselfHasFullRecall() {
        float[] table = ClusteredTable.create(300, 8, 10, 0.5f, SEED);
        ExactScanIndex exact = new ExactScanIndex(table, 300, 8);
        assertEquals(1.0, RecallMeter.recallAtK(exact, exact, table, 50, 10, 0.1f, SEED));
        assertMessage("numQueries must be >= 1, got 0", () -> RecallMeter.recallAtK(exact, exact, table, 0, 10, 0f, 1));
        assertMessage("indexes differ", () -> RecallMeter.recallAtK(new ExactScanIndex(table, 299, 8), exact, table,
            5, 10, 0f, 1));
    }

    private static void assertMessage(String expectedPart, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expectedPart), "message '" + e.getMessage() + "' lacks '" + expectedPart
            + "'");
    }
}
