package dev.actrec.model.lifelong;

import dev.actrec.core.gen.ItemCatalog;
import dev.actrec.core.gen.lifelong.LifelongConfig;
import dev.actrec.core.gen.lifelong.LifelongGenerator;
import dev.actrec.core.gen.lifelong.UserSimulator;
import dev.actrec.model.lifelong.LifelongScorer.Method;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifelongScorerTest {
    private static final int ITEMS = 2000, USERS = 4, LENGTH = 30_000, HELD_OUT = 60;
    private static final long SEED = 21;

    private static int[][] items;
    private static byte[][] types;
    private static int[][] component;
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
        component = new int[USERS][LENGTH];
        for (int u = 0; u < USERS; u++) {
            UserSimulator sim = gen.simulator(u + 1);
            for (int p = 0; p < LENGTH; p++) {
                sim.step();
                items[u][p] = catalog.itemId(sim.lastRank()) - 1;
                types[u][p] = sim.lastType();
                ts[u][p] = sim.lastTimestamp();
                component[u][p] = sim.lastComponent();
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
     * On the held-out positions whose item is in the old history but not in the recent window (the window has
     * lost it), the memory ranks it better than the window alone: mean reciprocal rank over the catalog.
     */
    /**
     * On the held-out positions whose item is in the old history but not in the recent window (the window has
     * lost it), the memory ranks it better than the window alone: mean reciprocal rank over the catalog.
     */
    @Test
    void diagnose() {
        int[][] grid = {{4, 50}, {4, 70}, {4, 90}};
        for (int[] g : grid) diagnose(AttentionConfig.defaults(), new MemoryConfig(256, g[0], g[1] / 100f, 200, MemoryConfig.defaults().typeWeights()));
    }

    void diagnose(AttentionConfig ac, MemoryConfig mc) {
        System.out.println(mc.heavyHitters() + " " + mc.joinCosine());
        LifelongScorer scorer = new LifelongScorer(emb, categoryOf, counts, ac, mc);
        double[] scores = new double[ITEMS];
        Method[] ms = Method.values();
        double[][] rr = new double[4][ms.length];
        int[] n = new int[4];
        for (int u = 0; u < USERS; u++) {
            scorer.startUser(items[u], types[u]);
            LifelongMemory mem = new LifelongMemory(mc, emb);
            for (int p = 0; p < LENGTH; p++) {
                if (p >= LENGTH - 100) {
                    scorer.advanceTo(p);
                    int g = component[u][p];
                    n[g]++;
                    for (int m = 0; m < ms.length; m++) {
                        scorer.scoreCatalog(ms[m], mem, scores);
                        rr[g][m] += rankOf(scores, items[u][p]) < 10 ? 1 : 0;
                    }
                }
                mem.append(items[u][p], types[u][p], ts[u][p]);
            }
            System.out.println("  tokens " + mem.tokensUsed() + " bytes " + mem.serializedBytes());
        }
        StringBuilder all = new StringBuilder("  all");
        for (int m = 0; m < ms.length; m++) all.append(String.format(" %s=%.3f", ms[m].label(), (rr[0][m] + rr[1][m] + rr[2][m] + rr[3][m]) / (n[0] + n[1] + n[2] + n[3])));
        System.out.println(all);
        for (int g = 0; g < 4; g++) {
            StringBuilder sb = new StringBuilder("  component " + g + " n=" + n[g]);
            for (int m = 0; m < ms.length; m++) sb.append(String.format(" %s=%.3f", ms[m].label(), rr[g][m] / n[g]));
            System.out.println(sb);
        }
    }

    @Test
    void memoryRecoversItemsTheWindowLost() {
        MemoryConfig mc = MemoryConfig.defaults();
        LifelongScorer scorer = new LifelongScorer(emb, categoryOf, counts, AttentionConfig.defaults(), mc);
        double[] scores = new double[ITEMS];
        double rrMemory = 0, rrWindow = 0;
        int positions = 0;
        for (int u = 0; u < USERS; u++) {
            scorer.startUser(items[u], types[u]);
            LifelongMemory mem = new LifelongMemory(mc, emb);
            for (int p = 0; p < LENGTH; p++) {
                if (p >= LENGTH - HELD_OUT && lostByWindow(u, p, mc.window())) {
                    scorer.advanceTo(p);
                    scorer.scoreCatalog(Method.ACT_MEMORY, mem, scores);
                    rrMemory += 1.0 / (1 + rankOf(scores, items[u][p]));
                    scorer.scoreCatalog(Method.LAST_N, mem, scores);
                    rrWindow += 1.0 / (1 + rankOf(scores, items[u][p]));
                    positions++;
                }
                mem.append(items[u][p], types[u][p], ts[u][p]);
            }
        }
        assertTrue(positions >= 10, "too few positions: " + positions);
        System.out.printf("MRR memory %.4f, window %.4f over %d positions%n", rrMemory / positions, rrWindow / positions, positions);
        assertTrue(rrMemory > 1.5 * rrWindow, "MRR memory " + rrMemory / positions + " vs window " + rrWindow / positions
                + " over " + positions + " positions");
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
