package dev.actrec.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import dev.actrec.core.EventReader;
import dev.actrec.core.gen.GenConfig;
import dev.actrec.core.gen.ItemCatalog;
import dev.actrec.core.gen.lifelong.LifelongConfig;
import dev.actrec.core.gen.lifelong.LifelongGenerator;
import dev.actrec.core.gen.lifelong.LifelongModel;
import dev.actrec.core.gen.lifelong.LifelongOracle;
import dev.actrec.core.io.EventFormat;
import dev.actrec.core.io.EventReaders;
import dev.actrec.model.lifelong.AttentionConfig;
import dev.actrec.model.lifelong.EngagementHead;
import dev.actrec.model.lifelong.ItemEmbeddings;
import dev.actrec.model.lifelong.LifelongMemory;
import dev.actrec.model.lifelong.LifelongScorer;
import dev.actrec.model.lifelong.LifelongScorer.Method;
import dev.actrec.model.lifelong.MemoryConfig;
import dev.actrec.model.lifelong.RankingWeights;
import dev.actrec.model.lifelong.ReadoutInput;
import dev.actrec.model.lifelong.ReadoutWeights;
import dev.actrec.model.lifelong.TrainedReadout;
import dev.actrec.model.lifelong.WatchTimeHead;
import dev.actrec.simd.VectorKernels;
import dev.actrec.train.ReadoutTrainer;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * {@code actrec bench lifelong}: next-item quality, rank latency, nearline update cost and state bytes of the
 * {@link LifelongScorer} family (last_n, sim_hard, twin, full, act_memory, popularity) beside the
 * {@link LifelongOracle}, per history length L.
 *
 * <p>Protocol. One generated file per L (its sha256 read from the sidecar). Item vectors are learned
 * ({@link ItemEmbeddings}, skip-gram) on every user's actions except the last {@code heldOut}, over all files
 * together (they share the catalog: same items, categories and seed). Each of the last {@code heldOut} actions of
 * every user is a test position: every method scores the whole catalog given all actions before it (no masking;
 * re-consumption is part of the task), and HR@10 / NDCG@10 count the actual item's rank (entries strictly above
 * it, as the oracle counts). Per-user means, then mean over users with a normal-approximation 95% interval
 * (1.96·sd/√users).
 *
 * <p>The last positions are mostly explained by the recent window. So each length also reports a slice where the
 * distant past should matter: up to {@code returningPerUser} earlier positions per user (spread evenly over all of
 * them), before the action heads' positions, within a window's length after a long-term interest with old favourites
 * came back from a dormant phase ({@link LifelongOracle#returnPositions}). The generator's state chooses them, never
 * the action at them, so the oracle stays the best possible ranking on the slice. They are scored the same way, with
 * the hand-set weights, and {@link Recurrence} says where their items occurred before.
 */
public final class LifelongBenchmark {
    /** What to run; {@code users[i]} users of length {@code lengths[i]}. */
    public record Config(Path workDir, int[] lengths, int[] users, int items, int categories, long seed, int heldOut,
                         int headTrain, int rankTrain, int returningPerUser, int candidates, int latencyReps, int maxTrainPerUser,
                         ItemEmbeddings.Config embedding, MemoryConfig memory, AttentionConfig attention,
                         LifelongModel model, int readoutPositions, ReadoutTrainer.Settings readout) {
        public Config {
            if (readoutPositions <= 0) throw new IllegalArgumentException("readoutPositions must be positive, was " + readoutPositions);
            if (lengths.length == 0 || lengths.length != users.length) {
                throw new IllegalArgumentException("lengths and users must be non-empty and of equal size");
            }
            for (int l : lengths) {
                if (l <= heldOut + headTrain) {
                    throw new IllegalArgumentException("every length must exceed heldOut + headTrain = " + (heldOut + headTrain) + ", got " + l);
                }
            }
            if (heldOut <= 0) throw new IllegalArgumentException("heldOut must be positive, was " + heldOut);
            if (headTrain <= 0) throw new IllegalArgumentException("headTrain must be positive, was " + headTrain);
            if (rankTrain <= 0 || rankTrain > headTrain) {
                throw new IllegalArgumentException("rankTrain must be in [1, headTrain = " + headTrain + "], was " + rankTrain);
            }
            if (returningPerUser < 0) throw new IllegalArgumentException("returningPerUser must be non-negative, was " + returningPerUser);
            if (candidates <= 0 || candidates > items) throw new IllegalArgumentException("candidates must be in [1, items], was " + candidates);
        }
    }

    private static final int TOP = 10;
    private static final double HEAD_L2 = 1.0, RANKING_L2 = 1.0;
    private static final Method[] METHODS = Method.values();
    private static final boolean[] ENGAGED = new boolean[ActionType.COUNT];
    /**
     * Action types with a head of their own (one against the rest): the negative signal, watch time (long_view) and
     * every explicit positive. Comment, share and follow are each 1–2% of actions in the generator, so their heads see
     * a few positives per L and their AUCs are read beside {@code testPositives}.
     */
    private static final ActionType[] TYPE_HEADS = {ActionType.SKIP, ActionType.LONG_VIEW, ActionType.LIKE,
            ActionType.COMMENT, ActionType.SHARE, ActionType.FOLLOW, ActionType.PURCHASE};

    static {
        for (ActionType t : LifelongOracle.ENGAGED) ENGAGED[t.code()] = true;
    }

    /** One user's actions, columnar; {@code watch} = watch time / item duration. */
    private record History(int[] items, byte[] types, long[] ts, float[] watch) {}

    private final Config cfg;
    private final Consumer<String> log;

    public LifelongBenchmark(Config cfg, Consumer<String> log) {
        this.cfg = cfg;
        this.log = log;
    }

    public void run(JsonGenerator g) throws Exception {
        long t0 = System.nanoTime();
        Files.createDirectories(cfg.workDir());
        int buckets = cfg.lengths().length;
        LifelongConfig[] configs = new LifelongConfig[buckets];
        String[] sha = new String[buckets];
        Path[] files = new Path[buckets];
        History[][] data = new History[buckets][];
        for (int b = 0; b < buckets; b++) {
            configs[b] = new LifelongConfig(cfg.users()[b], 1, 1, new int[]{cfg.lengths()[b]}, cfg.items(), cfg.categories(),
                    GenConfig.DEFAULT_ZIPF_EXPONENT, cfg.seed(), GenConfig.DEFAULT_START_MS, cfg.model());
            files[b] = cfg.workDir().resolve(String.format("lifelong-L%d-u%d-i%d-c%d-s%d.csv", cfg.lengths()[b],
                    cfg.users()[b], cfg.items(), cfg.categories(), cfg.seed()));
            sha[b] = ensureData(configs[b], files[b]);
            data[b] = read(files[b], configs[b]);
        }
        ItemCatalog catalog = new LifelongOracle(configs[0]).catalog();
        int items = cfg.items();
        int[] categoryOf = new int[items];
        for (int i = 0; i < items; i++) categoryOf[i] = catalog.category(catalog.rankOf(i + 1));

        // item vectors and popularity from the training part only
        long[] counts = new long[items];
        long tokens = 0;
        int seqs = 0;
        for (History[] bucket : data) {
            for (History h : bucket) {
                int train = h.items().length - cfg.heldOut();
                for (int j = 0; j < train; j++) counts[h.items()[j]]++;
                tokens += Math.min(train, cfg.maxTrainPerUser());
                seqs++;
            }
        }
        int[] corpus = new int[Math.toIntExact(tokens)];
        long[] offsets = new long[seqs + 1];
        int s = 0, at = 0;
        for (History[] bucket : data) {
            for (History h : bucket) {
                int train = h.items().length - cfg.heldOut(), from = Math.max(0, train - cfg.maxTrainPerUser());
                System.arraycopy(h.items(), from, corpus, at, train - from);
                at += train - from;
                offsets[++s] = at;
            }
        }
        log.accept("training item vectors on " + tokens + " actions (" + cfg.embedding() + ")");
        long te = System.nanoTime();
        ItemEmbeddings emb = ItemEmbeddings.train(items, corpus, offsets, cfg.embedding());
        double embSeconds = (System.nanoTime() - te) / 1e9;

        g.writeStartObject();
        g.writeStringField("benchmark", "lifelong");
        Machine.write(g);
        g.writeNumberField("seed", cfg.seed());
        g.writeNumberField("items", items);
        g.writeNumberField("categories", cfg.categories());
        g.writeNumberField("heldOutPerUser", cfg.heldOut());
        g.writeStringField("metrics", "HR@10 and NDCG@10 over the whole catalog, no masking; per-user means; 95% CI = "
                + "mean ± 1.96·sd/sqrt(users) (normal approximation)");
        g.writeStringField("actionHead", "P(engaged = long_view or stronger | shown item): per method a logistic head "
                + "over the parts of its score (log window pool, log long pool, log popularity), fitted per L on the "
                + cfg.headTrain() + " positions before each user's test positions; AUC pooled over the test positions, "
                + "GAUC = mean over users with both classes of their AUC (95% CI as above); the oracle uses the true probability");
        g.writeStringField("typeHeads", "per method and action type in " + Arrays.toString(TYPE_HEADS).toLowerCase()
                + ": P(action = type | shown item), a head like the engagement head fitted one type against the rest on "
                + "the same rows; pooled AUC at the test positions (null when the training or test rows lack a class); "
                + "the oracle uses the true probability of the type; comment, share and follow are rare (read their AUC "
                + "beside testPositives)");
        g.writeStringField("watchTime", "per method E[watch time / duration | shown item]: ridge regression over the same "
                + "parts and rows as the engagement head, clamped to [0, 1]; R² and RMSE at the test positions; "
                + "watchTimeFloor predicts the training rows' mean; the oracle uses the true expectation");
        g.writeStringField("learnedRanking", "per method the weights of the same parts, fitted per L by softmax over the "
                + "whole catalog on the last " + cfg.rankTrain() + " of those positions; 'learned' ranks the whole catalog "
                + "with them at the test positions; 'tuned' does the same with the weights (hand-set, or window 1 and long, "
                + "popularity in {0, 1/8 .. 4}) that give the most HR@10 hits on those positions; the top-level "
                + "hr10/ndcg10 use the hand-set weights (1, λ, β)");
        g.writeStringField("returningInterest", "per length, up to " + cfg.returningPerUser() + " positions per user, "
                + "spread evenly over those before the action heads' positions that lie at most " + cfg.memory().window() + " actions after a "
                + "long-term interest with favourites old enough to re-consume turned active again after a dormant phase "
                + "(chosen from the generator's state before each action, not from the action); every method with its "
                + "hand-set weights and the oracle, HR@10 / NDCG@10 over the catalog, per-user means over the users with "
                + "such positions; the item vectors were trained on these positions' actions too (they precede the "
                + "held-out ones); 'recurrence' here and 'testRecurrence' per length: the shares of positions whose item "
                + "occurred among the " + cfg.memory().window() + " actions before, only further back, or never; "
                + "'hr10ByRecurrence': HR@10 pooled over the slice's positions of each kind");
        g.writeStringField("kernels", VectorKernels.implementationName());
        g.writeObjectFieldStart("embedding");
        g.writeStringField("method", "skip-gram with negative sampling over training actions");
        g.writeNumberField("dim", cfg.embedding().dim());
        g.writeNumberField("window", cfg.embedding().window());
        g.writeNumberField("negatives", cfg.embedding().negatives());
        g.writeNumberField("epochs", cfg.embedding().epochs());
        g.writeNumberField("trainActions", tokens);
        g.writeNumberField("seconds", round(embSeconds, 1));
        g.writeEndObject();
        writeConfigs(g);
        ReadoutTrainer.Result readout = trainReadout(data, emb, counts);
        writeReadout(g, readout);
        g.writeArrayFieldStart("lengths");
        for (int b = 0; b < buckets; b++) {
            log.accept("L=" + cfg.lengths()[b] + ": " + cfg.users()[b] + " users");
            runBucket(g, configs[b], files[b], sha[b], data[b], emb, categoryOf, counts, readout);
        }
        g.writeEndArray();
        g.writeNumberField("seconds", round((System.nanoTime() - t0) / 1e9, 1));
        g.writeEndObject();
    }

    private void runBucket(JsonGenerator g, LifelongConfig lc, Path file, String sha, History[] users, ItemEmbeddings emb,
                           int[] categoryOf, long[] counts, ReadoutTrainer.Result readout) throws IOException {
        int items = cfg.items(), k = cfg.heldOut(), n = users.length, length = lc.lengths()[0];
        MemoryConfig mc = cfg.memory();
        LifelongScorer scorer = new LifelongScorer(emb, categoryOf, counts, cfg.attention(), mc);
        scorer.useTrainedReadout(new TrainedReadout(readout.weights(), emb));
        double[][] hr = new double[METHODS.length + 1][n], ndcg = new double[METHODS.length + 1][n]; // last row: oracle
        double[] scores = new double[items], catalogRows = new double[items * LifelongScorer.FEATURES];
        long updateNanos = 0, updates = 0;
        long maxMemoryBytes = 0;
        int tokensUsed = 0;
        // Pass 1, per user: fold the memory up to the test positions. At the headTrain positions just before them
        // record, per method, the features of the actual item and whether the action was engaged (the action heads'
        // data); at the last rankTrain of those, the features of the whole catalog (the ranking weights' data).
        int hk = cfg.headTrain(), rk = cfg.rankTrain(), nf = LifelongScorer.FEATURES;
        double[][] shownX = new double[METHODS.length][n * hk * nf], rankX = new double[METHODS.length][n * rk * items * nf];
        boolean[] headY = new boolean[n * hk], testY = new boolean[n * k];
        byte[] headType = new byte[n * hk], testType = new byte[n * k];
        double[] headWatch = new double[n * hk], testWatch = new double[n * k];
        int[] chosen = new int[n * rk], shown = new int[1];
        double[] oracleEngaged = new double[n * k];
        LifelongMemory[] memories = new LifelongMemory[n];
        int firstTest = length - k, headStart = firstTest - hk, rankStart = firstTest - rk;
        double[][] handSet = new double[METHODS.length][];
        for (int mi = 0; mi < METHODS.length; mi++) handSet[mi] = scorer.handSetWeights(METHODS[mi]);
        LifelongOracle oracle = new LifelongOracle(lc);
        int[][] returning = new int[n][];
        SliceHits slice = new SliceHits(METHODS.length + 1, n);
        for (int u = 0; u < n; u++) {
            History h = users[u];
            scorer.startUser(h.items(), h.types());
            LifelongMemory mem = new LifelongMemory(mc, emb);
            int[] rp = oracle.returnPositions(u + 1, mc.window(), Math.min(mc.window(), headStart), headStart,
                    cfg.returningPerUser());
            returning[u] = rp;
            int folded = 0;
            for (int i = 0; i <= rp.length; i++) {
                int until = i < rp.length ? rp[i] : headStart;
                long t = System.nanoTime();
                for (; folded < until; folded++) mem.append(h.items()[folded], h.types()[folded], h.ts()[folded]);
                updateNanos += System.nanoTime() - t;
                if (until == headStart) break;
                scorer.advanceTo(until);
                Recurrence r = Recurrence.of(h.items(), until, mc.window());
                slice.count(u, r);
                for (int mi = 0; mi < METHODS.length; mi++) {
                    scorer.catalogFeatures(METHODS[mi], mem, catalogRows);
                    linear(catalogRows, items, nf, handSet[mi], scores);
                    slice.add(mi, u, rankOf(scores, h.items()[until]), r);
                }
            }
            for (int p = headStart; p < firstTest; p++) {
                scorer.advanceTo(p);
                int row = u * hk + p - headStart, group = u * rk + p - rankStart;
                headY[row] = ENGAGED[h.types()[p]];
                headType[row] = h.types()[p];
                headWatch[row] = h.watch()[p];
                shown[0] = h.items()[p];
                if (p >= rankStart) chosen[group] = h.items()[p];
                for (int mi = 0; mi < METHODS.length; mi++) {
                    if (p >= rankStart) {
                        scorer.catalogFeatures(METHODS[mi], mem, catalogRows);
                        System.arraycopy(catalogRows, 0, rankX[mi], group * items * nf, items * nf);
                        System.arraycopy(catalogRows, shown[0] * nf, shownX[mi], row * nf, nf);
                    } else {
                        scorer.features(METHODS[mi], mem, shown, 1, catalogRows);
                        System.arraycopy(catalogRows, 0, shownX[mi], row * nf, nf);
                    }
                }
                long t = System.nanoTime();
                mem.append(h.items()[p], h.types()[p], h.ts()[p]);
                updateNanos += System.nanoTime() - t;
            }
            updates += firstTest;
            memories[u] = mem;
        }
        // fit, per method, the ranking weights (softmax over the catalog) and the action head (logistic)
        double[][] learned = new double[METHODS.length][], tuned = new double[METHODS.length][];
        EngagementHead[] heads = new EngagementHead[METHODS.length];
        EngagementHead[][] typeHeads = new EngagementHead[METHODS.length][TYPE_HEADS.length];
        WatchTimeHead[] watchHeads = new WatchTimeHead[METHODS.length];
        boolean[][] headTypeY = new boolean[TYPE_HEADS.length][];
        for (int t = 0; t < TYPE_HEADS.length; t++) headTypeY[t] = isType(headType, TYPE_HEADS[t]);
        for (int mi = 0; mi < METHODS.length; mi++) {
            learned[mi] = RankingWeights.fit(rankX[mi], nf, items, n * rk, chosen, RANKING_L2, handSet[mi]);
            tuned[mi] = RankingWeights.bestOnHitRate(rankX[mi], nf, items, n * rk, chosen, weightGrid(handSet[mi]), TOP);
            heads[mi] = EngagementHead.fit(shownX[mi], nf, headY, n * hk, HEAD_L2);
            watchHeads[mi] = WatchTimeHead.fit(shownX[mi], nf, headWatch, n * hk, HEAD_L2);
            for (int t = 0; t < TYPE_HEADS.length; t++) {
                boolean[] y = headTypeY[t];
                typeHeads[mi][t] = bothClasses(y) ? EngagementHead.fit(shownX[mi], nf, y, n * hk, HEAD_L2) : null;
            }
            rankX[mi] = null;
        }

        // Pass 2, per user: the test positions. Every method scores the whole catalog with its hand-set weights and
        // with the learned ones; the head reads the actual item's features.
        double[][] engagedProb = new double[METHODS.length + 1][n * k];
        double[][][] typeProbs = new double[METHODS.length + 1][TYPE_HEADS.length][n * k];
        double[][] watchPred = new double[METHODS.length + 1][n * k];
        double[][] learnedHr = new double[METHODS.length][n], learnedNdcg = new double[METHODS.length][n];
        long[] testRecurrence = new long[Recurrence.values().length];
        double[][] tunedHr = new double[METHODS.length][n], tunedNdcg = new double[METHODS.length][n];
        for (int u = 0; u < n; u++) {
            History h = users[u];
            LifelongMemory mem = memories[u];
            scorer.startUser(h.items(), h.types());
            for (int p = firstTest; p < length; p++) {
                scorer.advanceTo(p);
                int actual = h.items()[p];
                int row = u * k + p - firstTest;
                testY[row] = ENGAGED[h.types()[p]];
                testRecurrence[Recurrence.of(h.items(), p, mc.window()).ordinal()]++;
                testType[row] = h.types()[p];
                testWatch[row] = h.watch()[p];
                for (int mi = 0; mi < METHODS.length; mi++) {
                    scorer.catalogFeatures(METHODS[mi], mem, catalogRows);
                    linear(catalogRows, items, nf, handSet[mi], scores);
                    addHit(hr[mi], ndcg[mi], u, rankOf(scores, actual), k);
                    linear(catalogRows, items, nf, learned[mi], scores);
                    addHit(learnedHr[mi], learnedNdcg[mi], u, rankOf(scores, actual), k);
                    linear(catalogRows, items, nf, tuned[mi], scores);
                    addHit(tunedHr[mi], tunedNdcg[mi], u, rankOf(scores, actual), k);
                    engagedProb[mi][row] = heads[mi].probability(catalogRows, actual * nf);
                    watchPred[mi][row] = watchHeads[mi].fraction(catalogRows, actual * nf);
                    for (int t = 0; t < TYPE_HEADS.length; t++) {
                        EngagementHead th = typeHeads[mi][t];
                        typeProbs[mi][t][row] = th == null ? Double.NaN : th.probability(catalogRows, actual * nf);
                    }
                }
                long t = System.nanoTime();
                mem.append(actual, h.types()[p], h.ts()[p]);
                updateNanos += System.nanoTime() - t;
                updates++;
            }
            maxMemoryBytes = Math.max(maxMemoryBytes, mem.serializedBytes());
            tokensUsed = Math.max(tokensUsed, mem.tokensUsed());
            memories[u] = null;
            log.accept("  user " + (u + 1) + "/" + n + " done");
        }
        // the oracle on the same positions; it also checks that the file holds what the generator drew
        int o = METHODS.length;
        oracle.forEachHeldOut(k, x -> true, (user, pos, prob, actualRank, type, typeProb, expectedWatch) -> {
            watchPred[o][(user - 1) * k + pos - firstTest] = expectedWatch;
            int itemIndex = oracle.catalog().itemId(actualRank) - 1;
            History uh = users[user - 1];
            if (itemIndex != uh.items()[pos] || type != uh.types()[pos]) {
                throw new IllegalStateException("data file disagrees with the generator at user " + user + ", position " + pos);
            }
            addHit(hr[o], ndcg[o], user - 1, LifelongOracle.rankOf(prob, actualRank), k);
            double engaged = 0;
            for (int ty = 0; ty < typeProb.length; ty++) if (ENGAGED[ty]) engaged += typeProb[ty];
            oracleEngaged[(user - 1) * k + pos - firstTest] = engaged;
            for (int t = 0; t < TYPE_HEADS.length; t++) {
                typeProbs[o][t][(user - 1) * k + pos - firstTest] = typeProb[TYPE_HEADS[t].code()];
            }
        });
        engagedProb[o] = oracleEngaged;
        for (int u = 0; u < n; u++) {
            History uh = users[u];
            int user = u;
            oracle.forEachPosition(u + 1, returning[u], (id, pos, prob, actualRank, type, typeProb, expectedWatch) -> {
                if (oracle.catalog().itemId(actualRank) - 1 != uh.items()[pos]) {
                    throw new IllegalStateException("data file disagrees with the generator at user " + id + ", position " + pos);
                }
                slice.add(o, user, LifelongOracle.rankOf(prob, actualRank), Recurrence.of(uh.items(), pos, mc.window()));
            });
        }
        boolean[][] testTypeY = new boolean[TYPE_HEADS.length][];
        for (int t = 0; t < TYPE_HEADS.length; t++) testTypeY[t] = isType(testType, TYPE_HEADS[t]);

        // rank latency: the first user at the end of its history, the same random candidates for every method
        History h = users[0];
        scorer.startUser(h.items(), h.types());
        scorer.advanceTo(length);
        LifelongMemory mem = LifelongMemory.rebuild(mc, emb, h.items(), h.types(), h.ts(), length);
        int[] cands = sampleCandidates(items, cfg.candidates(), cfg.seed() ^ length);
        double[] out = new double[cfg.candidates()];
        double[][] latency = new double[METHODS.length][];
        double sink = 0;
        for (int mi = 0; mi < METHODS.length; mi++) {
            int reps = cfg.latencyReps();
            long[] ns = new long[reps];
            for (int r = -Math.min(5, reps); r < reps; r++) { // a few warm-up requests first
                long t = System.nanoTime();
                scorer.scoreCandidates(METHODS[mi], mem, cands, cands.length, out);
                long dt = System.nanoTime() - t;
                sink += out[r & 7];
                if (r >= 0) ns[r] = dt;
            }
            Arrays.sort(ns);
            latency[mi] = new double[]{ns[reps / 2] / 1e6, ns[Math.min(reps - 1, (int) Math.ceil(reps * 0.99) - 1)] / 1e6};
        }
        if (Double.isNaN(sink)) throw new IllegalStateException("NaN score");

        g.writeStartObject();
        g.writeNumberField("length", length);
        g.writeNumberField("users", n);
        g.writeNumberField("testPositions", (long) n * k);
        g.writeStringField("dataFile", file.getFileName().toString());
        g.writeStringField("sha256", sha);
        g.writeNumberField("memoryUpdateMicrosPerAction", round(updateNanos / 1e3 / updates, 3));
        g.writeNumberField("memoryTokensUsed", tokensUsed);
        g.writeNumberField("latencyCandidates", cfg.candidates());
        g.writeNumberField("latencyRequests", cfg.latencyReps());
        double headMean = 0;
        for (double v : headWatch) headMean += v;
        double[] floorWatch = new double[n * k];
        Arrays.fill(floorWatch, headMean / headWatch.length);
        writeWatchTime(g, "watchTimeFloor", floorWatch, testWatch);
        Recurrence.write(g, "testRecurrence", testRecurrence);
        slice.write(g, "returningInterest");
        g.writeObjectFieldStart("methods");
        for (int mi = 0; mi <= METHODS.length; mi++) {
            g.writeObjectFieldStart(mi == METHODS.length ? "oracle" : METHODS[mi].label());
            writeMetric(g, "hr10", hr[mi]);
            writeMetric(g, "ndcg10", ndcg[mi]);
            boolean memory = mi == Method.ACT_MEMORY.ordinal() || mi == Method.ACT_TRAINED.ordinal();
            if (memory) writeDifferences(g, "hr10MinusOthers", hr, mi);
            if (mi < METHODS.length) {
                writeFitted(g, "learned", learned[mi], learnedHr[mi], learnedNdcg[mi]);
                writeFitted(g, "tuned", tuned[mi], tunedHr[mi], tunedNdcg[mi]);
            }
            writeActionHead(g, engagedProb[mi], testY, n, k, mi < METHODS.length ? heads[mi] : null);
            if (memory) {
                double[][] aucs = new double[engagedProb.length][];
                for (int row = 0; row < aucs.length; row++) aucs[row] = userAucs(engagedProb[row], testY, n, k);
                writeDifferences(g, "gaucMinusOthers", aucs, mi);
            }
            writeTypeHeads(g, typeProbs[mi], testTypeY);
            writeWatchTime(g, "watchTime", watchPred[mi], testWatch);
            if (mi < METHODS.length) {
                g.writeNumberField("rankP50Ms", round(latency[mi][0], 3));
                g.writeNumberField("rankP99Ms", round(latency[mi][1], 3));
                g.writeNumberField("stateBytesPerUser", LifelongScorer.stateBytes(METHODS[mi], length, mem, mc));
            }
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
        g.flush();
    }

    /**
     * Trains act_trained's readout, one for every length, as a deployment would train one for all its users, on
     * their memory states (pass 0): per user, {@code readoutPositions} positions spread evenly from the end of the
     * first window to the ranking weights' positions (training), and those last {@code rankTrain} positions before
     * the test ones (validation). Every one is the memory folded up to the position and the item that came next;
     * test positions are never used. (Per length, 3 users at 10^6 gave 300 examples, and the readout overfitted them.)
     */
    private ReadoutTrainer.Result trainReadout(History[][] buckets, ItemEmbeddings emb, long[] counts) {
        MemoryConfig mc = cfg.memory();
        List<ReadoutInput> train = new ArrayList<>(), validation = new ArrayList<>();
        ReadoutInput in = new ReadoutInput(emb.dim(), mc.window(), mc.maxLongTermKeys());
        for (History[] users : buckets) for (History h : users) {
            int firstTest = h.items().length - cfg.heldOut(), validStart = firstTest - cfg.rankTrain();
            int lo = validStart > mc.window() + 1 ? mc.window() : 1, span = validStart - lo;
            LifelongMemory mem = new LifelongMemory(mc, emb);
            int folded = 0, last = -1, per = Math.min(cfg.readoutPositions(), span);
            for (int i = 0; i <= per + cfg.rankTrain(); i++) {
                int p = i < per ? lo + (int) ((long) i * span / per) : validStart + i - per;
                if (p == last || p >= firstTest) continue;
                last = p;
                for (; folded < p; folded++) mem.append(h.items()[folded], h.types()[folded], h.ts()[folded]);
                (p < validStart ? train : validation).add(in.fill(mem).withTarget(h.items()[p]).copy());
            }
        }
        float[] logPop = new float[counts.length];
        for (int i = 0; i < counts.length; i++) logPop[i] = (float) Math.log1p(counts[i]);
        ReadoutWeights start = ReadoutWeights.handSet(mc, cfg.attention(), emb.dim());
        // the length slopes only where there are lengths to tell apart: trained on one, they overfitted
        return new ReadoutTrainer(emb, logPop).train(train, validation, start, readoutSettings(buckets.length), log);
    }

    private ReadoutTrainer.Settings readoutSettings(int lengths) {
        return cfg.readout().withLengthSlopes(lengths > 1);
    }

    /** act_trained's training: examples, losses per epoch, the epoch kept, and the learned scalars. */
    private void writeReadout(JsonGenerator g, ReadoutTrainer.Result r) throws IOException {
        ReadoutWeights w = r.weights();
        ReadoutTrainer.Settings s = cfg.readout();
        g.writeObjectFieldStart("actTrainedReadout");
        g.writeStringField("training", "softmax cross-entropy of the next item against " + s.negatives() + " uniform "
                + "negatives and up to " + s.hardNegatives() + " of the example's own window and exact-key items, Adam lr " + s.lr() + ", batch " + s.batchSize() + ", at least " + s.epochs() + " epochs and " + s.minSteps() + " steps, L2 "
                + s.projectionL2() + " pulling the projections to the identity; λ and log δ move with ℓ = log(1 + the memory's mass) − log(1 + 10^4) "
                + "(slopes learned, 0 at the start, and held at 0 when the run has one length); start: the hand-set weights; kept: the epoch with the lowest validation loss (0 = the start)");
        g.writeNumberField("trainingPositionsPerUser", cfg.readoutPositions());
        g.writeBooleanField("lengthSlopesTrained", readoutSettings(cfg.lengths().length).lengthSlopes());
        g.writeNumberField("seed", s.seed());
        g.writeNumberField("epochs", r.trainLoss().length - 1);
        g.writeNumberField("bestEpoch", r.bestEpoch());
        g.writeNumberField("seconds", round(r.seconds(), 1));
        g.writeArrayFieldStart("trainLoss");
        for (int e = 1; e < r.trainLoss().length; e++) g.writeNumber(round(r.trainLoss()[e], 4));
        g.writeEndArray();
        g.writeArrayFieldStart("validationLoss");
        for (double v : r.validationLoss()) g.writeNumber(round(v, 4));
        g.writeEndArray();
        g.writeObjectFieldStart("weights");
        g.writeObjectFieldStart("typeWeight");
        for (ActionType t : ActionType.values()) g.writeNumberField(t.name().toLowerCase(), round(Math.exp(w.typeBias(t.code())), 4));
        g.writeEndObject();
        g.writeArrayFieldStart("ageWeight");
        for (int b = 0; b < ReadoutWeights.AGE_BUCKETS; b++) g.writeNumber(round(Math.exp(w.ageBias(b)), 4));
        g.writeEndArray();
        g.writeNumberField("windowTemperature", round(1 / w.windowInverseTemperature(), 5));
        g.writeNumberField("longTemperature", round(1 / w.longInverseTemperature(), 5));
        g.writeNumberField("exactKeyWeight", round(Math.exp(w.kindBias(ReadoutWeights.EXACT)), 4));
        g.writeNumberField("centroidKeyWeight", round(Math.exp(w.kindBias(ReadoutWeights.CENTROID)), 4));
        g.writeNumberField("massExponent", round(w.massExponent(), 4));
        g.writeNumberField("longWeight", round(w.longWeight(), 4));
        g.writeNumberField("floor", round(Math.exp(w.logFloor()), 4));
        g.writeNumberField("longWeightLengthSlope", round(w.longWeightLengthSlope(), 4));
        g.writeNumberField("logFloorLengthSlope", round(w.logFloorLengthSlope(), 4));
        g.writeNumberField("popularityWeight", round(w.popularityWeight(), 4));
        g.writeNumberField("windowProjectionFromIdentity", round(fromIdentity(w.named().get("win_proj"), w.dim()), 4));
        g.writeNumberField("longProjectionFromIdentity", round(fromIdentity(w.named().get("long_proj"), w.dim()), 4));
        g.writeEndObject();
        g.writeEndObject();
    }

    /** Frobenius norm of a square matrix minus the identity. */
    private static double fromIdentity(float[] m, int d) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double v = m[i * d + j] - (i == j ? 1 : 0);
                s += v * v;
            }
        }
        return Math.sqrt(s);
    }

    /**
     * Where the item of a position occurred before it: among the {@code window} actions just before it, only
     * further back, or never. Only {@link #OLDER} positions need anything beyond the window to be re-consumed, so its
     * share bounds what a long-history method can add there by re-consumption.
     */
    enum Recurrence {
        WINDOW, OLDER, NEVER;

        static Recurrence of(int[] items, int p, int window) {
            int item = items[p], edge = Math.max(0, p - window);
            for (int j = p - 1; j >= edge; j--) if (items[j] == item) return WINDOW;
            for (int j = edge - 1; j >= 0; j--) if (items[j] == item) return OLDER;
            return NEVER;
        }

        /** Shares of positions by recurrence, e.g. {"window": 0.7, "older": 0.05, "never": 0.25}. */
        static void write(JsonGenerator g, String name, long[] counts) throws IOException {
            long total = 0;
            for (long c : counts) total += c;
            g.writeObjectFieldStart(name);
            for (Recurrence r : values()) {
                g.writeNumberField(r.name().toLowerCase(), total == 0 ? 0 : round((double) counts[r.ordinal()] / total, 4));
            }
            g.writeEndObject();
        }
    }

    /** Hits and gains of one slice of positions, per method (and the oracle, last) and user. */
    private static final class SliceHits {
        final double[][] hits, gains;
        final int[] positions;
        final long[] recurrence = new long[Recurrence.values().length];
        final long[][] hitsByRecurrence;

        SliceHits(int rows, int users) {
            hits = new double[rows][users];
            gains = new double[rows][users];
            positions = new int[users];
            hitsByRecurrence = new long[rows][Recurrence.values().length];
        }

        void count(int user, Recurrence r) {
            positions[user]++;
            recurrence[r.ordinal()]++;
        }

        void add(int row, int user, int rank, Recurrence r) {
            addHit(hits[row], gains[row], user, rank, 1);
            if (rank < TOP) hitsByRecurrence[row][r.ordinal()]++;
        }

        /** Per-user means over the users with at least one position, as the top-level metrics. */
        void write(JsonGenerator g, String name) throws IOException {
            int n = 0, total = 0;
            for (int c : positions) {
                if (c > 0) n++;
                total += c;
            }
            g.writeObjectFieldStart(name);
            g.writeNumberField("users", n);
            g.writeNumberField("positions", total);
            Recurrence.write(g, "recurrence", recurrence);
            if (n > 0) {
                g.writeObjectFieldStart("methods");
                double[][] hr = new double[hits.length][n], ndcg = new double[hits.length][n];
                for (int row = 0; row < hits.length; row++) {
                    for (int u = 0, at = 0; u < positions.length; u++) {
                        if (positions[u] == 0) continue;
                        hr[row][at] = hits[row][u] / positions[u];
                        ndcg[row][at++] = gains[row][u] / positions[u];
                    }
                }
                for (int row = 0; row < hits.length; row++) {
                    g.writeObjectFieldStart(row == METHODS.length ? "oracle" : METHODS[row].label());
                    writeMetric(g, "hr10", hr[row]);
                    writeMetric(g, "ndcg10", ndcg[row]);
                    if (row == Method.ACT_MEMORY.ordinal() || row == Method.ACT_TRAINED.ordinal()) {
                        writeDifferences(g, "hr10MinusOthers", hr, row);
                    }
                    // pooled over positions: how often each method finds an item by where it occurred before
                    g.writeObjectFieldStart("hr10ByRecurrence");
                    for (Recurrence r : Recurrence.values()) {
                        long c = recurrence[r.ordinal()];
                        if (c == 0) {
                            g.writeNullField(r.name().toLowerCase());
                        } else {
                            g.writeNumberField(r.name().toLowerCase(), round((double) hitsByRecurrence[row][r.ordinal()] / c, 4));
                        }
                    }
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        }
    }

    private void writeConfigs(JsonGenerator g) throws IOException {
        MemoryConfig mc = cfg.memory();
        AttentionConfig ac = cfg.attention();
        g.writeObjectFieldStart("memory");
        g.writeNumberField("tokens", mc.tokens());
        g.writeNumberField("heavyHitters", mc.heavyHitters());
        g.writeNumberField("joinCosine", mc.joinCosine());
        g.writeNumberField("window", mc.window());
        g.writeEndObject();
        g.writeObjectFieldStart("attention");
        g.writeNumberField("temperature", ac.temperature());
        g.writeNumberField("longWeight", ac.longWeight());
        g.writeNumberField("longFloor", ac.longFloor());
        g.writeNumberField("longTemperature", ac.longTemperature());
        g.writeNumberField("popularityWeight", ac.popularityWeight());
        g.writeNumberField("simTopK", ac.simTopK());
        g.writeNumberField("twinTopK", ac.twinTopK());
        g.writeEndObject();
    }

    /** One set of fitted score weights and the HR@10 / NDCG@10 they give. */
    private static void writeFitted(JsonGenerator g, String name, double[] weights, double[] hr, double[] ndcg) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeArrayFieldStart("weights");
        for (double w : weights) g.writeNumber(round(w, 4));
        g.writeEndArray();
        writeMetric(g, "hr10", hr);
        writeMetric(g, "ndcg10", ndcg);
        g.writeEndObject();
    }

    /** Each user's AUC over their k test positions; NaN for a user whose positions have one class only. */
    private static double[] userAucs(double[] prob, boolean[] engaged, int users, int k) {
        double[] out = new double[users];
        for (int u = 0; u < users; u++) {
            out[u] = LifelongOracle.auc(Arrays.copyOfRange(prob, u * k, u * k + k), Arrays.copyOfRange(engaged, u * k, u * k + k), k);
        }
        return out;
    }

    /** Pooled AUC, GAUC over users with both classes (with its interval) and the head's weights per raw feature. */
    private static void writeActionHead(JsonGenerator g, double[] prob, boolean[] engaged, int users, int k,
                                        EngagementHead head) throws IOException {
        g.writeNumberField("auc", round(LifelongOracle.auc(prob, engaged, users * k), 4));
        double[] perUser = userAucs(prob, engaged, users, k);
        int valid = 0;
        for (double a : perUser) if (!Double.isNaN(a)) perUser[valid++] = a;
        if (valid > 0) {
            writeMetric(g, "gauc", Arrays.copyOf(perUser, valid));
        } else {
            g.writeNullField("gauc");
        }
        g.writeNumberField("gaucUsers", valid);
        if (head != null) {
            g.writeArrayFieldStart("headWeights");
            for (int j = 0; j < head.dims(); j++) g.writeNumber(round(head.rawWeight(j), 4));
            g.writeEndArray();
        }
    }

    /**
     * R² (1 − squared error / the test targets' variance about their mean) and root mean squared error of predicted
     * watch fractions at the test positions.
     */
    private static void writeWatchTime(JsonGenerator g, String name, double[] predicted, double[] actual) throws IOException {
        double mean = 0;
        for (double v : actual) mean += v;
        mean /= actual.length;
        double sse = 0, sst = 0;
        for (int i = 0; i < actual.length; i++) {
            sse += (actual[i] - predicted[i]) * (actual[i] - predicted[i]);
            sst += (actual[i] - mean) * (actual[i] - mean);
        }
        g.writeObjectFieldStart(name);
        g.writeNumberField("r2", round(1 - sse / sst, 4));
        g.writeNumberField("rmse", round(Math.sqrt(sse / actual.length), 4));
        g.writeEndObject();
    }

    /** Per action type of {@link #TYPE_HEADS}: the pooled AUC of its head and the test positives. */
    private static void writeTypeHeads(JsonGenerator g, double[][] prob, boolean[][] testTypeY) throws IOException {
        g.writeObjectFieldStart("typeHeads");
        for (int t = 0; t < TYPE_HEADS.length; t++) {
            boolean[] y = testTypeY[t];
            int rows = y.length, positives = 0;
            for (int r = 0; r < rows; r++) if (y[r]) positives++;
            g.writeObjectFieldStart(TYPE_HEADS[t].name().toLowerCase());
            if (Double.isNaN(prob[t][0]) || positives == 0 || positives == rows) {
                g.writeNullField("auc");
            } else {
                g.writeNumberField("auc", round(LifelongOracle.auc(prob[t], y, rows), 4));
            }
            g.writeNumberField("testPositives", positives);
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static boolean[] isType(byte[] types, ActionType type) {
        boolean[] y = new boolean[types.length];
        for (int i = 0; i < types.length; i++) y[i] = types[i] == type.code();
        return y;
    }

    private static boolean bothClasses(boolean[] y) {
        boolean any = false, all = true;
        for (boolean b : y) {
            any |= b;
            all &= b;
        }
        return any && !all;
    }

    /**
     * {@code field}: per other row, the mean over users of (row {@code self}'s figure − that row's) with its 95%
     * interval, over the users whose figure is defined (not NaN). Paired on the same users and positions, so it is
     * much narrower than the two rows' own intervals.
     */
    private static void writeDifferences(JsonGenerator g, String field, double[][] perUser, int self) throws IOException {
        g.writeObjectFieldStart(field);
        for (int row = 0; row < perUser.length; row++) {
            if (row == self) continue;
            double[] diff = new double[perUser[self].length];
            int valid = 0;
            for (int u = 0; u < diff.length; u++) {
                double d = perUser[self][u] - perUser[row][u];
                if (!Double.isNaN(d)) diff[valid++] = d;
            }
            String name = row == METHODS.length ? "oracle" : METHODS[row].label();
            if (valid > 0) writeMetric(g, name, Arrays.copyOf(diff, valid));
            else g.writeNullField(name);
        }
        g.writeEndObject();
    }

    private static void writeMetric(JsonGenerator g, String name, double[] perUser) throws IOException {
        int n = perUser.length;
        double mean = 0;
        for (double v : perUser) mean += v;
        mean /= n;
        double var = 0;
        for (double v : perUser) var += (v - mean) * (v - mean);
        double half = n > 1 ? 1.96 * Math.sqrt(var / (n - 1) / n) : Double.NaN;
        g.writeObjectFieldStart(name);
        g.writeNumberField("mean", round(mean, 4));
        if (Double.isNaN(half)) {
            g.writeNullField("ci95");
        } else {
            g.writeArrayFieldStart("ci95");
            g.writeNumber(round(mean - half, 4));
            g.writeNumber(round(mean + half, 4));
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    /** Adds one test position's hit and gain (rank = entries above the actual item) to a user's means over k positions. */
    private static void addHit(double[] hr, double[] ndcg, int user, int rank, int k) {
        if (rank < TOP) {
            hr[user] += 1.0 / k;
            ndcg[user] += 1.0 / k / (Math.log(rank + 2) / Math.log(2));
        }
    }

    /**
     * Candidate weights for the hit-rate fit: the hand-set vector first (it wins ties), then the window weight fixed
     * at 1 (a ranking ignores the scale) with the long and popularity weights on a grid of powers of two (and 0).
     */
    private static double[][] weightGrid(double[] handSet) {
        double[] steps = {0, 0.125, 0.25, 0.5, 1, 2, 4};
        double[][] grid = new double[1 + steps.length * steps.length][];
        grid[0] = handSet;
        int at = 1;
        for (double wl : steps) for (double wp : steps) grid[at++] = new double[]{1, wl, wp};
        return grid;
    }

    /** out[i] = w · x[i] for rows of {@code dims} features. */
    private static void linear(double[] x, int rows, int dims, double[] w, double[] out) {
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < dims; j++) s += w[j] * x[i * dims + j];
            out[i] = s;
        }
    }

    /** Entries strictly above the target's score (the oracle's convention). */
    static int rankOf(double[] scores, int target) {
        double s = scores[target];
        int above = 0;
        for (double v : scores) if (v > s) above++;
        return above;
    }

    private static int[] sampleCandidates(int items, int n, long seed) {
        int[] all = new int[items];
        for (int i = 0; i < items; i++) all[i] = i;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            int j = i + rnd.nextInt(items - i);
            int tmp = all[i];
            all[i] = all[j];
            all[j] = tmp;
        }
        return Arrays.copyOf(all, n);
    }

    /** Generates the file and its sidecar unless a sidecar for the same config exists; returns the sidecar's sha256. */
    private String ensureData(LifelongConfig lc, Path csv) throws Exception {
        Path side = csv.resolveSibling(csv.getFileName() + ".lifelong.json");
        if (Files.exists(csv) && Files.exists(side) && LifelongConfig.fromJson(Files.readString(side)).equals(lc)) {
            return sidecarSha256(side);
        }
        log.accept("generating " + lc.totalEvents() + " events -> " + csv);
        Path tmp = csv.resolveSibling(csv.getFileName() + ".tmp");
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        long n;
        try (OutputStream o = new BufferedOutputStream(new DigestOutputStream(Files.newOutputStream(tmp), md), 1 << 20)) {
            n = new LifelongGenerator(lc).writeTo(o, EventFormat.CSV, null);
        }
        Files.move(tmp, csv, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("events", n);
        extra.put("dataFile", csv.getFileName().toString());
        extra.put("dataFormat", EventFormat.CSV.cliName());
        extra.put("sha256", HexFormat.of().formatHex(md.digest()));
        Files.writeString(side, lc.toJson(extra));
        return sidecarSha256(side);
    }

    /** The top-level {@code sha256} field of a sidecar. */
    private static String sidecarSha256(Path side) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(side.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException(side + " is not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("sha256")) return p.getText();
                p.skipChildren();
            }
        }
        throw new IOException(side + " has no sha256 field");
    }

    /** Reads the CSV (users one after another) into columns; item ids become indices {@code id - 1}. */
    private static History[] read(Path csv, LifelongConfig lc) throws Exception {
        History[] out = new History[lc.users()];
        for (int u = 0; u < out.length; u++) {
            int l = lc.userLength(u + 1);
            out[u] = new History(new int[l], new byte[l], new long[l], new float[l]);
        }
        int[] fill = new int[out.length];
        EventBatch batch = new EventBatch(1 << 16);
        try (EventReader r = EventReaders.open(csv, EventFormat.CSV)) {
            while (true) {
                batch.clear();
                if (r.read(batch, 1 << 16) == 0) break;
                for (int i = 0; i < batch.size(); i++) {
                    int u = Math.toIntExact(batch.userId(i)) - 1;
                    int j = fill[u]++;
                    out[u].items()[j] = Math.toIntExact(batch.itemId(i)) - 1;
                    out[u].types()[j] = batch.type(i);
                    out[u].ts()[j] = batch.timestamp(i);
                    out[u].watch()[j] = (float) batch.watchMs(i) / batch.durationMs(i);
                }
            }
        }
        for (int u = 0; u < out.length; u++) {
            if (fill[u] != out[u].items().length) throw new IllegalStateException("user " + (u + 1) + " has " + fill[u] + " actions in " + csv);
        }
        return out;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
