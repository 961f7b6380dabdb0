package dev.actrec.bench;

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
                "\"model_sha256\":"}) {
            assertTrue(json.contains(key), key + " missing from " + json);
        }
    }
}
