package dev.actrec.server;

import dev.actrec.model.ModelFormatException;
import dev.actrec.model.ModelInfo;
import dev.actrec.model.ServingModel;
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

    /** What a successful load reports. */
    record Loaded(ModelInfo info, String previous, int knownItems, long loadMillis) {
    }

    private final ActionStore store;
    private final Recommender fallback;
    private final ModelSource source;
    private final int maxK;
    private final int seenScan;
    private final AtomicReference<Recommender> current;

    ModelSlot(ActionStore store, Recommender fallback, ModelSource source, int maxK, int seenScan) {
        this.store = store;
        this.fallback = fallback;
        this.source = source;
        this.maxK = maxK;
        this.seenScan = seenScan;
        this.current = new AtomicReference<>(fallback);
    }

    Recommender current() {
        return current.get();
    }

    /** Tells the fallback (its counts) and the current model (its item mapping) about appended items. */
    void onAppended(int[] items, int n) {
        fallback.onAppended(items, n);
        Recommender r = current.get();
        if (r != fallback) r.onAppended(items, n);
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
        ModelRecommender next = new ModelRecommender(model, store, fallback, maxK, seenScan);
        if (next.knownItems() == 0 && store.itemCount() > 0) {
            throw new ModelFormatException(path + ": incompatible with this store: none of its " + store.itemCount()
                    + " items is among the model's item keys 1.." + model.numItems());
        }
        Recommender previous = current.getAndSet(next);
        // Items stored between building the mapping and the swap were told to the previous recommender.
        next.onAppended(new int[] {store.itemCount() - 1}, store.itemCount() > 0 ? 1 : 0);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOG.info("serving model {} ({} items, {} known to the store) from {}, loaded in {} ms; was {}",
                model.info().version(), model.numItems(), next.knownItems(), path, ms, previous.name());
        return new Loaded(model.info(), previous.name(), next.knownItems(), ms);
    }
}
