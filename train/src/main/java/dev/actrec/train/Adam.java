package dev.actrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba) with bias correction and optional decoupled weight decay (AdamW, Loshchilov and Hutter): each
 * step shrinks every matrix and embedding table by {@code lr · weight_decay} of itself, apart from the gradient step.
 * Decoupled, because an L2 term added to the gradient is rescaled by Adam's second moment: a table row that gets no
 * gradient in a step would then shrink by about {@code lr} whatever the decay, so rare items' embeddings would be
 * flattened first. Vectors (biases, norms' gains) are not decayed. Its moment tensors are plain named tensors, so a checkpoint can save them and a resumed run continues exactly. Updates run outside
 * any gradient recording, in place.
 */
final class Adam {
    private static final float EPS = 1e-8f;
    private final Parameters params;
    private final float lr;
    private final float beta1;
    private final float beta2;
    private final float weightDecay;
    private final Map<String, NDArray> first = new LinkedHashMap<>();
    private final Map<String, NDArray> second = new LinkedHashMap<>();
    private long steps;

    /** Fresh state, or the moments of a checkpoint ({@code saved} != null) after {@code savedSteps} updates. */
    Adam(Parameters params, TrainConfig config, Map<String, float[]> saved, long savedSteps) {
        this.params = params;
        this.lr = (float) config.lr();
        this.beta1 = (float) config.beta1();
        this.beta2 = (float) config.beta2();
        this.weightDecay = (float) config.weightDecay();
        NDManager m = params.manager();
        for (Map.Entry<String, NDArray> e : params.tensors().entrySet()) {
            ai.djl.ndarray.types.Shape shape = e.getValue().getShape();
            first.put(e.getKey(), saved == null ? m.zeros(shape) : m.create(require(saved, "adam.m/" + e.getKey()), shape));
            second.put(e.getKey(), saved == null ? m.zeros(shape) : m.create(require(saved, "adam.v/" + e.getKey()), shape));
        }
        steps = saved == null ? 0 : savedSteps;
    }

    /**
     * Applies one update from the gradients of the last backward pass, then clears them. A step whose gradients are
     * not all finite is skipped (gradients cleared, state untouched) and reported by returning false.
     */
    boolean step(NDManager step) {
        for (NDArray a : first.values()) a.tempAttach(step);
        for (NDArray a : second.values()) a.tempAttach(step);
        NDArray sumSq = null;
        for (NDArray w : params.tensors().values()) {
            NDArray s = w.getGradient().square().sum();
            sumSq = sumSq == null ? s : sumSq.add(s);
        }
        if (sumSq != null && !Float.isFinite(sumSq.getFloat())) {
            clearGradients(params);
            return false;
        }
        steps++;
        // Nothing here is recorded by autograd, so DJL's Number overloads (muli(beta1)...) are safe; see Layers.scalar.
        float c1 = (float) (1 - Math.pow(beta1, steps));
        float c2 = (float) (1 - Math.pow(beta2, steps));
        for (Map.Entry<String, NDArray> e : params.tensors().entrySet()) {
            NDArray w = e.getValue();
            NDArray grad = w.getGradient();
            NDArray m = first.get(e.getKey()).muli(beta1).addi(grad.mul(1 - beta1));
            NDArray v = second.get(e.getKey()).muli(beta2).addi(grad.square().muli(1 - beta2));
            if (weightDecay > 0 && w.getShape().dimension() >= 2) w.muli(1 - lr * weightDecay);
            // w -= lr * (m / c1) / (sqrt(v / c2) + eps)
            w.subi(m.div(c1).divi(v.div(c2).sqrt().addi(EPS)).muli(lr));
            grad.muli(0f);
        }
        return true;
    }

    /** Sets every gradient to 0, including NaN entries (0 * NaN is NaN, hence the masked fill). */
    static void clearGradients(Parameters params) {
        for (NDArray w : params.tensors().values()) {
            NDArray g = w.getGradient();
            g.muli(0f);
            g.set(new ai.djl.ndarray.index.NDIndex("{}", g.isNaN()), 0f);
        }
    }

    long steps() { return steps; }

    /** Moments by "adam.m/NAME" and "adam.v/NAME". */
    Map<String, float[]> snapshot() {
        Map<String, float[]> s = new LinkedHashMap<>();
        first.forEach((k, v) -> s.put("adam.m/" + k, v.toFloatArray()));
        second.forEach((k, v) -> s.put("adam.v/" + k, v.toFloatArray()));
        return s;
    }

    Map<String, long[]> shapes() {
        Map<String, long[]> s = new LinkedHashMap<>();
        first.forEach((k, v) -> s.put("adam.m/" + k, v.getShape().getShape()));
        second.forEach((k, v) -> s.put("adam.v/" + k, v.getShape().getShape()));
        return s;
    }

    private static float[] require(Map<String, float[]> values, String key) {
        float[] v = values.get(key);
        if (v == null) throw new IllegalArgumentException("checkpoint lacks optimizer state '" + key + "'");
        return v;
    }
}
