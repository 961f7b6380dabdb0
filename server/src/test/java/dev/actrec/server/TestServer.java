package dev.actrec.server;

import dev.actrec.store.ActionStore;
import dev.actrec.store.StoreConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/** A store and a server on an ephemeral loopback port, with a client; for tests. */
final class TestServer implements AutoCloseable {
    static final String INGEST = "ingest-secret-0123456789";
    static final String READ = "read-secret-0123456789ab";
    static final String ADMIN = "admin-secret-0123456789a";

    final ActionStore store;
    final ModelSlot models;
    final ActServer server;
    final ServerConfig config;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    TestServer(Path dir, Map<String, String> overrides) throws IOException {
        Properties p = new Properties();
        p.setProperty("port", "0");
        p.setProperty("read_auth", "true");
        p.setProperty("popularity.refresh_ms", "0");
        p.setProperty("token.ingester", INGEST);
        p.setProperty("token.ingester.scopes", "ingest");
        p.setProperty("token.reader", READ);
        p.setProperty("token.reader.scopes", "read");
        p.setProperty("token.admin", ADMIN);
        overrides.forEach(p::setProperty);
        config = ServerConfig.fromProperties(p);
        store = ActionStore.open(StoreConfig.defaults(dir));
        PopularityRecommender rec = new PopularityRecommender(store, config.popularityHalfLifeSeconds() * 1000,
                config.popularityRefreshMs(), 10_000, config.popularitySeenScan(), System::currentTimeMillis);
        rec.startSeeding(config.popularitySeedPerUser());
        models = new ModelSlot(store, rec, ServerRuntime.MODEL_FILES, config.retrieval(),
                config.maxK(), config.popularitySeenScan(), config.memory());
        if (!config.model().isEmpty()) models.load(Path.of(config.model()));
        server = ActServer.start(config, store, models);
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        return send(b);
    }

    HttpResponse<String> post(String path, String token, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return send(b);
    }

    /** users, items and actions in the store: a fingerprint that must not move on a refused request. */
    String fingerprint() throws IOException {
        var s = store.stats();
        return s.users() + "/" + s.items() + "/" + s.actions();
    }

    @Override
    public void close() throws IOException {
        server.close();
        models.close();
        store.close();
    }
}
