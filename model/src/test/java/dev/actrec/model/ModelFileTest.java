package dev.actrec.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

class ModelFileTest {
    static final ForwardConfig SMALL = new ForwardConfig("act", 8, 2, 2, 6, 20, "cosine", 0.05);

    @ParameterizedTest
    @ValueSource(strings = {"sasrec", "act"})
    void writesAndLoadsWithFactsAndStableVersion(String kind, @TempDir Path dir) throws Exception {
        ForwardConfig c = new ForwardConfig(kind, 8, 2, 2, 6, 20, "cosine", 0.05);
        ModelInfo written = SyntheticModels.write(dir.resolve(ModelFile.FILE_NAME), c, 3);
        ServingModel m = ModelFile.load(dir);                                  // a folder means folder/serving.bin
        ModelInfo info = m.info();
        assertEquals(kind, info.kind());
        assertTrue(info.version().matches(kind + "-[0-9a-f]{12}"), info.version());
        assertEquals(written, info);
        assertEquals(ModelFile.fileSha256(dir.resolve(ModelFile.FILE_NAME)), info.fileSha256());
        assertEquals("true", info.facts().get("synthetic"));
        assertEquals("cosine", info.facts().get("similarity"));
        assertEquals(20, m.numItems());
        assertEquals(6, m.maxLen());
        assertEquals(21 * 8, m.itemTable().length);

        Path other = dir.resolve("again.bin");
        assertEquals(info.version(), SyntheticModels.write(other, c, 3).version(), "same weights, same label");
        assertNotEquals(info.version(), SyntheticModels.write(other, c, 4).version());
    }

    @Test
    void cosineTableRowsAreUnitAndScoresAreTrainingLogits(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.bin");
        SyntheticModels.write(f, SMALL, 5);
        ServingModel m = ModelFile.load(f);
        float[] table = m.itemTable();
        for (int j = 0; j < 8; j++) assertEquals(0f, table[j], "padding row");
        for (int i = 1; i <= 20; i++) {
            double sq = 0;
            for (int j = 0; j < 8; j++) sq += table[i * 8 + j] * table[i * 8 + j];
            assertEquals(1.0, sq, 1e-5, "row " + i);
        }
        float[] q = new float[8];
        m.encode(new int[] {1, 2, 3}, 3, q);
        double sq = 0;
        for (float v : q) sq += v * v;
        assertEquals(1 / 0.05, Math.sqrt(sq), 1e-3, "unit query times 1/temperature");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sasrec", "act"})
    void encodeEdgeCases(String kind, @TempDir Path dir) throws Exception {
        ForwardConfig c = new ForwardConfig(kind, 8, 2, 2, 6, 20, "dot", 1.0);
        Path f = dir.resolve("m.bin");
        Map<String, float[]> w = SyntheticModels.randomWeights(c, 9);
        ModelFile.write(f, c, Map.of(), w);
        ServingModel m = ModelFile.load(f);
        float[] empty = new float[8];
        m.encode(new int[0], 0, empty);
        assertArrayEquals(w.get("ln_out.b"), empty, 1e-6f, "empty history: LN_out of zeros is its bias");
        float[] unknown = new float[8];
        m.encode(new int[] {0, 0, 0}, 3, unknown);
        assertArrayEquals(empty, unknown, "all-unknown history = empty history");

        float[] a = new float[8];
        float[] b = new float[8];
        m.encode(new int[] {4, 0, 7, 0, 9}, 5, a);
        m.encode(new int[] {4, 7, 9}, 3, b);
        assertArrayEquals(b, a, "unknown items are skipped");
        m.encode(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10, a);
        m.encode(new int[] {5, 6, 7, 8, 9, 10}, 6, b);
        assertArrayEquals(b, a, "only the newest max_len items count");
        m.encode(new int[] {5, 6, 7, 8, 9, 10, 11, 12}, 6, a);
        assertArrayEquals(b, a, "entries beyond len are ignored");
        assertFalse(Arrays.equals(a, empty));

        float[] out = new float[8];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.encode(new int[] {1, 21}, 2, out));
        assertTrue(e.getMessage().contains("history[1] = 21"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.encode(new int[] {-1}, 1, out));
        assertThrows(IllegalArgumentException.class, () -> m.encode(new int[] {1}, 2, out));
        assertThrows(IllegalArgumentException.class, () -> m.encode(new int[] {1}, 1, new float[7]));
    }

    @Test
    void encodesConcurrentlyWithPerThreadScratch(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.bin");
        SyntheticModels.write(f, new ForwardConfig("sasrec", 16, 2, 2, 12, 50, "cosine", 0.1), 2);
        ServingModel m = ModelFile.load(f);
        int[][] histories = new int[8][];
        float[][] expected = new float[8][16];
        for (int u = 0; u < 8; u++) {
            histories[u] = new int[3 + u * 2];
            for (int t = 0; t < histories[u].length; t++) histories[u][t] = 1 + (u * 7 + t * 3) % 50;
            m.encode(histories[u], histories[u].length, expected[u]);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] fs = new Future<?>[4];
            for (int w = 0; w < 4; w++) {
                int worker = w;
                fs[w] = pool.submit(() -> {
                    float[] out = new float[16];
                    for (int r = 0; r < 200; r++) {
                        int u = (r + worker) % 8;
                        m.encode(histories[u], histories[u].length, out);
                        assertArrayEquals(expected[u], out);
                    }
                });
            }
            for (Future<?> x : fs) x.get();
        } finally {
            pool.shutdown();
        }
    }

    // ---- rejection: every fault is a ModelFormatException that names the file and what is wrong ----

    @Test
    void rejectsCorruptTruncatedAndForeignFiles(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.bin");
        SyntheticModels.write(f, SMALL, 1);
        byte[] good = Files.readAllBytes(f);

        byte[] flipped = good.clone();
        flipped[good.length - 40] ^= 0x10;
        assertRejected(f, flipped, "checksum");
        assertRejected(f, Arrays.copyOf(good, good.length - 9), "truncated");
        assertRejected(f, Arrays.copyOf(good, 30), "truncated");
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertRejected(f, magic, "magic");
        byte[] version = good.clone();
        ByteBuffer.wrap(version).putInt(4, 2);
        assertRejected(f, version, "version 2");
    }

    @Test
    void rejectsMissingOrMalformedHeaderKeys(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.bin");
        SyntheticModels.write(f, SMALL, 1);
        TensorFile.Content c = TensorFile.read(f);
        for (String key : ModelFile.REQUIRED_KEYS) {
            String header = c.header().replaceFirst("(?m)^" + key + " = .*\n", "");
            TensorFile.write(f, header, c.values(), c.shapes());
            assertMessage(f, "'" + key + "' is missing");
        }
        rewriteHeader(f, c, "dim = 8", "dim = eight");
        assertMessage(f, "'dim' = eight is not an integer");
        rewriteHeader(f, c, "heads = 2", "heads = 3");
        assertMessage(f, "'heads' = 3");
        rewriteHeader(f, c, "format = act-serving", "format = act-model");
        assertMessage(f, "'format' = act-model");
        rewriteHeader(f, c, "format_version = 1", "format_version = 9");
        assertMessage(f, "'format_version' = 9");
        rewriteHeader(f, c, "kind = act", "kind = gru");
        assertMessage(f, "'kind' = gru");
        rewriteHeader(f, c, "similarity = cosine", "similarity = l1");
        assertMessage(f, "'similarity' = l1");
    }

    @Test
    void rejectsTensorsThatDisagreeWithTheHeader(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.bin");
        SyntheticModels.write(f, SMALL, 1);
        TensorFile.Content c = TensorFile.read(f);

        rewriteHeader(f, c, "num_items = 20", "num_items = 30");
        assertMessage(f, "'item_table' has shape [21, 8], expected [31, 8]");
        rewriteHeader(f, c, "layers = 2", "layers = 3");
        assertMessage(f, "'layer2.ln_in.g' is missing");
        rewriteHeader(f, c, "layers = 2", "layers = 1");
        assertMessage(f, "unknown tensors [layer1.");

        Map<String, float[]> values = new LinkedHashMap<>(c.values());
        Map<String, long[]> shapes = new LinkedHashMap<>(c.shapes());
        values.put("layer0.w_out", new float[8 * 9]);
        shapes.put("layer0.w_out", new long[] {8, 9});
        TensorFile.write(f, c.header(), values, shapes);
        assertMessage(f, "'layer0.w_out' has shape [8, 9], expected [8, 8]");

        values = new LinkedHashMap<>(c.values());
        values.put("pos_emb", c.values().get("pos_emb").clone());
        values.get("pos_emb")[5] = Float.NaN;
        TensorFile.write(f, c.header(), values, c.shapes());
        assertMessage(f, "'pos_emb' holds NaN at index 5");

        values = new LinkedHashMap<>(c.values());
        values.put("item_table", c.values().get("item_table").clone());
        values.get("item_table")[3] = 1f;
        TensorFile.write(f, c.header(), values, c.shapes());
        assertMessage(f, "row 0 (padding) is not zero");
    }

    @Test
    void writerRefusesIncompleteModels(@TempDir Path dir) {
        Map<String, float[]> w = SyntheticModels.randomWeights(SMALL, 1);
        w.remove("ln_out.b");
        Path f = dir.resolve("m.bin");
        assertThrows(IllegalArgumentException.class, () -> ModelFile.write(f, SMALL, Map.of(), w));
        Map<String, float[]> extra = SyntheticModels.randomWeights(SMALL, 1);
        extra.put("attr_emb", new float[8]);
        assertThrows(IllegalArgumentException.class, () -> ModelFile.write(f, SMALL, Map.of(), extra));
        Map<String, float[]> ok = SyntheticModels.randomWeights(SMALL, 1);
        assertThrows(IllegalArgumentException.class, () -> ModelFile.write(f, SMALL, Map.of("dim", "9"), ok));
        assertFalse(Files.exists(f));
    }

    private static void rewriteHeader(Path f, TensorFile.Content c, String from, String to) throws IOException {
        String header = c.header().replaceFirst("(?m)^" + from + "$", to);
        assertNotEquals(c.header(), header, from);
        TensorFile.write(f, header, c.values(), c.shapes());
    }

    private static void assertRejected(Path f, byte[] bytes, String fault) throws IOException {
        Files.write(f, bytes);
        assertMessage(f, fault);
    }

    private static void assertMessage(Path f, String fault) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains(fault),
                "expected '" + fault + "' in: " + e.getMessage());
    }
}
