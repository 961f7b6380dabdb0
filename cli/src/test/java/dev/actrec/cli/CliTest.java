package dev.actrec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands as a user runs them, in process: exit codes, output, and what reaches the store. */
class CliTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            CommandLine cl = Main.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            System.out.flush();
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }

    @Test
    void everyCommandHasHelpAndTheToolHasAVersion() {
        for (String cmd : new String[] {"ingest", "history", "stats", "verify", "gen", "quickstart", "bench", "export"}) {
            Run r = run(cmd, "--help");
            assertEquals(0, r.code(), cmd);
            assertTrue(r.out().contains("Usage: actrec " + cmd), r.out());
        }
        Run v = run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("actrec "), v.out());
    }

    @Test
    void launcherSaysWhatToInstallWhenNoJdk25IsFound() throws Exception {
        Path launcher = Path.of("..", "actrec").toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "--version").redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        pb.environment().put("ACTREC_JVM_ROOT", tmp.resolve("no-jdks").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(3, p.waitFor(), out);
        assertTrue(out.contains("no JDK 25 or newer found") && out.contains("install one"), out);
    }

    @Test
    void ingestThenHistoryAndStats() throws Exception {
        Path csv = tmp.resolve("e.csv");
        Files.writeString(csv, """
                user,item,action,ts,watch_ms,duration_ms
                u1,10,view,1000,500,9000
                u1,11,like,2000,,
                2,10,impression,1500,0,9000
                u1,10,view,1000,500,9000
                """);
        Path data = tmp.resolve("data");
        Run in = run("ingest", "--data", data.toString(), csv.toString());
        assertEquals(0, in.code(), in.err());
        assertTrue(in.out().contains("3 stored, 1 exact duplicates dropped"), in.out());

        Run h = run("history", "--data", data.toString(), "--user", "u1", "--json");
        assertEquals(0, h.code(), h.err());
        assertTrue(h.out().contains("\"history_length\" : 2"), h.out());
        assertTrue(h.out().indexOf("\"like\"") > h.out().indexOf("\"view\""), "oldest first: " + h.out());

        Run s = run("stats", "--data", data.toString(), "--json");
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("\"actions\" : 3") && s.out().contains("\"users\" : 2"), s.out());

        Run unknown = run("history", "--data", data.toString(), "--user", "nobody");
        assertEquals(1, unknown.code());

        Run ok = run("verify", "--data", data.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("2 users and 3 actions"), ok.out());
        // Damage the last byte of the only chunk's payload: verify names the chunk file.
        Path chunk;
        try (var files = Files.list(data.resolve("chunks"))) {
            chunk = files.findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(chunk);
        bytes[bytes.length - 9] ^= 0x40;
        Files.write(chunk, bytes);
        Run bad = run("verify", "--data", data.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains(chunk.getFileName().toString()) && bad.err().contains("checksum"), bad.err());
    }

    @Test
    void badLineRejectsItsBatchNamesFileLineFieldValueAndKeepsEarlierBatches() throws Exception {
        Path csv = tmp.resolve("bad.csv");
        StringBuilder sb = new StringBuilder("user,item,action,ts\n");
        for (int i = 0; i < 10; i++) sb.append("1,").append(i).append(",view,").append(1000 + i).append('\n');
        sb.append("1,99,teleport,5000\n"); // line 12, in the third batch of 5
        for (int i = 0; i < 3; i++) sb.append("1,").append(200 + i).append(",view,").append(6000 + i).append('\n');
        Files.writeString(csv, sb);
        Path data = tmp.resolve("data");
        Run r = run("ingest", "--data", data.toString(), "--batch-size", "5", csv.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(csv + ":12") && r.err().contains("action") && r.err().contains("teleport"), r.err());
        Run s = run("stats", "--data", data.toString(), "--json");
        assertTrue(s.out().contains("\"actions\" : 10"), "the two whole batches before the bad one stay: " + s.out());
    }

    @Test
    void stdinIsDetectedAndIngested() {
        java.io.InputStream old = System.in;
        System.setIn(new java.io.ByteArrayInputStream("{\"user\":1,\"item\":2,\"action\":\"like\",\"ts\":3}\n"
                .getBytes(StandardCharsets.UTF_8)));
        try {
            Run r = run("ingest", "--data", tmp.resolve("data").toString(), "-");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("1 stored"), r.out());
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void ndjsonAndGeneratedStreamsIngest() throws Exception {
        Path nd = tmp.resolve("e.ndjson");
        Files.writeString(nd, "{\"user\":\"a\",\"item\":5,\"action\":\"share\",\"ts\":7}\n{\"user\":\"a\",\"item\":\"x\",\"action\":\"SKIP\",\"ts\":9,\"watch_ms\":3}\n");
        Path data = tmp.resolve("data");
        assertEquals(0, run("ingest", "--data", data.toString(), nd.toString()).code());

        Path gen = tmp.resolve("g.csv");
        Run g = run("gen", "--users", "20", "--actions-per-user", "50", "--items", "300", "--seed", "3", "--out", gen.toString());
        assertEquals(0, g.code(), g.err());
        Path gen2 = tmp.resolve("g2.csv");
        run("gen", "--users", "20", "--actions-per-user", "50", "--items", "300", "--seed", "3", "--out", gen2.toString());
        assertEquals(-1, Files.mismatch(gen, gen2), "same seed, same bytes");
        Run in = run("ingest", "--data", data.toString(), gen.toString());
        assertEquals(0, in.code(), in.err());
        assertTrue(in.out().contains("1,000 stored"), in.out());
    }

    @Test
    void quickstartRunsTheWholeJobAndARerunDropsEverythingAsDuplicates() {
        Path data = tmp.resolve("qs");
        String[] args = {"quickstart", "--data", data.toString(), "--users", "30", "--actions-per-user", "40",
                "--heavy-user-actions", "3000", "--train-minutes", "0.05", "--port", "0", "--no-wait"};
        Run first = run(args);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("4,200 stored") && first.out().contains("user 31: 3,000 actions, showing 10"), first.out());
        // the heavy user's lifelong memory is built before the demo explains a score with it
        assertTrue(first.out().contains("/v1/explain?user=31&item=17") && first.out().contains("\"memory_actions\":3000"), first.out());
        Run again = run(args);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("0 stored, 4,200 duplicates dropped"), again.out());
    }

    @Test
    void benchmarkDatasetFormatIngests() {
        Path lastfm = Path.of("..", "..", "shared", "datasets", "LastFM", "LastFM.txt").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.exists(lastfm), "skipped: " + lastfm + " not found (../shared/datasets is not beside the project)");
        Path data = tmp.resolve("data");
        Run in = run("ingest", "--data", data.toString(), lastfm.toString());
        assertEquals(0, in.code(), in.err());
        assertTrue(in.out().contains("52,551 stored"), in.out());
        Run s = run("stats", "--data", data.toString(), "--json");
        assertTrue(s.out().contains("\"users\" : 1090") && s.out().contains("\"items\" : 3646")
                && s.out().contains("\"longest_history\" : 899"), s.out());
    }

    @Test
    void exportWritesTheServingFileOfARunFolder() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int u = 1; u <= 40; u++) {
            lines.append(u);
            for (int t = 0; t < 8; t++) lines.append(' ').append(1 + (u * 3 + t * 7) % 30);
            lines.append('\n');
        }
        Path dataset = tmp.resolve("tiny.txt");
        Files.writeString(dataset, lines);
        Path runDir = tmp.resolve("run");
        Run train = run("train", "--dataset", dataset.toString(), "--model", "act", "--epochs", "1", "--out",
                runDir.toString(), "--set", "dim=8", "--set", "heads=2", "--set", "max_len=5", "--set", "batch_size=16",
                "--set", "negatives=4", "--set", "intra_threads=1");
        assertEquals(0, train.code(), train.err() + train.out());
        Path serving = runDir.resolve(dev.actrec.model.ModelFile.FILE_NAME);
        assertTrue(Files.exists(serving), "training writes serving.bin");
        String trainedVersion = dev.actrec.model.ModelFile.load(runDir).info().version();
        Files.delete(serving);

        Run export = run("export", "--model", runDir.toString());
        assertEquals(0, export.code(), export.err());
        dev.actrec.model.ServingModel m = dev.actrec.model.ModelFile.load(serving);
        assertTrue(export.out().contains("\"version\" : \"" + trainedVersion + "\""), export.out());
        assertTrue(export.out().contains("\"sha256\" : \"" + m.info().fileSha256() + "\""), export.out());
        assertEquals(trainedVersion, m.info().version());

        Run missing = run("export", "--model", tmp.resolve("nothing").toString());
        assertTrue(missing.code() != 0 && missing.err().contains("not a trained model folder"), missing.err());
    }
}
