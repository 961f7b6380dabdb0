package dev.actrec.server;

import dev.actrec.model.ModelFile;
import dev.actrec.store.ActionStore;
import dev.actrec.store.StoreConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The whole serving process in one object: opens the store, builds the recommender (the popularity fallback until
 * a model is loaded), starts the HTTP server; {@link #close()} stops the server first, so no request is cut off
 * mid-append, then closes the store.
 */
public final class ServerRuntime implements AutoCloseable {
    /** Size of the fallback's ranked list: enough for max_k after skipping a heavy user's seen items. */
    private static final int MIN_RANKING = 10_000;

    /** Model files as {@code actrec train} writes them. */
    static final ModelSlot.ModelSource MODEL_FILES = ModelFile::load;

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final ActionStore store;
    private final ModelSlot models;
    private final ActServer server;

    private ServerRuntime(ActionStore store, ModelSlot models, ActServer server) {
        this.store = store;
        this.models = models;
        this.server = server;
    }

    /**
     * Opens the store, loads {@code config.model()} when set (a bad model file fails the start, with its reason),
     * and starts serving.
     */
    public static ServerRuntime start(ServerConfig config, Path dataDir) throws IOException {
        ActionStore store = ActionStore.open(StoreConfig.defaults(dataDir));
        try {
            PopularityRecommender rec = new PopularityRecommender(store, config.popularityHalfLifeSeconds() * 1000,
                    config.popularityRefreshMs(), Math.max(MIN_RANKING, 4 * config.maxK()), config.popularitySeenScan(),
                    System::currentTimeMillis);
            rec.startSeeding(config.popularitySeedPerUser());
            ModelSlot models = new ModelSlot(store, rec, MODEL_FILES, config.retrieval(),
                config.maxK(), config.popularitySeenScan(), config.memory());
            if (!config.model().isEmpty()) models.load(Path.of(config.model()));
            return new ServerRuntime(store, models, ActServer.start(config, store, models));
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * Closes this runtime when the JVM is asked to exit (Ctrl-C, SIGTERM); the returned latch opens once it is
     * closed, so a command can wait on it and return only after the store is checkpointed.
     */
    public CountDownLatch closeOnExit(String command) {
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                close();
            } catch (Exception e) {
                System.err.println("actrec " + command + ": closing failed: " + e);
            } finally {
                closed.countDown();
            }
        }, "actrec-" + command + "-shutdown"));
        return closed;
    }

    public int port() {
        return server.port();
    }

    public ActionStore store() {
        return store;
    }

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) return; // a command's own close and the exit hook may both call it
        try {
            server.close();
            models.close(); // after the last request, before the store: the memories' last snapshot reads it
        } finally {
            store.close();
        }
    }
}
