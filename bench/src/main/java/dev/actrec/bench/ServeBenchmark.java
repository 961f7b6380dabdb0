package dev.actrec.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import dev.actrec.model.ForwardConfig;
import dev.actrec.model.ModelFile;
import dev.actrec.model.ServingModel;
import dev.actrec.model.SyntheticModels;
import dev.actrec.server.ServerProcess;
import dev.actrec.simd.PeakFlops;
import dev.actrec.store.ActionStore;
import dev.actrec.store.StoreConfig;
import dev.actrec.train.DjlServingForward;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code actrec bench serve}: the server with a model, in a child JVM on loopback, driven by a closed-loop client
 * in this JVM. One run:
 * <ol>
 *   <li>builds a store with a catalog of {@code items} items: one user per history length in {@code lengths}
 *       (the longest one touches every item once, so the whole catalog is in the store) and {@code users} ordinary
 *       users with {@code actionsPerUser} actions each;</li>
 *   <li>writes a seeded synthetic {@code act} model over the same catalog (its item table clustered, as trained
 *       embeddings are) and starts the server with it, waiting until {@code /readyz} says its retrieval index is
 *       built;</li>
 *   <li>times durable HTTP ingest (batches of {@code batchSize}), recommend (k=10, {@code exclude_seen}) for
 *       ordinary users and per history length, rank of {@code candidates} items per history length, recommend
 *       throughput at saturation ({@code 4 x clients}), and {@code /healthz} as the HTTP floor;</li>
 *   <li>and, in this JVM on the same model file, the peers of the forward pass: the pure-Java one, DJL/PyTorch's,
 *       and the compute floor (the model's FLOPs over the Vector API peak measured now).</li>
 * </ol>
 * Every non-200 answer stops the run: a benchmark that counted errors as fast answers would measure nothing.
 */
public final class ServeBenchmark {
    public record Config(Path dir, int items, int[] lengths, int users, int actionsPerUser, int batches, int batchSize,
                         int clients, int requests, int candidates, int dim, int layers, int heads, int maxLen,
                         long seed, List<String> serverSettings) {
        public Config {
            if (items < 1 || users < 1 || actionsPerUser < 1 || batches < 1 || batchSize < 1 || clients < 1
                    || requests < 1 || candidates < 1 || dim < 1 || layers < 1 || heads < 1 || maxLen < 1) {
                throw new IllegalArgumentException("every count must be >= 1");
            }
            for (int l : lengths) if (l < 1) throw new IllegalArgumentException("history length " + l + " < 1");
            if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " is not a multiple of heads " + heads);
            serverSettings = List.copyOf(serverSettings);
        }
    }

    private static final String TOKEN = "bench-token-" + Long.toHexString(System.nanoTime()) + "-0123456789";
    private static final long LONG_USER_BASE = 1_000_000_000L;
    private static final long T0 = 1_700_000_000_000L;
    /** The collector of {@code actrec serve} (the launcher's), unless ACTREC_BENCH_SERVER_OPTS names another. */
    private static final String SERVER_GC = "-XX:+UseG1GC";
    /** The launcher's page setting for {@code actrec serve}, unless ACTREC_BENCH_SERVER_OPTS sets it. */
    private static final String SERVER_PAGES = "-XX:+UseTransparentHugePages";

    private final Config cfg;
    private final Consumer<String> progress;
    private final ThreadLocal<LoopbackHttpClient> connection = new ThreadLocal<>();
    private final List<LoopbackHttpClient> connections = new ArrayList<>();
    private String base;
    private int port;

    public ServeBenchmark(Config cfg, Consumer<String> progress) {
        this.cfg = cfg;
        this.progress = progress;
    }

    public void run(JsonGenerator g) throws Exception {
        Path data = cfg.dir().resolve("serve-bench-store");
        Path modelFile = cfg.dir().resolve("serve-bench-model.bin");
        deleteTree(data);
        Files.createDirectories(cfg.dir());
        long setupStart = System.nanoTime();
        long stored = buildStore(data);
        progress.accept("writing a synthetic act model over " + cfg.items() + " items");
        SyntheticModels.write(modelFile, new ForwardConfig("act", cfg.dim(), cfg.heads(), cfg.layers(), cfg.maxLen(),
                cfg.items(), "cosine", 0.05), cfg.seed(), Math.max(1, cfg.items() / 1000));
        double setupSeconds = (System.nanoTime() - setupStart) / 1e9;

        Map<String, Object> server = new LinkedHashMap<>();
        Process proc = startServer(data, modelFile, server);
        Map<Integer, Latency> recommendByLen = new LinkedHashMap<>();
        Map<Integer, Latency> rankByLen = new LinkedHashMap<>();
        Map<Integer, Latency> rankAloneByLen = new LinkedHashMap<>();
        Map<Integer, ServerTime> rankServerByLen = new LinkedHashMap<>();
        Latency recommend;
        Latency saturation;
        Latency health;
        double ingestRate;
        Map<String, String> retrieval;
        try {
            warmUp();
            health = measure("healthz", cfg.clients(), cfg.requests(), i -> get("/healthz"));
            SplittableRandom rnd = new SplittableRandom(cfg.seed());
            String[] paths = new String[cfg.requests()];
            for (int i = 0; i < paths.length; i++) paths[i] = recommendPath(1 + rnd.nextInt(cfg.users()));
            recommend = measure("recommend", cfg.clients(), cfg.requests(), i -> get(paths[i]));
            saturation = measure("recommend at saturation", 4 * cfg.clients(), cfg.requests(), i -> get(paths[i]));
            int perLength = Math.max(50, cfg.requests() / 5);
            for (int len : cfg.lengths()) {
                String path = recommendPath(LONG_USER_BASE + len);
                recommendByLen.put(len, measure("recommend, history " + len, cfg.clients(), perLength, i -> get(path)));
                String[] bodies = rankBodies(LONG_USER_BASE + len, rnd, 32);
                String what = "rank " + cfg.candidates() + ", history " + len;
                Call rank = i -> post("/v1/rank", bodies[i % bodies.length]);
                String before = getUntimed("/metrics");
                rankByLen.put(len, measure(what, cfg.clients(), perLength, rank));
                rankServerByLen.put(len, ServerTime.between(before, getUntimed("/metrics"), "POST", "/v1/rank"));
                if (cfg.clients() > 1) rankAloneByLen.put(len, measure(what, 1, perLength, rank));
            }
            ingestRate = ingest();
            retrieval = retrievalFacts();
        } finally {
            closeConnections();
            proc.destroy();
            proc.waitFor();
        }

        progress.accept("timing the forward pass in this JVM: pure Java, then DJL/PyTorch");
        int[] history = new int[cfg.maxLen()];
        SplittableRandom hr = new SplittableRandom(cfg.seed() + 1);
        for (int i = 0; i < history.length; i++) history[i] = 1 + hr.nextInt(cfg.items());
        double javaMs = javaForwardMillis(modelFile, history);
        double djlMs = DjlServingForward.medianForwardMillis(modelFile, history, history.length, 20, 200);
        double peak = PeakFlops.measureFmaGflops();
        double flops = actFlops(cfg.dim(), cfg.layers(), cfg.maxLen());
        double floorMs = flops / (peak * 1e9) * 1e3;

        g.writeStartObject();
        g.writeStringField("benchmark", "serve");
        g.writeNumberField("seed", cfg.seed());
        g.writeObjectFieldStart("setup");
        g.writeNumberField("catalog_items", cfg.items());
        g.writeNumberField("ordinary_users", cfg.users());
        g.writeNumberField("actions_per_ordinary_user", cfg.actionsPerUser());
        g.writeStringField("long_users", "one per history length, user id " + LONG_USER_BASE + " + length");
        g.writeNumberField("actions_stored", stored);
        g.writeStringField("model", "act, synthetic seeded weights, d=" + cfg.dim() + ", layers=" + cfg.layers()
                + ", heads=" + cfg.heads() + ", window=" + cfg.maxLen() + ", clustered item table");
        g.writeStringField("model_sha256", sha256(modelFile));
        g.writeNumberField("client_threads", cfg.clients());
        g.writeNumberField("requests_per_route", cfg.requests());
        g.writeNumberField("rank_candidates", cfg.candidates());
        g.writeNumberField("ingest_batches", cfg.batches());
        g.writeNumberField("batch_size", cfg.batchSize());
        g.writeStringField("recommend", "k=10, exclude_seen=true");
        g.writeStringField("server", "child JVM on loopback, HTTP/1.1; client: this JVM, closed loop; ingest durable (fsync)");
        g.writeNumberField("setup_s", round(setupSeconds));
        for (Map.Entry<String, Object> e : server.entrySet()) g.writeObjectField(e.getKey(), e.getValue());
        g.writeEndObject();

        recommend.write(g, "recommend");
        g.writeNumberField("recommend_saturation_per_s", Math.round(saturation.perSecond()));
        g.writeNumberField("recommend_saturation_clients", 4 * cfg.clients());
        writeByLength(g, "recommend", recommendByLen);
        writeByLength(g, "rank" + cfg.candidates(), rankByLen);
        writeEachLength(g, "rank" + cfg.candidates() + "_server_mean_ms_by_len", rankServerByLen, ServerTime::meanMs);
        writeEachLength(g, "rank" + cfg.candidates() + "_server_p99_at_most_ms_by_len", rankServerByLen,
                ServerTime::p99AtMostMs);
        if (!rankAloneByLen.isEmpty()) writeByLength(g, "rank" + cfg.candidates() + "_one_client", rankAloneByLen);
        g.writeNumberField("ingest_http_actions_per_s", Math.round(ingestRate));
        health.write(g, "floor_healthz");
        g.writeNumberField("java_forward_ms", round(javaMs));
        g.writeNumberField("djl_forward_ms", round(djlMs));
        g.writeNumberField("java_speedup_over_djl", round(djlMs / javaMs));
        g.writeNumberField("model_forward_mflop", round(flops / 1e6));
        g.writeNumberField("vector_peak_gflops", round(peak));
        g.writeNumberField("compute_floor_ms", round(floorMs));
        g.writeNumberField("java_forward_over_floor", round(javaMs / floorMs));
        g.writeStringField("retrieval", retrieval.get("retrieval"));
        g.writeNumberField("ann_recall_at_10", round(Double.parseDouble(retrieval.get("ann_recall_at_10"))));
        g.writeObjectFieldStart("targets");
        g.writeBooleanField("recommend_p99_le_10ms", recommend.p99Ms() <= 10);
        boolean rankOk = true;
        for (Map.Entry<Integer, Latency> e : rankByLen.entrySet()) {
            if (e.getKey() <= 10_000) rankOk &= e.getValue().p99Ms() <= 20;
        }
        g.writeBooleanField("rank1000_p99_le_20ms_up_to_1e4", rankOk);
        Latency longest = rankByLen.get(1_000_000);
        if (longest != null) {
            g.writeBooleanField("rank1000_p99_le_20ms_at_1e6", longest.p99Ms() <= 20);
            Latency alone = rankAloneByLen.get(1_000_000);
            if (alone != null) g.writeBooleanField("rank1000_p99_le_20ms_at_1e6_one_client", alone.p99Ms() <= 20);
        }
        g.writeBooleanField("java_forward_2x_faster_than_djl", djlMs >= 2 * javaMs);
        g.writeBooleanField("ingest_ge_200k_per_s", ingestRate >= 200_000);
        g.writeEndObject();
        Machine.write(g);
        g.writeEndObject();
        deleteTree(data);
    }

    private String recommendPath(long user) {
        return "/v1/recommend?user=" + user + "&k=10&exclude_seen=true";
    }

    private String[] rankBodies(long user, SplittableRandom rnd, int distinct) {
        String[] bodies = new String[distinct];
        for (int b = 0; b < distinct; b++) {
            StringBuilder sb = new StringBuilder("{\"user\":").append(user).append(",\"items\":[");
            for (int c = 0; c < cfg.candidates(); c++) sb.append(c == 0 ? "" : ",").append(1 + rnd.nextInt(cfg.items()));
            bodies[b] = sb.append("]}").toString();
        }
        return bodies;
    }

    private static void writeByLength(JsonGenerator g, String prefix, Map<Integer, Latency> byLen) throws IOException {
        writeEachLength(g, prefix + "_p50_ms_by_len", byLen, Latency::p50Ms);
        writeEachLength(g, prefix + "_p99_ms_by_len", byLen, Latency::p99Ms);
        writeEachLength(g, prefix + "_max_ms_by_len", byLen, Latency::maxMs);
    }

    /** {@code "field": {"<length>": figure, ...}}, rounded. */
    private static <V> void writeEachLength(JsonGenerator g, String field, Map<Integer, V> byLen,
                                            java.util.function.ToDoubleFunction<V> figure) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<Integer, V> e : byLen.entrySet()) {
            g.writeNumberField(Integer.toString(e.getKey()), round(figure.applyAsDouble(e.getValue())));
        }
        g.writeEndObject();
    }

    // ---------------------------------------------------------------- setup

    /** Writes the catalog's users straight into the store (the setup, not what is measured). */
    private long buildStore(Path data) throws IOException {
        progress.accept("building the store: " + cfg.users() + " ordinary users, long histories " + Arrays.toString(cfg.lengths())
                + " over " + cfg.items() + " items");
        SplittableRandom rnd = new SplittableRandom(cfg.seed());
        long total = 0;
        try (ActionStore store = ActionStore.open(StoreConfig.defaults(data))) {
            EventBatch batch = new EventBatch(100_000);
            int longest = Arrays.stream(cfg.lengths()).max().orElse(0);
            int[] permutation = permutation(cfg.items(), rnd);
            for (int len : cfg.lengths()) {
                for (int i = 0; i < len; i++) {
                    // The longest history walks the whole catalog once; the others draw at random.
                    long item = len == longest && i < permutation.length ? permutation[i] : 1 + rnd.nextInt(cfg.items());
                    batch.add(LONG_USER_BASE + len, item, ActionType.VIEW, T0 + i, 10_000, 30_000);
                    if (batch.size() == 100_000) total += flush(store, batch);
                }
            }
            for (int u = 1; u <= cfg.users(); u++) {
                for (int i = 0; i < cfg.actionsPerUser(); i++) {
                    batch.add(u, 1 + rnd.nextInt(cfg.items()), ActionType.VIEW, T0 + i, 10_000, 30_000);
                    if (batch.size() == 100_000) total += flush(store, batch);
                }
            }
            total += flush(store, batch);
        }
        return total;
    }

    private static long flush(ActionStore store, EventBatch batch) throws IOException {
        if (batch.isEmpty()) return 0;
        long n = store.append(batch).stored();
        batch.clear();
        return n;
    }

    private static int[] permutation(int n, SplittableRandom rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i + 1;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private Process startServer(Path data, Path model, Map<String, Object> facts) throws IOException, InterruptedException {
        progress.accept("starting the server with the model");
        long t0 = System.nanoTime();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector"));
        // For profiling or another collector, e.g. ACTREC_BENCH_SERVER_OPTS="-XX:+UseZGC -Xlog:gc:file=gc.log"
        String extra = System.getenv("ACTREC_BENCH_SERVER_OPTS");
        if (extra == null || !extra.matches(".*-XX:\\+Use\\w*GC.*")) cmd.add(SERVER_GC);
        if (extra == null || !extra.contains("TransparentHugePages")) cmd.add(SERVER_PAGES);
        if (extra != null && !extra.isBlank()) cmd.addAll(List.of(extra.strip().split("\\s+")));
        facts.put("server_jvm_options", String.join(" ", cmd.subList(1, cmd.size())));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ServerProcess.class.getName(), data.toString(),
                "model=" + model, "max_in_flight=1000", "max_candidates=" + Math.max(1000, cfg.candidates()),
                "popularity.refresh_ms=100", "popularity.seed_per_user=10"));
        cmd.addAll(cfg.serverSettings());
        facts.put("server_settings", String.join(" ", cfg.serverSettings()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(cfg.dir().resolve("serve-bench-server.log").toFile());
        pb.environment().put("ACTREC_TOKEN", TOKEN);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("PORT ")) {
                port = Integer.parseInt(line.substring(5).strip());
                base = "http://127.0.0.1:" + port;
                facts.put("server_start_s", round((System.nanoTime() - t0) / 1e9));
                while (connection().get("/readyz").status() != 200) Thread.sleep(200);
                facts.put("server_ready_s", round((System.nanoTime() - t0) / 1e9));
                // Long users are measured with their lifelong memory: wait until the updater has built them all.
                Pattern pending = Pattern.compile("(?m)^actrec_memory_pending_users ([0-9.eE+]+)$");
                Pattern users = Pattern.compile("(?m)^actrec_memory_users ([0-9.eE+]+)$");
                while (true) {
                    String metrics = getUntimed("/metrics");
                    Matcher mp = pending.matcher(metrics), mu = users.matcher(metrics);
                    if (!mp.find() || !mu.find()) throw new IOException("the server exports no actrec_memory_* metrics");
                    if (Double.parseDouble(mp.group(1)) == 0) {
                        facts.put("memory_users", (long) Double.parseDouble(mu.group(1)));
                        break;
                    }
                    Thread.sleep(200);
                }
                facts.put("memory_ready_s", round((System.nanoTime() - t0) / 1e9));
                progress.accept("server ready at " + base);
                return p;
            }
        }
        throw new IOException("the server process exited without serving (exit " + p.waitFor() + "); see "
                + cfg.dir().resolve("serve-bench-server.log"));
    }

    // ---------------------------------------------------------------- measured phases

    /** Closed loop: each client thread posts prebuilt batches back to back; returns durable actions per second. */
    private double ingest() throws Exception {
        SplittableRandom rnd = new SplittableRandom(cfg.seed() + 2);
        int distinct = Math.min(cfg.batches(), 64); // bodies are reused; ts moves so nothing is a duplicate
        String[][] parts = new String[distinct][];
        for (int b = 0; b < distinct; b++) {
            parts[b] = new String[cfg.batchSize()];
            for (int i = 0; i < cfg.batchSize(); i++) {
                parts[b][i] = "{\"user\":" + (1 + rnd.nextInt(cfg.users())) + ",\"item\":" + (1 + rnd.nextInt(cfg.items()))
                        + ",\"action\":\"view\",\"watch_ms\":" + rnd.nextInt(60_000) + ",\"ts\":";
            }
        }
        AtomicInteger next = new AtomicInteger();
        long[] stored = new long[cfg.clients()];
        progress.accept("ingesting " + (long) cfg.batches() * cfg.batchSize() + " events over HTTP");
        long t0 = System.nanoTime();
        runClients(cfg.clients(), c -> {
            StringBuilder sb = new StringBuilder(cfg.batchSize() * 90);
            for (int b; (b = next.getAndIncrement()) < cfg.batches(); ) {
                sb.setLength(0);
                String[] p = parts[b % distinct];
                long ts = T0 + 10_000_000L + (long) b * cfg.batchSize();
                for (int i = 0; i < p.length; i++) sb.append(p[i]).append(ts + i).append("}\n");
                String r = post("/v1/events", sb.toString());
                if (!r.contains("\"stored\":" + cfg.batchSize())) throw new IllegalStateException("batch " + b + ": " + r);
                stored[c] += cfg.batchSize();
            }
        });
        double s = (System.nanoTime() - t0) / 1e9;
        return Arrays.stream(stored).sum() / s;
    }

    /** Every timed route once compiled: the first requests of a route run interpreted and would be its tail. */
    private void warmUp() throws Exception {
        progress.accept("warming up");
        int n = Math.min(2000, cfg.requests());
        String[] rank = rankBodies(1 + cfg.users() / 2, new SplittableRandom(cfg.seed() + 3), 8);
        for (int i = 0; i < n; i++) {
            get("/healthz");
            get(recommendPath(1 + i % cfg.users()));
            if (i % 4 == 0) post("/v1/rank", rank[i % rank.length]);
        }
    }

    /** The server's retrieval index and its recall@10 against the exact scan, measured when it built the index. */
    private Map<String, String> retrievalFacts() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        String metrics = getUntimed("/metrics");
        Matcher kind = Pattern.compile("actrec_model_info\\{[^}]*retrieval=\"(\\w+)\"").matcher(metrics);
        out.put("retrieval", kind.find() ? kind.group(1) : "unknown");
        Matcher recall = Pattern.compile("(?m)^actrec_retrieval_recall_at_10 ([0-9.eE+-]+|NaN)$").matcher(metrics);
        out.put("ann_recall_at_10", recall.find() ? recall.group(1) : "NaN");
        return out;
    }

    private double javaForwardMillis(Path modelFile, int[] history) throws IOException {
        ServingModel model = ModelFile.load(modelFile);
        float[] out = new float[model.dim()];
        for (int i = 0; i < 200; i++) model.encode(history, history.length, out);
        long[] nanos = new long[500];
        for (int i = 0; i < nanos.length; i++) {
            long s = System.nanoTime();
            model.encode(history, history.length, out);
            nanos[i] = System.nanoTime() - s;
        }
        if (!Float.isFinite(out[0])) throw new IllegalStateException("the forward pass gave " + out[0]);
        Arrays.sort(nanos);
        return nanos[nanos.length / 2] / 1e6;
    }

    /**
     * Multiply-adds of one act forward pass over a full window, counted as 2 FLOPs each: per layer the u,v,q,k
     * projection (L d 4d) and the output projection (L d d), causal attention scores and weighted values
     * (2 x L(L+1)/2 x d); layer norms and activations are left out (a few per element).
     */
    static double actFlops(int d, int layers, int len) {
        double perLayer = (double) len * d * 4 * d + (double) len * d * d + 2.0 * len * (len + 1) / 2 * d;
        return 2 * layers * perLayer;
    }

    // ---------------------------------------------------------------- client

    @FunctionalInterface
    private interface Call {
        void run(int i) throws Exception;
    }

    @FunctionalInterface
    private interface ClientLoop {
        void run(int client) throws Exception;
    }

    private void runClients(int clients, ClientLoop loop) throws Exception {
        List<Thread> threads = new ArrayList<>();
        Exception[] failure = new Exception[1];
        for (int c = 0; c < clients; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                try {
                    connection(); // connected before the clock starts
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

    private Latency measure(String what, int clients, int requests, Call call) throws Exception {
        progress.accept("timing " + what + " (" + requests + " requests, " + clients + " clients)");
        long[] nanos = new long[requests];
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        runClients(clients, c -> {
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

    /**
     * The server's own time for one route over a phase, from the difference of two scrapes of its request histogram
     * ({@code actrec_http_requests_seconds}: from Javalin's before-handler to its after-handler, that is reading and
     * parsing the body, scoring and serialising the answer, not the socket write): the mean, and the upper
     * bound of the histogram bucket that holds the 99th percentile. Beside the client's figures it tells the server's
     * work from the wait on loopback and the scheduler.
     */
    record ServerTime(double meanMs, double p99AtMostMs) {
        static ServerTime between(String before, String after, String method, String route) {
            String labels = "method=\"" + method + "\",route=\"" + route + "\",status=\"200\"";
            double count = sample(after, "_count{" + labels + "}") - sample(before, "_count{" + labels + "}");
            double sum = sample(after, "_sum{" + labels + "}") - sample(before, "_sum{" + labels + "}");
            if (count <= 0) throw new IllegalStateException("no " + method + " " + route + " in the server's metrics");
            Matcher m = Pattern.compile("(?m)^actrec_http_requests_seconds_bucket\\{" + Pattern.quote(labels)
                    + ",le=\"([^\"]+)\"} (\\S+)$").matcher(after);
            double p99 = Double.POSITIVE_INFINITY;
            while (m.find()) {
                double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
                double inPhase = Double.parseDouble(m.group(2))
                        - sample(before, "_bucket{" + labels + ",le=\"" + m.group(1) + "\"}");
                if (inPhase >= 0.99 * count) p99 = Math.min(p99, le);
            }
            return new ServerTime(sum / count * 1e3, p99 * 1e3);
        }

        /** The value of {@code actrec_http_requests_seconds<suffix>}, 0 when the scrape does not have it yet. */
        private static double sample(String scrape, String suffix) {
            Matcher m = Pattern.compile("(?m)^" + Pattern.quote("actrec_http_requests_seconds" + suffix) + " (\\S+)$")
                    .matcher(scrape);
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        }
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

    /** This thread's connection to the server, opened on first use. */
    private LoopbackHttpClient connection() throws IOException {
        LoopbackHttpClient c = connection.get();
        if (c == null) {
            c = new LoopbackHttpClient("127.0.0.1", port, TOKEN);
            connection.set(c);
            synchronized (connections) {
                connections.add(c);
            }
        }
        return c;
    }

    private String get(String path) throws IOException {
        return check("GET " + path, connection().get(path));
    }

    /**
     * A GET on a connection of its own, for reads outside the timed phases: a thread's kept-alive connection may
     * have sat idle through a whole phase, past the server's idle timeout.
     */
    private String getUntimed(String path) throws IOException {
        try (LoopbackHttpClient c = new LoopbackHttpClient("127.0.0.1", port, TOKEN)) {
            return check("GET " + path, c.get(path));
        }
    }

    private String post(String path, String body) throws IOException {
        return check("POST " + path, connection().post(path, body));
    }

    private static String check(String request, LoopbackHttpClient.Response r) {
        if (r.status() != 200) throw new IllegalStateException(request + ": " + r.status() + " " + r.body());
        return r.body();
    }

    private void closeConnections() throws IOException {
        synchronized (connections) {
            for (LoopbackHttpClient c : connections) c.close();
            connections.clear();
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
