package dev.actrec.model.lifelong;

import dev.actrec.simd.VectorKernels;
import java.util.Arrays;

/**
 * A pool of weighted keys for target attention: rows of {@code dim} floats (row-major), a weight per row, and the
 * pool's total mass (the normaliser; it may exceed the sum of the weights when a method dropped part of the history).
 * Grows as needed and is reused across requests.
 */
public final class KeySet {
    private final int dim;
    private float[] rows;
    private float[] weights;
    private float[] actions;
    private int size;
    private double total;
    private float[] packed = new float[0];
    private boolean packedCurrent;   // packed holds the rows as they are now

    public KeySet(int dim, int initialCapacity) {
        this.dim = dim;
        this.rows = new float[Math.max(1, initialCapacity) * dim];
        this.weights = new float[Math.max(1, initialCapacity)];
        this.actions = new float[Math.max(1, initialCapacity)];
    }

    public void clear() {
        size = 0;
        total = 0;
        packedCurrent = false;
    }

    /** Appends {@code src[off .. off+dim)} standing for one action of weight {@code weight}. */
    public void add(float[] src, int off, float weight) {
        add(src, off, weight, 1);
    }

    /** Appends {@code src[off .. off+dim)} standing for {@code actions} actions of total weight {@code weight}. */
    public void add(float[] src, int off, float weight, float actions) {
        if (size == weights.length) {
            weights = Arrays.copyOf(weights, size * 2);
            this.actions = Arrays.copyOf(this.actions, size * 2);
            rows = Arrays.copyOf(rows, size * 2 * dim);
        }
        System.arraycopy(src, off, rows, size * dim, dim);
        packedCurrent = false;
        this.actions[size] = actions;
        weights[size++] = weight;
    }

    public void setTotal(double total) {
        this.total = total;
    }

    public int dim() { return dim; }

    public int size() { return size; }

    public double total() { return total; }

    /** Row-major keys, {@code size() · dim()} valid floats. */
    public float[] rows() { return rows; }

    /**
     * The rows in {@link VectorKernels#packRows}'s layout, for {@link VectorKernels#dotManyPacked}; packed on the
     * first call after the keys changed, then reused for every query until they change again.
     */
    public float[] packed() {
        if (!packedCurrent) {
            int length = VectorKernels.packedLength(size, dim);
            if (packed.length < length) packed = new float[Math.max(length, packed.length * 2)];
            VectorKernels.packRows(rows, size, dim, packed);
            packedCurrent = true;
        }
        return packed;
    }

    public float[] weights() { return weights; }

    /** How many actions each key stands for (exact, or estimated for memory keys). */
    public float[] actions() { return actions; }
}
