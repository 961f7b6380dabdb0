package dev.actrec.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.actrec.server.bench.ServeBenchmark;
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
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            new ServeBenchmark(new ServeBenchmark.Config(dir, 20, 200, 4, 100, 2, 40, 30, 1), m -> { }).run(g);
        }
        String json = out.toString(StandardCharsets.UTF_8);
        for (String key : new String[] {"\"model\":\"popularity-fallback\"", "\"ingest_http_actions_per_s\":",
                "\"recommend_p99_ms\":", "\"rank30_p99_ms\":", "\"floor_healthz_p50_ms\":", "\"load_average_1m\":"}) {
            assertTrue(json.contains(key), key + " missing from " + json);
        }
    }
}
