package dev.actrec.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.actrec.core.ActionColumns;
import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import dev.actrec.model.ModelFormatException;
import dev.actrec.store.ActionStore;
import dev.actrec.store.AppendResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the routes do, free of HTTP: each method takes already-extracted request parts, calls the store and the
 * {@link Recommender}, and returns the JSON response body. Bad input throws {@link ApiException}. Thread-safe.
 */
final class ActApi {
    private static final Logger LOG = LoggerFactory.getLogger(ActApi.class);
    private static final Pattern STORE_FIELD = Pattern.compile("^event (\\d+)(?: \\(line (\\d+)\\))?: field '([^']*)'");
    private static final ThreadLocal<ActionColumns> HISTORY = ThreadLocal.withInitial(() -> new ActionColumns(256));

    private final ServerConfig config;
    private final ActionStore store;
    private final ModelSlot models;
    private final IdempotencyCache idempotency;
    private final ServerMetrics metrics;

    /** A response body and whether it repeats an earlier one (an idempotent retry). */
    record Reply(byte[] body, boolean replayed) {
    }

    ActApi(ServerConfig config, ActionStore store, ModelSlot models, ServerMetrics metrics) {
        this.config = config;
        this.store = store;
        this.models = models;
        this.metrics = metrics;
        this.idempotency = new IdempotencyCache(config.idempotencyWindowSeconds() * 1000, config.idempotencyMaxKeys(),
                System::currentTimeMillis);
    }

    boolean ready() {
        return models.ready();
    }

    String modelName() {
        return models.current().name();
    }

    // ---------------------------------------------------------------- POST /v1/events

    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");
    /** A request thread keeps its ingest buffers up to this many events (about 240 KiB), so a huge body pins nothing. */
    private static final int KEEP_EVENTS = 4096;
    private static final ThreadLocal<IngestBuffers> INGEST = ThreadLocal.withInitial(IngestBuffers::new);

    /** What one ingest request parses into and gets back from the store, reused by its thread. */
    private static final class IngestBuffers {
        final EventBatch batch = new EventBatch(1024);
        int[] items = new int[1024]; // internal item id of each event, filled by the store
        int[] users = new int[1024]; // and of its user
        /** Set while the store may read the batch and write the ids: from handing them over until append returns. */
        boolean inStore;
    }

    Reply ingest(InputStream body, String idempotencyKey) throws IOException {
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw ApiException.badRequest("Idempotency-Key", "must be 1-200 printable ASCII characters without spaces");
        }
        IngestBuffers buffers = INGEST.get();
        try {
            byte[] sha256 = EventBodyParser.parse(body, config.maxBodyBytes(), idempotencyKey != null, buffers.batch);
            if (idempotencyKey == null) return new Reply(append(buffers), false);

            IdempotencyCache.Claim claim = idempotency.begin(idempotencyKey, sha256);
            if (!claim.owner()) return new Reply(awaitFirst(claim.entry()).body(), true);
            try {
                byte[] response = append(buffers);
                idempotency.complete(claim.entry(), new IdempotencyCache.Response(200, response));
                return new Reply(response, false);
            } catch (IOException | RuntimeException e) {
                idempotency.abandon(claim.entry(), e);
                throw e;
            }
        } finally {
            // An append that failed (interrupted, say) may leave the batch queued in the store: never reuse it.
            if (!buffers.inStore && buffers.batch.size() <= KEEP_EVENTS) buffers.batch.clear();
            else INGEST.remove();
        }
    }

    private static IdempotencyCache.Response awaitFirst(IdempotencyCache.Entry e) throws IOException {
        try {
            return e.response.get();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the first request with this Idempotency-Key", ie);
        } catch (ExecutionException ee) {
            if (ee.getCause() instanceof ApiException api) throw api;
            throw ApiException.overloaded("the first request with this Idempotency-Key failed ("
                    + ee.getCause().getMessage() + "); retry");
        }
    }

    /** Appends durably, then tells the recommender the items the store resolved; returns the counts as JSON. */
    private byte[] append(IngestBuffers buffers) throws IOException {
        EventBatch batch = buffers.batch;
        int n = batch.size();
        if (buffers.items.length < n) {
            buffers.items = new int[Math.max(n, buffers.items.length * 2)];
            buffers.users = new int[buffers.items.length];
        }
        int[] items = buffers.items;
        AppendResult r;
        buffers.inStore = true;
        try {
            r = store.append(batch, items, buffers.users);
            buffers.inStore = false;
        } catch (IllegalArgumentException e) {
            // The store's last checks (id length, emptiness): it names "event I (line L): field 'F'".
            Matcher m = STORE_FIELD.matcher(e.getMessage());
            boolean named = m.find();
            throw ApiException.badEvent(named ? m.group(3) : null, e.getMessage(),
                    named && m.group(2) != null ? Long.parseLong(m.group(2)) : -1,
                    named ? Long.parseLong(m.group(1)) : -1);
        }
        metrics.ingested(n, r);
        models.onAppended(items, buffers.users, n);
        // Four numbers need no JSON generator: the bytes are exactly those one would write.
        return ("{\"received\":" + n + ",\"stored\":" + r.stored() + ",\"duplicates\":" + r.duplicates()
                + ",\"late\":" + r.late() + "}").getBytes(StandardCharsets.US_ASCII);
    }

    // ---------------------------------------------------------------- GET /v1/users/{user}/actions

    byte[] history(String user, int last) throws IOException {
        int u = store.findUser(user);
        if (u < 0) throw ApiException.notFound("user", "unknown user '" + user + "'");
        ActionColumns cols = HISTORY.get();
        int n = store.readLast(u, last, cols);
        long total = store.historyLength(u);
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("user", store.userText(u));
            g.writeNumberField("total", total);
            g.writeNumberField("returned", n);
            g.writeArrayFieldStart("actions");
            for (int i = 0; i < n; i++) {
                g.writeStartObject();
                g.writeStringField("item", store.itemText(cols.item(i)));
                g.writeStringField("action", ActionType.fromCode(cols.type(i)).wireName());
                g.writeNumberField("ts", cols.timestamp(i));
                g.writeNumberField("watch_ms", cols.watchMs(i));
                g.writeNumberField("duration_ms", cols.durationMs(i));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    // ---------------------------------------------------------------- GET /v1/recommend

    byte[] recommend(String user, int k, boolean excludeSeen) {
        Recommender recommender = models.current(); // one model for the whole request, whatever swaps meanwhile
        int u = store.findUser(user);
        int[] items = new int[k];
        float[] scores = new float[k];
        Recommender.Answer answer;
        boolean degraded = false;
        try {
            answer = recommender.recommend(u, k, excludeSeen, items, scores);
        } catch (IOException | RuntimeException e) {
            // Never a 5xx for a recommendation: answer without the user's history rather than not at all.
            LOG.warn("recommend for user '{}' failed; answering without the user's history", user, e);
            degraded = true;
            try {
                answer = recommender.recommend(-1, k, false, items, scores);
            } catch (IOException | RuntimeException again) {
                LOG.error("recommend without a user failed too", again);
                answer = new Recommender.Answer(0, Recommender.Answer.POPULARITY);
            }
        }
        Recommender.Answer a = answer;
        boolean wasDegraded = degraded;
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("model", recommender.name());
            g.writeStringField("source", a.source());
            g.writeStringField("user", user);
            g.writeBooleanField("known_user", u >= 0);
            g.writeNumberField("k", k);
            g.writeBooleanField("exclude_seen", excludeSeen);
            if (wasDegraded) g.writeBooleanField("degraded", true);
            g.writeArrayFieldStart("items");
            for (int i = 0; i < a.count(); i++) {
                g.writeStartObject();
                g.writeStringField("item", store.itemText(items[i]));
                g.writeNumberField("score", scores[i]);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    // ---------------------------------------------------------------- GET /v1/explain

    /** Why {@code item} scores as it does for {@code user}: the recent actions and memory keys behind it. */
    byte[] explain(String user, String item, int top) throws IOException {
        Recommender recommender = models.current();
        if (!(recommender instanceof ModelRecommender model)) {
            throw ApiException.conflict("model", "explain needs a trained model; the popularity fallback is serving");
        }
        int u = store.findUser(user);
        if (u < 0) throw ApiException.notFound("user", "unknown user '" + user + "'");
        int it = store.findItem(item);
        if (it < 0) throw ApiException.notFound("item", "unknown item '" + item + "'");
        int index = model.modelIndex(it);
        if (index == 0) throw ApiException.notFound("item", "the model " + model.name() + " does not know item '" + item + "'");
        Explanation e = model.explain(u, index, top);
        if (e == null) {
            throw ApiException.conflict("user", "user '" + user + "' has no action on an item the model knows");
        }
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("model", model.name());
            g.writeStringField("user", user);
            g.writeStringField("item", item);
            g.writeNumberField("score", e.score());
            g.writeNumberField("model_score", e.modelScore());
            if (Float.isNaN(e.memoryTerm())) g.writeNullField("memory_term");
            else g.writeNumberField("memory_term", e.memoryTerm());
            g.writeNumberField("memory_actions", e.memoryActions());
            g.writeNumberField("memory_tokens", e.memoryTokens());
            g.writeArrayFieldStart("recent");
            for (Explanation.Recent r : e.recent()) {
                g.writeStartObject();
                g.writeStringField("item", store.itemText(r.item()));
                g.writeStringField("action", ActionType.fromCode(r.type()).wireName());
                g.writeNumberField("ts", r.ts());
                g.writeNumberField("similarity", r.similarity());
                g.writeNumberField("share", r.share());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("memory");
            for (Explanation.MemoryKey k : e.memory()) {
                g.writeStartObject();
                g.writeNumberField("token", k.token());
                g.writeStringField("kind", k.item() >= 0 ? "item" : "centroid");
                if (k.item() >= 0) g.writeStringField("item", store.itemText(k.item()));
                g.writeNumberField("similarity", k.similarity());
                g.writeNumberField("actions", k.actions());
                g.writeNumberField("token_actions", k.tokenActions());
                g.writeNumberField("token_last_ts", k.tokenLastSeen());
                g.writeNumberField("share", k.share());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    // ---------------------------------------------------------------- POST /v1/admin/model

    /** {@code {"path": P}}: loads the model file or run folder at P and swaps it in. */
    byte[] loadModel(InputStream body) throws IOException {
        String path = null;
        try (JsonParser p = Json.FACTORY.createParser(new EventBodyParser.LimitedInputStream(body, 64 * 1024))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.badRequest("body", "expected a JSON object {\"path\": \"/path/to/run-or-serving.bin\"}");
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (!name.equals("path")) throw ApiException.badRequest(name, "unknown field (expected path)");
                if (v != JsonToken.VALUE_STRING || p.getText().isBlank()) {
                    throw ApiException.badRequest("path", "must be a non-empty string");
                }
                path = p.getText();
            }
            if (p.nextToken() != null) throw ApiException.badRequest("body", "text after the JSON object");
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("body", "malformed JSON: " + e.getOriginalMessage());
        }
        if (path == null) throw ApiException.badRequest("path", "missing");
        ModelSlot.Loaded loaded;
        try {
            loaded = models.load(Path.of(path));
        } catch (ModelFormatException | java.nio.file.InvalidPathException e) {
            metrics.modelLoadRejected();
            throw ApiException.badRequest("path", "model not loaded, the current one keeps serving: " + e.getMessage());
        }
        metrics.modelSwapped(loaded);
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("model", loaded.info().version());
            g.writeStringField("previous", loaded.previous());
            g.writeStringField("kind", loaded.info().kind());
            g.writeNumberField("num_items", loaded.info().numItems());
            g.writeNumberField("dim", loaded.info().dim());
            g.writeNumberField("max_len", loaded.info().maxLen());
            g.writeNumberField("store_items_known", loaded.knownItems());
            g.writeStringField("retrieval", loaded.retrieval());
            g.writeNumberField("retrieval_recall_at_10", loaded.recallAt10());
            g.writeNumberField("load_ms", loaded.loadMillis());
            g.writeEndObject();
        });
    }

    // ---------------------------------------------------------------- POST /v1/rank

    byte[] rank(InputStream body) throws IOException {
        RankRequest req = RankRequest.parse(new EventBodyParser.LimitedInputStream(body, config.maxBodyBytes()),
                config.maxCandidates());
        int u = store.findUser(req.user());
        int[] items = new int[req.items().size()];
        store.findItems(req.items(), items);
        float[] scores = new float[items.length];
        Recommender recommender = models.current();
        Recommender.Answer answer = recommender.score(u, items, scores);
        return Json.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("model", recommender.name());
            g.writeStringField("source", answer.source());
            g.writeStringField("user", req.user());
            g.writeBooleanField("known_user", u >= 0);
            g.writeArrayFieldStart("scores");
            for (int i = 0; i < items.length; i++) {
                g.writeStartObject();
                g.writeStringField("item", req.items().get(i));
                if (Float.isNaN(scores[i])) g.writeNullField("score");
                else g.writeNumberField("score", scores[i]);
                g.writeBooleanField("known_item", items[i] >= 0);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** {@code {"user": U, "items": [I, ...]}} with ids as non-negative integers or non-empty strings. */
    record RankRequest(String user, List<String> items) {
        static RankRequest parse(InputStream in, int maxCandidates) throws IOException {
            String user = null;
            List<String> items = null;
            try (JsonParser p = Json.FACTORY.createParser(in)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw ApiException.badRequest("body", "expected a JSON object {\"user\": ..., \"items\": [...]}");
                }
                for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                    String name = p.currentName();
                    p.nextToken();
                    switch (name) {
                        case "user" -> {
                            if (user != null) throw ApiException.badRequest("user", "given twice");
                            user = id(p, "user");
                        }
                        case "items" -> {
                            if (items != null) throw ApiException.badRequest("items", "given twice");
                            if (p.currentToken() != JsonToken.START_ARRAY) {
                                throw ApiException.badRequest("items", "must be an array of item ids");
                            }
                            items = new ArrayList<>();
                            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                                if (items.size() == maxCandidates) {
                                    throw ApiException.badRequest("items", "more than " + maxCandidates
                                            + " candidates (max_candidates)");
                                }
                                items.add(id(p, "items[" + items.size() + "]"));
                            }
                        }
                        default -> throw ApiException.badRequest(name, "unknown field (expected user, items)");
                    }
                }
                if (p.nextToken() != null) throw ApiException.badRequest("body", "text after the JSON object");
            } catch (JsonProcessingException e) {
                throw ApiException.badRequest("body", "malformed JSON: " + e.getOriginalMessage());
            }
            if (user == null) throw ApiException.badRequest("user", "missing");
            if (items == null) throw ApiException.badRequest("items", "missing");
            return new RankRequest(user, items);
        }

        private static String id(JsonParser p, String field) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_STRING) {
                String s = p.getText();
                if (s.isEmpty()) throw ApiException.badRequest(field, "must not be empty");
                if (s.getBytes(StandardCharsets.UTF_8).length > ActionStore.MAX_ID_BYTES) {
                    throw ApiException.badRequest(field, "longer than " + ActionStore.MAX_ID_BYTES + " UTF-8 bytes");
                }
                return s;
            }
            if (t == JsonToken.VALUE_NUMBER_INT) {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw ApiException.badRequest(field, "value '" + p.getText() + "' overflows a 64-bit id");
                }
                long v = p.getLongValue();
                if (v < 0) throw ApiException.badRequest(field, "value '" + v + "': numeric ids must be >= 0");
                return Long.toString(v);
            }
            throw ApiException.badRequest(field, "must be a non-negative integer or a string, got "
                    + (t == null ? "end of input" : t.isScalarValue() ? "'" + p.getText() + "'" : t.name()));
        }
    }
}
