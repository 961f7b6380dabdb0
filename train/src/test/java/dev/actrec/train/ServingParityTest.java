package dev.actrec.train;

import dev.actrec.core.dataset.SequenceDataset;
import dev.actrec.model.ForwardConfig;
import dev.actrec.model.ModelFile;
import dev.actrec.model.ModelInfo;
import dev.actrec.model.ServingModel;
import dev.actrec.model.SyntheticModels;
import dev.actrec.simd.VectorKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pure-Java forward passes ({@link ModelFile#load}) against the training code under PyTorch
 * ({@link DjlServingForward}) on the same serving file: the query vectors agree within 1e-4 (max abs), for random
 * models of both kinds and several sizes, and for a model trained for a few seconds. Seeds are printed on failure.
 */
class ServingParityTest {
    static final float TOLERANCE = 1e-4f;

    static List<ForwardConfig> configs() {
        return List.of(
                new ForwardConfig("sasrec", 16, 1, 1, 8, 40, "cosine", 0.05),
                new ForwardConfig("sasrec", 16, 4, 2, 8, 40, "dot", 1.0),
                new ForwardConfig("sasrec", 64, 2, 2, 200, 500, "cosine", 0.05),
                new ForwardConfig("act", 16, 2, 1, 8, 40, "cosine", 0.1),
                new ForwardConfig("act", 32, 4, 2, 12, 40, "dot", 0.5),
                new ForwardConfig("act", 64, 2, 2, 200, 500, "cosine", 0.05));
    }

    @Test
    void randomModelsAgreeWithDjl(@TempDir Path dir) throws Exception {
        double worst = 0;
        int model = 0;
        for (ForwardConfig c : configs()) {
            long seed = 1000 + model;
            Path file = dir.resolve("m" + model++ + ".bin");
            SyntheticModels.write(file, c, seed);
            ServingModel jvm = ModelFile.load(file);
            try (DjlServingForward djl = DjlServingForward.load(file)) {
                for (int[] h : histories(c, new SplittableRandom(seed))) {
                    worst = Math.max(worst, compare(jvm, djl, h, h.length, c + " seed " + seed));
                }
            }
        }
        System.out.printf(Locale.ROOT, "random models: max |java - djl| = %.3g (simd %s)%n", worst,
                VectorKernels.implementationName());
    }

    @Test
    void trainedModelsAgreeWithDjl(@TempDir Path dir) throws Exception {
        SequenceDataset data = SyntheticSequences.permutationWalks(200, 60, 6, 30, 11);
        double worst = 0;
        for (String kind : new String[] {"sasrec", "act"}) {
            Path run = dir.resolve(kind);
            TrainConfig config = LearnabilityTest.tiny(kind).with("epochs", "3").with("eval_every", "1")
                    .with("heads", "2");
            new Trainer(data, config, run, new PrintStream(new ByteArrayOutputStream(), true)).run(false);
            Path serving = run.resolve(ModelFile.FILE_NAME);
            assertTrue(Files.exists(serving), "the trainer writes serving.bin");
            ServingModel jvm = ModelFile.load(run);
            assertEquals(kind, jvm.info().kind());
            assertEquals("7", jvm.info().facts().get("seed"));
            assertEquals(data.sha256(), jvm.info().facts().get("dataset_sha256"));
            ModelInfo again = ServingExport.export(run);
            assertEquals(jvm.info().version(), again.version(), "export of the same weights, same version label");

            try (DjlServingForward djl = DjlServingForward.load(serving)) {
                int[] values = data.values();
                for (int u = 0; u < data.users(); u += 7) {
                    int[] h = Arrays.copyOfRange(values, data.start(u), data.start(u) + data.length(u));
                    worst = Math.max(worst, compare(jvm, djl, h, h.length, kind + " user " + u));
                    if (h.length > 3) h[1] = 0;
                    worst = Math.max(worst, compare(jvm, djl, h, h.length - 1, kind + " user " + u + " with a 0"));
                }
            }
        }
        System.out.printf(Locale.ROOT, "trained models: max |java - djl| = %.3g%n", worst);
    }

    /**
     * Real sequences: every 50th user of ML-1M and Beauty (from {@code ../shared/datasets}) through a model of each
     * kind over the data set's whole catalog, window 200. The weights are random (training on these data sets
     * takes an hour, see docs/results.md); the inputs are the real histories, long and short.
     */
    @Test
    void realSequencesAgreeWithDjl(@TempDir Path dir) throws Exception {
        Path root = Path.of("..", "..", "shared", "datasets").toAbsolutePath().normalize();
        Path[] files = {root.resolve("ML-1M").resolve("ml-1m.txt"), root.resolve("Beauty").resolve("Beauty.txt")};
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(files[0]) && Files.exists(files[1]),
                "skipped: " + root + " (the shared data sets) is not beside the project");
        double worst = 0;
        int checked = 0;
        for (Path f : files) {
            SequenceDataset data = SequenceDataset.load(f);
            for (String kind : new String[] {"sasrec", "act"}) {
                ForwardConfig c = new ForwardConfig(kind, 64, 2, 2, 200, data.numItems(), "cosine", 0.05);
                Path file = dir.resolve(kind + "-" + f.getFileName() + ".bin");
                SyntheticModels.write(file, c, 77);
                ServingModel jvm = ModelFile.load(file);
                try (DjlServingForward djl = DjlServingForward.load(file)) {
                    for (int u = 0; u < data.users(); u += 50) {
                        int[] h = data.sequence(u);
                        worst = Math.max(worst, compare(jvm, djl, h, h.length, kind + " on " + f.getFileName()
                                + " user " + data.userId(u)));
                        checked++;
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "real sequences: %d histories, max |java - djl| = %.3g%n", checked, worst);
    }

    /** Lengths 0, 1, short, maxLen - 1, maxLen and longer; some with unknown (0) items; one all unknown. */
    static List<int[]> histories(ForwardConfig c, SplittableRandom rnd) {
        List<int[]> hs = new ArrayList<>();
        int m = c.maxLen();
        for (int len : new int[] {0, 1, 3, m - 1, m, m + 5, 2 * m + 3}) {
            if (len < 0) continue;
            int[] h = new int[len];
            for (int t = 0; t < len; t++) h[t] = 1 + rnd.nextInt(c.numItems());
            hs.add(h);
            if (len >= 2) {
                int[] z = h.clone();
                for (int k = 0; k < Math.max(1, len / 4); k++) z[rnd.nextInt(len)] = 0;
                hs.add(z);
            }
        }
        hs.add(new int[] {0, 0, 0});
        return hs;
    }

    static double compare(ServingModel jvm, DjlServingForward djl, int[] h, int len, String what) {
        float[] a = new float[jvm.dim()];
        jvm.encode(h, len, a);
        float[] b = djl.encode(h, len);
        double max = 0;
        for (int j = 0; j < a.length; j++) max = Math.max(max, Math.abs(a[j] - b[j]));
        assertTrue(max <= TOLERANCE, what + ", len " + len + ": max |java - djl| = " + max
                + "\n java " + Arrays.toString(a) + "\n djl  " + Arrays.toString(b));
        return max;
    }
}
