package dev.actrec.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.actrec.core.ActionType;
import dev.actrec.model.lifelong.ItemEmbeddings;
import dev.actrec.model.lifelong.ReadoutInput;
import dev.actrec.model.lifelong.ReadoutWeights;
import dev.actrec.model.lifelong.TrainedReadout;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains the lifelong memory's readout ({@link TrainedReadout}, weights {@link ReadoutWeights}) with DJL on examples
 * taken from the memory states serving holds: at a position of a user, the memory folded up to it (window and
 * long-term keys, {@link ReadoutInput}) and the item that came next. The loss is the softmax cross-entropy of the
 * next item against uniformly drawn negatives (an item drawn equal to the target is masked), plus an L2 pull of both
 * query projections towards the identity. The forward pass is {@link TrainedReadout}'s formula term for term, so the
 * Java scorer ranks with exactly what was trained (ReadoutTrainerTest checks the two agree).
 *
 * <p>Training starts from the given weights (normally the hand-set ones) and keeps the epoch with the lowest loss on
 * the validation examples, epoch 0 (the start) included. Deterministic for a seed and thread count.
 */
public final class ReadoutTrainer {
    private static final float MASKED = -1e4f;
    private static final int T = ActionType.COUNT, A = ReadoutWeights.AGE_BUCKETS, KINDS = ReadoutWeights.KINDS;

    /**
     * Epochs (at least; more when that many epochs would make fewer than {@code minSteps} optimiser steps, so that a
     * small training set still trains), examples per step, uniform negatives per example, at most {@code hardNegatives} more from the example's
     * own window and exact memory keys (the items a top 10 is fought over; 0 = none), Adam's learning rate, the
     * projections' L2 pull, seed, and {@code lengthSlopes}: whether λ's and δ's slopes over the memory's size (ReadoutWeights' {@code mix_length})
     * are trained; when false they keep their starting values. They are for a readout trained over users of many
     * lengths; trained on one length they overfitted (docs/lifelong-memory.md).
     */
    public record Settings(int epochs, int minSteps, int batchSize, int negatives, int hardNegatives, double lr,
                           double projectionL2, long seed, boolean lengthSlopes) {
        public Settings {
            if (epochs < 0 || minSteps < 0 || batchSize < 1 || negatives < 1 || hardNegatives < 0 || !(lr > 0) || projectionL2 < 0) {
                throw new IllegalArgumentException("readout training settings out of range: " + epochs + " epochs, "
                        + minSteps + " steps, batch "
                        + batchSize + ", " + negatives + " negatives, lr " + lr + ", L2 " + projectionL2);
            }
        }

        /** With the length slopes trained. */
        public Settings(int epochs, int minSteps, int batchSize, int negatives, int hardNegatives, double lr,
                        double projectionL2, long seed) {
            this(epochs, minSteps, batchSize, negatives, hardNegatives, lr, projectionL2, seed, true);
        }

        public static Settings defaults(long seed) {
            return new Settings(8, 1000, 32, 255, 512, 0.01, 0.01, seed);
        }

        public Settings withLengthSlopes(boolean on) {
            return new Settings(epochs, minSteps, batchSize, negatives, hardNegatives, lr, projectionL2, seed, on);
        }
    }

    /** The chosen weights, the epoch they come from (0 = the start), losses per epoch (index 0 = before training). */
    public record Result(ReadoutWeights weights, int bestEpoch, double[] trainLoss, double[] validationLoss, double seconds) {}

    private final ItemEmbeddings emb;
    private final float[] logPop;
    private final int d, items;

    /** @param logPop log(1 + training count) of every item index, the popularity term */
    public ReadoutTrainer(ItemEmbeddings emb, float[] logPop) {
        if (logPop.length != emb.items()) throw new IllegalArgumentException("logPop must have " + emb.items() + " entries");
        this.emb = emb;
        this.logPop = logPop.clone();
        this.d = emb.dim();
        this.items = emb.items();
    }

    public Result train(List<ReadoutInput> train, List<ReadoutInput> validation, ReadoutWeights start, Settings s,
                        Consumer<String> log) {
        require(train, "training");
        require(validation, "validation");
        long t0 = System.nanoTime();
        TorchRuntime.start(0, 1);
        int batches = (train.size() + s.batchSize() - 1) / s.batchSize();
        int epochs = Math.max(s.epochs(), (s.minSteps() + batches - 1) / batches);
        double[] trainLoss = new double[epochs + 1], validationLoss = new double[epochs + 1];
        try (NDManager base = NDManager.newBaseManager()) {
            Parameters params = parameters(base, s.seed(), start);
            TrainConfig adamConfig = TrainConfig.defaults("act").with("lr", Double.toString(s.lr())).with("beta2", "0.999");
            Adam adam = new Adam(params, adamConfig, null, 0);
            int[][] validationNegatives = negatives(validation, order(validation.size()), 0, validation.size(), s,
                    new SplittableRandom(s.seed() ^ 0x5EEDL));
            ReadoutWeights best = start;
            int bestEpoch = 0;
            validationLoss[0] = meanLoss(params, validation, validationNegatives, s, base);
            trainLoss[0] = Double.NaN;
            log.accept(String.format(Locale.ROOT, "  readout: %d training, %d validation examples; start: validation loss %.4f",
                    train.size(), validation.size(), validationLoss[0]));
            SplittableRandom rnd = new SplittableRandom(s.seed());
            int[] order = order(train.size());
            for (int epoch = 1; epoch <= epochs; epoch++) {
                for (int i = order.length - 1; i > 0; i--) {
                    int j = rnd.nextInt(i + 1), t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                double sum = 0;
                for (int from = 0; from < order.length; from += s.batchSize()) {
                    int to = Math.min(order.length, from + s.batchSize());
                    Batch batch = batch(train, order, from, to, negatives(train, order, from, to, s, rnd), true);
                    try (NDManager step = base.newSubManager()) {
                        params.attachTo(step);
                        float loss;
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            NDArray l = loss(params, batch, s, step);
                            collector.backward(l);
                            loss = l.getFloat();
                        }
                        if (!Float.isFinite(loss) || !adam.step(step)) {
                            throw new IllegalStateException("readout training: non-finite loss or gradient in epoch " + epoch
                                    + "; lower the learning rate (" + s.lr() + ")");
                        }
                        sum += loss;
                    }
                }
                trainLoss[epoch] = sum / batches;
                validationLoss[epoch] = meanLoss(params, validation, validationNegatives, s, base);
                boolean better = validationLoss[epoch] < validationLoss[bestEpoch];
                if (better) {
                    bestEpoch = epoch;
                    best = ReadoutWeights.of(d, params.snapshot());
                }
                log.accept(String.format(Locale.ROOT, "  readout epoch %d/%d: train loss %.4f, validation loss %.4f%s",
                        epoch, epochs, trainLoss[epoch], validationLoss[epoch], better ? " (best)" : ""));
            }
            return new Result(best, bestEpoch, trainLoss, validationLoss, (System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * The readout's score (f_window + λ·f_long + β·log(1 + n_c)) of {@code candidates[b]} for example b, as DJL
     * computes it in training; the check that it equals {@link TrainedReadout}'s.
     */
    float[][] scores(ReadoutWeights w, List<ReadoutInput> examples, int[][] candidates) {
        TorchRuntime.start(0, 1);
        int[] order = order(examples.size());
        try (NDManager base = NDManager.newBaseManager()) {
            Parameters params = parameters(base, 0, w);
            Batch b = batch(examples, order, 0, order.length, candidates, false);
            float[] flat = forward(params, b, true, base).toFloatArray();
            float[][] out = new float[order.length][];
            for (int i = 0; i < order.length; i++) out[i] = Arrays.copyOfRange(flat, i * b.c, (i + 1) * b.c);
            return out;
        }
    }

    /** The readout's tensors, holding {@code w}'s values. */
    private Parameters parameters(NDManager base, long seed, ReadoutWeights w) {
        Parameters params = new Parameters(base, seed, w.named());
        for (Map.Entry<String, long[]> e : ReadoutWeights.shapes(d).entrySet()) params.constant(e.getKey(), 0, e.getValue());
        return params;
    }

    private double meanLoss(Parameters params, List<ReadoutInput> examples, int[][] negatives, Settings s, NDManager base) {
        int[] order = order(examples.size());
        double sum = 0;
        for (int from = 0; from < order.length; from += s.batchSize()) {
            int to = Math.min(order.length, from + s.batchSize());
            int[][] neg = Arrays.copyOfRange(negatives, from, to);
            try (NDManager step = base.newSubManager()) {
                params.attachTo(step);
                sum += crossEntropy(forward(params, batch(examples, order, from, to, neg, true), true, step)).getFloat() * (to - from);
            }
        }
        return sum / order.length;
    }

    /** Per example: its distinct window and exact-key items (at most hardNegatives, newest window items first), then uniform draws. */
    private int[][] negatives(List<ReadoutInput> examples, int[] order, int from, int to, Settings s, SplittableRandom rnd) {
        int[][] out = new int[to - from][];
        BitSet seen = new BitSet(items);
        int[] hard = new int[s.hardNegatives()];
        for (int i = from; i < to; i++) {
            ReadoutInput in = examples.get(order[i]);
            seen.clear();
            int h = 0;
            for (int j = in.windowSize() - 1; j >= 0 && h < hard.length; j--) {
                int item = in.windowItem(j);
                if (!seen.get(item)) {
                    seen.set(item);
                    hard[h++] = item;
                }
            }
            for (int k = 0; k < in.keyCount() && h < hard.length; k++) {
                int item = in.keyItem(k);
                if (item >= 0 && !seen.get(item)) {
                    seen.set(item);
                    hard[h++] = item;
                }
            }
            int[] row = Arrays.copyOf(hard, h + s.negatives());
            for (int j = h; j < row.length; j++) row[j] = rnd.nextInt(items);
            out[i - from] = row;
        }
        return out;
    }

    private static int[] order(int n) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i;
        return o;
    }

    private static void require(List<ReadoutInput> examples, String what) {
        if (examples.isEmpty()) throw new IllegalArgumentException("no " + what + " examples for the readout");
        for (ReadoutInput in : examples) {
            if (in.target() < 0) throw new IllegalArgumentException(what + " example without a target item");
            if (in.windowSize() == 0) throw new IllegalArgumentException(what + " example with an empty window");
        }
    }

    /** One step's inputs as flat arrays: candidates (target first when training), window and memory keys, masks. */
    private static final class Batch {
        int b, c, j, k;
        float[] cand, candPop, candMask, win, winType, winAge, winMask, keys, keyLogMass, keyKind, keyMask, ell;
    }

    /**
     * Examples {@code order[from..to)}; candidates: with {@code withTarget}, the target then {@code extra[i]}
     * (negatives, masked where equal to the target); otherwise {@code extra[i]} alone.
     */
    private Batch batch(List<ReadoutInput> examples, int[] order, int from, int to, int[][] extra, boolean withTarget) {
        Batch x = new Batch();
        x.b = to - from;
        int longest = 0;
        for (int[] row : extra) longest = Math.max(longest, row.length);
        x.c = longest + (withTarget ? 1 : 0);
        for (int i = from; i < to; i++) {
            x.j = Math.max(x.j, examples.get(order[i]).windowSize());
            x.k = Math.max(x.k, examples.get(order[i]).keyCount());
        }
        x.j = Math.max(1, x.j);
        x.k = Math.max(1, x.k);
        x.cand = new float[x.b * x.c * d];
        x.candPop = new float[x.b * x.c];
        x.candMask = new float[x.b * x.c];
        x.win = new float[x.b * x.j * d];
        x.winType = new float[x.b * x.j * T];
        x.winAge = new float[x.b * x.j * A];
        x.winMask = new float[x.b * x.j];
        x.keys = new float[x.b * x.k * d];
        x.keyLogMass = new float[x.b * x.k];
        x.keyKind = new float[x.b * x.k * KINDS];
        x.keyMask = new float[x.b * x.k];
        x.ell = new float[x.b];
        float[] rows = emb.rows();
        for (int i = 0; i < x.b; i++) {
            ReadoutInput in = examples.get(order[from + i]);
            int[] row = extra[i];
            for (int c = 0; c < x.c; c++) {
                int e = withTarget ? c - 1 : c;
                if (e >= row.length) { // padding: a masked copy of the first candidate
                    x.candMask[i * x.c + c] = MASKED;
                    continue;
                }
                int item = e < 0 ? in.target() : row[e];
                System.arraycopy(rows, emb.offset(item), x.cand, (i * x.c + c) * d, d);
                x.candPop[i * x.c + c] = logPop[item];
                if (e >= 0 && withTarget && item == in.target()) x.candMask[i * x.c + c] = MASKED;
            }
            for (int j = 0; j < x.j; j++) {
                int at = i * x.j + j;
                if (j >= in.windowSize()) {
                    x.winMask[at] = MASKED;
                    continue;
                }
                System.arraycopy(rows, emb.offset(in.windowItem(j)), x.win, at * d, d);
                x.winType[at * T + in.windowType(j)] = 1;
                x.winAge[at * A + in.windowAgeBucket(j)] = 1;
            }
            x.ell[i] = (float) in.lengthFeature();
            in.keyRows(emb, x.keys, i * x.k * d);
            for (int k = 0; k < x.k; k++) {
                int at = i * x.k + k;
                if (k >= in.keyCount()) {
                    x.keyMask[at] = MASKED;
                    continue;
                }
                x.keyLogMass[at] = in.keyLogMass(k);
                x.keyKind[at * KINDS + in.keyKind(k)] = 1;
            }
        }
        return x;
    }

    private NDArray loss(Parameters p, Batch x, Settings s, NDManager m) {
        NDArray ce = crossEntropy(forward(p, x, s.lengthSlopes(), m));
        double projectionL2 = s.projectionL2();
        if (projectionL2 == 0) return ce;
        NDArray eye = m.eye(d);
        NDArray pull = p.get("win_proj").sub(eye).square().sum().add(p.get("long_proj").sub(eye).square().sum());
        return ce.add(pull.mul(Layers.scalar(m, (float) projectionL2)));
    }

    private static NDArray crossEntropy(NDArray scores) {
        return scores.logSoftmax(1).get(new NDIndex(":, 0")).neg().mean();
    }

    /** Scores (B, C): TrainedReadout's formula on the batch; without {@code slopes} the slopes get no gradient. */
    private NDArray forward(Parameters p, Batch x, boolean slopes, NDManager m) {
        int b = x.b, c = x.c, j = x.j, k = x.k;
        NDArray cand = m.create(x.cand, new Shape(b, c, d));
        // window term
        NDArray kappaW = p.get("win_log_inv_tau").exp();
        NDArray winBias = m.create(x.winType, new Shape(b, j, T)).matMul(p.get("type_bias").reshape(T, 1))
                .add(m.create(x.winAge, new Shape(b, j, A)).matMul(p.get("age_bias").reshape(A, 1)))
                .reshape(b, 1, j).sub(kappaW).add(m.create(x.winMask, new Shape(b, 1, j)));
        NDArray winDots = cand.matMul(p.get("win_proj")).batchMatMul(m.create(x.win, new Shape(b, j, d)).transpose(0, 2, 1));
        NDArray fWin = logSumExp(winDots.mul(kappaW).add(winBias), 2);
        // memory term
        NDArray kappaL = p.get("long_log_inv_tau").exp();
        NDArray longBias = m.create(x.keyLogMass, new Shape(b, k)).mul(p.get("mass_exponent"))
                .add(m.create(x.keyKind, new Shape(b, k, KINDS)).matMul(p.get("kind_bias").reshape(KINDS, 1)).reshape(b, k))
                .sub(kappaL).add(m.create(x.keyMask, new Shape(b, k))).reshape(b, 1, k);
        NDArray longDots = cand.matMul(p.get("long_proj")).batchMatMul(m.create(x.keys, new Shape(b, k, d)).transpose(0, 2, 1));
        NDArray mix = p.get("mix"), slope = p.get("mix_length");
        if (!slopes) slope = slope.stopGradient().add(slope.mul(0f)); // same value, a zero gradient (not none) for Adam
        NDArray ell = m.create(x.ell, new Shape(b, 1));
        NDArray lambda = ell.mul(pick(slope, 0, m)).add(pick(mix, 0, m));      // (B, 1): λ + s_λ·ℓ
        NDArray logFloor = ell.mul(pick(slope, 1, m)).add(pick(mix, 1, m));    // (B, 1): log δ + s_δ·ℓ
        NDArray fLong = logAddExp(logSumExp(longDots.mul(kappaL).add(longBias), 2), logFloor);
        return fWin.add(fLong.mul(lambda)).add(m.create(x.candPop, new Shape(b, c)).mul(pick(mix, 2, m)))
                .add(m.create(x.candMask, new Shape(b, c)));
    }

    /** Element i of a vector as a (1)-shaped tensor that carries its gradient (a product with a one-hot). */
    private static NDArray pick(NDArray v, int i, NDManager m) {
        float[] hot = new float[(int) v.getShape().get(0)];
        hot[i] = 1;
        return v.mul(m.create(hot)).sum(new int[]{0}, true);
    }

    private static NDArray logSumExp(NDArray x, int axis) {
        NDArray max = x.max(new int[]{axis}, true).stopGradient();
        return x.sub(max).exp().sum(new int[]{axis}).log().add(max.squeeze(axis));
    }

    private static NDArray logAddExp(NDArray a, NDArray b) {
        NDArray max = a.maximum(b).stopGradient();
        return a.sub(max).exp().add(b.sub(max).exp()).log().add(max);
    }
}
