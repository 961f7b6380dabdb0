package dev.actrec.server;

import dev.actrec.model.retrieval.RetrievalConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything the server is told, with defaults and validation. Loaded from a Java properties file (keys below),
 * then overridden by {@code key=value} pairs from the command line; unknown keys are errors, so a typo is never
 * silently ignored.
 *
 * <pre>
 * host=127.0.0.1                 port=8080 (0: any free port)
 * read_auth=false                reads (history, recommend, rank, metrics) need a token with scope read
 * max_body_bytes=4194304         larger request bodies get 413 (about 50,000 events)
 * max_k=1000                     recommend k must be 1..max_k
 * max_candidates=1000            rank items per request
 * max_history=10000              history last=N bound
 * max_in_flight=64               concurrent /v1 requests; more get 503 with Retry-After
 * retry_after_s=1
 * idempotency.window_s=600       how long an Idempotency-Key is remembered
 * idempotency.max_keys=100000    and how many at most (oldest dropped first)
 * popularity.half_life_s=86400   decay of the fallback's action counts
 * popularity.refresh_ms=1000     how stale the fallback's ranking may be
 * popularity.seed_per_user=100   actions per user read at start-up to seed the counts
 * popularity.seen_scan=100000    most recent actions looked at for exclude_seen
 * model=                         a run folder or serving.bin to serve (empty: the popularity fallback only)
 * retrieval.exact_max_items=50000   catalogs up to this size are scanned exactly, larger ones get an HNSW graph
 * retrieval.hnsw_m=16  retrieval.hnsw_beam_width=100  retrieval.hnsw_ef_search=200  retrieval.build_threads=2
 * memory.enabled=true            users with more actions than the model's window get a lifelong memory
 * memory.min_actions=1000        ... when they have at least this many
 * memory.weight=0.5              λ of the memory's term in a score (set by hand, not learned)
 * memory.tokens=256              memory tokens per user (about 0.2 KB each at d = 64)
 * memory.heavy_hitters=4         exact item counters per token: more remember more single items, and cost rank time
 * memory.snapshot_s=60           how often the memories are written to DATA/memory (and at shutdown)
 * token.NAME=SECRET              a bearer token; token.NAME.scopes=read,ingest,admin (default: all three)
 * </pre>
 */
public record ServerConfig(String host, int port, List<ApiToken> tokens, boolean readAuth, long maxBodyBytes,
                           int maxK, int maxCandidates, int maxHistory, int maxInFlight, int retryAfterSeconds,
                           long idempotencyWindowSeconds, int idempotencyMaxKeys, long popularityHalfLifeSeconds,
                           long popularityRefreshMs, int popularitySeedPerUser, int popularitySeenScan, String model,
                           RetrievalConfig retrieval, MemorySettings memory) {

    public ServerConfig {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("host must be set");
        check("port", port, 0, 65535);
        tokens = List.copyOf(tokens);
        Set<String> names = new TreeSet<>();
        Set<String> secrets = new java.util.HashSet<>();
        for (ApiToken t : tokens) {
            if (!names.add(t.name())) throw new IllegalArgumentException("token '" + t.name() + "' given twice");
            if (!secrets.add(t.secret())) throw new IllegalArgumentException("token '" + t.name() + "' reuses another token's secret");
        }
        check("max_body_bytes", maxBodyBytes, 1024, 1L << 30);
        check("max_k", maxK, 1, 100_000);
        check("max_candidates", maxCandidates, 1, 1_000_000);
        check("max_history", maxHistory, 1, 10_000_000);
        check("max_in_flight", maxInFlight, 1, 100_000);
        check("retry_after_s", retryAfterSeconds, 1, 3600);
        check("idempotency.window_s", idempotencyWindowSeconds, 1, 7 * 86400);
        check("idempotency.max_keys", idempotencyMaxKeys, 1, 10_000_000);
        check("popularity.half_life_s", popularityHalfLifeSeconds, 1, 365L * 86400);
        check("popularity.refresh_ms", popularityRefreshMs, 0, 3_600_000);
        check("popularity.seed_per_user", popularitySeedPerUser, 0, 1_000_000);
        check("popularity.seen_scan", popularitySeenScan, 0, 100_000_000);
        model = model == null ? "" : model.strip();
    }

    private static void check(String key, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + " must be in " + min + ".." + max + ", got " + v);
        }
    }

    public static ServerConfig defaults() {
        return fromProperties(new Properties());
    }

    /** Reads {@code file} (may be null) and applies {@code overrides} on top. */
    public static ServerConfig load(Path file, Map<String, String> overrides) throws IOException {
        Properties p = new Properties();
        if (file != null) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
        }
        overrides.forEach(p::setProperty);
        try {
            return fromProperties(p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((file == null ? "config" : file.toString()) + ": " + e.getMessage(), e);
        }
    }

    private static final Set<String> KEYS = Set.of("host", "port", "read_auth", "max_body_bytes", "max_k",
            "max_candidates", "max_history", "max_in_flight", "retry_after_s", "idempotency.window_s",
            "idempotency.max_keys", "popularity.half_life_s", "popularity.refresh_ms", "popularity.seed_per_user",
            "popularity.seen_scan", "model", "retrieval.exact_max_items", "retrieval.hnsw_m",
            "retrieval.hnsw_beam_width", "retrieval.hnsw_ef_search", "retrieval.build_threads", "memory.enabled",
            "memory.min_actions", "memory.weight", "memory.tokens", "memory.heavy_hitters", "memory.snapshot_s");

    public static ServerConfig fromProperties(Properties p) {
        Map<String, String> tokenSecrets = new TreeMap<>();
        Map<String, String> tokenScopes = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("token.")) {
                String rest = key.substring("token.".length());
                if (rest.endsWith(".scopes")) {
                    tokenScopes.put(rest.substring(0, rest.length() - ".scopes".length()), p.getProperty(key));
                } else {
                    tokenSecrets.put(rest, p.getProperty(key).strip());
                }
            } else if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown setting '" + key + "' (known: " + new TreeSet<>(KEYS)
                        + ", token.NAME, token.NAME.scopes)");
            }
        }
        List<ApiToken> tokens = new ArrayList<>();
        for (var e : tokenSecrets.entrySet()) {
            String scopes = tokenScopes.remove(e.getKey());
            tokens.add(new ApiToken(e.getKey(), e.getValue(), scopes == null ? EnumSet.allOf(Scope.class)
                    : Scope.parseList(scopes, "token." + e.getKey() + ".scopes")));
        }
        if (!tokenScopes.isEmpty()) {
            throw new IllegalArgumentException("scopes given for tokens without a secret: " + tokenScopes.keySet());
        }
        return new ServerConfig(
                p.getProperty("host", "127.0.0.1").strip(),
                (int) number(p, "port", 8080),
                tokens,
                bool(p, "read_auth", false),
                number(p, "max_body_bytes", 4L << 20),
                (int) number(p, "max_k", 1000),
                (int) number(p, "max_candidates", 1000),
                (int) number(p, "max_history", 10_000),
                (int) number(p, "max_in_flight", 64),
                (int) number(p, "retry_after_s", 1),
                number(p, "idempotency.window_s", 600),
                (int) number(p, "idempotency.max_keys", 100_000),
                number(p, "popularity.half_life_s", 86_400),
                number(p, "popularity.refresh_ms", 1000),
                (int) number(p, "popularity.seed_per_user", 100),
                (int) number(p, "popularity.seen_scan", 100_000),
                p.getProperty("model", ""),
                retrieval(p),
                memory(p));
    }

    private static MemorySettings memory(Properties p) {
        MemorySettings d = MemorySettings.defaults();
        String w = p.getProperty("memory.weight");
        float weight;
        try {
            weight = w == null ? d.weight() : Float.parseFloat(w.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("memory.weight must be a number, got '" + w + "'");
        }
        return new MemorySettings(bool(p, "memory.enabled", d.enabled()), number(p, "memory.min_actions", d.minActions()), weight,
                (int) number(p, "memory.tokens", d.tokens()), (int) number(p, "memory.heavy_hitters", d.heavyHitters()),
                number(p, "memory.snapshot_s", d.snapshotSeconds()));
    }

    private static RetrievalConfig retrieval(Properties p) {
        RetrievalConfig d = RetrievalConfig.defaults();
        try {
            return new RetrievalConfig((int) number(p, "retrieval.exact_max_items", d.exactMaxItems()),
                    (int) number(p, "retrieval.hnsw_m", d.hnswM()),
                    (int) number(p, "retrieval.hnsw_beam_width", d.hnswBeamWidth()),
                    (int) number(p, "retrieval.hnsw_ef_search", d.hnswEfSearch()),
                    (int) number(p, "retrieval.build_threads", d.buildThreads()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("retrieval: " + e.getMessage(), e);
        }
    }

    private static long number(Properties p, String key, long def) {
        String v = p.getProperty(key);
        if (v == null) return def;
        try {
            long n = Long.parseLong(v.strip().replace("_", ""));
            if (n > Integer.MAX_VALUE && !key.equals("max_body_bytes") && !key.endsWith("_s")) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
        }
    }

    private static boolean bool(Properties p, String key, boolean def) {
        String v = p.getProperty(key);
        if (v == null) return def;
        return switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
        };
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, tokens, readAuth, maxBodyBytes, maxK, maxCandidates, maxHistory, maxInFlight,
                retryAfterSeconds, idempotencyWindowSeconds, idempotencyMaxKeys, popularityHalfLifeSeconds,
                popularityRefreshMs, popularitySeedPerUser, popularitySeenScan, model, retrieval, memory);
    }

    public ServerConfig withTokens(List<ApiToken> t) {
        return new ServerConfig(host, port, t, readAuth, maxBodyBytes, maxK, maxCandidates, maxHistory, maxInFlight,
                retryAfterSeconds, idempotencyWindowSeconds, idempotencyMaxKeys, popularityHalfLifeSeconds,
                popularityRefreshMs, popularitySeedPerUser, popularitySeenScan, model, retrieval, memory);
    }

    /** One {@code key=value} line per setting, secrets redacted, for the start-up log. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("host=").append(host).append('\n')
                .append("port=").append(port).append('\n')
                .append("read_auth=").append(readAuth).append('\n')
                .append("max_body_bytes=").append(maxBodyBytes).append('\n')
                .append("max_k=").append(maxK).append('\n')
                .append("max_candidates=").append(maxCandidates).append('\n')
                .append("max_history=").append(maxHistory).append('\n')
                .append("max_in_flight=").append(maxInFlight).append('\n')
                .append("retry_after_s=").append(retryAfterSeconds).append('\n')
                .append("idempotency.window_s=").append(idempotencyWindowSeconds).append('\n')
                .append("idempotency.max_keys=").append(idempotencyMaxKeys).append('\n')
                .append("popularity.half_life_s=").append(popularityHalfLifeSeconds).append('\n')
                .append("popularity.refresh_ms=").append(popularityRefreshMs).append('\n')
                .append("popularity.seed_per_user=").append(popularitySeedPerUser).append('\n')
                .append("popularity.seen_scan=").append(popularitySeenScan).append('\n')
                .append("model=").append(model).append('\n')
                .append("retrieval.exact_max_items=").append(retrieval.exactMaxItems()).append('\n')
                .append("retrieval.hnsw_m=").append(retrieval.hnswM()).append('\n')
                .append("retrieval.hnsw_beam_width=").append(retrieval.hnswBeamWidth()).append('\n')
                .append("retrieval.hnsw_ef_search=").append(retrieval.hnswEfSearch()).append('\n')
                .append("retrieval.build_threads=").append(retrieval.buildThreads()).append('\n')
                .append("memory.enabled=").append(memory.enabled()).append('\n')
                .append("memory.min_actions=").append(memory.minActions()).append('\n')
                .append("memory.weight=").append(memory.weight()).append('\n')
                .append("memory.tokens=").append(memory.tokens()).append('\n')
                .append("memory.heavy_hitters=").append(memory.heavyHitters()).append('\n')
                .append("memory.snapshot_s=").append(memory.snapshotSeconds()).append('\n');
        for (ApiToken t : tokens) {
            sb.append("token.").append(t.name()).append("=<redacted>\n")
                    .append("token.").append(t.name()).append(".scopes=")
                    .append(String.join(",", t.scopes().stream().map(Scope::wireName).sorted().toList())).append('\n');
        }
        return sb.toString();
    }
}
