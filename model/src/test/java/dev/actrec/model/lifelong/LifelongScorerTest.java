package dev.actrec.model.lifelong;

import dev.actrec.core.gen.ItemCatalog;
import dev.actrec.core.gen.lifelong.LifelongConfig;
import dev.actrec.core.gen.lifelong.LifelongGenerator;
import dev.actrec.core.gen.lifelong.UserSimulator;
import dev.actrec.model.lifelong.LifelongScorer.Method;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifelongScorerTest {
    private static final int ITEMS = 2000, USERS = 4, LENGTH = 30_000, HELD_OUT = 60;
    private static final long SEED = 21;

    private static int[][] items;
    private static byte[][] types;
    private static long[][] ts;
    private static int[] categoryOf;
    private static long[] counts;
    private static ItemEmbeddings emb;

    /** A small lifelong data set (seeded), and item vectors trained on all but the last HELD_OUT actions per user. */
    @BeforeAll
    static void data() {
        LifelongConfig cfg = LifelongConfig.ofBuckets(USERS, new int[]{LENGTH}, ITEMS, SEED);
        LifelongGenerator gen = new LifelongGenerator(cfg);
        ItemCatalog catalog = gen.catalog();
        items = new int[USERS][LENGTH];
        types = new byte[USERS][LENGTH];
        ts = new long[USERS][LENGTH];
        for (int u = 0; u < USERS; u++) {
            UserSimulator sim = gen.simulator(u + 1);
            for (int p = 0; p < LENGTH; p++) {
                sim.step();
                items[u][p] = catalog.itemId(sim.lastRank()) - 1;
                types[u][p] = sim.lastType();
                ts[u][p] = sim.lastTimestamp();
            }
        }
        categoryOf = new int[ITEMS];
        for (int i = 0; i < ITEMS; i++) categoryOf[i] = catalog.category(catalog.rankOf(i + 1));
        int train = LENGTH - HELD_OUT;
        int[] corpus = new int[USERS * train];
        long[] offsets = new long[USERS + 1];
        counts = new long[ITEMS];
        for (int u = 0; u < USERS; u++) {
            System.arraycopy(items[u], 0, corpus, u * train, train);
            offsets[u + 1] = (long) (u + 1) * train;
            for (int p = 0; p < train; p++) counts[items[u][p]]++;
        }
        emb = ItemEmbeddings.train(ITEMS, corpus, offsets, new ItemEmbeddings.Config(32, 3, 5, 1, 0.025f, SEED));
    }

    /**
     * The memory's readout (M = 256 tokens, a fixed budget) keeps up with the methods that read the whole history:
     * on the last 25 actions of each user, its HR@10 over the catalog is within 0.08 of TWIN-style's and of full
     * attention's. (Measured on this data, last 100 positions, join cosine 0.5-0.9: act_memory 0.363-0.375, twin 0.388,
     * full 0.373.)
     */
    @Test
    void memoryReadoutKeepsUpWithWholeHistoryMethods() {
        double[] hr = hitRates(new Method[]{Method.ACT_MEMORY, Method.TWIN, Method.FULL}, 25, u -> p -> true);
        assertTrue(hr[0] >= hr[1] - 0.08, "act_memory " + hr[0] + " vs twin " + hr[1]);
        assertTrue(hr[0] >= hr[2] - 0.08, "act_memory " + hr[0] + " vs full " + hr[2]);
    }

    /**
     * Issue 5 asks that the memory beat the window on long histories; v0 does not. Measured here (MRR over the
     * catalog on the 55 held-out positions whose item is in the old history but not in the window): memory 0.0093,
     * window 0.0083; HR@10 on the last 100 positions: memory 0.363-0.375, last_n 0.390.
     */
    @Disabled("not met by v0: see docs/lifelong-memory.md")
    @Test
    void memoryBeatsWindowOnItemsTheWindowLost() {
        double[] hr = hitRates(new Method[]{Method.ACT_MEMORY, Method.LAST_N}, HELD_OUT, u -> p -> lostByWindow(u, p, 200));
        assertTrue(hr[0] > hr[1] + 0.05, "act_memory " + hr[0] + " vs last_n " + hr[1]);
    }

    /** HR@10 over the catalog of each method on the last {@code last} positions of every user accepted by {@code keep}. */
    private static double[] hitRates(Method[] methods, int last, IntFunction<IntPredicate> keep) {
        MemoryConfig mc = MemoryConfig.defaults();
        LifelongScorer scorer = new LifelongScorer(emb, categoryOf, counts, AttentionConfig.defaults(), mc);
        double[] scores = new double[ITEMS];
        double[] hits = new double[methods.length];
        int positions = 0;
        for (int u = 0; u < USERS; u++) {
            scorer.startUser(items[u], types[u]);
            LifelongMemory mem = new LifelongMemory(mc, emb);
            for (int p = 0; p < LENGTH; p++) {
                if (p >= LENGTH - last && keep.apply(u).test(p)) {
                    scorer.advanceTo(p);
                    for (int m = 0; m < methods.length; m++) {
                        scorer.scoreCatalog(methods[m], mem, scores);
                        if (rankOf(scores, items[u][p]) < 10) hits[m]++;
                    }
                    positions++;
                }
                mem.append(items[u][p], types[u][p], ts[u][p]);
            }
        }
        assertTrue(positions >= 10, "too few positions: " + positions);
        for (int m = 0; m < methods.length; m++) hits[m] /= positions;
        return hits;
    }

    /** {@code full} groups older actions by item; that must equal the attention summed action by action. */
    @Test
    void fullEqualsTheNaivePerActionSum() {
        MemoryConfig mc = MemoryConfig.defaults();
        AttentionConfig ac = AttentionConfig.defaults();
        LifelongScorer scorer = new LifelongScorer(emb, categoryOf, counts, ac, mc);
        int u = 1, p = 5_000;
        scorer.startUser(items[u], types[u]);
        scorer.advanceTo(p);
        int[] cands = new SplittableRandom(4).ints(50, 0, ITEMS).toArray();
        cands[0] = items[u][p - 1000]; // one candidate surely in the old part
        double[] got = new double[cands.length];
        scorer.scoreCandidates(Method.FULL, null, cands, cands.length, got);
        for (int i = 0; i < cands.length; i++) {
            double win = naivePool(u, p - mc.window(), p, cands[i], ac.temperature(), mc);
            double old = naivePool(u, 0, p - mc.window(), cands[i], ac.longTemperature(), mc);
            double oldMass = 0;
            for (int j = 0; j < p - mc.window(); j++) oldMass += mc.typeWeight(types[u][j]);
            double expected = Math.log(win + 1e-30) + ac.longWeight() * Math.log(old + ac.longFloor() / oldMass)
                    + ac.popularityWeight() * Math.log1p(counts[cands[i]]);
            assertEquals(expected, got[i], 1e-4 * Math.max(1, Math.abs(expected)), "candidate " + cands[i]);
        }
    }

    /** The features an action head reads are exactly the parts of the score: score = f0 + λ·f1 + β·f2. */
    @Test
    void featuresAreThePartsOfTheScore() {
        MemoryConfig mc = MemoryConfig.defaults();
        AttentionConfig ac = AttentionConfig.defaults();
        LifelongScorer scorer = new LifelongScorer(emb, categoryOf, counts, ac, mc);
        scorer.useTrainedReadout(new TrainedReadout(ReadoutWeights.handSet(mc, ac, emb.dim()), emb));
        int u = 2, p = 3_000;
        scorer.startUser(items[u], types[u]);
        scorer.advanceTo(p);
        LifelongMemory mem = LifelongMemory.rebuild(mc, emb, items[u], types[u], ts[u], p);
        int[] cands = new SplittableRandom(8).ints(40, 0, ITEMS).toArray();
        cands[0] = items[u][p - 1500];
        double[] score = new double[cands.length], f = new double[cands.length * LifelongScorer.FEATURES];
        for (Method m : Method.values()) {
            scorer.scoreCandidates(m, mem, cands, cands.length, score);
            scorer.features(m, mem, cands, cands.length, f);
            double[] w = scorer.handSetWeights(m);
            assertEquals(m == Method.POPULARITY ? 1 : ac.popularityWeight(), w[2]);
            for (int i = 0; i < cands.length; i++) {
                double sum = 0;
                for (int j = 0; j < LifelongScorer.FEATURES; j++) sum += w[j] * f[i * LifelongScorer.FEATURES + j];
                assertEquals(score[i], sum, 1e-9 * Math.max(1, Math.abs(sum)), m + " candidate " + cands[i]);
            }
            if (m != Method.POPULARITY && m != Method.LAST_N) {
                assertTrue(f[1] != 0, m + ": an item of the old history has a long-term part");
            }
            double[] catalog = new double[ITEMS * LifelongScorer.FEATURES];
            scorer.catalogFeatures(m, mem, catalog);
            for (int i = 0; i < cands.length; i++) {
                for (int j = 0; j < LifelongScorer.FEATURES; j++) {
                    double got = catalog[cands[i] * LifelongScorer.FEATURES + j], want = f[i * LifelongScorer.FEATURES + j];
                    assertEquals(want, got, 1e-6 * Math.max(1, Math.abs(want)), m + " catalog feature " + j + " of " + cands[i]);
                }
            }
        }
    }

    private static double naivePool(int u, int from, int to, int cand, float tau, MemoryConfig mc) {
        double s = 0, w = 0;
        float[] rows = emb.rows();
        for (int j = from; j < to; j++) {
            double dot = 0;
            for (int k = 0; k < emb.dim(); k++) dot += rows[emb.offset(cand) + k] * rows[emb.offset(items[u][j]) + k];
            double wt = mc.typeWeight(types[u][j]);
            s += wt * Math.exp((dot - 1) / tau);
            w += wt;
        }
        return s / w;
    }

    private static boolean lostByWindow(int u, int p, int window) {
        int item = items[u][p];
        for (int j = Math.max(0, p - window); j < p; j++) if (items[u][j] == item) return false;
        for (int j = 0; j < p - window; j++) if (items[u][j] == item) return true;
        return false;
    }

    private static int rankOf(double[] scores, int target) {
        int above = 0;
        for (double v : scores) if (v > scores[target]) above++;
        return above;
    }
}
