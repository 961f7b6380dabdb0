package dev.actrec.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accumulates hit rate (HR@k) and normalised discounted cumulative gain (NDCG@k) over users, one held-out target per
 * user, for k in {@link #CUTOFFS}.
 *
 * <p>Rank convention (full ranking): the candidates are items {@code 1..numItems} (0 is padding and never ranked),
 * minus the masked items when masking is on; the target itself is never masked. The target's rank is
 * {@code 1 + #(candidates scoring strictly higher) + #(other candidates scoring exactly the same)}: ties count
 * against the target, so a model that scores everything equal gets no credit. With one relevant item,
 * {@code HR@k = [rank <= k]} and {@code NDCG@k = [rank <= k] / log2(rank + 1)}. A k larger than the number of
 * candidates simply counts every target as a hit.
 *
 * <p>Not thread-safe; one instance per evaluation.
 */
public final class RankingMetrics {
    public static final int[] CUTOFFS = {5, 10, 20, 50};

    private final double[] hits = new double[CUTOFFS.length];
    private final double[] gains = new double[CUTOFFS.length];
    private long users;

    /**
     * The target's 1-based rank among items {@code 1..scores.length-1}.
     *
     * @param scores  one score per item id; index 0 (padding) is ignored
     * @param target  the held-out item id
     * @param masked  item ids to exclude from the candidates (may be null); the target is never excluded
     * @param from    first index of {@code masked} to use
     * @param to      end (exclusive) of {@code masked}
     * @param scratch a boolean array of at least {@code scores.length} entries, all false; returned all false
     */
    public static int rank(float[] scores, int offset, int numItems, int target, int[] masked, int from, int to,
                           boolean[] scratch) {
        if (target < 1 || target > numItems) {
            throw new IllegalArgumentException("target " + target + " outside 1.." + numItems);
        }
        float s = scores[offset + target];
        int above = 0;
        for (int j = 1; j <= numItems; j++) {
            float v = scores[offset + j];
            // NaN scores rank above the target: a broken model must not look good.
            if (j != target && (v >= s || Float.isNaN(v) || Float.isNaN(s))) above++;
        }
        if (masked != null) {
            // Remove masked items that were counted above; each item once, whatever the repeats in the history.
            for (int i = from; i < to; i++) {
                int m = masked[i];
                if (m == target || m < 1 || m > numItems || scratch[m]) continue;
                scratch[m] = true;
                float v = scores[offset + m];
                if (v >= s || Float.isNaN(v) || Float.isNaN(s)) above--;
            }
            for (int i = from; i < to; i++) {
                int m = masked[i];
                if (m >= 1 && m <= numItems) scratch[m] = false;
            }
        }
        return above + 1;
    }

    /** Convenience form of {@link #rank} for tests: scores indexed by item id, mask as an array. */
    public static int rank(float[] scores, int target, int... masked) {
        return rank(scores, 0, scores.length - 1, target, masked, 0, masked.length, new boolean[scores.length]);
    }

    /** Adds one user's target rank. */
    public void add(int rank) {
        if (rank < 1) throw new IllegalArgumentException("rank must be >= 1, got " + rank);
        users++;
        for (int c = 0; c < CUTOFFS.length; c++) {
            if (rank <= CUTOFFS[c]) {
                hits[c] += 1;
                gains[c] += 1.0 / (Math.log(rank + 1.0) / Math.log(2.0));
            }
        }
    }

    public long users() { return users; }

    public double hr(int k) {
        int c = index(k);
        return users == 0 ? 0 : hits[c] / users;
    }

    public double ndcg(int k) {
        int c = index(k);
        return users == 0 ? 0 : gains[c] / users;
    }

    private static int index(int k) {
        for (int c = 0; c < CUTOFFS.length; c++) if (CUTOFFS[c] == k) return c;
        throw new IllegalArgumentException("k must be one of 5, 10, 20, 50; got " + k);
    }

    /** {@code HR@5 .. NDCG@50} in a fixed order. */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k : CUTOFFS) m.put("HR@" + k, hr(k));
        for (int k : CUTOFFS) m.put("NDCG@" + k, ndcg(k));
        return m;
    }
}
