package dev.actrec.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serve benchmark runs end to end on a tiny setup and prints its keys; its figures are not checked. */
class ServeBenchmarkSmokeTest {
    @TempDir
    Path dir;

    @Test
    void printsEveryFigure() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            new ServeBenchmark(new ServeBenchmark.Config(dir, 2000, new int[] {100, 2000}, 20, 10, 4, 100, 2, 40, 30,
                    16, 1, 2, 20, 1, java.util.List.of()), m -> { }).run(g);
        }
        String json = out.toString(StandardCharsets.UTF_8);
        for (String key : new String[] {"\"ingest_http_actions_per_s\":", "\"recommend_p99_ms\":",
                "\"recommend_p99_ms_by_len\":{\"100\":", "\"rank30_p99_ms_by_len\":{\"100\":", "\"djl_forward_ms\":",
                "\"java_forward_ms\":", "\"compute_floor_ms\":", "\"floor_healthz_p50_ms\":", "\"load_average_1m\":",
                "\"model_sha256\":", "\"rank30_server_mean_ms_by_len\":{\"100\":",
                "\"rank30_server_p99_at_most_ms_by_len\":{\"100\":", "\"rank30_one_client_p99_ms_by_len\":{\"100\":"}) {
            assertTrue(json.contains(key), key + " missing from " + json);
        }
    }

    @Test
    void serverTimeIsTheDifferenceOfTwoScrapes() {
        String rank = "{method=\"POST\",route=\"/v1/rank\",status=\"200\"";
        String before = String.join("\n",
                "actrec_http_requests_seconds_bucket" + rank + ",le=\"0.001\"} 10",
                "actrec_http_requests_seconds_bucket" + rank + ",le=\"0.002\"} 10",
                "actrec_http_requests_seconds_bucket" + rank + ",le=\"0.004\"} 10",
                "actrec_http_requests_seconds_bucket" + rank + ",le=\"+Inf\"} 10",
                "actrec_http_requests_seconds_count" + rank + "} 10",
                "actrec_http_requests_seconds_sum" + rank + "} 0.005", "");
        // 100 more: 98 between 1 and 2 ms, 2 between 2 and 4 ms; 0.2 s in all
        String after = String.join("\n",
                "actrec_http_requests_seconds_bucket" + rank + ",le=\"0.001\"} 10",
                "actrec_http_requests_seconds_bucket" + rank + ",le=\"0.002\"} 108",
                "actrec_http_requests_seconds_bucket" + rank + ",le=\"0.004\"} 110",
                "actrec_http_requests_seconds_bucket" + rank + ",le=\"+Inf\"} 110",
                "actrec_http_requests_seconds_count" + rank + "} 110",
                "actrec_http_requests_seconds_sum" + rank + "} 0.205", "");
        ServeBenchmark.ServerTime t = ServeBenchmark.ServerTime.between(before, after, "POST", "/v1/rank");
        assertEquals(2.0, t.meanMs(), 1e-9);
        assertEquals(4.0, t.p99AtMostMs(), 1e-9, "99 of 100 are within 4 ms, not within 2");
        assertThrows(IllegalStateException.class, () -> ServeBenchmark.ServerTime.between(after, after, "POST", "/v1/rank"));
    }
}
