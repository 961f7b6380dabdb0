package dev.actrec.model.retrieval;

import java.util.SplittableRandom;

/**
 * Seeded synthetic item tables that look like trained embeddings: items gather around random cluster centres, with
 * norms that vary a little. Uniform random vectors would be unrealistically hard for a graph index (no neighbourhood
 * structure), so tests and the probe use these.
 */
final class ClusteredTable {

    private ClusteredTable() {}

    /**
     * Row-major {@code (numItems + 1) x dim}, row 0 zeros. Centres are unit Gaussian directions; an item is its
     * centre plus N(0, spread²/dim) per coordinate, scaled by a norm factor uniform in [0.75, 1.25].
     */
    static float[] create(int numItems, int dim, int numClusters, float spread, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] centres = new float[numClusters * dim]; // (clusters, dim)
        for (int c = 0; c < numClusters; c++) {
            double norm = 0;
            for (int i = 0; i < dim; i++) {
                double v = random.nextGaussian();
                centres[c * dim + i] = (float) v;
                norm += v * v;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < dim; i++) {
                centres[c * dim + i] *= inv;
            }
        }
        float[] table = new float[(numItems + 1) * dim]; // (numItems + 1, dim)
        double sigma = spread / Math.sqrt(dim);
        for (int item = 1; item <= numItems; item++) {
            int c = random.nextInt(numClusters);
            double scale = 0.75 + 0.5 * random.nextDouble();
            for (int i = 0; i < dim; i++) {
                table[item * dim + i] = (float) (scale * (centres[c * dim + i] + sigma * random.nextGaussian()));
            }
        }
        return table;
    }

    /** Uniform values in [-1, 1): for exactness tests, where structure does not matter. */
    static float[] uniform(int numItems, int dim, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] table = new float[(numItems + 1) * dim];
        for (int i = dim; i < table.length; i++) {
            table[i] = (float) (2 * random.nextDouble() - 1);
        }
        return table;
    }
}
