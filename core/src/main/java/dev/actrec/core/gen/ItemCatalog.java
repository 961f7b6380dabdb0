package dev.actrec.core.gen;

import java.util.SplittableRandom;

/**
 * The synthetic item catalog shared by the generators: Zipf popularity, power-law sized categories, durations.
 *
 * <p>Items are indexed by popularity rank r (0 = most popular). The r-th item has weight {@code 1 / (r+1)^s}; its
 * external id ({@code 1..items}) is a seeded permutation of ranks, so a low id says nothing about popularity. Each
 * item belongs to one category; category c receives items with probability proportional to {@code 1 / (c+1)}, and
 * the first {@code categories} ranks go one to each category so that none is empty. Each item has a fixed duration
 * (log-normal, median 30 s, clamped to 5 s .. 10 min). Sampling by popularity, globally or within a category, uses
 * Vose alias tables: O(1) per draw.
 *
 * <p>The catalog is a pure function of (items, categories, exponent, seed) and immutable, so it is safe to share
 * between threads; sampling takes the caller's {@link SplittableRandom}.
 */
public final class ItemCatalog {
    private final int[] itemId;          // (items) external id, 1-based
    private final int[] rankOfId;        // (items + 1) inverse of itemId; index 0 unused
    private final int[] itemDuration;    // (items) ms
    private final int[] itemCategory;    // (items)
    private final double[] weight;       // (items) popularity weight 1 / (r+1)^s
    private final double totalWeight;
    private final double[] globalProb;   // (items) alias table over ranks, by popularity weight
    private final int[] globalAlias;     // (items)

    // Items grouped by category, each group in rank order: catItems[catStart[c] .. catStart[c+1]) are ranks.
    private final int[] catStart;        // (categories + 1)
    private final int[] catItems;        // (items) ranks
    private final double[] catProb;      // (items) one alias table per category slice of catItems
    private final int[] catAlias;        // (items) absolute positions in catItems
    private final double[] catMassCum;   // (categories) cumulative total weight of each category

    /** Builds the catalog; the seed is the generator's seed (it is mixed with a salt of its own). */
    public ItemCatalog(int items, int categories, double zipfExponent, long seed) {
        if (items <= 0) throw new IllegalArgumentException("items must be positive, was " + items);
        if (categories <= 0 || categories > items) {
            throw new IllegalArgumentException("categories must be in [1, items=" + items + "], was " + categories);
        }
        int n = items;
        int nc = categories;
        SplittableRandom rnd = new SplittableRandom(mix(seed ^ 0x1735_9A3B_C0FF_EEL));

        itemId = new int[n];
        for (int r = 0; r < n; r++) {
            itemId[r] = r + 1;
        }
        for (int r = n - 1; r > 0; r--) { // Fisher-Yates: ids shuffled against popularity
            int j = rnd.nextInt(r + 1);
            int t = itemId[r];
            itemId[r] = itemId[j];
            itemId[j] = t;
        }
        rankOfId = new int[n + 1];
        for (int r = 0; r < n; r++) {
            rankOfId[itemId[r]] = r;
        }

        weight = new double[n];
        double total = 0;
        for (int r = 0; r < n; r++) {
            weight[r] = 1.0 / StrictMath.pow(r + 1, zipfExponent);
            total += weight[r];
        }
        totalWeight = total;
        int[] small = new int[n];
        int[] large = new int[n];
        globalProb = new double[n];
        globalAlias = new int[n];
        buildAlias(weight, 0, n, globalProb, globalAlias, small, large);
        double acc;

        // Category sizes follow a power law: category c draws items with probability ~ 1/(c+1).
        double[] catSizeCum = new double[nc];
        acc = 0;
        for (int c = 0; c < nc; c++) {
            acc += 1.0 / (c + 1);
            catSizeCum[c] = acc;
        }
        itemCategory = new int[n];
        itemDuration = new int[n];
        int[] count = new int[nc];
        for (int r = 0; r < n; r++) {
            // every category gets at least one item, so a category is never empty
            int c = r < nc ? r : search(catSizeCum, 0, nc, rnd.nextDouble() * catSizeCum[nc - 1]);
            itemCategory[r] = c;
            count[c]++;
            double seconds = 30 * StrictMath.exp(0.9 * gaussian(rnd));
            itemDuration[r] = (int) Math.round(1000 * Math.min(600, Math.max(5, seconds)));
        }
        catStart = new int[nc + 1];
        for (int c = 0; c < nc; c++) {
            catStart[c + 1] = catStart[c] + count[c];
        }
        catItems = new int[n];
        catProb = new double[n];
        catAlias = new int[n];
        catMassCum = new double[nc];
        int[] fill = catStart.clone();
        for (int r = 0; r < n; r++) {
            catItems[fill[itemCategory[r]]++] = r;
        }
        double[] grouped = new double[n]; // weight by position in catItems
        for (int i = 0; i < n; i++) {
            grouped[i] = weight[catItems[i]];
        }
        acc = 0;
        for (int c = 0; c < nc; c++) {
            buildAlias(grouped, catStart[c], catStart[c + 1], catProb, catAlias, small, large);
            for (int i = catStart[c]; i < catStart[c + 1]; i++) {
                acc += grouped[i];
            }
            catMassCum[c] = acc;
        }
    }

    /** Number of items. */
    public int size() {
        return itemId.length;
    }

    /** Number of categories. */
    public int categories() {
        return catStart.length - 1;
    }

    /** External id (1-based) of the item of popularity rank r. */
    public int itemId(int rank) {
        return itemId[rank];
    }

    /** Popularity rank of the item with external id {@code id} (1..size). */
    public int rankOf(int id) {
        if (id < 1 || id > itemId.length) {
            throw new IllegalArgumentException("item id must be in [1, " + itemId.length + "], was " + id);
        }
        return rankOfId[id];
    }

    /** Duration in ms of the item of rank r. */
    public int duration(int rank) {
        return itemDuration[rank];
    }

    /** Category of the item of rank r. */
    public int category(int rank) {
        return itemCategory[rank];
    }

    /** Probability of rank r under global popularity sampling ({@link #sampleGlobal}). */
    public double globalProbability(int rank) {
        return weight[rank] / totalWeight;
    }

    /** Probability of rank r under popularity sampling within its own category ({@link #sampleInCategory}). */
    public double probabilityInCategory(int rank) {
        return weight[rank] / categoryMass(itemCategory[rank]);
    }

    /** Total popularity weight of category c (unnormalised; divide by the sum over categories for a share). */
    public double categoryMass(int c) {
        return c == 0 ? catMassCum[0] : catMassCum[c] - catMassCum[c - 1];
    }

    /** Number of items in category c. */
    public int categorySize(int c) {
        return catStart[c + 1] - catStart[c];
    }

    /** The i-th item (rank) of category c, in rank order, for i in [0, categorySize(c)). */
    public int categoryItem(int c, int i) {
        return catItems[catStart[c] + i];
    }

    /** A rank drawn by popularity over the whole catalog. */
    public int sampleGlobal(SplittableRandom rnd) {
        int r = rnd.nextInt(globalProb.length);
        return rnd.nextDouble() < globalProb[r] ? r : globalAlias[r];
    }

    /** A rank drawn by popularity within category c. */
    public int sampleInCategory(int c, SplittableRandom rnd) {
        int i = catStart[c] + rnd.nextInt(catStart[c + 1] - catStart[c]);
        return catItems[rnd.nextDouble() < catProb[i] ? i : catAlias[i]];
    }

    /** A category drawn in proportion to its total popularity weight. */
    public int samplePopularCategory(SplittableRandom rnd) {
        return search(catMassCum, 0, catMassCum.length, rnd.nextDouble() * catMassCum[catMassCum.length - 1]);
    }

    /**
     * Builds Vose's alias table for sampling index i in [from, to) with probability w[i] / sum: draw i uniformly,
     * keep it with probability prob[i], else take alias[i]. O(1) per draw, where a cumulative-sum search costs
     * about log2(n) cache misses on a large catalog. small/large are scratch stacks of at least to - from entries.
     */
    private static void buildAlias(double[] w, int from, int to, double[] prob, int[] alias, int[] small,
                                   int[] large) {
        int n = to - from;
        double total = 0;
        for (int i = from; i < to; i++) {
            total += w[i];
        }
        int ns = 0, nl = 0;
        for (int i = from; i < to; i++) {
            prob[i] = w[i] * n / total;
            if (prob[i] < 1) {
                small[ns++] = i;
            } else {
                large[nl++] = i;
            }
        }
        while (ns > 0 && nl > 0) {
            int sm = small[--ns];
            int lg = large[--nl];
            alias[sm] = lg;
            prob[lg] -= 1 - prob[sm];
            if (prob[lg] < 1) {
                small[ns++] = lg;
            } else {
                large[nl++] = lg;
            }
        }
        // what is left is 1 up to rounding
        while (nl > 0) {
            int i = large[--nl];
            prob[i] = 1;
            alias[i] = i;
        }
        while (ns > 0) {
            int i = small[--ns];
            prob[i] = 1;
            alias[i] = i;
        }
    }

    /** The first index in [from, to) whose cumulative value exceeds x (the last one when rounding overshoots). */
    static int search(double[] cum, int from, int to, double x) {
        int lo = from, hi = to - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cum[mid] > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** A standard normal deviate (Box-Muller with StrictMath, so every JVM gives the same value). */
    public static double gaussian(SplittableRandom rnd) {
        double u1 = 1 - rnd.nextDouble(); // (0, 1]
        double u2 = rnd.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
    }

    /** SplitMix64 finaliser. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
