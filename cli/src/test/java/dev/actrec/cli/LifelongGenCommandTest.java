package dev.actrec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.actrec.cli.CliTest.Run;
import dev.actrec.core.gen.lifelong.LifelongConfig;
import dev.actrec.core.gen.lifelong.LifelongOracle;
import dev.actrec.core.gen.lifelong.OracleMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code actrec gen lifelong} beside the unchanged {@code actrec gen}. */
class LifelongGenCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesEventsAndASidecarThatRebuildsTheOracleAndTheStreamIngests() throws Exception {
        Path a = tmp.resolve("a.csv");
        String[] args = {"gen", "lifelong", "--users", "6", "--lengths", "300,3000", "--items", "2000", "--seed", "9",
                "--out", a.toString()};
        Run r = CliTest.run(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote 9,900 events of 6 users"), r.out());
        Path side = tmp.resolve("a.csv.lifelong.json");
        String json = Files.readString(side);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(a)));
        assertTrue(json.contains(sha) && json.contains("\"events\" : 9900"), json);

        Path b = tmp.resolve("b.csv");
        args[args.length - 1] = b.toString();
        assertEquals(0, CliTest.run(args).code());
        assertEquals(-1, Files.mismatch(a, b), "same seed, same bytes");

        LifelongConfig cfg = LifelongConfig.fromJson(json);
        assertEquals(3000, cfg.userLength(2));
        OracleMetrics m = LifelongOracle.fromSidecar(side).evaluate(5);
        assertEquals(30, m.positions());

        Path data = tmp.resolve("data");
        Run in = CliTest.run("ingest", "--data", data.toString(), a.toString());
        assertEquals(0, in.code(), in.err());
        assertTrue(in.out().contains("9,900 stored"), in.out());
    }

    @Test
    void ndjsonAndBadArguments() throws Exception {
        Path nd = tmp.resolve("x.ndjson");
        Run r = CliTest.run("gen", "lifelong", "--users", "2", "--min-length", "100", "--max-length", "1000",
                "--items", "500", "--format", "ndjson", "--out", nd.toString(), "--sidecar", tmp.resolve("s.json").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(nd).startsWith("{"));
        assertTrue(Files.exists(tmp.resolve("s.json")));
        Run bad = CliTest.run("gen", "lifelong", "--users", "2", "--min-length", "100", "--max-length", "10",
                "--items", "500", "--out", tmp.resolve("y.csv").toString());
        assertEquals(ErrorReporter.FAILED, bad.code());
        assertTrue(bad.err().contains("maxLength must be in"), bad.err());
    }

    @Test
    void plainGenKeepsItsRequiredOptions() {
        Run r = CliTest.run("gen", "--users", "3");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Missing required options: '--actions-per-user=L', '--items=I', '--out=FILE'"), r.err());
        Run help = CliTest.run("gen", "--help");
        assertTrue(help.out().contains("lifelong"), help.out());
    }
}
