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
 * naming the recommender in use.
 */
final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter received;
    private final Counter stored;
    private final Counter duplicates;
    private final Counter late;
    /**
     * The request timers by their tags, so a request costs one map lookup instead of building tags and an id for
     * the registry to look up. Bounded like the registry's own meters: route templates and statuses are few.
     */
    private final Map<RequestKey, Timer> timers = new ConcurrentHashMap<>();

    private record RequestKey(String method, String route, int status) {
    }

    ServerMetrics(ActionStore store, String modelName, IntSupplier inFlight) {
        received = ingestCounter("received");
        stored = ingestCounter("stored");
        duplicates = ingestCounter("duplicate");
        late = ingestCounter("late");
        Gauge.builder("actrec.http.in.flight", inFlight::getAsInt).description("requests being handled under admission")
                .register(registry);
        Gauge.builder("actrec.store.users", store::userCount).register(registry);
        Gauge.builder("actrec.store.items", store::itemCount).register(registry);
        Gauge.builder("actrec.model.info", () -> 1).tag("model", modelName)
                .description("the recommender answering recommend and rank").register(registry);
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
