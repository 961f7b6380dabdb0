package dev.actrec.server;

import dev.actrec.model.ModelFormatException;
import dev.actrec.model.ModelInfo;
import dev.actrec.model.ServingModel;
import dev.actrec.model.lifelong.MemoryConfig;
import dev.actrec.model.retrieval.ExactScanIndex;
import dev.actrec.model.retrieval.ItemIndex;
import dev.actrec.model.retrieval.ItemIndexes;
import dev.actrec.model.retrieval.RecallMeter;
import dev.actrec.model.retrieval.RetrievalConfig;
import dev.actrec.store.ActionStore;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recommender the routes use now: the popularity fallback until a model is loaded, then that model, replaced
 * by {@link #load} with one reference write. A request reads {@link #current()} once and uses that instance to the
 * end, so a swap under load fails no request and never mixes two models in one response; the old model is freed
 * when its last request finishes.
 *
 * <p>Loads are serialised. A model is checked before it is swapped in: the file must read and validate
 * ({@link ModelFormatException} otherwise), and the model must know at least one item of a non-empty store (one
 * trained on another catalog would answer every user from the fallback). A rejected model leaves the current one
 * serving.
 */
final class ModelSlot {
    private static final Logger LOG = LoggerFactory.getLogger(ModelSlot.class);

    /** Reads a model file or run folder; {@code ModelFile::load} in production. */
    @FunctionalInterface
    interface ModelSource {
        ServingModel load(Path path) throws IOException;
    }

    /** What a successful load reports; recall@10 of the retrieval index against exact (1 for the exact scan). */
    record Loaded(ModelInfo info, String previous, int knownItems, String retrieval, double recallAt10,
                  long loadMillis) {
    }

    /** Queries for the recall measurement: item rows plus noise, as {@link RecallMeter} makes them. */
    private static final int RECALL_QUERIES = 200;

    private final ActionStore store;
    private final Recommender fallback;
    private final ModelSource source;
    private final RetrievalConfig retrieval;
    private final int maxK;
    private final int seenScan;
    private final MemorySettings memory;
    private final AtomicReference<Recommender> current;
    private volatile Loaded loaded; // null while the fallback serves

    ModelSlot(ActionStore store, Recommender fallback, ModelSource source, RetrievalConfig retrieval, int maxK,
              int seenScan, MemorySettings memory) {
        this.store = store;
        this.fallback = fallback;
        this.source = source;
        this.retrieval = retrieval;
        this.maxK = maxK;
        this.seenScan = seenScan;
        this.memory = memory;
        this.current = new AtomicReference<>(fallback);
    }

    Recommender current() {
        return current.get();
    }

    /**
     * Tells the fallback (its counts) and the current model (its item mapping, then its users' memories) about
     * appended events: their store item and user ids.
     */
    void onAppended(int[] items, int[] users, int n) {
        fallback.onAppended(items, n);
        Recommender r = current.get();
        if (r != fallback) r.onAppended(items, n);
        if (r instanceof ModelRecommender m) m.usersAppended(users, n);
    }

    /** The last successful load, or null while the fallback serves. */
    Loaded loaded() {
        return loaded;
    }

    boolean ready() {
        return fallback.ready();
    }

    /** Loads the model at {@code path} and swaps it in; on any failure the current model keeps serving. */
    synchronized Loaded load(Path path) throws IOException {
        long t0 = System.nanoTime();
        if (!Files.exists(path)) throw new ModelFormatException(path + ": no such file or folder");
        ServingModel model;
        try {
            model = source.load(path);
        } catch (NoSuchFileException | AccessDeniedException e) {
            // The caller named a path the server cannot read: its mistake, not the server's failure.
            throw new ModelFormatException(path + ": cannot read " + e.getFile() + " (" + e.getClass().getSimpleName()
                    + ")", e);
        }
        ItemMapping mapping = new ItemMapping(model.info(), store);
        if (mapping.knownItems() == 0 && store.itemCount() > 0) {
            throw new ModelFormatException(path + ": incompatible with this store: none of its " + store.itemCount()
                    + " items is among the model's item keys 1.." + model.numItems());
        }
        // Only a compatible model is worth an index; a large catalog's graph takes minutes to build.
        ItemIndex index = ItemIndexes.choose(model.itemTable(), model.numItems(), model.dim(), retrieval);
        double recall = 1.0;
        if (!index.kind().equals("exact")) {
            recall = RecallMeter.recallAtK(index, new ExactScanIndex(model.itemTable(), model.numItems(), model.dim()),
                    model.itemTable(), RECALL_QUERIES, 10, 0.1f, 1);
        }
        UserMemories memories = null;
        if (memory.enabled()) {
            MemoryConfig mc = MemoryConfig.defaults().withTokens(memory.tokens()).withHeavyHitters(memory.heavyHitters())
                    .withWindow(model.maxLen());
            memories = new UserMemories(store, mapping, model.itemTable(), model.numItems() + 1, model.dim(),
                    model.info().fileSha256(), mc, memory.minActions(), store.directory(), memory.snapshotSeconds() * 1000);
        }
        ModelRecommender next = new ModelRecommender(model, index, mapping, store, fallback, maxK, seenScan, memories,
                memory.weight());
        Recommender previous = current.getAndSet(next);
        // The old model's memories are of no use now; the new ones own the snapshot file from here on.
        if (previous instanceof ModelRecommender old && old.memories() != null) old.memories().stop(false);
        if (memories != null) memories.start();
        Loaded done = new Loaded(model.info(), previous.name(), next.knownItems(), index.kind(), recall,
                (System.nanoTime() - t0) / 1_000_000);
        loaded = done;
        // Items stored between building the mapping and the swap were told to the previous recommender.
        mapping.catchUp();
        LOG.info("serving model {} ({} items, {} known to the store, {} retrieval, recall@10 {}) from {}, loaded in {} "
                + "ms; was {}", model.info().version(), model.numItems(), next.knownItems(), index.kind(), recall, path,
                done.loadMillis(), previous.name());
        return done;
    }

    /** Stops the current model's memory updater after a last snapshot; the store must still be open. */
    synchronized void close() throws IOException {
        if (current.get() instanceof ModelRecommender m && m.memories() != null) m.memories().stop(true);
    }
}
