package dev.actrec.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Ranks and metrics against values computed by hand. */
class RankingMetricsTest {
    private static final double EPS = 1e-12;

    @Test
    void rankCountsStrictlyHigherScores() {
        //            pad  1    2    3    4    5
        float[] s = {9f, .1f, .5f, .3f, .9f, .2f};
        assertEquals(1, RankingMetrics.rank(s, 4));
        assertEquals(2, RankingMetrics.rank(s, 2));
        assertEquals(5, RankingMetrics.rank(s, 1));
    }

    @Test
    void paddingScoreIsNeverRanked() {
        float[] s = {100f, .1f, .2f};
        assertEquals(1, RankingMetrics.rank(s, 2));
    }

    @Test
    void tiesCountAgainstTheTarget() {
        float[] s = {0f, .5f, .5f, .5f, .1f};
        assertEquals(3, RankingMetrics.rank(s, 1));
        assertEquals(3, RankingMetrics.rank(s, 3));
        float[] flat = {0f, 1f, 1f, 1f, 1f};
        assertEquals(4, RankingMetrics.rank(flat, 2));
    }

    @Test
    void nanScoresDoNotFlatterTheTarget() {
        float[] s = {0f, Float.NaN, .5f, .9f};
        assertEquals(2, RankingMetrics.rank(s, 3));   // the NaN item counts above the target
        float[] t = {0f, .1f, Float.NaN, .2f};
        assertEquals(3, RankingMetrics.rank(t, 2));   // a NaN target is ranked last
    }

    @Test
    void maskingRemovesSeenItemsButNeverTheTarget() {
        float[] s = {0f, .9f, .8f, .7f, .6f, .5f};
        assertEquals(5, RankingMetrics.rank(s, 5));
        assertEquals(3, RankingMetrics.rank(s, 5, 1, 2));
        // repeats in the history are removed once; the target in the history stays a candidate
        assertEquals(3, RankingMetrics.rank(s, 5, 1, 1, 2, 5, 5));
        // masked items scoring below the target change nothing
        assertEquals(1, RankingMetrics.rank(s, 1, 4, 5));
        // masking a tied item removes the tie
        float[] t = {0f, .5f, .5f, .1f};
        assertEquals(1, RankingMetrics.rank(t, 1, 2));
    }

    @Test
    void scratchIsLeftClean() {
        float[] s = {0f, .9f, .8f, .7f};
        boolean[] scratch = new boolean[4];
        RankingMetrics.rank(s, 0, 3, 3, new int[] {1, 2, 2}, 0, 3, scratch);
        for (boolean b : scratch) assertEquals(false, b);
    }

    @Test
    void hitRateAndNdcgByHand() {
        RankingMetrics m = new RankingMetrics();
        m.add(1);   // hit everywhere, gain 1
        m.add(3);   // gain 1/log2(4) = 0.5
        m.add(7);   // misses @5, gain 1/log2(8) = 1/3 at @10+
        m.add(60);  // misses everywhere
        assertEquals(4, m.users());
        assertEquals(2 / 4.0, m.hr(5), EPS);
        assertEquals(3 / 4.0, m.hr(10), EPS);
        assertEquals(3 / 4.0, m.hr(50), EPS);
        assertEquals((1 + 0.5) / 4, m.ndcg(5), EPS);
        assertEquals((1 + 0.5 + 1 / 3.0) / 4, m.ndcg(10), EPS);
        assertEquals((1 + 0.5 + 1 / 3.0) / 4, m.ndcg(20), EPS);
    }

    @Test
    void kLargerThanTheCatalogueCountsEveryTarget() {
        // 3 items: every rank is <= 3 < 5, so HR@5..@50 are 1.
        float[] s = {0f, .3f, .2f, .1f};
        RankingMetrics m = new RankingMetrics();
        m.add(RankingMetrics.rank(s, 3));
        assertEquals(3, RankingMetrics.rank(s, 3));
        for (int k : RankingMetrics.CUTOFFS) assertEquals(1.0, m.hr(k), EPS);
        assertEquals(0.5, m.ndcg(50), EPS);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> RankingMetrics.rank(new float[] {0f, 1f}, 2));
        assertThrows(IllegalArgumentException.class, () -> RankingMetrics.rank(new float[] {0f, 1f}, 0));
        assertThrows(IllegalArgumentException.class, () -> new RankingMetrics().add(0));
        assertThrows(IllegalArgumentException.class, () -> new RankingMetrics().hr(7));
    }

    @Test
    void emptyMetricsAreZero() {
        assertEquals(0.0, new RankingMetrics().ndcg(10), EPS);
    }
}
