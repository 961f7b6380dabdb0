package dev.actrec.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Serving files with seeded random weights, for tests and benchmarks that need a model of a given size but no
 * training run (a 1,000,000-item catalogue is one 256 MB table at d = 64; it is generated once, in place, and
 * written through the tensor file's small buffer, so peak memory is that table plus a few small tensors).
 *
 * <p>Scales keep every layer in a realistic range: item rows of norm about 1 (entries about 1 after the sqrt(d)
 * input scale), Xavier-uniform matrices, biases within ±0.1, layer-norm gains within 1 ± 0.2, position
 * embeddings and relative biases within ±0.5. Same arguments, same bytes, same version label.
 */
public final class SyntheticModels {
    private SyntheticModels() {}

    /** The tensors of a random model, by name, as {@link ModelFile#write} expects them. */
    public static Map<String, float[]> randomWeights(ForwardConfig config, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = config.dim();
        Map<String, float[]> w = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : ModelFile.expectedShapes(config).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            int size = Math.toIntExact(shape.length == 1 ? shape[0] : shape[0] * shape[1]);
            float[] v = new float[size];
            if (name.equals("item_table")) {
                uniform(rnd, v, d, v.length, (float) Math.sqrt(3.0 / d)); // row 0 stays zero (padding)
            } else if (name.equals("pos_emb") || name.endsWith("rel_bias")) {
                uniform(rnd, v, 0, v.length, 0.5f);
            } else if (name.endsWith(".g")) {
                uniform(rnd, v, 0, v.length, 0.2f);
                for (int i = 0; i < v.length; i++) v[i] += 1f;
            } else if (shape.length == 1) {
                uniform(rnd, v, 0, v.length, 0.1f);                          // biases
            } else {
                uniform(rnd, v, 0, v.length, (float) Math.sqrt(6.0 / (shape[0] + shape[1]))); // Xavier
            }
            w.put(name, v);
        }
        return w;
    }

    /**
     * Writes a random model of this configuration to {@code file} ({@code serving.bin} or any name); the facts
     * record {@code synthetic = true} and the seed.
     */
    public static ModelInfo write(Path file, ForwardConfig config, long seed) throws IOException {
        return write(file, config, seed, 0);
    }

    /**
     * As {@link #write(Path, ForwardConfig, long)}, with the item table drawn around {@code clusters} random centres
     * (0: no clusters). Trained item embeddings group by topic; uniform random rows have no such structure and make
     * approximate nearest-neighbour search look far harder than it is on a real catalogue.
     */
    public static ModelInfo write(Path file, ForwardConfig config, long seed, int clusters) throws IOException {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("synthetic", "true");
        facts.put("seed", Long.toString(seed));
        Map<String, float[]> w = randomWeights(config, seed);
        if (clusters > 0) {
            facts.put("clusters", Integer.toString(clusters));
            cluster(w.get("item_table"), config.dim(), clusters, new SplittableRandom(seed ^ 0x5eedL));
        }
        return ModelFile.write(file, config, facts, w);
    }

    /** Rows 1.. become centre + noise at half the centre's scale, with the same overall scale as before. */
    private static void cluster(float[] table, int d, int clusters, SplittableRandom rnd) {
        float bound = (float) Math.sqrt(3.0 / d);
        float[] centres = new float[clusters * d];
        uniform(rnd, centres, 0, centres.length, bound);
        for (int row = 1, rows = table.length / d; row < rows; row++) {
            int c = rnd.nextInt(clusters) * d;
            for (int j = 0; j < d; j++) {
                table[row * d + j] = 0.9f * centres[c + j] + 0.45f * (float) ((rnd.nextDouble() * 2 - 1) * bound);
            }
        }
    }

    private static void uniform(SplittableRandom rnd, float[] v, int from, int to, float bound) {
        for (int i = from; i < to; i++) v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
    }
}
