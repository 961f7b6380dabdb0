package dev.actrec.model.lifelong;

import java.util.Arrays;

/**
 * What {@link TrainedReadout} reads at one position of one user, taken from the user's {@link LifelongMemory}: the
 * recent window's actions (item, type; oldest first) and the memory's long-term keys (an exact item, or a token
 * centroid, each with its mass). Training examples are these plus the item that came next. Exact keys are kept as
 * item indices and only centroids as vectors, so a stored example costs about 4·d bytes per token, not per key.
 * Reused across positions by {@link #fill}; {@link #copy} makes a trimmed, independent example.
 */
public final class ReadoutInput {
    private final int dim;
    private int target = -1;
    private int windowSize;
    private int[] windowItems;
    private byte[] windowTypes;
    private int keyCount;
    private int[] keyItem;          // item index, or -1 for a centroid
    private float[] keyLogMass;
    private double logLongMass;     // log(1 + the keys' whole mass)
    private int centroids;
    private float[] centroidRows;   // (centroids, dim), in key order
    private KeySet scratch;
    private int[] scratchToken;

    public ReadoutInput(int dim, int window, int maxKeys) {
        this.dim = dim;
        windowItems = new int[window];
        windowTypes = new byte[window];
        keyItem = new int[maxKeys];
        keyLogMass = new float[maxKeys];
        centroidRows = new float[0];
    }

    /** Reads the memory's window and long-term keys; the target is cleared (-1). */
    public ReadoutInput fill(LifelongMemory memory) {
        MemoryConfig mc = memory.config();
        if (windowItems.length < mc.window()) {
            windowItems = new int[mc.window()];
            windowTypes = new byte[mc.window()];
        }
        windowSize = memory.windowActions(windowItems, windowTypes);
        int max = mc.maxLongTermKeys();
        if (keyItem.length < max) {
            keyItem = new int[max];
            keyLogMass = new float[max];
        }
        if (scratch == null || scratchToken.length < max) {
            scratch = new KeySet(dim, max);
            scratchToken = new int[max];
        }
        memory.longTermKeys(scratch, scratchToken, keyItem);
        keyCount = scratch.size();
        float[] w = scratch.weights(), rows = scratch.rows();
        centroids = 0;
        double mass = 0;
        for (int i = 0; i < keyCount; i++) {
            keyLogMass[i] = (float) Math.log(w[i]);
            mass += w[i];
            if (keyItem[i] < 0) centroids++;
        }
        logLongMass = Math.log1p(mass);
        if (centroidRows.length < centroids * dim) centroidRows = new float[Math.max(centroids * dim, centroidRows.length * 2)];
        for (int i = 0, c = 0; i < keyCount; i++) {
            if (keyItem[i] < 0) System.arraycopy(rows, i * dim, centroidRows, c++ * dim, dim);
        }
        target = -1;
        return this;
    }

    /** A trimmed, independent copy (a stored training example). */
    public ReadoutInput copy() {
        ReadoutInput c = new ReadoutInput(dim, windowSize, keyCount);
        c.target = target;
        c.windowSize = windowSize;
        System.arraycopy(windowItems, 0, c.windowItems, 0, windowSize);
        System.arraycopy(windowTypes, 0, c.windowTypes, 0, windowSize);
        c.keyCount = keyCount;
        System.arraycopy(keyItem, 0, c.keyItem, 0, keyCount);
        System.arraycopy(keyLogMass, 0, c.keyLogMass, 0, keyCount);
        c.logLongMass = logLongMass;
        c.centroids = centroids;
        c.centroidRows = Arrays.copyOf(centroidRows, centroids * dim);
        return c;
    }

    public ReadoutInput withTarget(int item) {
        this.target = item;
        return this;
    }

    public int dim() { return dim; }

    /** The item index that came next (a training or validation example), or -1. */
    public int target() { return target; }

    public int windowSize() { return windowSize; }

    public int windowItem(int i) { return windowItems[i]; }

    public byte windowType(int i) { return windowTypes[i]; }

    /** Age bucket of window action {@code i} (oldest first), see {@link ReadoutWeights#ageBucket}. */
    public int windowAgeBucket(int i) { return ReadoutWeights.ageBucket(windowSize - 1 - i); }

    public int keyCount() { return keyCount; }

    /** {@link ReadoutWeights#EXACT} or {@link ReadoutWeights#CENTROID}. */
    public int keyKind(int i) { return keyItem[i] < 0 ? ReadoutWeights.CENTROID : ReadoutWeights.EXACT; }

    /** The exact key's item index, or -1 for a centroid. */
    public int keyItem(int i) { return keyItem[i]; }

    public float keyLogMass(int i) { return keyLogMass[i]; }

    /** log(1 + W), W the memory keys' whole mass (0 without keys): how much history the memory stands for. */
    public double logLongMass() { return logLongMass; }

    /** ℓ of this position, see {@link ReadoutWeights#lengthFeature}. */
    public double lengthFeature() { return ReadoutWeights.lengthFeature(logLongMass); }

    /** Writes the keys' vectors, row-major {@code (keyCount, dim)}, into {@code out} from {@code offset}. */
    public void keyRows(ItemEmbeddings emb, float[] out, int offset) {
        float[] rows = emb.rows();
        for (int i = 0, c = 0; i < keyCount; i++) {
            int at = offset + i * dim;
            if (keyItem[i] >= 0) System.arraycopy(rows, emb.offset(keyItem[i]), out, at, dim);
            else System.arraycopy(centroidRows, c++ * dim, out, at, dim);
        }
    }
}
