package dev.actrec.server;

import dev.actrec.store.ActionStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server. Routes are declared in {@link #routes}, each a line calling {@link ActApi}; every refusal is
 * turned into a JSON error in {@link #errors}; auth, admission and metrics wrap each route in {@link #route}.
 *
 * <p>Admission: at most {@code max_in_flight} {@code /v1} requests are handled at once; one more gets 503 with
 * {@code Retry-After} at once instead of queueing, so overload costs the server nothing but the refusal. Request
 * bodies are read as streams under the {@code max_body_bytes} cap (413), never buffered whole first.
 *
 * <p>The server does not own the store: whoever opened it closes it after {@link #close()}.
 */
public final class ActServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ActServer.class);
    private static final String JSON = "application/json";
    private static final String START = "actrec.start";
    private static final String ROUTE = "actrec.route";

    private final ServerConfig config;
    private final ActApi api;
    private final ServerMetrics metrics;
    private final BearerAuth auth;
    private final Semaphore admission;
    private final byte[] openapi;
    private final Javalin app;

    private ActServer(ServerConfig config, ActionStore store, ModelSlot models) {
        this.config = config;
        this.admission = new Semaphore(config.maxInFlight());
        this.metrics = new ServerMetrics(store, models,
                () -> config.maxInFlight() - admission.availablePermits());
        this.api = new ActApi(config, store, models, metrics);
        this.auth = new BearerAuth(config.tokens());
        this.openapi = loadOpenApi();
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.http.prefer405over404 = true;
            cfg.http.maxRequestSize = config.maxBodyBytes();
            cfg.http.disableCompression();
            cfg.router.ignoreTrailingSlashes = true;
        });
        app.before(ctx -> ctx.attribute(START, System.nanoTime()));
        app.after(this::recordRequest);
        routes();
        errors();
    }

    /** Starts serving on {@code config.host():config.port()} (port 0: any free one, see {@link #port()}). */
    static ActServer start(ServerConfig config, ActionStore store, ModelSlot models) {
        ActServer s = new ActServer(config, store, models);
        // A parsed event costs about what its JSON does; an array body is held twice while it is re-read as lines.
        long worstCase = 3L * config.maxInFlight() * config.maxBodyBytes();
        if (worstCase > Runtime.getRuntime().maxMemory()) {
            LOG.warn("max_in_flight ({}) x max_body_bytes ({}) may need up to {} MiB of heap for request bodies, more "
                    + "than the {} MiB available; lower one of them or raise -Xmx", config.maxInFlight(),
                    config.maxBodyBytes(), worstCase >> 20, Runtime.getRuntime().maxMemory() >> 20);
        }
        s.app.start(config.host(), config.port());
        LOG.info("serving on http://{}:{} with {}", config.host(), s.port(), models.current().name());
        return s;
    }

    public int port() {
        return app.port();
    }

    // ---------------------------------------------------------------- routes, in one place

    private void routes() {
        route(HandlerType.POST, "/v1/events", Scope.INGEST, ctx -> {
            ActApi.Reply r = api.ingest(body(ctx), ctx.header("Idempotency-Key"));
            if (r.replayed()) ctx.header("Idempotent-Replayed", "true");
            json(ctx, 200, r.body());
        });
        route(HandlerType.GET, "/v1/users/{user}/actions", readScope(),
                ctx -> json(ctx, 200, api.history(ctx.pathParam("user"), intParam(ctx, "last", 100, 0, config.maxHistory()))));
        route(HandlerType.GET, "/v1/recommend", readScope(), ctx -> json(ctx, 200, api.recommend(requiredParam(ctx, "user"),
                intParam(ctx, "k", 10, 1, config.maxK()), boolParam(ctx, "exclude_seen", false))));
        route(HandlerType.POST, "/v1/rank", readScope(), ctx -> json(ctx, 200, api.rank(body(ctx))));
        route(HandlerType.GET, "/v1/explain", readScope(), ctx -> json(ctx, 200, api.explain(requiredParam(ctx, "user"),
                requiredParam(ctx, "item"), intParam(ctx, "top", 10, 1, 100))));
        route(HandlerType.POST, "/v1/admin/model", Scope.ADMIN, ctx -> json(ctx, 200, api.loadModel(body(ctx))));

        app.get("/healthz", ctx -> json(ctx, 200, "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8)));
        app.get("/readyz", ctx -> json(ctx, api.ready() ? 200 : 503, ("{\"ready\":" + api.ready() + ",\"model\":\""
                + api.modelName() + "\"}").getBytes(StandardCharsets.UTF_8)));
        app.get("/metrics", ctx -> {
            auth.check(ctx.header("Authorization"), readScope());
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
        });
        app.get("/openapi.json", ctx -> json(ctx, 200, openapi));
    }

    @FunctionalInterface
    private interface Action {
        void handle(Context ctx) throws Exception;
    }

    /** Declares a {@code /v1} route: auth, then admission, then the action; the route template labels metrics. */
    private void route(HandlerType method, String path, Scope scope, Action action) {
        app.addHttpHandler(method, path, ctx -> {
            ctx.attribute(ROUTE, path);
            auth.check(ctx.header("Authorization"), scope);
            if (!admission.tryAcquire()) {
                ctx.header("Retry-After", Integer.toString(config.retryAfterSeconds()));
                throw ApiException.overloaded(config.maxInFlight() + " requests in flight (max_in_flight); retry after "
                        + config.retryAfterSeconds() + " s");
            }
            try {
                action.handle(ctx);
            } finally {
                admission.release();
            }
        });
    }

    /** Reads need a token only when {@code read_auth} is on. */
    private Scope readScope() {
        return config.readAuth() ? Scope.READ : null;
    }

    private InputStream body(Context ctx) throws IOException {
        long declared = ctx.contentLength();
        if (declared > config.maxBodyBytes()) throw ApiException.tooLarge(config.maxBodyBytes());
        return ctx.req().getInputStream();
    }

    private static void json(Context ctx, int status, byte[] body) {
        ctx.status(status).contentType(JSON).result(body);
    }

    private static String requiredParam(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.isEmpty()) throw ApiException.badRequest(name, "missing query parameter '" + name + "'");
        return v;
    }

    private static int intParam(Context ctx, String name, int def, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null) return def;
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name, "value '" + v + "' is not an integer");
        }
        if (n < min || n > max) throw ApiException.badRequest(name, "value " + n + " out of range " + min + ".." + max);
        return (int) n;
    }

    private static boolean boolParam(Context ctx, String name, boolean def) {
        String v = ctx.queryParam(name);
        if (v == null) return def;
        return switch (v) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw ApiException.badRequest(name, "value '" + v + "' is not true or false");
        };
    }

    // ---------------------------------------------------------------- errors, in one place

    private void errors() {
        app.exception(ApiException.class, (e, ctx) -> {
            if (e.status() == 401) ctx.header("WWW-Authenticate", "Bearer");
            error(ctx, e.status(), e.error(), e.field(), e.detail(), e.line(), e.event());
        });
        app.exception(HttpResponseException.class, (e, ctx) -> {
            int status = e.getStatus();
            String code = switch (status) {
                case 404 -> "not_found";
                case 405 -> "method_not_allowed";
                case 413 -> "payload_too_large";
                default -> "http_" + status;
            };
            error(ctx, status, code, null, e.getMessage() + ": " + ctx.method() + " " + ctx.path(), -1, -1);
        });
        app.exception(IOException.class, (e, ctx) -> {
            LOG.error("{} {}: store or I/O failure", ctx.method(), ctx.path(), e);
            ctx.header("Retry-After", Integer.toString(config.retryAfterSeconds()));
            error(ctx, 503, "unavailable", null, e.getMessage(), -1, -1);
        });
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {}: unexpected failure", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal", null, e.toString(), -1, -1);
        });
    }

    private static void error(Context ctx, int status, String code, String field, String detail, long line, long event) {
        json(ctx, status, Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("error", code);
            g.writeStringField("field", field);
            g.writeStringField("detail", detail);
            if (line >= 0) g.writeNumberField("line", line);
            if (event >= 0) g.writeNumberField("event", event);
            g.writeEndObject();
        }));
    }

    private void recordRequest(Context ctx) {
        Long start = ctx.attribute(START);
        if (start == null) return;
        String route = ctx.attribute(ROUTE);
        if (route == null) {
            // Fixed routes name themselves; anything else is one label, so that scanners cannot grow the metrics.
            route = switch (ctx.path()) {
                case "/healthz", "/readyz", "/metrics", "/openapi.json" -> ctx.path();
                default -> "unmatched";
            };
        }
        metrics.request(ctx.method().name(), route, ctx.statusCode(), System.nanoTime() - start);
    }

    private static byte[] loadOpenApi() {
        try (InputStream in = ActServer.class.getResourceAsStream("openapi.json")) {
            if (in == null) throw new IllegalStateException("openapi.json missing from the server jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        app.stop();
    }
}
