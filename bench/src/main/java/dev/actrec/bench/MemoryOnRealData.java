package dev.actrec.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.actrec.core.ActionType;
import dev.actrec.core.dataset.SequenceDataset;
import dev.actrec.model.ModelFile;
import dev.actrec.model.ServingModel;
import dev.actrec.model.lifelong.CappedReadout;
import dev.actrec.model.lifelong.ItemEmbeddings;
import dev.actrec.model.lifelong.KeySet;
import dev.actrec.model.lifelong.LifelongMemory;
import dev.actrec.model.lifelong.MemoryConfig;
import dev.actrec.simd.VectorKernels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Does the server's lifelong-memory term help a trained model on real data? For a run folder trained on a
 * one-line-per-user data set (the model's item indexes are the data's item ids), every user is scored as the server
 * scores them — the model on the newest {@code max_len} items, plus {@code λ · log(pool(c, memory) + 1/W)} for a user
 * whose history is longer than the window, the memory folded from every older item — for each λ of a grid, under the
 * training protocol: leave-one-out (validation = second-to-last item, test = last), full ranking over all items,
 * the user's earlier items masked, ties against the target. λ is chosen on validation NDCG@10 only; λ = 0 is the
 * model alone, measured in the same run. All actions of such data are one kind (a rating), so every action gets the
 * same weight; {@code memory.min_actions} is not applied (every user longer than the window gets a memory).
 */
public final class MemoryOnRealData {
    /**
     * @param weights     the λ grid; 0 (the model alone) is always measured too
     * @param temperature τ of the memory readout (the server's is 0.03)
     */
    public record Config(Path model, Path dataset, float[] weights, float temperature) {
    }

    private final Config cfg;
    private final Consumer<String> progress;

    public MemoryOnRealData(Config cfg, Consumer<String> progress) {
        this.cfg = cfg;
        this.progress = progress;
    }

    public void run(JsonGenerator g) throws IOException, dev.actrec.core.InputFormatException {
        long t0 = System.nanoTime();
        ServingModel model = ModelFile.load(cfg.model());
        SequenceDataset data = SequenceDataset.load(cfg.dataset());
        int items = model.numItems(), d = model.dim(), window = model.maxLen();
        if (data.numItems() > items) {
            throw new IllegalArgumentException(cfg.dataset() + " has items up to " + data.numItems() + ", the model "
                    + cfg.model() + " knows " + items);
        }
        float[] weights = withZero(cfg.weights());
        ItemEmbeddings vectors = ItemEmbeddings.centred(items + 1, d, model.itemTable());
        MemoryConfig mc = MemoryConfig.defaults().withWindow(window);
        byte type = ActionType.LONG_VIEW.code(); // weight 1: every rating counts the same
        CappedReadout readout = new CappedReadout(100, cfg.temperature());
        KeySet keys = new KeySet(d, 1024);
        float[] query = new float[d];
        float[] base = new float[items + 1];
        double[] term = new double[items + 1];
        boolean[] seen = new boolean[items + 1];
        int[] history = new int[window];
        // [split][weight][metric]: split 0 validation, 1 test; metric 0 HR@10, 1 NDCG@10; "long" = users with a memory
        double[][][] all = new double[2][weights.length][2], longOnly = new double[2][weights.length][2];
        int users = 0, longUsers = 0;
        for (int u = 0; u < data.users(); u++) {
            int n = data.length(u);
            if (n < 3) continue;
            int[] seq = data.sequence(u);
            users++;
            LifelongMemory memory = new LifelongMemory(mc, vectors);
            for (int i = 0; i < n - 2; i++) memory.append(seq[i], type, i);
            boolean hasMemory = n - 2 > window;
            if (hasMemory) longUsers++;
            for (int split = 0; split < 2; split++) {
                int prefix = n - 2 + split, target = seq[prefix];
                if (split == 1) memory.append(seq[n - 2], type, n - 2);
                int len = Math.min(window, prefix);
                System.arraycopy(seq, prefix - len, history, 0, len);
                model.encode(history, len, query);
                VectorKernels.dotMany(model.itemTable(), items + 1, d, query, base);
                boolean withMemory = prefix > window;
                if (withMemory) {
                    memory.longTermKeys(keys);
                    for (int c = 1; c <= items; c++) term[c] = readout.logPoolBesideFloor(keys, vectors.rows(), vectors.offset(c));
                }
                for (int i = 0; i < prefix; i++) seen[seq[i]] = true;
                seen[target] = false; // the target is never masked
                for (int w = 0; w < weights.length; w++) {
                    double lambda = withMemory ? weights[w] : 0;
                    double t = base[target] + lambda * term[target];
                    int above = 0;
                    for (int c = 1; c <= items; c++) {
                        if (c == target || seen[c]) continue;
                        if (base[c] + lambda * term[c] >= t) above++; // ties count against the target
                    }
                    double hr = above < 10 ? 1 : 0, ndcg = above < 10 ? 1 / (Math.log(above + 2) / Math.log(2)) : 0;
                    all[split][w][0] += hr;
                    all[split][w][1] += ndcg;
                    if (hasMemory) {
                        longOnly[split][w][0] += hr;
                        longOnly[split][w][1] += ndcg;
                    }
                }
                for (int i = 0; i < prefix; i++) seen[seq[i]] = false;
            }
            if (users % 1000 == 0) progress.accept(users + " users");
        }
        int best = 0;
        for (int w = 1; w < weights.length; w++) if (all[0][w][1] > all[0][best][1]) best = w;

        g.writeStartObject();
        g.writeStringField("benchmark", "memory_on_real_data");
        Machine.write(g);
        g.writeStringField("model", cfg.model().toString());
        g.writeStringField("model_version", model.info().version());
        g.writeStringField("model_sha256", model.info().fileSha256());
        g.writeStringField("dataset", cfg.dataset().toString());
        g.writeStringField("dataset_sha256", data.sha256());
        g.writeStringField("seed", "none (deterministic: no sampling)");
        g.writeStringField("protocol", "leave-one-out, full ranking over all " + items + " items, earlier items masked, "
                + "ties against the target; lambda chosen on validation NDCG@10; memory: " + mc.tokens() + " tokens, window "
                + window + ", readout budget 100 actions, temperature " + cfg.temperature() + ", every action weight 1");
        g.writeNumberField("users", users);
        g.writeNumberField("users_with_memory", longUsers);
        g.writeArrayFieldStart("by_weight");
        for (int w = 0; w < weights.length; w++) {
            g.writeStartObject();
            g.writeNumberField("lambda", weights[w]);
            writeSplit(g, "validation", all[0][w], users);
            writeSplit(g, "test", all[1][w], users);
            writeSplit(g, "validation_users_with_memory", longOnly[0][w], longUsers);
            writeSplit(g, "test_users_with_memory", longOnly[1][w], longUsers);
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("lambda_chosen_on_validation", weights[best]);
        writeSplit(g, "test_at_chosen_lambda", all[1][best], users);
        writeSplit(g, "test_model_alone", all[1][0], users);
        g.writeNumberField("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        g.writeEndObject();
    }

    private static void writeSplit(JsonGenerator g, String name, double[] sums, int users) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeNumberField("HR@10", users == 0 ? 0 : sums[0] / users);
        g.writeNumberField("NDCG@10", users == 0 ? 0 : sums[1] / users);
        g.writeEndObject();
    }

    private static float[] withZero(float[] weights) {
        float[] out = new float[weights.length + 1];
        out[0] = 0;
        int n = 1;
        for (float w : weights) {
            if (!(w >= 0)) throw new IllegalArgumentException("weights must be >= 0, got " + w);
            if (w != 0) out[n++] = w;
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
