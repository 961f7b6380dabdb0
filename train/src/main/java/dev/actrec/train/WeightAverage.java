package dev.actrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An exponential moving average of a model's weights (Polyak averaging), updated after every applied optimiser step:
 * {@code a ← d·a + (1 − d)·w} with {@code d = min(decay, (1 + t) / (10 + t))} at step t, so the first steps do not
 * tie the average to the random initial weights. Validation, the kept model and serving use the average when it is on
 * ({@code ema_decay > 0}): its weights sit between the noisy points the optimiser visits. Its tensors are saved in a
 * checkpoint under {@code ema/NAME}, so a resumed run continues exactly.
 */
final class WeightAverage {
    static final String PREFIX = "ema/";
    private final Parameters params;
    private final double decay;
    private final Map<String, NDArray> average = new LinkedHashMap<>();

    /** Starts at the current weights, or at the average of a checkpoint ({@code saved} != null). */
    WeightAverage(Parameters params, double decay, Map<String, float[]> saved) {
        if (!(decay > 0 && decay < 1)) throw new IllegalArgumentException("ema_decay must be in (0, 1), was " + decay);
        this.params = params;
        this.decay = decay;
        NDManager m = params.manager();
        for (Map.Entry<String, NDArray> e : params.tensors().entrySet()) {
            NDArray start;
            if (saved == null) {
                start = m.create(e.getValue().toFloatArray(), e.getValue().getShape());
            } else {
                float[] v = saved.get(PREFIX + e.getKey());
                if (v == null) throw new IllegalArgumentException("checkpoint lacks weight average '" + PREFIX + e.getKey() + "'");
                start = m.create(v, e.getValue().getShape());
            }
            average.put(e.getKey(), start);
        }
    }

    /** The decay applied at optimiser step {@code t} (1-based). */
    double decayAt(long t) {
        return Math.min(decay, (1.0 + t) / (10.0 + t));
    }

    /** Folds the current weights in after optimiser step {@code t}; temporaries die with {@code step}. */
    void update(long t, NDManager step) {
        float d = (float) decayAt(t);
        for (Map.Entry<String, NDArray> e : params.tensors().entrySet()) {
            NDArray a = average.get(e.getKey());
            a.tempAttach(step);
            // outside any gradient recording, so the Number overloads are safe (see Layers.scalar)
            a.muli(d).addi(e.getValue().mul(1 - d));
        }
    }

    /** Copies of the averaged weights, by parameter name (the shape of {@link Parameters#snapshot()}). */
    Map<String, float[]> weights() {
        Map<String, float[]> m = new LinkedHashMap<>();
        average.forEach((k, v) -> m.put(k, v.toFloatArray()));
        return m;
    }

    /** The averaged weights under {@code ema/NAME}, for a checkpoint. */
    Map<String, float[]> snapshot() {
        Map<String, float[]> m = new LinkedHashMap<>();
        weights().forEach((k, v) -> m.put(PREFIX + k, v));
        return m;
    }

    Map<String, long[]> shapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        average.forEach((k, v) -> m.put(PREFIX + k, v.getShape().getShape()));
        return m;
    }
}
