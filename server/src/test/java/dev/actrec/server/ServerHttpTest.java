package dev.actrec.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routes doing their job over real HTTP on loopback. */
class ServerHttpTest {
    @TempDir
    Path dir;

    static String event(Object user, Object item, String action, long ts) {
        String u = user instanceof String s ? "\"" + s + "\"" : user.toString();
        String i = item instanceof String s ? "\"" + s + "\"" : item.toString();
        return "{\"user\":" + u + ",\"item\":" + i + ",\"action\":\"" + action + "\",\"ts\":" + ts + "}";
    }

    static List<String> items(String json) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"item\":\"([^\"]*)\"").matcher(json);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void ingestThenHistoryAndRecommendReflectTheNewActions() throws Exception {
        try (TestServer t = new TestServer(dir, Map.of())) {
            // Item "hot" gets 3 actions, "warm" 2, "cold" 1; alice has seen "hot".
            String ndjson = String.join("\n", event("alice", "hot", "view", 1000), event("bob", "hot", "like", 1001),
                    event("carol", "hot", "view", 1002), event("bob", "warm", "view", 1003),
                    event("carol", "warm", "share", 1004), event("carol", "cold", "view", 1005)) + "\n";
            HttpResponse<String> r = t.post("/v1/events", TestServer.INGEST, ndjson);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("{\"received\":6,\"stored\":6,\"duplicates\":0,\"late\":0}", r.body());

            r = t.get("/v1/users/carol/actions?last=2", TestServer.READ);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"total\":3"), r.body());
            assertEquals(List.of("warm", "cold"), items(r.body()));
            assertTrue(r.body().contains("\"action\":\"share\""), r.body());

            r = t.get("/v1/recommend?user=alice&k=3", TestServer.READ);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"model\":\"popularity-fallback\""), r.body());
            assertEquals(List.of("hot", "warm", "cold"), items(r.body()));

            r = t.get("/v1/recommend?user=alice&k=3&exclude_seen=true", TestServer.READ);
            assertEquals(List.of("warm", "cold"), items(r.body()));

            // A JSON array moves "cold" to the top; the next recommendation shows it at once.
            StringBuilder arr = new StringBuilder("[");
            for (int i = 0; i < 5; i++) arr.append(i == 0 ? "" : ",").append(event(100 + i, "cold", "purchase", 2000 + i));
            r = t.post("/v1/events", TestServer.INGEST, arr + "]");
            assertEquals(200, r.statusCode(), r.body());
            r = t.get("/v1/recommend?user=alice&k=2", TestServer.READ);
            assertEquals(List.of("cold", "hot"), items(r.body()));

            // Unknown users get the same fallback, never an error.
            r = t.get("/v1/recommend?user=stranger&k=2&exclude_seen=true", TestServer.READ);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"known_user\":false"), r.body());
            assertEquals(List.of("cold", "hot"), items(r.body()));

            r = t.post("/v1/rank", TestServer.READ, "{\"user\":\"alice\",\"items\":[\"warm\",\"hot\",\"nope\",7]}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(List.of("warm", "hot", "nope", "7"), items(r.body()));
            double[] scores = Pattern.compile("\"score\":([0-9.eE-]+)").matcher(r.body()).results()
                    .mapToDouble(m -> Double.parseDouble(m.group(1))).toArray();
            assertTrue(scores[1] > scores[0] && scores[0] > 0 && scores[2] == 0 && scores[3] == 0, r.body());
            assertTrue(r.body().contains("\"known_item\":false"), r.body());
        }
    }

    @Test
    void aRetriedIdempotencyKeyReturnsTheFirstResponseWithoutAppendingAgain() throws Exception {
        try (TestServer t = new TestServer(dir, Map.of())) {
            String body = event(1, 10, "view", 1000) + "\n" + event(1, 11, "view", 2000);
            HttpRequest.Builder req = HttpRequest.newBuilder(t.uri("/v1/events"))
                    .header("Authorization", "Bearer " + TestServer.INGEST).header("Idempotency-Key", "batch-0001")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> first = t.send(req);
            assertEquals(200, first.statusCode(), first.body());
            assertFalse(first.headers().firstValue("Idempotent-Replayed").isPresent());
            String after = t.fingerprint();

            HttpResponse<String> retry = t.send(req);
            assertEquals(200, retry.statusCode());
            assertEquals(first.body(), retry.body());
            assertEquals("true", retry.headers().firstValue("Idempotent-Replayed").orElse(null));
            assertEquals(after, t.fingerprint());

            HttpResponse<String> other = t.send(HttpRequest.newBuilder(t.uri("/v1/events"))
                    .header("Authorization", "Bearer " + TestServer.INGEST).header("Idempotency-Key", "batch-0001")
                    .POST(HttpRequest.BodyPublishers.ofString(event(1, 12, "view", 3000))));
            assertEquals(409, other.statusCode(), other.body());
            assertTrue(other.body().contains("\"field\":\"Idempotency-Key\""), other.body());
            assertEquals(after, t.fingerprint());

            // Without a key the store's own duplicate check still makes a plain retry harmless.
            HttpResponse<String> plain = t.post("/v1/events", TestServer.INGEST, body);
            assertEquals("{\"received\":2,\"stored\":0,\"duplicates\":2,\"late\":0}", plain.body());
        }
    }

    @Test
    void metricsExposeRoutesStatusesAndIngestCounters() throws Exception {
        try (TestServer t = new TestServer(dir, Map.of())) {
            t.post("/v1/events", TestServer.INGEST, event(1, 10, "view", 1000));
            t.get("/v1/recommend?user=1", TestServer.READ);
            t.get("/v1/recommend?user=1&k=0", TestServer.READ);
            t.get("/v1/users/1/actions", TestServer.READ);
            t.post("/v1/rank", TestServer.READ, "{\"user\":1,\"items\":[10]}");
            t.get("/v1/missing", TestServer.READ);
            HttpResponse<String> r = t.get("/metrics", TestServer.READ);
            assertEquals(200, r.statusCode());
            String m = r.body();
            for (String route : List.of("/v1/events", "/v1/recommend", "/v1/users/{user}/actions", "/v1/rank", "unmatched")) {
                assertTrue(m.contains("actrec_http_requests_seconds_bucket{") && m.contains("route=\"" + route + "\""),
                        "no histogram for " + route + "\n" + m);
            }
            assertTrue(m.contains("status=\"400\""), m);
            assertTrue(Pattern.compile("actrec_ingest_events_total\\{outcome=\"stored\"} 1\\.0").matcher(m).find(), m);
            assertTrue(Pattern.compile("actrec_model_info\\{model=\"popularity-fallback\",retrieval=\"none\"} 1(\\.0)?\n").matcher(m).find(), m);
        }
    }

    @Test
    void healthReadinessAndOpenApiDescribeEveryRoute() throws Exception {
        try (TestServer t = new TestServer(dir, Map.of())) {
            assertEquals(200, t.get("/healthz", null).statusCode());
            HttpResponse<String> ready;
            do {
                ready = t.get("/readyz", null); // seeding runs in the background
            } while (ready.statusCode() == 503);
            assertEquals(200, ready.statusCode(), ready.body());
            HttpResponse<String> doc = t.get("/openapi.json", null);
            assertEquals(200, doc.statusCode());
            for (String p : List.of("/v1/events", "/v1/users/{user}/actions", "/v1/recommend", "/v1/rank", "/healthz",
                    "/readyz", "/metrics", "/openapi.json", "/v1/admin/model")) {
                assertTrue(doc.body().contains("\"" + p + "\""), "openapi.json lacks " + p);
            }
        }
    }

    @Test
    void readsNeedNoTokenWhenReadAuthIsOff() throws Exception {
        try (TestServer t = new TestServer(dir, Map.of("read_auth", "false"))) {
            assertEquals(200, t.get("/v1/recommend?user=1", null).statusCode());
            assertEquals(200, t.get("/metrics", null).statusCode());
            assertEquals(401, t.post("/v1/events", null, event(1, 1, "view", 1)).statusCode());
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void overAdmissionLimitGets503WithRetryAfter() throws Exception {
        try (TestServer t = new TestServer(dir, Map.of("max_in_flight", "1", "retry_after_s", "2"))) {
            // Hold the only permit: an ingest that announces more body than it has sent yet.
            byte[] line = (event(1, 10, "view", 1000) + "\n").getBytes(StandardCharsets.UTF_8);
            Socket held = new Socket("127.0.0.1", t.server.port());
            OutputStream out = held.getOutputStream();
            out.write(("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TestServer.INGEST
                    + "\r\nContent-Length: " + (2 * line.length) + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(line);
            out.flush();
            while (!t.get("/metrics", TestServer.READ).body().matches("(?s).*actrec_http_in_flight 1(\\.0)?\n.*")) {
                Thread.sleep(10);
            }
            HttpResponse<String> refused = t.get("/v1/recommend?user=1", TestServer.READ);
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("2", refused.headers().firstValue("Retry-After").orElse(null));
            assertTrue(refused.body().contains("\"error\":\"overloaded\""), refused.body());

            out.write(line);
            out.flush();
            String response = new String(held.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            held.close();
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertEquals(200, t.get("/v1/recommend?user=1", TestServer.READ).statusCode());
        }
    }

    @Test
    void aLargeIngestWithinTheLimitIsOneDurableBatch() throws Exception {
        try (TestServer t = new TestServer(dir, Map.of())) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 5000; i++) sb.append(event(i % 50, i % 700, "view", 10_000 + i)).append('\n');
            HttpResponse<String> r = t.post("/v1/events", TestServer.INGEST, sb.toString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("50/700/5000", t.fingerprint());
        }
    }


    /**
     * Request threads reuse their parse buffers: requests of changing sizes, above and below what a thread keeps,
     * and one refused half-way through its body, each count only their own events.
     */
    @Test
    void consecutiveIngestsOfChangingSizesCountOnlyTheirOwnEvents() throws Exception {
        try (TestServer t = new TestServer(dir, Map.of())) {
            long ts = 50_000, total = 0;
            for (int n : new int[] {3, 5000, 1, -2000, 1200, 2, 4097, 7}) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < Math.abs(n); i++) sb.append(event(i % 40, i % 300, "view", ts++)).append('\n');
                if (n < 0) sb.append(event(1, 1, "vieww", ts)).append('\n'); // refused after |n| good events
                HttpResponse<String> r = t.post("/v1/events", TestServer.INGEST, sb.toString());
                if (n < 0) {
                    assertEquals(400, r.statusCode(), r.body());
                    continue;
                }
                assertEquals(200, r.statusCode(), r.body());
                assertEquals("{\"received\":" + n + ",\"stored\":" + n + ",\"duplicates\":0,\"late\":0}", r.body());
                total += n;
            }
            assertEquals("40/300/" + total, t.fingerprint());
        }
    }
}
