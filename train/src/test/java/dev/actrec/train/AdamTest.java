package dev.actrec.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weight decay is decoupled from the gradient step (AdamW): with a zero gradient, a matrix shrinks by exactly
 * {@code lr · weight_decay} of itself per step, and a vector (bias, gain) is left alone. Coupled L2 would instead
 * move every entry by about {@code lr}, whatever its size, because Adam divides by the gradient's own scale.
 */
class AdamTest {

    @Test
    void decayShrinksMatricesByLrTimesDecayAndLeavesVectorsAlone() {
        TrainConfig config = LearnabilityTest.tiny("act").with("lr", "0.01").with("weight_decay", "0.1");
        Engine engine = TorchRuntime.start(config.intraThreads(), config.interThreads());
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameters params = new Parameters(manager, 1);
            float[] matrix = params.xavier("m", 3, 4).toFloatArray();
            float[] vector = params.constant("v", 3f, 4).toFloatArray();
            Adam adam = new Adam(params, config, null, 0);
            for (int step = 0; step < 3; step++) {
                zeroGradients(engine, params);
                assertTrue(adam.step(manager));
            }
            float[] expected = new float[matrix.length];
            for (int i = 0; i < matrix.length; i++) {
                float w = matrix[i];
                for (int step = 0; step < 3; step++) w *= 1 - 0.01f * 0.1f;
                expected[i] = w;
            }
            assertArrayEquals(expected, params.get("m").toFloatArray(), 1e-6f);
            assertArrayEquals(vector, params.get("v").toFloatArray(), 0f);
        }
    }

    /** A backward pass whose gradients are all zero, so that only the decay moves the weights. */
    private static void zeroGradients(Engine engine, Parameters params) {
        try (GradientCollector collector = engine.newGradientCollector()) {
            NDArray loss = null;
            for (NDArray w : params.tensors().values()) {
                NDArray term = w.sum().mul(0f);
                loss = loss == null ? term : loss.add(term);
            }
            collector.backward(loss);
        }
    }
}
