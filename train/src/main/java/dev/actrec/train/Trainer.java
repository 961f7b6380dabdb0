package dev.actrec.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.actrec.core.dataset.SequenceDataset;
import dev.actrec.model.ModelFile;
import dev.actrec.model.TensorFile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a {@link SequenceModel} on the training part of a leave-one-out split, validating on the validation target
 * only, and writes a run folder:
 * <ul>
 *   <li>{@code config.toml} the effective configuration;</li>
 *   <li>{@code model.bin} the weights of the best validation epoch ({@link TensorFile}, header = run facts), the
 *       weight average's when {@code ema_decay > 0} (then validation scores the average too);</li>
 *   <li>{@code checkpoint.bin} the state after the last finished epoch (weights, Adam moments, the weight average,
 *       history), written
 *       atomically; {@code --resume} continues from it and gives the same result as an uninterrupted run;</li>
 *   <li>{@code serving.bin} the best weights for the pure-Java forward pass ({@link ServingExport},
 *       {@link ModelFile}), written at the end;</li>
 *   <li>{@code metrics.json} and {@code curves.png} at the end.</li>
 * </ul>
 * Determinism: initial weights, the user order, negatives and windows come from Java generators seeded with
 * (seed, epoch); PyTorch's generator (dropout) is reseeded with (seed, epoch) at the start of every epoch.
 */
public final class Trainer {
    public static final String MODEL_FILE = "model.bin";
    public static final String CHECKPOINT_FILE = "checkpoint.bin";
    public static final String CONFIG_FILE = "config.toml";

    private final SequenceDataset data;
    private final TrainConfig config;
    private final Path out;
    private final PrintStream log;

    public Trainer(SequenceDataset data, TrainConfig config, Path out, PrintStream log) {
        this.data = data;
        this.config = config;
        this.out = out;
        this.log = log;
    }

    /** The outcome of a run; test metrics are those of the best validation epoch. */
    public record Result(int epochsRun, int bestEpoch, double wallSeconds, double secondsToBest,
                         Map<String, Double> validation, Evaluator.Result test, List<EpochRecord> history) {}

    public Result run(boolean resume) throws IOException {
        Engine engine = TorchRuntime.start(config.intraThreads(), config.interThreads());
        Files.createDirectories(out);
        ItemAttributes attrs = config.model().equals("act") && !config.attributes().isEmpty()
                ? ItemAttributes.load(Path.of(config.attributes()), data.numItems()) : null;
        try (NDManager manager = NDManager.newBaseManager()) {
            Path ckpt = out.resolve(CHECKPOINT_FILE);
            TensorFile.Content saved = null;
            if (resume) {
                if (!Files.exists(ckpt)) throw new IOException("--resume: no checkpoint at " + ckpt);
                saved = TensorFile.read(ckpt);
            }
            RunState state = saved == null ? new RunState() : RunState.restore(saved.header(), data);
            Parameters params = new Parameters(manager, config.seed(), saved == null ? null : saved.values());
            SequenceModel model = SequenceModel.create(config, data.numItems(), attrs, params);
            Adam adam = new Adam(params, config, saved == null ? null : saved.values(), state.adamSteps);
            WeightAverage average = config.emaDecay() > 0
                    ? new WeightAverage(params, config.emaDecay(), saved == null ? null : saved.values()) : null;
            if (resume) {
                log.printf(Locale.ROOT, "resuming %s after epoch %d (best epoch %d, val NDCG@10 %.4f)%n",
                        ckpt, state.epoch, state.bestEpoch, state.bestMetric);
            }
            Files.writeString(out.resolve(CONFIG_FILE), config.toToml());
            log.printf(Locale.ROOT, "train %s on %s: %d users, %d items, %d interactions; %,d parameters; "
                            + "threads %s%n", config.model(), data.source(), data.users(), data.numItems(),
                    data.interactions(), params.count(), TorchRuntime.threads());
            int[] trainUsers = trainableUsers();
            ProgressReporter progress = new ProgressReporter(log, config.progressSeconds());
            int badValidations = state.badValidations;
            boolean finished = badValidations >= config.patience()
                    || (config.maxMinutes() > 0 && state.wallSeconds >= config.maxMinutes() * 60);
            if (finished) {
                log.println("the checkpointed run had already stopped (patience or time budget): writing its report");
            }
            for (int epoch = state.epoch + 1; epoch <= config.epochs() && !finished; epoch++) {
                long t0 = System.nanoTime();
                engine.setRandomSeed((int) (config.seed() * 1_000_003L + epoch));
                double loss = trainEpoch(model, adam, average, trainUsers, epoch, progress, state);
                double seconds = (System.nanoTime() - t0) / 1e9;
                double vNdcg = Double.NaN;
                double vHr = Double.NaN;
                boolean best = false;
                Map<String, float[]> averaged = null; // the weight average's values, copied once per validation
                boolean overBudget = config.maxMinutes() > 0
                        && state.wallSeconds + (System.nanoTime() - t0) / 1e9 >= config.maxMinutes() * 60;
                if (epoch % config.evalEvery() == 0 || epoch == config.epochs() || overBudget) {
                    if (average != null) averaged = average.weights();
                    RankingMetrics v = validate(model, averaged, attrs);
                    vNdcg = v.ndcg(10);
                    vHr = v.hr(10);
                    if (vNdcg > state.bestMetric) {
                        best = true;
                        badValidations = 0;
                        state.bestMetric = vNdcg;
                        state.bestEpoch = epoch;
                        state.bestValidation = v.asMap();
                    } else {
                        badValidations++;
                    }
                }
                double epochSeconds = (System.nanoTime() - t0) / 1e9;
                state.wallSeconds += epochSeconds;
                if (best) {
                    state.secondsToBest = state.wallSeconds;
                    TensorFile.write(out.resolve(MODEL_FILE), modelHeader(state, params),
                            averaged != null ? averaged : params.snapshot(), params.shapes());
                }
                state.epoch = epoch;
                state.badValidations = badValidations;
                state.history.add(new EpochRecord(epoch, loss, trainUsers.length / seconds, epochSeconds, vNdcg, vHr));
                saveCheckpoint(ckpt, state, params, adam, average);
                double remaining = (config.epochs() - epoch) * (state.wallSeconds / state.history.size());
                progress.epoch(String.format(Locale.ROOT,
                        "epoch %d/%d loss %.4f %,.0f seq/s %.1fs%s ETA <= %s%s", epoch, config.epochs(), loss,
                        trainUsers.length / seconds, epochSeconds,
                        Double.isNaN(vNdcg) ? "" : String.format(Locale.ROOT, " val NDCG@10 %.4f HR@10 %.4f%s",
                                vNdcg, vHr, best ? " (best)" : ""),
                        ProgressReporter.duration(remaining), ""));
                if (badValidations >= config.patience()) {
                    log.printf("early stop: %d validations without improvement%n", badValidations);
                    break;
                }
                if (overBudget) {
                    log.printf(Locale.ROOT, "time budget of %.1f min reached%n", config.maxMinutes());
                    break;
                }
            }
            // Final report with the best weights; the model header now records the whole run.
            TensorFile.Content best = TensorFile.read(out.resolve(MODEL_FILE));
            Map<String, String> facts = modelFacts(state, params);
            TensorFile.write(out.resolve(MODEL_FILE), header(facts), best.values(), best.shapes());
            Evaluator.Result test;
            try (NDManager bestManager = NDManager.newBaseManager()) {
                Parameters bestParams = new Parameters(bestManager, config.seed(), best.values());
                SequenceModel bestModel = SequenceModel.create(config, data.numItems(), attrs, bestParams);
                test = Evaluator.evaluate(bestModel, data, LeaveOneOut.Split.TEST, config);
                ServingExport.write(out.resolve(ModelFile.FILE_NAME), config, bestModel, data.numItems(), facts);
            }
            return new Result(state.epoch, state.bestEpoch, state.wallSeconds, state.secondsToBest,
                    state.bestValidation, test, List.copyOf(state.history));
        }
    }

    /** Users with at least one training pair. */
    private int[] trainableUsers() {
        int n = 0;
        for (int u = 0; u < data.users(); u++) if (LeaveOneOut.trainLength(data, u) >= 2) n++;
        int[] users = new int[n];
        n = 0;
        for (int u = 0; u < data.users(); u++) if (LeaveOneOut.trainLength(data, u) >= 2) users[n++] = u;
        return users;
    }

    /** Validation metrics of the model, or of the averaged weights when there are some. */
    private RankingMetrics validate(SequenceModel model, Map<String, float[]> averagedWeights, ItemAttributes attrs) {
        if (averagedWeights == null) {
            return Evaluator.evaluate(model, data, LeaveOneOut.Split.VALIDATION, config).get(config.maskSeen());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            SequenceModel averaged = SequenceModel.create(config, data.numItems(), attrs,
                    new Parameters(m, config.seed(), averagedWeights));
            return Evaluator.evaluate(averaged, data, LeaveOneOut.Split.VALIDATION, config).get(config.maskSeen());
        }
    }

    private double trainEpoch(SequenceModel model, Adam adam, WeightAverage average, int[] users, int epoch,
                              ProgressReporter progress, RunState state) {
        SplittableRandom rnd = new SplittableRandom(config.seed() ^ (epoch * 0x9E3779B97F4A7C15L));
        int[] order = users.clone();
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        bucketByLength(order, rnd);
        double lossSum = 0;
        int steps = 0;
        int skipped = 0;
        int appliedSteps = 0;
        long t0 = System.nanoTime();
        NDManager base = model.parameters().manager();
        boolean[] seen = new boolean[data.numItems() + 1];
        for (int from = 0; from < order.length; from += config.batchSize()) {
            int to = Math.min(order.length, from + config.batchSize());
            Batch batch = buildBatch(order, from, to, rnd, seen);
            try (NDManager step = base.newSubManager()) {
                model.parameters().attachTo(step);
                float loss;
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray l = loss(model, batch, step);
                    collector.backward(l);
                    loss = l.getFloat();
                }
                boolean applied = Float.isFinite(loss) && adam.step(step);
                if (applied && average != null) average.update(adam.steps(), step);
                if (!applied) {
                    // A rare overflow should not end a long run; a persistent one should.
                    skipped++;
                    if (!Float.isFinite(loss)) {
                        Adam.clearGradients(model.parameters());
                    }
                    log.printf(Locale.ROOT, "warning: epoch %d step %d: non-finite loss or gradient, step skipped%n",
                            epoch, steps + 1);
                    if (skipped > 10) {
                        throw new IllegalStateException("more than 10 non-finite steps in epoch " + epoch
                                + "; lower lr or check the data");
                    }
                } else {
                    lossSum += loss;
                    appliedSteps++;
                }
            }
            steps++;
            double elapsed = (System.nanoTime() - t0) / 1e9;
            double avgEpoch = state.history.isEmpty() ? 0 : state.wallSeconds / state.history.size();
            progress.step(epoch, config.epochs(), to, order.length, lossSum / Math.max(1, appliedSteps), to / elapsed,
                    (config.epochs() - epoch) * avgEpoch);
        }
        return lossSum / Math.max(1, appliedSteps);
    }

    /**
     * Groups users of similar training length into the same batch, so a batch of short histories is not padded to
     * the length of one long history (Beauty: mean 9 items, max 200). Within chunks of 32 batches the users are
     * sorted by length; the batches of the epoch are then shuffled. Deterministic for the epoch's generator.
     */
    private void bucketByLength(int[] order, SplittableRandom rnd) {
        int bs = config.batchSize();
        int chunk = bs * 32;
        for (int from = 0; from < order.length; from += chunk) {
            int to = Math.min(order.length, from + chunk);
            Integer[] part = new Integer[to - from];
            for (int i = from; i < to; i++) part[i - from] = order[i];
            java.util.Arrays.sort(part, java.util.Comparator.comparingInt(
                    (Integer u) -> Math.min(config.maxLen(), LeaveOneOut.trainLength(data, u))).thenComparingInt(u -> u));
            for (int i = from; i < to; i++) order[i] = part[i - from];
        }
        int batches = (order.length + bs - 1) / bs;
        int[] perm = new int[batches];
        for (int i = 0; i < batches; i++) perm[i] = i;
        for (int i = batches - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] copy = order.clone();
        int k = 0;
        for (int b : perm) {
            for (int i = b * bs; i < Math.min(order.length, (b + 1) * bs); i++) order[k++] = copy[i];
        }
    }

    /**
     * One training batch, row-major (B, L) arrays: input ids left-padded with 0, the target of every real position
     * (0 elsewhere), and the flat indices of the real positions. {@code negatives} is (B, L) for BCE (one per
     * position), (B, N) for sampled softmax per sequence, (P, N) per real position, empty for the full softmax.
     */
    record Batch(long[] ids, int rows, int len, long[] positions, long[] targets, long[] negatives) {
        /** The targets of the real positions, in {@link #positions} order. */
        long[] realTargets() {
            long[] t = new long[positions.length];
            for (int i = 0; i < t.length; i++) t[i] = targets[(int) positions[i]];
            return t;
        }
    }

    private Batch buildBatch(int[] order, int from, int to, SplittableRandom rnd, boolean[] seen) {
        int rows = to - from;
        int maxLen = config.maxLen();
        int[] starts = new int[rows];
        int[] lens = new int[rows];
        int len = 1;
        for (int r = 0; r < rows; r++) {
            int u = order[from + r];
            int m = LeaveOneOut.trainLength(data, u);  // training prefix: items 0..m-1
            int pairs = m - 1;
            int take = Math.min(pairs, maxLen);
            int end = pairs;                              // pairs (t, t+1) for t in [end - take, end)
            if (config.randomCrop() && pairs > maxLen) end = maxLen + rnd.nextInt(pairs - maxLen + 1);
            starts[r] = data.start(u) + end - take;
            lens[r] = take;
            len = Math.max(len, take);
        }
        int[] values = data.values();
        long[] ids = new long[rows * len];
        int real = 0;
        for (int r = 0; r < rows; r++) real += lens[r];
        long[] positions = new long[real];
        long[] targets = new long[rows * len];
        boolean bce = config.loss().equals("bce");
        boolean ssm = config.loss().equals("ssm");
        boolean perPosition = config.negativeScope().equals("position");
        long[] negatives = new long[bce ? rows * len : ssm ? (perPosition ? real : rows) * config.negatives() : 0];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            int pad = len - lens[r];
            if (bce) markHistory(order[from + r], seen, true);
            for (int t = 0; t < lens[r]; t++) {
                int at = r * len + pad + t;
                ids[at] = values[starts[r] + t];
                positions[k++] = at;
                targets[at] = values[starts[r] + t + 1];
                if (bce) negatives[at] = sampleUnseen(rnd, seen);
            }
            if (bce) markHistory(order[from + r], seen, false);
        }
        if (ssm) {
            for (int i = 0; i < negatives.length; i++) negatives[i] = 1 + rnd.nextInt(data.numItems());
        }
        return new Batch(ids, rows, len, positions, targets, negatives);
    }

    private void markHistory(int user, boolean[] seen, boolean on) {
        int start = data.start(user);
        int n = data.length(user);
        for (int i = 0; i < n; i++) seen[data.values()[start + i]] = on;
    }

    private int sampleUnseen(SplittableRandom rnd, boolean[] seen) {
        for (int tries = 0; tries < 100; tries++) {
            int c = 1 + rnd.nextInt(data.numItems());
            if (!seen[c]) return c;
        }
        return 1 + rnd.nextInt(data.numItems()); // the user has seen almost everything
    }

    /**
     * The mean loss of a batch over its real positions. Sampled softmax: each sequence has its own
     * {@code negatives} uniform negatives shared by its positions, so one step sees B x N distinct negatives (a single
     * shared set made ML-1M training, 200 positions per sequence, unstable), or with {@code negative_scope = position}
     * each real position has its own; a negative equal to the target is pushed out of the softmax. CE: the softmax
     * over the whole catalog at every real position (no sampling, so no sampling bias; cost P x N x d per step,
     * affordable for catalogs of tens of thousands of items). BCE: one negative per position, as in SASRec. With
     * {@code cl_weight > 0}, plus that weight times {@link #contrastiveLoss} of a second encoding of the batch.
     */
    NDArray loss(SequenceModel model, Batch batch, NDManager m) {
        NDArray table = model.itemTable();
        long rows = batch.rows();
        long len = batch.len();
        NDArray ids = m.create(batch.ids(), new Shape(rows, len));
        NDArray h = model.encode(ids, true, table);                                      // (B, L, d)
        NDArray hRaw = h;
        NDArray out = table;
        if (config.similarity().equals("cosine")) {
            h = Layers.l2Normalize(h);
            out = Layers.l2Normalize(table);
        }
        NDArray invT = Layers.scalar(m, (float) (1.0 / config.temperature()));
        NDArray next = nextItemLoss(h, out, invT, batch, m);
        if (config.clWeight() <= 0) return next;
        // The second view: the same windows encoded again, under other dropout masks.
        NDArray contrast = contrastiveLoss(hRaw, model.encode(ids, true, table), batch.len(), m);
        return next.add(contrast.mul(Layers.scalar(m, (float) config.clWeight())));
    }

    /**
     * Symmetric InfoNCE between two encodings (B, L, d) of the same windows at the newest position (the last column:
     * windows are left-padded): each window's two views are a positive pair, the batch's other windows the negatives,
     * over cosine similarities divided by {@code cl_temperature}; the mean of both directions' cross-entropies.
     */
    NDArray contrastiveLoss(NDArray h1, NDArray h2, int len, NDManager m) {
        NDIndex newest = new NDIndex(":, " + (len - 1) + ", :");
        NDArray z1 = Layers.l2Normalize(h1.get(newest));                                // (B, d)
        NDArray z2 = Layers.l2Normalize(h2.get(newest));
        long b = z1.getShape().get(0);
        NDArray logits = z1.matMul(z2.transpose()).mul(Layers.scalar(m, (float) (1.0 / config.clTemperature())));
        NDArray eye = m.eye((int) b);
        NDArray rows = logits.logSoftmax(1).mul(eye).sum().neg();
        NDArray cols = logits.logSoftmax(0).mul(eye).sum().neg();
        return rows.add(cols).div(Layers.scalar(m, 2f * b));
    }

    /** The next-item loss of {@link #loss} on the encoded batch (h already normalised when the similarity is cosine). */
    private NDArray nextItemLoss(NDArray h, NDArray out, NDArray invT, Batch batch, NDManager m) {
        long rows = batch.rows();
        long len = batch.len();
        if (config.loss().equals("ce")) return fullSoftmax(h, out, invT, batch, m);
        if (config.loss().equals("ssm") && config.negativeScope().equals("position")) {
            return sampledSoftmaxPerPosition(h, out, invT, batch, config.negatives(), m);
        }
        NDArray tgt = m.create(batch.targets(), new Shape(rows, len));                   // (B, L), 0 = no target
        NDArray valid = tgt.gt(0).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        NDArray count = Layers.scalar(m, batch.positions().length);
        NDArray pos = h.mul(Layers.lookup(out, tgt)).sum(new int[] {2}).mul(invT);         // (B, L)
        if (config.loss().equals("bce")) {
            NDArray negIds = m.create(batch.negatives(), new Shape(rows, len));
            NDArray neg = h.mul(Layers.lookup(out, negIds)).sum(new int[] {2}).mul(invT);
            // -log sigmoid(pos) - log(1 - sigmoid(neg)) = softplus(-pos) + softplus(neg)
            return softplus(pos.neg()).add(softplus(neg)).mul(valid).sum().div(count);
        }
        int n = config.negatives();
        NDArray negIds = m.create(batch.negatives(), new Shape(rows, n));                 // (B, N)
        NDArray negE = Layers.lookup(out, negIds);                                         // (B, N, d)
        NDArray negLogits = h.matMul(negE.transpose(0, 2, 1)).mul(invT);                 // (B, L, N)
        NDArray collide = tgt.expandDims(2).eq(negIds.expandDims(1))
                .toType(ai.djl.ndarray.types.DataType.FLOAT32, false).mul(Layers.scalar(m, 1e9f));
        NDArray logits = NDArrays.concat(new ai.djl.ndarray.NDList(pos.expandDims(2), negLogits.sub(collide)), 2);
        NDArray nll = logits.logSoftmax(2).get(new NDIndex(":, :, 0")).neg();            // (B, L)
        return nll.mul(valid).sum().div(count);
    }

    /** Mean cross-entropy over the whole catalog (ids 1..N; 0 is padding) at the batch's real positions. */
    private static NDArray fullSoftmax(NDArray h, NDArray out, NDArray invT, Batch batch, NDManager m) {
        NDArray targets = m.create(batch.realTargets());
        NDArray hP = atRealPositions(h, batch, m);                                                          // (P, d)
        NDArray pos = hP.mul(Layers.lookup(out, targets)).sum(new int[] {1}).mul(invT);                     // (P)
        NDArray logits = hP.matMul(out.get(new NDIndex("1:")).transpose()).mul(invT);                      // (P, N)
        // log-sum-exp shifted by the row maximum; the shift is a constant for autograd (its gradients cancel)
        NDArray shift = logits.max(new int[] {1}, true).stopGradient();
        NDArray lse = logits.sub(shift).exp().sum(new int[] {1}).log().add(shift.squeeze(1));
        return lse.sub(pos).mean();
    }

    /**
     * Sampled softmax with its own {@code n} negatives at every real position (negatives (P, n) in the batch); a
     * negative equal to the position's target is pushed out of the softmax.
     */
    private static NDArray sampledSoftmaxPerPosition(NDArray h, NDArray out, NDArray invT, Batch batch, int n,
                                                     NDManager m) {
        int p = batch.positions().length;
        long d = h.getShape().get(2);
        NDArray targets = m.create(batch.realTargets());                                                   // (P)
        NDArray hP = atRealPositions(h, batch, m);                                                          // (P, d)
        NDArray pos = hP.mul(Layers.lookup(out, targets)).sum(new int[] {1}).mul(invT);                     // (P)
        NDArray negIds = m.create(batch.negatives(), new Shape(p, n));                                      // (P, n)
        NDArray negE = Layers.lookup(out, negIds);                                                          // (P, n, d)
        NDArray negLogits = hP.reshape(new Shape(p, 1, d)).matMul(negE.transpose(0, 2, 1))
                .reshape(new Shape(p, n)).mul(invT);                                                        // (P, n)
        NDArray collide = targets.expandDims(1).eq(negIds)
                .toType(ai.djl.ndarray.types.DataType.FLOAT32, false).mul(Layers.scalar(m, 1e9f));
        NDArray logits = NDArrays.concat(new ai.djl.ndarray.NDList(pos.expandDims(1), negLogits.sub(collide)), 1);
        return logits.logSoftmax(1).get(new NDIndex(":, 0")).neg().mean();
    }

    /** The rows of h (B, L, d) at the batch's real positions, (P, d). */
    private static NDArray atRealPositions(NDArray h, Batch batch, NDManager m) {
        long d = h.getShape().get(2);
        return Layers.lookup(h.reshape(new Shape((long) batch.rows() * batch.len(), d)), m.create(batch.positions()));
    }

    private static NDArray softplus(NDArray x) {
        // log(1 + e^x), stable for large |x|
        NDManager m = x.getManager();
        return x.maximum(Layers.scalar(m, 0f)).add(x.abs().neg().exp().add(Layers.scalar(m, 1f)).log());
    }

    private String modelHeader(RunState state, Parameters params) {
        return header(modelFacts(state, params));
    }

    private static String header(Map<String, String> facts) {
        StringBuilder sb = new StringBuilder();
        facts.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        return sb.toString();
    }

    private Map<String, String> modelFacts(RunState state, Parameters params) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("format", "act-model");
        h.put("model", config.model());
        h.put("num_items", Integer.toString(data.numItems()));
        h.put("dataset", data.source());
        h.put("dataset_sha256", data.sha256());
        h.put("best_epoch", Integer.toString(state.bestEpoch));
        h.put("epochs", Integer.toString(Math.max(state.epoch, state.bestEpoch)));
        h.put("wall_seconds", Double.toString(state.wallSeconds));
        h.put("seed", Long.toString(config.seed()));
        h.put("parameters", Long.toString(params.count()));
        return h;
    }

    private void saveCheckpoint(Path ckpt, RunState state, Parameters params, Adam adam, WeightAverage average)
            throws IOException {
        Map<String, float[]> values = new LinkedHashMap<>(params.snapshot());
        values.putAll(adam.snapshot());
        Map<String, long[]> shapes = new LinkedHashMap<>(params.shapes());
        shapes.putAll(adam.shapes());
        if (average != null) {
            values.putAll(average.snapshot());
            shapes.putAll(average.shapes());
        }
        TensorFile.write(ckpt, state.header(adam, data), values, shapes);
    }

    /** The loop's state between epochs, as saved in a checkpoint header. */
    static final class RunState {
        int epoch;
        int bestEpoch;
        double bestMetric = Double.NEGATIVE_INFINITY;
        Map<String, Double> bestValidation = Map.of();
        int badValidations;
        long adamSteps;
        double wallSeconds;
        double secondsToBest;
        final List<EpochRecord> history = new ArrayList<>();

        String header(Adam adam, SequenceDataset data) {
            StringBuilder sb = new StringBuilder();
            sb.append("format = act-checkpoint\n");
            sb.append("dataset_sha256 = ").append(data.sha256()).append('\n');
            sb.append("epoch = ").append(epoch).append('\n');
            sb.append("adam_steps = ").append(adam.steps()).append('\n');
            sb.append("best_epoch = ").append(bestEpoch).append('\n');
            sb.append("best_metric = ").append(bestMetric).append('\n');
            sb.append("bad_validations = ").append(badValidations).append('\n');
            sb.append("wall_seconds = ").append(wallSeconds).append('\n');
            sb.append("seconds_to_best = ").append(secondsToBest).append('\n');
            bestValidation.forEach((k, v) -> sb.append("val.").append(k).append(" = ").append(v).append('\n'));
            for (EpochRecord r : history) sb.append("history = ").append(r.encode()).append('\n');
            return sb.toString();
        }

        static RunState restore(String header, SequenceDataset data) {
            RunState s = new RunState();
            Map<String, Double> val = new LinkedHashMap<>();
            for (String line : header.split("\n")) {
                int eq = line.indexOf(" = ");
                if (eq < 0) continue;
                String k = line.substring(0, eq);
                String v = line.substring(eq + 3);
                switch (k) {
                    case "dataset_sha256" -> {
                        if (!v.equals(data.sha256())) {
                            throw new IllegalArgumentException("--resume: the checkpoint was trained on data with sha256 "
                                    + v + ", not " + data.sha256());
                        }
                    }
                    case "epoch" -> s.epoch = Integer.parseInt(v);
                    case "adam_steps" -> s.adamSteps = Long.parseLong(v);
                    case "best_epoch" -> s.bestEpoch = Integer.parseInt(v);
                    case "best_metric" -> s.bestMetric = Double.parseDouble(v);
                    case "bad_validations" -> s.badValidations = Integer.parseInt(v);
                    case "wall_seconds" -> s.wallSeconds = Double.parseDouble(v);
                    case "seconds_to_best" -> s.secondsToBest = Double.parseDouble(v);
                    case "history" -> s.history.add(EpochRecord.decode(v));
                    default -> {
                        if (k.startsWith("val.")) val.put(k.substring(4), Double.parseDouble(v));
                    }
                }
            }
            s.bestValidation = val;
            return s;
        }
    }
}
