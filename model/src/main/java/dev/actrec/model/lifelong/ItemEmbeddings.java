package dev.actrec.model.lifelong;

import dev.actrec.simd.VectorKernels;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Item vectors learned from the action sequences themselves: item2vec, i.e. skip-gram with negative sampling
 * (Mikolov et al. 2013; Barkan and Koenigstein 2016) over each user's training actions, treating a user's items in
 * time order as a sentence. Items that are consumed near each other (same session, same interest) end up close.
 * Nothing comes from the generator's ground truth.
 *
 * <p>Result (after removing the mean of the seen items' vectors, which skip-gram leaves large): one unit-length row of {@code dim} floats per item index ({@code itemId - 1}), row-major in
 * {@link #rows()}; an item never seen in training keeps a zero row (it then scores like an unrelated item).
 *
 * <p>Training is single-threaded with one seeded {@link SplittableRandom}, so the same corpus, config and seed give
 * the same floats within one JVM and kernel implementation. Cost: about {@code epochs · tokens · 2·window ·
 * (negatives + 1)} dot products and updates of {@code dim} floats.
 */
public final class ItemEmbeddings {
    /**
     * @param dim       vector width
     * @param window    context on each side (items)
     * @param negatives negative samples per positive pair, drawn from unigram^0.75
     * @param epochs    passes over the corpus
     * @param learningRate initial step, decayed linearly to 1e-4 of it
     * @param seed      random seed
     */
    public record Config(int dim, int window, int negatives, int epochs, float learningRate, long seed) {
        public Config {
            if (dim <= 0) throw new IllegalArgumentException("dim must be positive, was " + dim);
            if (window <= 0) throw new IllegalArgumentException("window must be positive, was " + window);
            if (negatives < 0) throw new IllegalArgumentException("negatives must be non-negative, was " + negatives);
            if (epochs <= 0) throw new IllegalArgumentException("epochs must be positive, was " + epochs);
            if (!(learningRate > 0)) throw new IllegalArgumentException("learningRate must be positive, was " + learningRate);
        }

        public static Config defaults(long seed) {
            return new Config(32, 3, 5, 2, 0.025f, seed);
        }
    }

    private static final int UNIGRAM_TABLE = 1 << 20;

    private final int items;
    private final int dim;
    private final float[] rows; // (items, dim), unit rows or zero
    private long fingerprint;

    private ItemEmbeddings(int items, int dim, float[] rows) {
        this.items = items;
        this.dim = dim;
        this.rows = rows;
    }

    /** Wraps given rows (normalised to unit length in place; zero rows stay zero). */
    public static ItemEmbeddings of(int items, int dim, float[] rows) {
        if (rows.length != (long) items * dim) {
            throw new IllegalArgumentException("rows.length must be items*dim=" + (long) items * dim + ", was " + rows.length);
        }
        normalise(rows, items, dim);
        return new ItemEmbeddings(items, dim, rows);
    }

    /**
     * Memory vectors from another model's item table (a trained ranker's item embeddings): every row with a non-zero
     * norm is unit-normalised, the mean of those unit rows is removed, and they are normalised again; all-zero rows
     * (padding, items the model never learned) stay zero. Centring for the same reason as {@link #train}: embeddings
     * trained for ranking share a common direction that would make every cosine high. {@code rows} is not modified.
     */
    public static ItemEmbeddings centred(int items, int dim, float[] rows) {
        if (rows.length < (long) items * dim) {
            throw new IllegalArgumentException("rows.length must be at least items*dim=" + (long) items * dim + ", was " + rows.length);
        }
        float[] out = Arrays.copyOf(rows, items * dim);
        normalise(out, items, dim);
        boolean[] real = new boolean[items];
        for (int i = 0; i < items; i++) real[i] = VectorKernels.dot(out, i * dim, out, i * dim, dim) > 0;
        removeMean(out, items, dim, real);
        return of(items, dim, out);
    }

    /**
     * Trains on a ragged corpus: sequence {@code s} is {@code tokens[offsets[s] .. offsets[s+1])}, each token an item
     * index in {@code [0, items)}.
     */
    public static ItemEmbeddings train(int items, int[] tokens, long[] offsets, Config cfg) {
        if (items <= 0) throw new IllegalArgumentException("items must be positive, was " + items);
        if (offsets.length == 0 || offsets[0] != 0 || offsets[offsets.length - 1] > tokens.length) {
            throw new IllegalArgumentException("offsets must start at 0 and end within tokens.length=" + tokens.length);
        }
        int d = cfg.dim();
        SplittableRandom rnd = new SplittableRandom(cfg.seed());
        float[] in = new float[items * d];
        float[] out = new float[items * d];
        for (int i = 0; i < in.length; i++) in[i] = (float) ((rnd.nextDouble() - 0.5) / d);
        long[] freq = new long[items];
        long total = offsets[offsets.length - 1];
        for (long t = 0; t < total; t++) {
            int item = tokens[(int) t];
            if (item < 0 || item >= items) throw new IllegalArgumentException("token " + t + " = " + item + " is not in [0, " + items + ")");
            freq[item]++;
        }
        int[] unigram = unigramTable(freq);
        float[] grad = new float[d];
        long steps = (long) cfg.epochs() * total, done = 0;
        for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
            for (int s = 0; s + 1 < offsets.length; s++) {
                int from = (int) offsets[s], to = (int) offsets[s + 1];
                for (int t = from; t < to; t++, done++) {
                    float lr = cfg.learningRate() * Math.max(1e-4f, 1f - (float) done / steps);
                    int centre = tokens[t];
                    int lo = Math.max(from, t - cfg.window()), hi = Math.min(to - 1, t + cfg.window());
                    for (int c = lo; c <= hi; c++) {
                        if (c == t) continue;
                        // the context item's input vector learns to predict the centre item (word2vec's layout)
                        int ctxOff = tokens[c] * d;
                        Arrays.fill(grad, 0f);
                        for (int n = 0; n <= cfg.negatives(); n++) {
                            int target = n == 0 ? centre : unigram[rnd.nextInt(UNIGRAM_TABLE)];
                            if (n > 0 && target == centre) continue;
                            int tOff = target * d;
                            float f = VectorKernels.dot(in, ctxOff, out, tOff, d);
                            float g = ((n == 0 ? 1f : 0f) - sigmoid(f)) * lr;
                            VectorKernels.axpy(g, out, tOff, grad, 0, d);
                            VectorKernels.axpy(g, in, ctxOff, out, tOff, d);
                        }
                        VectorKernels.axpy(1f, grad, 0, in, ctxOff, d);
                    }
                }
            }
        }
        // Skip-gram vectors share a common direction (all cosines high), which blurs nearest-token and window
        // similarities; remove the mean of the seen items' unit vectors before the final normalisation.
        normalise(in, items, d);
        boolean[] seen = new boolean[items];
        for (int i = 0; i < items; i++) seen[i] = freq[i] > 0;
        removeMean(in, items, d, seen);
        return of(items, d, in);
    }

    /** Subtracts the mean of the {@code keep} rows from each of them; the other rows become zero. */
    private static void removeMean(float[] rows, int items, int d, boolean[] keep) {
        float[] mean = new float[d];
        int kept = 0;
        for (int i = 0; i < items; i++) {
            if (!keep[i]) continue;
            VectorKernels.axpy(1f, rows, i * d, mean, 0, d);
            kept++;
        }
        if (kept == 0) return;
        for (int i = 0; i < items; i++) {
            if (!keep[i]) Arrays.fill(rows, i * d, i * d + d, 0f);
            else VectorKernels.axpy(-1f / kept, mean, 0, rows, i * d, d);
        }
    }

    public int items() { return items; }

    public int dim() { return dim; }

    /** The (items, dim) row-major table; shared, do not modify. */
    public float[] rows() { return rows; }

    /**
     * A 64-bit fingerprint of the table (items, dim and every float's bits), stored in a serialized
     * {@link LifelongMemory} so that a memory built over other embeddings is refused rather than misread.
     */
    public long fingerprint() {
        long h = fingerprint;
        if (h == 0) {
            h = 0x9E37_79B9_7F4A_7C15L ^ ((long) items << 32 | dim);
            for (float v : rows) h = (h ^ Float.floatToRawIntBits(v)) * 0x100_0000_01B3L;
            h = h == 0 ? 1 : h;
            fingerprint = h; // racy but idempotent: every thread computes the same value
        }
        return h;
    }

    /** Offset of item index {@code item}'s row in {@link #rows()}. */
    public int offset(int item) {
        return item * dim;
    }

    private static float sigmoid(float x) {
        if (x > 8) return 1f;
        if (x < -8) return 0f;
        return (float) (1 / (1 + Math.exp(-x)));
    }

    private static int[] unigramTable(long[] freq) {
        double norm = 0;
        for (long f : freq) norm += Math.pow(f, 0.75);
        int[] table = new int[UNIGRAM_TABLE];
        if (norm == 0) return table;
        int item = 0;
        double cum = Math.pow(freq[0], 0.75) / norm;
        for (int i = 0; i < UNIGRAM_TABLE; i++) {
            table[i] = item;
            while ((i + 1) / (double) UNIGRAM_TABLE > cum && item < freq.length - 1) {
                item++;
                cum += Math.pow(freq[item], 0.75) / norm;
            }
        }
        return table;
    }

    private static void normalise(float[] rows, int items, int dim) {
        for (int i = 0; i < items; i++) {
            int off = i * dim;
            float n2 = VectorKernels.dot(rows, off, rows, off, dim);
            if (n2 > 0) {
                float inv = (float) (1 / Math.sqrt(n2));
                for (int k = 0; k < dim; k++) rows[off + k] *= inv;
            }
        }
    }
}
