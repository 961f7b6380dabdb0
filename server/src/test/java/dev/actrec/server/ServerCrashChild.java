package dev.actrec.server;

import dev.actrec.store.ActionStore;
import dev.actrec.store.StoreConfig;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Child JVM for {@link ServerKill9Test}: opens the store in {@code args[0]}, serves on an ephemeral port, prints
 * {@code PORT n} and waits to be killed.
 */
public final class ServerCrashChild {
    static final String TOKEN = "crash-test-token-0123456789";

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("port", "0");
        p.setProperty("token.test", TOKEN);
        ServerConfig config = ServerConfig.fromProperties(p);
        // A small seal threshold makes kills land inside checkpoints too.
        ActionStore store = ActionStore.open(StoreConfig.defaults(Path.of(args[0])).withSealThreshold(3000));
        PopularityRecommender rec = new PopularityRecommender(store, 3_600_000, 1000, 1000, 1000,
                System::currentTimeMillis);
        rec.startSeeding(10);
        ActServer server = ActServer.start(config, store,
                new ModelSlot(store, rec, ServerRuntime.MODEL_FILES, config.retrieval(),
                config.maxK(), config.popularitySeenScan(), config.memory()));
        System.out.println("PORT " + server.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
