package dev.actrec.server;

import dev.actrec.store.ActionStore;
import dev.actrec.store.AppendResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The server's meters, exposed at {@code /metrics} in the Prometheus text format:
 * {@code actrec_http_requests_seconds} (a latency histogram per method, route template and status, so request
 * counts by status come with it), {@code actrec_ingest_events_total} by outcome (received, stored, duplicate,
 * late), {@code actrec_http_in_flight}, {@code actrec_store_users}/{@code items}, and {@code actrec_model_info}
 * naming the recommender in use and its retrieval index,
 * {@code actrec_retrieval_recall_at_10} (that index against the exact scan) and {@code actrec_model_loads_total} by
 * outcome (swapped, rejected).
 */
final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter received;
    private final Counter stored;
    private final Counter duplicates;
    private final Counter late;
    private final Counter modelSwaps;
    private final Counter modelRejects;
    private Gauge modelInfo; // guarded by this
    /**
     * The request timers by their tags, so a request costs one map lookup instead of building tags and an id for
     * the registry to look up. Bounded like the registry's own meters: route templates and statuses are few.
     */
    private final Map<RequestKey, Timer> timers = new ConcurrentHashMap<>();

    private record RequestKey(String method, String route, int status) {
    }

    ServerMetrics(ActionStore store, ModelSlot models, IntSupplier inFlight) {
        received = ingestCounter("received");
        stored = ingestCounter("stored");
        duplicates = ingestCounter("duplicate");
        late = ingestCounter("late");
        Gauge.builder("actrec.http.in.flight", inFlight::getAsInt).description("requests being handled under admission")
                .register(registry);
        Gauge.builder("actrec.store.users", store::userCount).register(registry);
        Gauge.builder("actrec.store.items", store::itemCount).register(registry);
        modelSwaps = Counter.builder("actrec.model.loads").tag("outcome", "swapped")
                .description("POST /v1/admin/model requests by outcome").register(registry);
        modelRejects = Counter.builder("actrec.model.loads").tag("outcome", "rejected")
                .description("POST /v1/admin/model requests by outcome").register(registry);
        Gauge.builder("actrec.retrieval.recall_at_10", models, m -> m.loaded() == null ? Double.NaN
                        : m.loaded().recallAt10())
                .description("recall@10 of the model's retrieval index against the exact scan, measured at load")
                .register(registry);
        memoryGauge("actrec.memory.users", "users with a lifelong memory", UserMemories::users, models);
        memoryGauge("actrec.memory.pending.users", "users waiting for the memory updater", UserMemories::pending, models);
        memoryGauge("actrec.memory.folded.actions", "actions folded into memories since the model was loaded",
                UserMemories::foldedActions, models);
        memoryGauge("actrec.memory.rebuilds", "memories rebuilt after a late action landed in their folded part",
                UserMemories::rebuilds, models);
        memoryGauge("actrec.memory.snapshots", "memory snapshots written since the model was loaded",
                UserMemories::snapshotsWritten, models);
        showModel(models.current().name(), models.loaded() == null ? "none" : models.loaded().retrieval());
    }

    /** A gauge over the current model's memories (0 when there are none); it follows model swaps. */
    private void memoryGauge(String name, String description, java.util.function.ToDoubleFunction<UserMemories> f,
                             ModelSlot models) {
        Gauge.builder(name, models, m -> m.current() instanceof ModelRecommender r && r.memories() != null
                        ? f.applyAsDouble(r.memories()) : 0)
                .description(description).register(registry);
    }

    /** {@code actrec_model_info{model="VERSION",retrieval="hnsw"} 1} names what serves now, and only that. */
    private synchronized void showModel(String name, String retrieval) {
        if (modelInfo != null) registry.remove(modelInfo);
        modelInfo = Gauge.builder("actrec.model.info", () -> 1).tag("model", name).tag("retrieval", retrieval)
                .description("the recommender answering recommend and rank").register(registry);
    }

    void modelSwapped(ModelSlot.Loaded loaded) {
        modelSwaps.increment();
        showModel(loaded.info().version(), loaded.retrieval());
    }

    void modelLoadRejected() {
        modelRejects.increment();
    }

    private Counter ingestCounter(String outcome) {
        return Counter.builder("actrec.ingest.events").tag("outcome", outcome)
                .description("events in durable POST /v1/events requests").register(registry);
    }

    void ingested(int n, AppendResult r) {
        received.increment(n);
        stored.increment(r.stored());
        duplicates.increment(r.duplicates());
        late.increment(r.late());
    }

    void request(String method, String route, int status, long nanos) {
        timers.computeIfAbsent(new RequestKey(method, route, status), k -> Timer.builder("actrec.http.requests")
                .tag("method", k.method).tag("route", k.route).tag("status", Integer.toString(k.status))
                .publishPercentileHistogram().register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    String scrape() {
        return registry.scrape();
    }
}
