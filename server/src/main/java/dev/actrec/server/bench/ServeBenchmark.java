package dev.actrec.server.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.actrec.server.PopularityRecommender;
import dev.actrec.server.ServerProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code actrec bench serve}: the HTTP server in a child JVM on loopback, driven by a closed-loop client with a few
 * threads in this JVM. Measures, in one run: durable HTTP ingest (batches of {@code batchSize} NDJSON events),
 * then recommend (k=10) and rank ({@code candidates} items) latency, and as the floor, the same client's latency
 * for {@code GET /healthz} (an HTTP round trip that does no work). The recommender is the popularity fallback, not
 * a model: the figures measure the HTTP layer, the store and the fallback, and say so in the output.
 *
 * <p>Lives in the server module until the bench module depends on the server.
 */
public final class ServeBenchmark {
    public record Config(Path dir, int users, int items, int batches, int batchSize, int clients, int requests,
                         int candidates, long seed) {
        public Config {
            if (users < 1 || items < 1 || batches < 1 || batchSize < 1 || clients < 1 || requests < 1 || candidates < 1) {
                throw new IllegalArgumentException("every count must be >= 1: " + this);
            }
        }
    }

    private static final String TOKEN = "bench-token-" + Long.toHexString(System.nanoTime()) + "-0123456789";

    private final Config cfg;
    private final Consumer<String> progress;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private String base;

    public ServeBenchmark(Config cfg, Consumer<String> progress) {
        this.cfg = cfg;
        this.progress = progress;
    }

    public void run(JsonGenerator g) throws Exception {
        Path data = cfg.dir().resolve("serve-bench-store");
        deleteTree(data);
        Process server = startServer(data);
        try {
            double ingestRate = ingest();
            warmUp();
            Latency health = measure("healthz", i -> get("/healthz"));
            SplittableRandom rnd = new SplittableRandom(cfg.seed());
            String[] recommendPaths = new String[cfg.requests()];
            for (int i = 0; i < recommendPaths.length; i++) {
                recommendPaths[i] = "/v1/recommend?user=" + rnd.nextInt(cfg.users()) + "&k=10&exclude_seen=true";
            }
            Latency recommend = measure("recommend", i -> get(recommendPaths[i]));
            String[] rankBodies = new String[Math.min(cfg.requests(), 200)];
            for (int i = 0; i < rankBodies.length; i++) {
                StringBuilder sb = new StringBuilder("{\"user\":").append(rnd.nextInt(cfg.users())).append(",\"items\":[");
                for (int c = 0; c < cfg.candidates(); c++) sb.append(c == 0 ? "" : ",").append(rnd.nextInt(cfg.items()));
                rankBodies[i] = sb.append("]}").toString();
            }
            Latency rank = measure("rank", i -> post("/v1/rank", rankBodies[i % rankBodies.length]));

            g.writeStartObject();
            g.writeStringField("benchmark", "serve");
            g.writeStringField("model", PopularityRecommender.NAME);
            g.writeStringField("note", "popularity fallback, not a trained model: HTTP + store + fallback costs only");
            g.writeNumberField("seed", cfg.seed());
            g.writeObjectFieldStart("setup");
            g.writeNumberField("users", cfg.users());
            g.writeNumberField("items", cfg.items());
            g.writeNumberField("ingest_batches", cfg.batches());
            g.writeNumberField("batch_size", cfg.batchSize());
            g.writeNumberField("client_threads", cfg.clients());
            g.writeNumberField("requests_per_route", cfg.requests());
            g.writeNumberField("rank_candidates", cfg.candidates());
            g.writeStringField("server", "child JVM on loopback, HTTP/1.1, durable (fsync) ingest");
            g.writeEndObject();
            g.writeNumberField("ingest_http_actions_per_s", Math.round(ingestRate));
            recommend.write(g, "recommend");
            rank.write(g, "rank" + cfg.candidates());
            health.write(g, "floor_healthz");
            writeMachine(g);
            g.writeEndObject();
        } finally {
            server.destroy();
            server.waitFor();
            deleteTree(data);
        }
    }

    private Process startServer(Path data) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
                ServerProcess.class.getName(), data.toString(), "max_in_flight=1000", "max_candidates="
                + Math.max(1000, cfg.candidates()), "popularity.refresh_ms=100")
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("ACTREC_TOKEN", TOKEN);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("PORT ")) {
                base = "http://127.0.0.1:" + line.substring(5).strip();
                progress.accept("server up at " + base);
                return p;
            }
        }
        throw new IOException("the server process exited without serving (exit " + p.waitFor() + ")");
    }

    /** Closed loop: each client thread posts prebuilt batches back to back; returns durable actions per second. */
    private double ingest() throws Exception {
        SplittableRandom rnd = new SplittableRandom(cfg.seed());
        int distinct = Math.min(cfg.batches(), 64); // bodies are reused; ts moves so nothing is a duplicate
        String[][] parts = new String[distinct][];
        for (int b = 0; b < distinct; b++) {
            parts[b] = new String[cfg.batchSize()];
            for (int i = 0; i < cfg.batchSize(); i++) {
                parts[b][i] = "{\"user\":" + rnd.nextInt(cfg.users()) + ",\"item\":" + rnd.nextInt(cfg.items())
                        + ",\"action\":\"view\",\"watch_ms\":" + rnd.nextInt(60_000) + ",\"ts\":";
            }
        }
        AtomicInteger next = new AtomicInteger();
        long[] stored = new long[cfg.clients()];
        progress.accept("ingesting " + (long) cfg.batches() * cfg.batchSize() + " events over HTTP");
        long t0 = System.nanoTime();
        runClients(c -> {
            StringBuilder sb = new StringBuilder(cfg.batchSize() * 90);
            for (int b; (b = next.getAndIncrement()) < cfg.batches(); ) {
                sb.setLength(0);
                String[] p = parts[b % distinct];
                long ts = 1_700_000_000_000L + (long) b * cfg.batchSize();
                for (int i = 0; i < p.length; i++) sb.append(p[i]).append(ts + i).append("}\n");
                String r = post("/v1/events", sb.toString());
                if (!r.contains("\"stored\":" + cfg.batchSize())) throw new IllegalStateException("batch " + b + ": " + r);
                stored[c] += cfg.batchSize();
            }
        });
        double s = (System.nanoTime() - t0) / 1e9;
        return Arrays.stream(stored).sum() / s;
    }

    private void warmUp() throws Exception {
        progress.accept("warming up");
        int n = Math.min(2000, cfg.requests());
        for (int i = 0; i < n; i++) {
            get("/healthz");
            get("/v1/recommend?user=" + (i % cfg.users()) + "&k=10&exclude_seen=true");
        }
    }

    @FunctionalInterface
    private interface Call {
        void run(int i) throws Exception;
    }

    @FunctionalInterface
    private interface ClientLoop {
        void run(int client) throws Exception;
    }

    private void runClients(ClientLoop loop) throws Exception {
        List<Thread> threads = new ArrayList<>();
        Exception[] failure = new Exception[1];
        for (int c = 0; c < cfg.clients(); c++) {
            int id = c;
            Thread t = new Thread(() -> {
                try {
                    loop.run(id);
                } catch (Exception e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
            }, "bench-client-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join();
        if (failure[0] != null) throw failure[0];
    }

    private Latency measure(String what, Call call) throws Exception {
        progress.accept("timing " + what + " (" + cfg.requests() + " requests, " + cfg.clients() + " clients)");
        long[] nanos = new long[cfg.requests()];
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        runClients(c -> {
            for (int i; (i = next.getAndIncrement()) < nanos.length; ) {
                long s = System.nanoTime();
                call.run(i);
                nanos[i] = System.nanoTime() - s;
            }
        });
        double seconds = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(nanos);
        return new Latency(pct(nanos, 0.50), pct(nanos, 0.99), nanos[nanos.length - 1] / 1e6, nanos.length / seconds);
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private record Latency(double p50Ms, double p99Ms, double maxMs, double perSecond) {
        void write(JsonGenerator g, String prefix) throws IOException {
            g.writeNumberField(prefix + "_p50_ms", round(p50Ms));
            g.writeNumberField(prefix + "_p99_ms", round(p99Ms));
            g.writeNumberField(prefix + "_max_ms", round(maxMs));
            g.writeNumberField(prefix + "_per_s", Math.round(perSecond));
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private String get(String path) throws IOException, InterruptedException {
        return check(client.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString()));
    }

    private String post(String path, String body) throws IOException, InterruptedException {
        return check(client.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    /** A benchmark that counted errors as fast answers would measure nothing: any non-200 stops it. */
    private static String check(HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.request().method() + " " + r.uri().getPath() + ": " + r.statusCode()
                    + " " + r.body());
        }
        return r.body();
    }

    private static void writeMachine(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("machine");
        g.writeNumberField("cores", Runtime.getRuntime().availableProcessors());
        g.writeStringField("java", Runtime.version().toString());
        g.writeStringField("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        String cpu = "unknown";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse(cpu);
        } catch (IOException ignored) {
            // not Linux: the model stays unknown
        }
        g.writeStringField("cpu", cpu);
        g.writeNumberField("load_average_1m", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        g.writeEndObject();
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
