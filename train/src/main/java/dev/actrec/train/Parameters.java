package dev.actrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A model's trainable tensors by name, in creation order, all owned by one manager. Initial values are drawn in Java
 * from a seeded generator, so initialisation is identical on every machine and thread count.
 */
public final class Parameters {
    private final NDManager manager;
    private final SplittableRandom random;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();
    private final Map<String, float[]> preset;

    /** Parameters initialised from a seeded generator. */
    public Parameters(NDManager manager, long seed) {
        this(manager, seed, null);
    }

    /**
     * Parameters whose values come from {@code preset} (saved weights) instead of the generator. Values are given at
     * creation because overwriting a PyTorch tensor later through DJL's {@code set} can alias a Java buffer.
     */
    public Parameters(NDManager manager, long seed, Map<String, float[]> preset) {
        this.manager = manager;
        this.random = new SplittableRandom(seed);
        this.preset = preset;
    }

    public NDManager manager() { return manager; }

    public Map<String, NDArray> tensors() { return tensors; }

    public NDArray get(String name) {
        NDArray a = tensors.get(name);
        if (a == null) throw new IllegalArgumentException("no parameter '" + name + "'");
        return a;
    }

    /** A matrix (rows, cols) with Xavier/Glorot-uniform values. */
    public NDArray xavier(String name, int rows, int cols) {
        double bound = Math.sqrt(6.0 / (rows + cols));
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        return add(name, v, new Shape(rows, cols));
    }

    /** A tensor of normal values with the given standard deviation. */
    public NDArray normal(String name, double std, long... shape) {
        Shape s = new Shape(shape);
        float[] v = new float[Math.toIntExact(s.size())];
        for (int i = 0; i < v.length; i++) v[i] = (float) (nextGaussian() * std);
        return add(name, v, s);
    }

    /** A tensor filled with one value (biases 0, layer-norm gains 1). */
    public NDArray constant(String name, float value, long... shape) {
        Shape s = new Shape(shape);
        float[] v = new float[Math.toIntExact(s.size())];
        java.util.Arrays.fill(v, value);
        return add(name, v, s);
    }

    private double nextGaussian() {
        // Box-Muller on the seeded generator (SplittableRandom has no gaussian before JDK 17's RandomGenerator API).
        double u1 = Math.max(random.nextDouble(), 1e-12);
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private NDArray add(String name, float[] values, Shape shape) {
        if (tensors.containsKey(name)) throw new IllegalArgumentException("duplicate parameter '" + name + "'");
        if (preset != null) {
            float[] v = preset.get(name);
            if (v == null) throw new IllegalArgumentException("saved weights lack parameter '" + name + "'");
            if (v.length != values.length) {
                throw new IllegalArgumentException("parameter '" + name + "' has " + v.length
                        + " saved values, the model expects shape " + shape);
            }
            values = v;
        }
        NDArray a = manager.create(values, shape);
        a.setRequiresGradient(true);
        tensors.put(name, a);
        return a;
    }

    /** Copies of every tensor's values. */
    public Map<String, float[]> snapshot() {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) m.put(e.getKey(), e.getValue().toFloatArray());
        return m;
    }

    /** Shapes by name. */
    public Map<String, long[]> shapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) m.put(e.getKey(), e.getValue().getShape().getShape());
        return m;
    }

    /** Total number of scalars. */
    public long count() {
        long n = 0;
        for (NDArray a : tensors.values()) n += a.getShape().size();
        return n;
    }

    /** Attaches every tensor to a step's manager so that results of operations on them die with the step. */
    public void attachTo(NDManager step) {
        for (NDArray a : tensors.values()) a.tempAttach(step);
    }
}
