package dev.actrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.actrec.model.ForwardConfig;
import dev.actrec.model.ModelFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A serving file run through the training code under PyTorch (DJL): the oracle for the pure-Java forward passes
 * ({@code dev.actrec.model.SasRecForward}, {@code ActForward}) and their peer in benchmarks. It builds the
 * training module's own model from the file's weights and encodes one request exactly as evaluation does: batch 1,
 * a left-padded window of max_len, the hidden vector of the newest position, then (cosine) L2 normalisation and
 * 1/temperature, so {@link #encode} returns what {@code ServingModel.encode} does.
 *
 * <p>The window is the serving one: the newest {@code min(len, maxLen)} entries with 0 entries dropped. Starts
 * the PyTorch engine with one intra-op thread if it is not running yet (the Java forward is single-threaded too).
 * Not thread-safe; close it to free the native tensors.
 */
public final class DjlServingForward implements AutoCloseable {
    private final ForwardConfig config;
    private final NDManager manager;
    private final Parameters params;
    private final SequenceModel model;
    private final NDArray table;
    private final float invT;

    private DjlServingForward(ForwardConfig config, NDManager manager, Parameters params, SequenceModel model) {
        this.config = config;
        this.manager = manager;
        this.params = params;
        this.model = model;
        // The file's item_table is the table training passes to encode; it is also the preset item_emb below.
        this.table = params.get("item_emb");
        this.invT = (float) (1.0 / config.temperature());
    }

    /** Loads a serving file, or {@code dir/serving.bin} for a folder. */
    public static DjlServingForward load(Path fileOrRunDir) throws IOException {
        ModelFile.Contents c = ModelFile.read(fileOrRunDir);
        ForwardConfig fc = c.config();
        TorchRuntime.start(1, 1);
        TrainConfig tc = TrainConfig.defaults(fc.kind()).with("dim", Integer.toString(fc.dim()))
                .with("heads", Integer.toString(fc.heads())).with("layers", Integer.toString(fc.layers()))
                .with("max_len", Integer.toString(fc.maxLen())).with("similarity", fc.similarity())
                .with("temperature", Double.toString(fc.temperature())).with("dropout", "0");
        Map<String, float[]> preset = new HashMap<>(c.tensors());
        preset.put("item_emb", preset.remove("item_table"));
        NDManager manager = NDManager.newBaseManager();
        try {
            Parameters params = new Parameters(manager, 0, preset);
            // No attributes: they are already summed into item_table, which stands in for item_emb.
            SequenceModel model = SequenceModel.create(tc, fc.numItems(), null, params);
            return new DjlServingForward(fc, manager, params, model);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ForwardConfig config() {
        return config;
    }

    /** The query vector (d) for the newest {@code min(len, maxLen)} entries of {@code history}, oldest first. */
    public float[] encode(int[] history, int len) {
        long[] ids = window(history, len);
        try (NDManager step = manager.newSubManager()) {
            params.attachTo(step);
            int maxLen = config.maxLen();
            NDArray h = model.encode(step.create(ids, new Shape(1, maxLen)), false, table);   // (1, L, d)
            NDArray last = h.get(new NDIndex(":, " + (maxLen - 1) + ", :"));                    // (1, d)
            if (config.cosine()) last = Layers.l2Normalize(last);
            return last.mul(invT).toFloatArray();
        }
    }

    /** (maxLen) ids, left-padded with 0: the window's items at the right end, newest last. */
    private long[] window(int[] history, int len) {
        if (len < 0 || len > history.length) {
            throw new IllegalArgumentException("len=" + len + " outside [0, " + history.length + "]");
        }
        int maxLen = config.maxLen();
        long[] ids = new long[maxLen];
        int at = maxLen;
        for (int t = len - 1; t >= Math.max(0, len - maxLen); t--) {
            int id = history[t];
            if (id < 0 || id > config.numItems()) {
                throw new IllegalArgumentException("history[" + t + "] = " + id + " is not an item index");
            }
            if (id != 0) ids[--at] = id;
        }
        return ids;
    }

    /**
     * Median wall time in milliseconds of one {@link #encode} (batch 1, window max_len, left-padded) of a serving
     * file under DJL, after {@code warmup} untimed calls; the peer figure for the Java forward pass.
     */
    public static double medianForwardMillis(Path servingFile, int[] history, int len, int warmup, int iters)
            throws IOException {
        if (iters < 1 || warmup < 0) throw new IllegalArgumentException("iters=" + iters + ", warmup=" + warmup);
        try (DjlServingForward f = load(servingFile)) {
            float sink = 0;
            for (int i = 0; i < warmup; i++) sink += f.encode(history, len)[0];
            double[] ms = new double[iters];
            for (int i = 0; i < iters; i++) {
                long t0 = System.nanoTime();
                sink += f.encode(history, len)[0];
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            if (Float.isNaN(sink)) throw new IllegalStateException("non-finite query from " + servingFile);
            Arrays.sort(ms);
            return iters % 2 == 1 ? ms[iters / 2] : (ms[iters / 2 - 1] + ms[iters / 2]) / 2;
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
