package dev.actrec.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.actrec.model.ForwardConfig;
import dev.actrec.model.ModelFile;
import dev.actrec.model.ServingModel;
import dev.actrec.model.SyntheticModels;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real-data memory evaluation: λ = 0 is the model alone, computed here the plain way. */
class MemoryOnRealDataTest {
    private static final int ITEMS = 60, WINDOW = 6;

    @TempDir
    Path dir;

    @Test
    void lambdaZeroIsTheModelAloneUnderTheTrainingProtocol() throws Exception {
        Path model = dir.resolve("m.bin");
        SyntheticModels.write(model, new ForwardConfig("act", 8, 1, 2, WINDOW, ITEMS, "cosine", 0.1), 4);
        SplittableRandom rnd = new SplittableRandom(2);
        int[][] seqs = new int[40][];
        StringBuilder sb = new StringBuilder();
        for (int u = 0; u < seqs.length; u++) {
            seqs[u] = new int[3 + rnd.nextInt(25)];
            sb.append(u + 1);
            for (int i = 0; i < seqs[u].length; i++) {
                seqs[u][i] = 1 + rnd.nextInt(ITEMS);
                sb.append(' ').append(seqs[u][i]);
            }
            sb.append('\n');
        }
        Path data = dir.resolve("data.txt");
        Files.writeString(data, sb.toString());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            new MemoryOnRealData(new MemoryOnRealData.Config(model, data, new float[] {0.5f, 2f}, 0.1f), m -> { }).run(g);
        }
        String r = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(r.contains("\"users\":40,"), r);
        java.util.regex.Matcher withMemory = java.util.regex.Pattern.compile("\"users_with_memory\":(\\d+)").matcher(r);
        assertTrue(withMemory.find() && Integer.parseInt(withMemory.group(1)) > 5, r);
        assertTrue(r.contains("{\"lambda\":0.0,") && r.contains("{\"lambda\":0.5,") && r.contains("{\"lambda\":2.0,"),
                "0 is added to the grid: " + r);

        // the model alone, the plain way: window, dot products, earlier items masked, ties against the target
        ServingModel m = ModelFile.load(model);
        double[] hr = new double[2], ndcg = new double[2];
        for (int[] s : seqs) {
            for (int split = 0; split < 2; split++) {
                int prefix = s.length - 2 + split, target = s[prefix];
                int len = Math.min(WINDOW, prefix);
                int[] h = java.util.Arrays.copyOfRange(s, prefix - len, prefix);
                float[] q = new float[m.dim()];
                m.encode(h, len, q);
                java.util.Set<Integer> seen = new java.util.HashSet<>();
                for (int i = 0; i < prefix; i++) if (s[i] != target) seen.add(s[i]);
                float t = score(m, q, target);
                int above = 0;
                for (int c = 1; c <= ITEMS; c++) if (c != target && !seen.contains(c) && score(m, q, c) >= t) above++;
                if (above < 10) {
                    hr[split]++;
                    ndcg[split] += 1 / (Math.log(above + 2) / Math.log(2));
                }
            }
        }
        String alone = r.substring(r.indexOf("{\"lambda\":0.0,"), r.indexOf("{\"lambda\":0.5,"));
        assertEquals(hr[0] / 40, metric(alone, "validation", "HR@10"), 1e-9, alone);
        assertEquals(ndcg[0] / 40, metric(alone, "validation", "NDCG@10"), 1e-9, alone);
        assertEquals(hr[1] / 40, metric(alone, "test", "HR@10"), 1e-9, alone);
        assertEquals(ndcg[1] / 40, metric(alone, "test", "NDCG@10"), 1e-9, alone);
        assertEquals(ndcg[1] / 40, metric(r, "test_model_alone", "NDCG@10"), 1e-9, r);
    }

    private static double metric(String json, String split, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + split + "\":\\{\"HR@10\":([-0-9.eE]+),\"NDCG@10\":([-0-9.eE]+)\\}")
                .matcher(json);
        assertTrue(m.find(), split + " in " + json);
        return Double.parseDouble(m.group(name.equals("HR@10") ? 1 : 2));
    }

    private static float score(ServingModel m, float[] q, int item) {
        return dev.actrec.simd.VectorKernels.dot(q, 0, m.itemTable(), item * m.dim(), m.dim());
    }
}
