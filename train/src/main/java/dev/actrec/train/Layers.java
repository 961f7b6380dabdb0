package dev.actrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;

/**
 * The few tensor operations the models are built from. Each is a plain formula, so the pure-Java forward pass used
 * for serving can mirror it line by line. Shapes: B batch, L sequence length, d width.
 *
 * <p>Scalars in the arithmetic of the forward pass and the loss are {@link #scalar} tensors, never DJL's
 * {@code Number} overloads ({@code x.mul(2f)}, {@code div}, {@code maximum}...): see {@link #scalar}.
 */
final class Layers {
    static final float LN_EPS = 1e-8f;

    private Layers() {}

    /**
     * A float32 scalar (a 0-dim tensor) whose memory PyTorch owns. DJL's {@code Number} overloads also make a 0-dim
     * tensor, but over a Java direct buffer, and close it as soon as the operation returns; autograd keeps that tensor
     * for the backward pass ({@code mul}, {@code div} and {@code maximum} save their operands) without owning its
     * memory. A garbage collection between forward and backward then lets the buffer's cleaner free it, and the
     * backward pass reads whatever reused the block: wrong gradients in rare steps, which made resumed runs differ
     * from uninterrupted ones (BackwardAfterGcTest). The values are those of the overloads, so results are unchanged.
     */
    static NDArray scalar(NDManager manager, float value) {
        return manager.full(new Shape(), value, DataType.FLOAT32);
    }

    /** {@code x W + b}; x (..., in), W (in, out), b (out). */
    static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return x.matMul(w).add(b);
    }

    /** Layer normalisation over the last axis: {@code (x - mean) / sqrt(var + eps) * gain + bias}. */
    static NDArray layerNorm(NDArray x, NDArray gain, NDArray bias) {
        return LayerNorm.layerNorm(x, new Shape(gain.getShape().get(0)), gain, bias, LN_EPS).head();
    }

    /** Inverted dropout when training, identity otherwise. */
    static NDArray dropout(NDArray x, double rate, boolean training) {
        if (!training || rate <= 0) return x;
        return Dropout.dropout(x, (float) rate, true).head();
    }

    /** {@code x / sqrt(||x||^2 + 1e-12)} over the last axis (smooth at 0, unlike a clamp on the norm). */
    static NDArray l2Normalize(NDArray x) {
        int last = x.getShape().dimension() - 1;
        return x.div(x.square().sum(new int[] {last}, true).add(scalar(x.getManager(), 1e-12f)).sqrt());
    }

    /** SiLU: {@code x * sigmoid(x)}. */
    static NDArray silu(NDArray x) {
        return x.mul(ai.djl.nn.Activation.sigmoid(x));
    }

    /** Rows of a table; ids (any shape, int64) to values (ids shape..., d). */
    static NDArray lookup(NDArray table, NDArray ids) {
        return table.get(new ai.djl.ndarray.index.NDIndex("{}", ids));
    }

    /** (B, L) padding mask as float: 1 for a real item, 0 for padding. A comparison, so autograd never records it. */
    static NDArray validMask(NDArray ids) {
        return ids.gt(0).toType(DataType.FLOAT32, false);
    }

    /** Lower-triangular (L, L) matrix of ones: query i may see keys j <= i. */
    static NDArray causal(NDManager manager, int len) {
        float[] v = new float[len * len];
        for (int i = 0; i < len; i++) for (int j = 0; j <= i; j++) v[i * len + j] = 1f;
        return manager.create(v, new Shape(len, len));
    }

    /** Position ids counted from the end of a left-padded window: the newest item is 0 (shape (L)). */
    static NDArray reversePositions(NDManager manager, int len) {
        long[] v = new long[len];
        for (int i = 0; i < len; i++) v[i] = len - 1 - i;
        return manager.create(v);
    }
}
