package dev.actrec.train;

import dev.actrec.model.ForwardConfig;
import dev.actrec.model.ModelFile;
import dev.actrec.model.ServingModel;
import dev.actrec.model.SyntheticModels;
import dev.actrec.simd.VectorKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Not a test: prints the median time of one request through the Java forward pass and through DJL, for
 * d = 64, 2 layers, max_len 200 and a full window. Runs only with {@code -Dactrec.timing=true}; asserts nothing
 * about time (DESIGN.md: benchmarks, not unit tests, report times).
 */
@EnabledIfSystemProperty(named = "actrec.timing", matches = "true")
class ForwardTimingProbe {

    @Test
    void printsJavaAndDjlForwardTimes(@TempDir Path dir) throws Exception {
        int numItems = Integer.getInteger("actrec.timing.items", 100_000);
        for (String kind : new String[] {"sasrec", "act"}) {
            ForwardConfig c = new ForwardConfig(kind, 64, 2, 2, 200, numItems, "cosine", 0.05);
            Path file = dir.resolve(kind + ".bin");
            long t0 = System.nanoTime();
            SyntheticModels.write(file, c, 1);
            long t1 = System.nanoTime();
            ServingModel m = ModelFile.load(file);
            long t2 = System.nanoTime();
            int[] history = new int[200];
            SplittableRandom rnd = new SplittableRandom(3);
            for (int i = 0; i < history.length; i++) history[i] = 1 + rnd.nextInt(numItems);
            float[] out = new float[64];
            float sink = 0;
            for (int i = 0; i < 300; i++) {
                m.encode(history, history.length, out);
                sink += out[0];
            }
            double[] ms = new double[200];
            for (int i = 0; i < ms.length; i++) {
                long s = System.nanoTime();
                m.encode(history, history.length, out);
                ms[i] = (System.nanoTime() - s) / 1e6;
                sink += out[0];
            }
            Arrays.sort(ms);
            double djl = DjlServingForward.medianForwardMillis(file, history, history.length, 30, 100);
            assertTrue(Float.isFinite(sink));
            System.out.printf(Locale.ROOT, "%s d=64 layers=2 max_len=200 items=%,d: java %.3f ms (simd %s), "
                            + "djl %.3f ms, djl/java %.1fx; write %.1f s, load %.1f s%n", kind, numItems,
                    ms[ms.length / 2], VectorKernels.implementationName(), djl, djl / ms[ms.length / 2],
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        }
    }
}
