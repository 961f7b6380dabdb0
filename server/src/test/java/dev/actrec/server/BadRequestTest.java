package dev.actrec.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad request gets its 4xx with a JSON error naming the field, and changes nothing in the store.
 * One server for all cases; the store's users/items/actions are compared before and after each.
 */
class BadRequestTest {
    static final String GOOD = "{\"user\":1,\"item\":10,\"action\":\"view\",\"ts\":1000,\"watch_ms\":5,\"duration_ms\":10}";
    static final int MAX_BODY = 64 << 10;

    @TempDir
    static Path dir;
    static TestServer t;

    @BeforeAll
    static void start() throws Exception {
        t = new TestServer(dir, Map.of("max_body_bytes", Integer.toString(MAX_BODY), "max_k", "100",
                "max_candidates", "50", "max_history", "1000"));
        HttpResponse<String> r = t.post("/v1/events", TestServer.INGEST, GOOD + "\n"
                + GOOD.replace("\"item\":10", "\"item\":11").replace("1000", "2000"));
        assertEquals(200, r.statusCode(), r.body());
    }

    @AfterAll
    static void stop() throws IOException {
        t.close();
    }

    /** Replaces {@code "name":value} in the good event. */
    static String with(String field, String json) {
        return GOOD.replaceFirst("\"" + field + "\":(\"[^\"]*\"|[0-9]+)", "\"" + field + "\":" + json);
    }

    static String without(String field) {
        return GOOD.replaceFirst(",?\"" + field + "\":(\"[^\"]*\"|[0-9]+)", "").replace("{,", "{");
    }

    record Case(String name, Supplier<HttpRequest.Builder> request, int status, String field) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case events(String name, String body, int status, String field) {
        return new Case(name, () -> post("/v1/events", TestServer.INGEST, body), status, field);
    }

    static Case rank(String name, String body, int status, String field) {
        return new Case(name, () -> post("/v1/rank", TestServer.READ, body), status, field);
    }

    static Case admin(String name, String token, String body, int status, String field) {
        return new Case(name, () -> post("/v1/admin/model", token, body), status, field);
    }

    /** A file with text in it, in the place a model file would be. */
    static String notAModel() {
        try {
            Path f = Files.createTempFile("not-a-model", ".bin");
            Files.writeString(f, "user item\n1 2\n");
            f.toFile().deleteOnExit();
            return f.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Case get(String name, String path, String token, int status, String field) {
        return new Case(name, () -> auth(HttpRequest.newBuilder(t.uri(path)).GET(), token), status, field);
    }

    static HttpRequest.Builder post(String path, String token, String body) {
        return auth(HttpRequest.newBuilder(t.uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)), token);
    }

    static HttpRequest.Builder auth(HttpRequest.Builder b, String token) {
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    static Stream<Arguments> cases() {
        List<Case> c = new ArrayList<>();
        // event bodies: NDJSON
        c.add(events("malformed JSON", "{\"user\":1,", 400, null));
        c.add(events("user of wrong type", with("user", "true"), 400, "user"));
        c.add(events("negative user id", with("user", "-1"), 400, "user"));
        c.add(events("overflowing user id", with("user", "99999999999999999999"), 400, "user"));
        c.add(events("negative item id", with("item", "-7"), 400, "item"));
        c.add(events("overflowing item id", with("item", "18446744073709551616"), 400, "item"));
        c.add(events("empty user id", with("user", "\"\""), 400, "user"));
        c.add(events("user id over 256 bytes", with("user", "\"" + "u".repeat(300) + "\""), 400, "user"));
        c.add(events("unknown action type", with("action", "\"clickk\""), 400, "action"));
        c.add(events("action as number", with("action", "3"), 400, "action"));
        c.add(events("missing ts", without("ts"), 400, "ts"));
        c.add(events("fractional ts", with("ts", "1.5"), 400, "ts"));
        c.add(events("negative ts", with("ts", "-1000"), 400, "ts"));
        c.add(events("watch_ms as string", with("watch_ms", "\"5\""), 400, "watch_ms"));
        c.add(events("overflowing duration_ms", with("duration_ms", "99999999999"), 400, "duration_ms"));
        c.add(events("unknown field", GOOD.replace("\"user\"", "\"usr\""), 400, "usr"));
        c.add(events("duplicate field", GOOD.replace("{", "{\"ts\":5,"), 400, "ts"));
        c.add(events("text after the object", GOOD + " x", 400, null));
        c.add(events("bad second line after a good one", GOOD + "\n" + with("action", "\"nope\""), 400, "action"));
        // event bodies: JSON array
        c.add(events("array with a bad element", "[" + GOOD + "," + GOOD + "," + with("item", "-1") + "]", 400, "item"));
        c.add(events("array with a non-object", "[" + GOOD + ",5]", 400, null));
        c.add(events("array with text after it", "[" + GOOD + "]]", 400, "body"));
        c.add(events("unterminated array", "[" + GOOD, 400, "body"));
        c.add(events("array nested in array", "[[" + GOOD + "]]", 400, null));
        c.add(events("oversized body", (GOOD + "\n").repeat(MAX_BODY / GOOD.length() + 10), 413, "body"));
        c.add(new Case("oversized chunked body", () -> auth(HttpRequest.newBuilder(t.uri("/v1/events"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> repeat(GOOD + "\n", MAX_BODY + 1000))),
                TestServer.INGEST), 413, "body"));
        c.add(new Case("bad Idempotency-Key", () -> post("/v1/events", TestServer.INGEST, GOOD)
                .header("Idempotency-Key", "has space"), 400, "Idempotency-Key"));
        // auth
        c.add(new Case("ingest without a token", () -> post("/v1/events", null, GOOD), 401, "Authorization"));
        c.add(new Case("malformed Authorization", () -> HttpRequest.newBuilder(t.uri("/v1/events"))
                .POST(HttpRequest.BodyPublishers.ofString(GOOD)).header("Authorization", "Basic dTpw"), 401, "Authorization"));
        c.add(new Case("unknown token", () -> post("/v1/events", "not-a-token-0123456789", GOOD), 401, "Authorization"));
        c.add(new Case("read token on ingest", () -> post("/v1/events", TestServer.READ, GOOD), 403, "Authorization"));
        c.add(get("ingest token on a read", "/v1/recommend?user=1", TestServer.INGEST, 403, "Authorization"));
        c.add(get("read without a token (read_auth on)", "/v1/recommend?user=1", null, 401, "Authorization"));
        c.add(get("metrics without a token (read_auth on)", "/metrics", null, 401, "Authorization"));
        // recommend
        c.add(get("k = 0", "/v1/recommend?user=1&k=0", TestServer.READ, 400, "k"));
        c.add(get("k above max_k", "/v1/recommend?user=1&k=101", TestServer.READ, 400, "k"));
        c.add(get("k not a number", "/v1/recommend?user=1&k=ten", TestServer.READ, 400, "k"));
        c.add(get("k overflowing", "/v1/recommend?user=1&k=99999999999999999999", TestServer.READ, 400, "k"));
        c.add(get("recommend without user", "/v1/recommend?k=5", TestServer.READ, 400, "user"));
        c.add(get("exclude_seen not a boolean", "/v1/recommend?user=1&exclude_seen=maybe", TestServer.READ, 400, "exclude_seen"));
        // history
        c.add(get("history of an unknown user", "/v1/users/nobody/actions", TestServer.READ, 404, "user"));
        c.add(get("history last < 0", "/v1/users/1/actions?last=-1", TestServer.READ, 400, "last"));
        c.add(get("history last above max_history", "/v1/users/1/actions?last=1001", TestServer.READ, 400, "last"));
        // rank
        StringBuilder many = new StringBuilder("{\"user\":1,\"items\":[0");
        for (int i = 1; i <= 50; i++) many.append(',').append(i);
        c.add(rank("too many candidates", many + "]}", 400, "items"));
        c.add(rank("items not an array", "{\"user\":1,\"items\":10}", 400, "items"));
        c.add(rank("items missing", "{\"user\":1}", 400, "items"));
        c.add(rank("user missing", "{\"items\":[1]}", 400, "user"));
        c.add(rank("negative item id", "{\"user\":1,\"items\":[1,-2]}", 400, "items[1]"));
        c.add(rank("overflowing item id", "{\"user\":1,\"items\":[99999999999999999999]}", 400, "items[0]"));
        c.add(rank("fractional item id", "{\"user\":1,\"items\":[1.5]}", 400, "items[0]"));
        c.add(rank("item id of wrong type", "{\"user\":1,\"items\":[{\"id\":1}]}", 400, "items[0]"));
        c.add(rank("unknown rank field", "{\"user\":1,\"items\":[1],\"k\":3}", 400, "k"));
        c.add(rank("malformed rank JSON", "{\"user\":1,\"items\":[1,", 400, "body"));
        c.add(rank("rank body not an object", "[1,2]", 400, "body"));
        c.add(new Case("oversized rank body", () -> post("/v1/rank", TestServer.READ, "{\"user\":1,\"items\":["
                + "1,".repeat(MAX_BODY) + "1]}"), 413, "body"));
        // model admin: a refused load leaves the serving model as it was
        c.add(admin("model load without a token", null, "{\"path\":\"/tmp\"}", 401, "Authorization"));
        c.add(admin("read token on model load", TestServer.READ, "{\"path\":\"/tmp\"}", 403, "Authorization"));
        c.add(admin("ingest token on model load", TestServer.INGEST, "{\"path\":\"/tmp\"}", 403, "Authorization"));
        c.add(admin("model path missing", TestServer.ADMIN, "{}", 400, "path"));
        c.add(admin("model path not a string", TestServer.ADMIN, "{\"path\":7}", 400, "path"));
        c.add(admin("model path empty", TestServer.ADMIN, "{\"path\":\"\"}", 400, "path"));
        c.add(admin("unknown model-load field", TestServer.ADMIN, "{\"path\":\"x\",\"force\":true}", 400, "force"));
        c.add(admin("malformed model-load JSON", TestServer.ADMIN, "{\"path\":", 400, "body"));
        c.add(admin("model path that does not exist", TestServer.ADMIN, "{\"path\":\"/nonexistent/act-model\"}", 400, "path"));
        c.add(admin("model file that is not a model", TestServer.ADMIN, "{\"path\":\"" + notAModel() + "\"}", 400, "path"));
        // routes and methods
        c.add(get("unknown route", "/v1/nope", TestServer.READ, 404, null));
        c.add(get("wrong method on events", "/v1/events", TestServer.INGEST, 405, null));
        c.add(new Case("DELETE on recommend", () -> auth(HttpRequest.newBuilder(t.uri("/v1/recommend?user=1")).DELETE(),
                TestServer.READ), 405, null));
        return c.stream().map(Arguments::of);
    }

    static InputStream repeat(String s, int minBytes) {
        byte[] one = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new InputStream() {
            long left = ((long) minBytes / one.length + 1) * one.length;
            int pos;

            @Override
            public int read() {
                if (left == 0) return -1;
                left--;
                int c = one[pos];
                pos = (pos + 1) % one.length;
                return c;
            }
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedWithTheRightStatusAndNothingChanges(Case c) throws Exception {
        String before = t.fingerprint();
        String model = t.models.current().name();
        HttpResponse<String> r = t.send(c.request().get());
        assertEquals(c.status(), r.statusCode(), c.name() + ": " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        assertTrue(r.body().startsWith("{\"error\":"), r.body());
        assertTrue(r.body().contains("\"detail\":"), r.body());
        if (c.field() != null) assertTrue(r.body().contains("\"field\":\"" + c.field() + "\""), c.name() + ": " + r.body());
        if (c.status() == 401) assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals(before, t.fingerprint(), c.name() + " changed the store");
        assertEquals(model, t.models.current().name(), c.name() + " changed the model");
    }

    @Test
    void aBadEventIsNamedByIndexLineFieldAndValue() throws Exception {
        HttpResponse<String> r = t.post("/v1/events", TestServer.INGEST, GOOD + "\n\n" + with("action", "\"clickk\""));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("\"line\":3"), r.body());
        assertTrue(r.body().contains("\"event\":1"), r.body());
        assertTrue(r.body().contains("clickk"), r.body());
        r = t.post("/v1/events", TestServer.INGEST, "[" + GOOD + "," + GOOD + "," + with("ts", "-4") + "]");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("\"event\":2") && r.body().contains("\"field\":\"ts\""), r.body());
    }

    /** Blank lines before the first event still count as lines, and blanks before '[' still mean an array. */
    @Test
    void leadingBlanksKeepLineNumbersAndTheArrayFormat() throws Exception {
        HttpResponse<String> r = t.post("/v1/events", TestServer.INGEST, "\n \r\n\t" + with("action", "\"clickk\""));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("\"line\":3") && r.body().contains("\"event\":0"), r.body());
        r = t.post("/v1/events", TestServer.INGEST, " \n\t[" + GOOD + "," + with("ts", "-4") + "]");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("\"event\":1") && r.body().contains("\"field\":\"ts\""), r.body());
    }

    @Test
    void thereAreAtLeastThirtyKinds() {
        assertTrue(cases().count() >= 30);
    }
}
