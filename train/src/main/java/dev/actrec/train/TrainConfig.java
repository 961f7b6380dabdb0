package dev.actrec.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every hyper-parameter of a training run, with documented defaults. A run's configuration is built in three layers:
 * the defaults of the chosen model ({@link #defaults(String)}), then a config file, then command-line overrides; each
 * layer is a set of {@code key = value} pairs applied by {@link #with(String, String)}.
 *
 * <p>File format: a flat TOML subset, one {@code key = value} per line, {@code #} starts a comment, strings may be
 * quoted. {@link #toToml()} writes the same format, so a run's saved {@code config.toml} reloads to an equal record.
 *
 * @param model          {@code sasrec} (the reference) or {@code act} (the Action Transformer)
 * @param dim            embedding and hidden width d
 * @param layers         number of Transformer blocks
 * @param heads          attention heads (d must be divisible by heads)
 * @param dropout        dropout rate on embeddings, attention and block outputs
 * @param maxLen         history window: the last maxLen items feed the model
 * @param batchSize      training sequences per step
 * @param epochs         maximum number of epochs (one pass over all users)
 * @param lr             Adam learning rate
 * @param beta1          Adam beta1
 * @param beta2          Adam beta2
 * @param weightDecay    decoupled weight decay of matrices and tables (AdamW): each step scales them by
 *                       {@code 1 - lr * weightDecay} (0 = off)
 * @param loss           {@code ssm} (sampled softmax over uniform negatives), {@code ce} (softmax over the whole
 *                       catalog, no sampling) or {@code bce} (SASRec's original: one negative per position, binary
 *                       cross-entropy)
 * @param negatives      negatives for {@code ssm}, per training sequence or per position (see negativeScope)
 * @param negativeScope  {@code sequence}: one draw of negatives per training sequence, shared by its positions;
 *                       {@code position}: a draw per position, as the HSTU repository's sampler does (more distinct
 *                       negatives per step, at B x L x N x d memory)
 * @param temperature    softmax temperature for {@code ssm} and {@code ce}
 * @param similarity     {@code cosine} (L2-normalised query and item embeddings) or {@code dot}
 * @param evalEvery      validate every this many epochs
 * @param patience       stop after this many validations without a better validation NDCG@10
 * @param maskSeen       mask the user's earlier items when ranking (validation and the default test report)
 * @param seed           seed for initialisation, shuffling, negatives and dropout
 * @param intraThreads   PyTorch intra-op threads; 0 = automatic: all cores on an idle machine, 1 when the load
 *                       average shows other work (measured here under load: 1 thread 87 seq/s, 2 threads 11.5,
 *                       2 threads with OMP_WAIT_POLICY=PASSIVE 50 — OpenMP threads wait on each other)
 * @param interThreads   PyTorch inter-op threads
 * @param evalBatch      users per evaluation batch
 * @param maxMinutes     wall-clock budget for training (0 = none); the run stops after the epoch that crosses it
 * @param randomCrop     train on a random window of long histories instead of always the most recent one
 * @param attributes     optional item-attribute file ({@code {"item": [attr, ...]}}); used by {@code act} only
 * @param progressSeconds seconds between progress lines when the output is not a terminal
 * @param clWeight       weight of the contrastive term (0 = off): two encodings of each training window under
 *                       independent dropout (DuoRec's unsupervised augmentation) should agree at the newest position,
 *                       against the batch's other windows (symmetric InfoNCE over cosine similarities)
 * @param clTemperature  temperature of that term's softmax
 * @param emaDecay       validate, keep and serve an exponential moving average of the weights with this decay per
 *                       step ({@link WeightAverage}; 0 = off, the raw weights)
 */
public record TrainConfig(
        String model, int dim, int layers, int heads, double dropout, int maxLen, int batchSize, int epochs,
        double lr, double beta1, double beta2, double weightDecay, String loss, int negatives,
        String negativeScope, double temperature, String similarity, int evalEvery, int patience, boolean maskSeen,
        long seed, int intraThreads, int interThreads, int evalBatch, double maxMinutes, boolean randomCrop,
        String attributes, double progressSeconds, double clWeight, double clTemperature, double emaDecay) {

    public TrainConfig {
        model = model.toLowerCase(Locale.ROOT);
        require(model.equals("sasrec") || model.equals("act"), "model", model, "sasrec or act");
        require(dim > 0, "dim", dim, "> 0");
        require(layers > 0, "layers", layers, "> 0");
        require(heads > 0 && dim % heads == 0, "heads", heads, "> 0 and a divisor of dim=" + dim);
        require(dropout >= 0 && dropout < 1, "dropout", dropout, "in [0, 1)");
        require(maxLen > 0, "max_len", maxLen, "> 0");
        require(batchSize > 0, "batch_size", batchSize, "> 0");
        require(epochs > 0, "epochs", epochs, "> 0");
        require(lr > 0, "lr", lr, "> 0");
        require(beta1 >= 0 && beta1 < 1, "beta1", beta1, "in [0, 1)");
        require(beta2 >= 0 && beta2 < 1, "beta2", beta2, "in [0, 1)");
        require(weightDecay >= 0, "weight_decay", weightDecay, ">= 0");
        require(loss.equals("ssm") || loss.equals("ce") || loss.equals("bce"), "loss", loss, "ssm, ce or bce");
        require(negatives > 0, "negatives", negatives, "> 0");
        require(negativeScope.equals("sequence") || negativeScope.equals("position"), "negative_scope",
                negativeScope, "sequence or position");
        require(temperature > 0, "temperature", temperature, "> 0");
        require(similarity.equals("cosine") || similarity.equals("dot"), "similarity", similarity, "cosine or dot");
        require(evalEvery > 0, "eval_every", evalEvery, "> 0");
        require(patience > 0, "patience", patience, "> 0");
        require(intraThreads >= 0, "intra_threads", intraThreads, ">= 0 (0 = automatic)");
        require(interThreads > 0, "inter_threads", interThreads, "> 0");
        require(evalBatch > 0, "eval_batch", evalBatch, "> 0");
        require(maxMinutes >= 0, "max_minutes", maxMinutes, ">= 0");
        require(progressSeconds > 0, "progress_seconds", progressSeconds, "> 0");
        require(clWeight >= 0, "cl_weight", clWeight, ">= 0 (0 = off)");
        require(clTemperature > 0, "cl_temperature", clTemperature, "> 0");
        require(emaDecay >= 0 && emaDecay < 1, "ema_decay", emaDecay, "in [0, 1) (0 = off)");
        attributes = attributes == null ? "" : attributes;
    }

    private static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) throw new IllegalArgumentException("config '" + key + "' = " + value + ": must be " + rule);
    }

    /**
     * The defaults of a model. {@code sasrec} follows the HSTU repository's SASRec baseline (d=50, 2 blocks, 1 head,
     * dropout 0.2, sampled softmax with 128 negatives, temperature 0.05, cosine similarity, length 200, batch 128,
     * Adam lr 1e-3, beta2 0.98). {@code act} uses the same training recipe with a wider HSTU-style stack.
     * Patience 20 validations: on a small data set (LastFM, 1,090 users) validation NDCG@10 is noisy, and with 5
     * SASRec stopped at epoch 8 with validation 0.0186 where 20 reached 0.0441 at epoch 77 (docs/results.md).
     */
    public static TrainConfig defaults(String model) {
        boolean act = model.equalsIgnoreCase("act");
        return new TrainConfig(model, act ? 64 : 50, act ? 2 : 2, act ? 2 : 1, 0.2, 200, 128, 200,
                1e-3, 0.9, 0.98, 0.0, "ssm", 128, "sequence", 0.05, "cosine", 1, 20, true, 42L,
                0, 1, 256, 0.0, false, "", 10.0, 0.0, 0.2, 0.0);
    }

    /** Returns a copy with one setting changed; {@code key} is the snake_case name used in config files. */
    public TrainConfig with(String key, String value) {
        Map<String, String> m = toMap();
        String k = key.strip().toLowerCase(Locale.ROOT).replace('-', '_');
        if (!m.containsKey(k)) {
            throw new IllegalArgumentException("unknown config key '" + key + "'; known keys: " + m.keySet());
        }
        m.put(k, unquote(value.strip()));
        return fromMap(m);
    }

    /** Applies every {@code key = value} line of a config file. */
    public TrainConfig withFile(Path file) throws IOException {
        TrainConfig c = this;
        int lineNo = 0;
        for (String raw : Files.readAllLines(file)) {
            lineNo++;
            String line = stripComment(raw).strip();
            if (line.isEmpty() || line.startsWith("[")) continue;
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": expected 'key = value', got '" + raw + "'");
            }
            try {
                c = c.with(line.substring(0, eq), line.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": " + e.getMessage(), e);
            }
        }
        return c;
    }

    private static String stripComment(String s) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"') quoted = !quoted;
            if (ch == '#' && !quoted) return s.substring(0, i);
        }
        return s;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    /** All settings by snake_case key, in declaration order; values as strings. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("dim", Integer.toString(dim));
        m.put("layers", Integer.toString(layers));
        m.put("heads", Integer.toString(heads));
        m.put("dropout", Double.toString(dropout));
        m.put("max_len", Integer.toString(maxLen));
        m.put("batch_size", Integer.toString(batchSize));
        m.put("epochs", Integer.toString(epochs));
        m.put("lr", Double.toString(lr));
        m.put("beta1", Double.toString(beta1));
        m.put("beta2", Double.toString(beta2));
        m.put("weight_decay", Double.toString(weightDecay));
        m.put("loss", loss);
        m.put("negatives", Integer.toString(negatives));
        m.put("negative_scope", negativeScope);
        m.put("temperature", Double.toString(temperature));
        m.put("similarity", similarity);
        m.put("eval_every", Integer.toString(evalEvery));
        m.put("patience", Integer.toString(patience));
        m.put("mask_seen", Boolean.toString(maskSeen));
        m.put("seed", Long.toString(seed));
        m.put("intra_threads", Integer.toString(intraThreads));
        m.put("inter_threads", Integer.toString(interThreads));
        m.put("eval_batch", Integer.toString(evalBatch));
        m.put("max_minutes", Double.toString(maxMinutes));
        m.put("random_crop", Boolean.toString(randomCrop));
        m.put("attributes", attributes);
        m.put("progress_seconds", Double.toString(progressSeconds));
        m.put("cl_weight", Double.toString(clWeight));
        m.put("cl_temperature", Double.toString(clTemperature));
        m.put("ema_decay", Double.toString(emaDecay));
        return m;
    }

    private static TrainConfig fromMap(Map<String, String> m) {
        try {
            return new TrainConfig(m.get("model"), i(m, "dim"), i(m, "layers"), i(m, "heads"), d(m, "dropout"),
                    i(m, "max_len"), i(m, "batch_size"), i(m, "epochs"), d(m, "lr"), d(m, "beta1"), d(m, "beta2"),
                    d(m, "weight_decay"), m.get("loss"), i(m, "negatives"), m.get("negative_scope"),
                    d(m, "temperature"), m.get("similarity"),
                    i(m, "eval_every"), i(m, "patience"), b(m, "mask_seen"), Long.parseLong(m.get("seed")),
                    i(m, "intra_threads"), i(m, "inter_threads"), i(m, "eval_batch"), d(m, "max_minutes"),
                    b(m, "random_crop"), m.get("attributes"), d(m, "progress_seconds"), d(m, "cl_weight"),
                    d(m, "cl_temperature"), d(m, "ema_decay"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number in config: " + e.getMessage(), e);
        }
    }

    private static int i(Map<String, String> m, String k) {
        try {
            return Integer.parseInt(m.get(k));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config '" + k + "' = " + m.get(k) + ": not an integer", e);
        }
    }

    private static double d(Map<String, String> m, String k) {
        try {
            return Double.parseDouble(m.get(k));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config '" + k + "' = " + m.get(k) + ": not a number", e);
        }
    }

    private static boolean b(Map<String, String> m, String k) {
        String v = m.get(k).toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("config '" + k + "' = " + m.get(k) + ": must be true or false");
        }
        return v.equals("true");
    }

    /** The settings as a config file that {@link #withFile(Path)} reads back. */
    public String toToml() {
        StringBuilder sb = new StringBuilder("# ACT training configuration (written by actrec train)\n");
        for (Map.Entry<String, String> e : toMap().entrySet()) {
            boolean text = e.getKey().equals("model") || e.getKey().equals("loss")
                    || e.getKey().equals("negative_scope")
                    || e.getKey().equals("similarity") || e.getKey().equals("attributes");
            sb.append(e.getKey()).append(" = ").append(text ? "\"" + e.getValue() + "\"" : e.getValue()).append('\n');
        }
        return sb.toString();
    }

    /** Reads a saved run configuration (all keys present). */
    public static TrainConfig read(Path file) throws IOException {
        // The model key decides the defaults, so read it first.
        String model = "sasrec";
        for (String line : Files.readAllLines(file)) {
            String s = stripComment(line).strip();
            if (s.startsWith("model") && s.contains("=")) model = unquote(s.substring(s.indexOf('=') + 1).strip());
        }
        return defaults(model).withFile(file);
    }
}
