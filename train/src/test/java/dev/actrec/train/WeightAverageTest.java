package dev.actrec.train;

import ai.djl.ndarray.NDManager;
import dev.actrec.core.dataset.SequenceDataset;
import dev.actrec.model.TensorFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The weight average follows a ← d·a + (1 − d)·w with d = min(decay, (1 + t) / (10 + t)), and a run with it keeps
 * the average, not the raw weights, as its model.
 */
class WeightAverageTest {

    @Test
    void followsTheAverageComputedByHand() {
        TorchRuntime.start(1, 1);
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameters params = new Parameters(manager, 3);
            float[] w = params.xavier("m", 2, 3).toFloatArray();
            WeightAverage average = new WeightAverage(params, 0.5, null);
            assertEquals(2.0 / 11, average.decayAt(1), 1e-12, "warm-up: (1 + 1) / (10 + 1)");
            assertEquals(0.5, average.decayAt(100), 0.0, "then the configured decay");
            double[] expected = new double[w.length];
            for (int i = 0; i < w.length; i++) expected[i] = w[i];
            for (int t = 1; t <= 20; t++) {
                params.get("m").addi(0.25f * t); // outside any gradient recording
                float[] now = params.get("m").toFloatArray();
                double d = Math.min(0.5, (1.0 + t) / (10.0 + t));
                for (int i = 0; i < w.length; i++) expected[i] = d * expected[i] + (1 - d) * now[i];
                average.update(t, manager);
            }
            float[] got = average.weights().get("m");
            for (int i = 0; i < w.length; i++) assertEquals(expected[i], got[i], 1e-4, "entry " + i);
            assertArrayEquals(got, average.snapshot().get(WeightAverage.PREFIX + "m"));
        }
    }

    @Test
    void aCheckpointWithoutTheAverageIsRefusedByName() {
        TorchRuntime.start(1, 1);
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameters params = new Parameters(manager, 3);
            params.xavier("m", 2, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new WeightAverage(params, 0.9, Map.of("m", new float[6])));
            assertTrue(e.getMessage().contains("'ema/m'"), e.getMessage());
        }
    }

    @Test
    void theRunKeepsTheAverageAsItsModel(@TempDir Path dir) throws Exception {
        SequenceDataset data = SyntheticSequences.permutationWalks(150, 40, 5, 12, 3);
        TrainConfig one = LearnabilityTest.tiny("act").with("epochs", "1").with("eval_every", "1").with("ema_decay", "0.9");
        new Trainer(data, one, dir, new PrintStream(OutputStream.nullOutputStream())).run(false);
        Map<String, float[]> checkpoint = TensorFile.read(dir.resolve(Trainer.CHECKPOINT_FILE)).values();
        Map<String, float[]> model = TensorFile.read(dir.resolve(Trainer.MODEL_FILE)).values();
        boolean differs = false;
        for (Map.Entry<String, float[]> e : model.entrySet()) {
            assertArrayEquals(checkpoint.get(WeightAverage.PREFIX + e.getKey()), e.getValue(), "average of " + e.getKey());
            differs |= !Arrays.equals(checkpoint.get(e.getKey()), e.getValue());
        }
        assertTrue(differs, "the average is not the raw weights");
        assertFalse(model.keySet().stream().anyMatch(k -> k.startsWith(WeightAverage.PREFIX)), model.keySet().toString());
    }
}
