package dev.actrec.core.gen.lifelong;

import dev.actrec.core.ActionType;
import dev.actrec.core.gen.ItemCatalog;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One user of the lifelong model, stepped one action at a time, with its latent state exposed as exact
 * probabilities. The generator and the {@link LifelongOracle} run this same code, so the oracle's probabilities are
 * by construction the distribution the generator sampled from.
 *
 * <p>Protocol: after construction, or after {@link #step()}, the simulator is "ready" for the action at
 * {@link #position()}: {@link #nextItemProbabilities(double[])} and {@link #typeProbabilities(int, double[])}
 * describe that action given everything before it; {@link #step()} draws it and moves on. Items are addressed by
 * catalog <b>rank</b> ({@link ItemCatalog#itemId(int)} gives the external id).
 *
 * <p>The user's random stream depends only on (seed, user), so users are independent and any user can be
 * replayed alone. Not thread-safe; state is O(K + S + favourites), with no per-action history kept.
 */
public final class UserSimulator {
    /** Which mixture component drew the last item. */
    public static final int RECONSUME = 0, LONG_TERM = 1, SHORT_TERM = 2, EXPLORE = 3;

    private static final byte IMPRESSION = ActionType.IMPRESSION.code();
    private static final byte VIEW = ActionType.VIEW.code();
    private static final byte LONG_VIEW = ActionType.LONG_VIEW.code();
    private static final byte LIKE = ActionType.LIKE.code();
    private static final byte COMMENT = ActionType.COMMENT.code();
    private static final byte SHARE = ActionType.SHARE.code();
    private static final byte FOLLOW = ActionType.FOLLOW.code();
    private static final byte SKIP = ActionType.SKIP.code();
    private static final byte PURCHASE = ActionType.PURCHASE.code();
    private static final long MINUTE_MS = 60_000L;
    private static final long DAY_MS = 24 * 60 * MINUTE_MS;

    private final LifelongModel m;
    private final ItemCatalog catalog;
    private final SplittableRandom rnd;
    private final int user;
    private final int length;
    private final double meanSession;   // actions
    private final double meanGapMs;     // between sessions

    private int position;               // index of the next action
    private long ts;                    // its timestamp (ms)
    private int sessionLeft;            // actions left in the session, including the next one

    // long-term interests (K): a niche category each, a fixed weight, an on/off phase and when it next flips
    private final int[] ltCat;
    private final double[] ltWeight;
    private final boolean[] ltActive;
    private final long[] ltSwitch;      // position at which the phase flips
    private final long[] ltReturned;    // position at which it last turned active after a dormant phase
    private int focus = -1;             // the session's focus interest, or -1

    // short-term slots (S): mainstream categories with drifting weights summing to 1
    private final int[] stCat;
    private final double[] stWeight;

    // favourites, per long-term interest k, in the order they were made (so eligibility is a prefix):
    // favRank[k][j], favAdded[k][j] (position), favCum[k][j] cumulative re-consumption weight; favCount[k] in use,
    // favEligible[k] = how many were made at least reconsumeMinGap actions ago
    private final int[][] favRank;
    private final int[][] favAdded;
    private final double[][] favCum;
    private final int[] favCount;
    private final int[] favEligible;
    private final RankSet favourites = new RankSet();

    // the last action drawn by step()
    private int lastRank = -1;
    private byte lastType = -1;
    private int lastWatch;
    private double lastExpectedWatch;
    private long lastTs;
    private int lastComponent = -1;

    private final double[] typeScratch = new double[ActionType.COUNT];

    public UserSimulator(LifelongConfig config, ItemCatalog catalog, int user) {
        if (catalog.size() != config.items() || catalog.categories() != config.categories()) {
            throw new IllegalArgumentException("catalog (" + catalog.size() + " items, " + catalog.categories()
                    + " categories) does not match the config (" + config.items() + ", " + config.categories() + ")");
        }
        this.m = config.model();
        this.catalog = catalog;
        this.user = user;
        this.length = config.userLength(user);
        this.rnd = new SplittableRandom(ItemCatalog.mix(config.seed() + 0x9E37_79B9_7F4A_7C15L * user));
        this.meanSession = m.meanSessionMin() + (m.meanSessionMax() - m.meanSessionMin()) * rnd.nextDouble();
        // a user's history spans about two years whatever its length, within [10 min, 3 days] between sessions
        double sessions = Math.max(1, length / meanSession);
        this.meanGapMs = Math.min(3 * DAY_MS, Math.max(10 * MINUTE_MS, 730.0 * DAY_MS / sessions));
        this.ts = config.startMs() + (long) (rnd.nextDouble() * meanGapMs);

        int k = m.longTermInterests();
        ltCat = new int[k];
        ltWeight = new double[k];
        ltActive = new boolean[k];
        ltSwitch = new long[k];
        ltReturned = new long[k];
        Arrays.fill(ltReturned, Long.MIN_VALUE / 2); // active from the start is not a return
        double activeFraction = m.activeFraction();
        for (int i = 0; i < k; i++) {
            int c;
            do { // distinct niche categories, uniform over categories: rarely touched by chance while dormant
                c = rnd.nextInt(catalog.categories());
            } while (indexOf(ltCat, i, c) >= 0);
            ltCat[i] = c;
            ltWeight[i] = StrictMath.exp(m.interestWeightSigma() * ItemCatalog.gaussian(rnd));
            ltActive[i] = rnd.nextDouble() < activeFraction;
            // start inside a phase: the residual of a phase is a uniform fraction of it
            ltSwitch[i] = 1 + (long) (rnd.nextDouble() * phaseLength(ltActive[i]));
        }
        int s = m.shortTermSlots();
        stCat = new int[s];
        stWeight = new double[s];
        for (int i = 0; i < s; i++) {
            stCat[i] = catalog.samplePopularCategory(rnd);
            stWeight[i] = 0.2 + rnd.nextDouble();
        }
        normaliseShortTerm();
        favRank = new int[k][8];
        favAdded = new int[k][8];
        favCum = new double[k][8];
        favCount = new int[k];
        favEligible = new int[k];
        startSession();
    }

    public int user() { return user; }

    /** Exact number of actions of this user. */
    public int length() { return length; }

    /** Index of the next action (0-based); equals {@link #length()} when the user is done. */
    public int position() { return position; }

    /** Timestamp (ms) the next action will have. */
    public long nextTimestamp() { return ts; }

    public int lastRank() { return lastRank; }
    public byte lastType() { return lastType; }
    public int lastWatchMs() { return lastWatch; }

    /**
     * The expected watch time of the last action as a fraction of its item's duration, over the type and watch-time
     * draws of {@link #step} given the item and the state before it: the ground truth of a watch-time head.
     */
    public double lastExpectedWatchFraction() { return lastExpectedWatch; }

    /**
     * E[watch / duration] for type distribution {@code p} at affinity {@code a}, from the draws in {@link #step}:
     * skip min(duration, 1.2 s · e^(0.6(2U − 1))), view duration · (0.1 + 0.4aU + 0.2U'), long_view and stronger
     * duration · (1 − 0.3U(1.2 − a)/1.05), impression 0 (U, U' uniform; the truncation to whole milliseconds ignored).
     */
    static double expectedWatchFraction(double[] p, double a, int durationMs) {
        double dur = durationMs;
        // skip: X = 1200 e^(1.2U − 0.6) is capped at the duration above u* = (ln(dur/1200) + 0.6) / 1.2
        double uCap = Math.min(1, Math.max(0, (Math.log(dur / 1200) + 0.6) / 1.2));
        double skip = (1200 * (Math.exp(1.2 * uCap - 0.6) - Math.exp(-0.6)) / 1.2 + dur * (1 - uCap)) / dur;
        double view = 0.1 + 0.4 * a * 0.5 + 0.2 * 0.5;
        double engaged = 1 - 0.3 * 0.5 * (1.2 - a) / 1.05;
        return p[SKIP] * skip + p[VIEW] * view
                + (p[LONG_VIEW] + p[LIKE] + p[COMMENT] + p[SHARE] + p[FOLLOW] + p[PURCHASE]) * engaged;
    }

    public long lastTimestamp() { return lastTs; }

    /** The component ({@link #RECONSUME}, {@link #LONG_TERM}, {@link #SHORT_TERM}, {@link #EXPLORE}) of the last draw. */
    public int lastComponent() { return lastComponent; }

    /**
     * Copies into {@code out} (indexed by type code) the type distribution the last action's type was drawn from:
     * {@link #typeProbabilities} of the last item in the state before the last step.
     */
    public void lastTypeProbabilities(double[] out) {
        System.arraycopy(typeScratch, 0, out, 0, typeScratch.length);
    }

    /**
     * Whether some long-term interest with favourites old enough to re-consume turned active again, after a dormant
     * phase, at most {@code within} actions before the next one: the moments where the distant past (the favourites
     * made in earlier active phases) should add most to the recent actions. A property of the state before the
     * action, not of its outcome, so a slice of positions chosen by it leaves the oracle optimal on the slice.
     */
    public boolean interestReturnedWithin(int within) {
        for (int k = 0; k < ltCat.length; k++) {
            if (ltActive[k] && favEligible[k] > 0 && position - ltReturned[k] <= within) return true;
        }
        return false;
    }

    /** Whether the next action may be a re-consumption (some active interest has an eligible favourite). */
    public boolean reconsumptionAvailable() {
        return reMass() > 0;
    }

    /** Number of favourites made so far. */
    public int favouriteCount() {
        return favourites.size();
    }

    /** Draws the action at {@link #position()} and moves to the next one. */
    public void step() {
        if (position >= length) throw new IllegalStateException("user " + user + " has only " + length + " actions");
        double ltMass = ltMass(), reMass = reMass();
        double sRe = reMass > 0 ? m.reconsumeShare() : 0, sLt = ltMass > 0 ? m.longTermShare() : 0;
        double x = rnd.nextDouble() * (sRe + sLt + m.shortTermShare() + m.exploreShare());
        int rank;
        if (x < sRe) {
            lastComponent = RECONSUME;
            int k = pickInterest(rnd.nextDouble() * reMass, true);
            int n = favEligible[k];
            double[] cum = favCum[k];
            double y = rnd.nextDouble() * cum[n - 1];
            int lo = 0, hi = n - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cum[mid] > y) hi = mid; else lo = mid + 1;
            }
            rank = favRank[k][lo];
        } else if (x < sRe + sLt) {
            lastComponent = LONG_TERM;
            int c = ltCat[pickInterest(rnd.nextDouble() * ltMass, false)];
            rank = rnd.nextDouble() < m.nicheUniform()
                    ? catalog.categoryItem(c, rnd.nextInt(catalog.categorySize(c)))
                    : catalog.sampleInCategory(c, rnd);
        } else if (x < sRe + sLt + m.shortTermShare()) {
            lastComponent = SHORT_TERM;
            double y = rnd.nextDouble();
            int s = 0;
            while (s < stCat.length - 1 && y >= stWeight[s]) {
                y -= stWeight[s];
                s++;
            }
            rank = catalog.sampleInCategory(stCat[s], rnd);
        } else {
            lastComponent = EXPLORE;
            rank = catalog.sampleGlobal(rnd);
        }

        double[] p = typeScratch;
        double a = typeProbabilities(rank, p);
        double y = rnd.nextDouble();
        byte type = PURCHASE; // the last code, when rounding leaves y above the cumulative sum
        for (int t = 0; t < p.length; t++) {
            if (y < p[t]) {
                type = (byte) t;
                break;
            }
            y -= p[t];
        }
        int duration = catalog.duration(rank);
        int watch;
        if (type == IMPRESSION) {
            watch = 0;
        } else if (type == SKIP) {
            watch = (int) Math.min(duration, 1200 * StrictMath.exp(0.6 * (rnd.nextDouble() - 0.5) * 2));
        } else if (type == VIEW) {
            watch = (int) (duration * (0.1 + 0.4 * a * rnd.nextDouble() + 0.2 * rnd.nextDouble()));
        } else { // long_view and the engagements: watched nearly to the end
            watch = (int) (duration * Math.min(1.0, 1.0 - 0.3 * rnd.nextDouble() * (1.2 - a) / 1.05));
        }
        if (type != IMPRESSION && type != SKIP && type != VIEW && !favourites.contains(rank)) {
            int k = indexOf(ltCat, ltCat.length, catalog.category(rank));
            if (k >= 0 && rnd.nextDouble() < m.favouriteRate()) {
                addFavourite(k, rank);
            }
        }

        lastRank = rank;
        lastType = type;
        lastWatch = watch;
        lastExpectedWatch = expectedWatchFraction(p, a, duration);
        lastTs = ts;
        position++;
        if (--sessionLeft > 0) {
            ts += watch + 300 + (long) (3000 * exponential());
        } else {
            double sigma = 0.8;
            ts += watch + 1 + (long) (meanGapMs * StrictMath.exp(sigma * ItemCatalog.gaussian(rnd) - sigma * sigma / 2));
            drift();
            startSession();
        }
        for (int k = 0; k < ltCat.length; k++) {
            while (ltSwitch[k] <= position) {
                ltActive[k] = !ltActive[k];
                if (ltActive[k]) ltReturned[k] = ltSwitch[k];
                ltSwitch[k] += phaseLength(ltActive[k]);
            }
            int[] added = favAdded[k];
            while (favEligible[k] < favCount[k] && added[favEligible[k]] <= (long) position - m.reconsumeMinGap()) {
                favEligible[k]++;
            }
        }
    }

    /** Steps until {@link #position()} equals {@code target}. */
    public void advanceTo(int target) {
        if (target < position || target > length) {
            throw new IllegalArgumentException("target must be in [" + position + ", " + length + "], was " + target);
        }
        while (position < target) step();
    }

    /**
     * Fills {@code out} (length: catalog size, indexed by rank) with the exact probability of each item being the
     * next action's item; the values sum to 1. O(catalog + favourites).
     */
    public void nextItemProbabilities(double[] out) {
        if (out.length != catalog.size()) throw new IllegalArgumentException("out must have " + catalog.size() + " entries, has " + out.length);
        double ltMass = ltMass(), reMass = reMass();
        double sRe = reMass > 0 ? m.reconsumeShare() : 0, sLt = ltMass > 0 ? m.longTermShare() : 0;
        double total = sRe + sLt + m.shortTermShare() + m.exploreShare();
        double ex = m.exploreShare() / total;
        for (int r = 0; r < out.length; r++) {
            out[r] = ex * catalog.globalProbability(r);
        }
        for (int k = 0; k < ltCat.length; k++) {
            double mk = mix(k);
            if (mk == 0) continue;
            if (sLt > 0) {
                double coef = sLt / total * mk / ltMass;
                addCategory(out, ltCat[k], coef * (1 - m.nicheUniform()));
                addUniform(out, ltCat[k], coef * m.nicheUniform());
            }
            int n = favEligible[k];
            if (sRe > 0 && n > 0) {
                double coef = sRe / total * mk / reMass / favCum[k][n - 1];
                for (int j = 0; j < n; j++) {
                    out[favRank[k][j]] += coef * (favCum[k][j] - (j == 0 ? 0 : favCum[k][j - 1]));
                }
            }
        }
        double stSum = 0;
        for (double w : stWeight) stSum += w;
        for (int s = 0; s < stCat.length; s++) {
            addCategory(out, stCat[s], m.shortTermShare() / total * stWeight[s] / stSum);
        }
    }

    private void addUniform(double[] out, int c, double coef) {
        int n = catalog.categorySize(c);
        for (int i = 0; i < n; i++) {
            out[catalog.categoryItem(c, i)] += coef / n;
        }
    }

    private void addCategory(double[] out, int c, double coef) {
        int n = catalog.categorySize(c);
        for (int i = 0; i < n; i++) {
            int r = catalog.categoryItem(c, i);
            out[r] += coef * catalog.probabilityInCategory(r);
        }
    }

    /**
     * Fills {@code out} (indexed by {@link ActionType#code()}) with the exact probability of each action type if
     * the next action is on item {@code rank}; returns the user's affinity to the item in (0, 1].
     *
     * <p>Affinity: 0.55 + 0.45 w/w_max for a category of an active long-term interest (w its mixture weight, the
     * session focus included), 0.35 for a dormant one, 0.3 + 0.4 w for a short-term slot, else 0.1 (the largest
     * applies). Unnormalised type weights, with a = affinity and f = 1 when the item is a favourite (a
     * re-consumption), else 0: impression 0.40, skip 0.45 (1 - a), view 0.25, long_view 0.35 a (1 + f), like
     * 0.10 a^2 (1 + f/2), comment 0.015 a, share 0.015 a, follow 0.008 a, purchase 0.01 a (1 + 3f).
     */
    public double typeProbabilities(int rank, double[] out) {
        int c = catalog.category(rank);
        double a = 0.1;
        double maxMix = 0;
        for (int k = 0; k < ltCat.length; k++) maxMix = Math.max(maxMix, mix(k));
        for (int k = 0; k < ltCat.length; k++) {
            if (ltCat[k] == c) a = Math.max(a, ltActive[k] ? 0.55 + 0.45 * mix(k) / maxMix : 0.35);
        }
        for (int s = 0; s < stCat.length; s++) {
            if (stCat[s] == c) a = Math.max(a, 0.3 + 0.4 * stWeight[s]);
        }
        double f = favourites.contains(rank) ? 1 : 0;
        Arrays.fill(out, 0);
        out[IMPRESSION] = 0.40;
        out[SKIP] = 0.45 * (1 - a);
        out[VIEW] = 0.25;
        out[LONG_VIEW] = 0.35 * a * (1 + f);
        out[LIKE] = 0.10 * a * a * (1 + f / 2);
        out[COMMENT] = 0.015 * a;
        out[SHARE] = 0.015 * a;
        out[FOLLOW] = 0.008 * a;
        out[PURCHASE] = 0.01 * a * (1 + 3 * f);
        double sum = 0;
        for (double v : out) sum += v;
        for (int t = 0; t < out.length; t++) out[t] /= sum;
        return a;
    }

    /** Mixture weight of long-term interest k now: 0 when dormant, boosted when it is the session's focus. */
    private double mix(int k) {
        return ltActive[k] ? ltWeight[k] * (k == focus ? m.focusBoost() : 1) : 0;
    }

    private double ltMass() {
        double s = 0;
        for (int k = 0; k < ltCat.length; k++) s += mix(k);
        return s;
    }

    private double reMass() {
        double s = 0;
        for (int k = 0; k < ltCat.length; k++) if (favEligible[k] > 0) s += mix(k);
        return s;
    }

    /** The interest at cumulative mixture weight y, over all active ones or those with eligible favourites. */
    private int pickInterest(double y, boolean withFavourites) {
        int last = -1;
        for (int k = 0; k < ltCat.length; k++) {
            double mk = withFavourites && favEligible[k] == 0 ? 0 : mix(k);
            if (mk == 0) continue;
            last = k;
            if (y < mk) return k;
            y -= mk;
        }
        assert last >= 0;
        return last; // rounding
    }

    private void addFavourite(int k, int rank) {
        int n = favCount[k];
        if (n == favRank[k].length) {
            favRank[k] = Arrays.copyOf(favRank[k], 2 * n);
            favAdded[k] = Arrays.copyOf(favAdded[k], 2 * n);
            favCum[k] = Arrays.copyOf(favCum[k], 2 * n);
        }
        favRank[k][n] = rank;
        favAdded[k][n] = position;
        double w = StrictMath.exp(m.favouriteWeightSigma() * ItemCatalog.gaussian(rnd));
        favCum[k][n] = (n == 0 ? 0 : favCum[k][n - 1]) + w;
        favCount[k] = n + 1;
        favourites.add(rank);
    }

    private void startSession() {
        // geometric on 1, 2, ...: 1 + floor(ln U / ln(1 - 1/mean))
        double v = 1 + StrictMath.floor(StrictMath.log(1 - rnd.nextDouble()) / StrictMath.log(1 - 1 / meanSession));
        sessionLeft = (int) Math.min(1_000_000, v);
        // the focus: one active long-term interest, by weight (the session is "about" it)
        double total = 0;
        for (int k = 0; k < ltCat.length; k++) total += ltActive[k] ? ltWeight[k] : 0;
        double y = rnd.nextDouble() * total;
        focus = -1;
        for (int k = 0; k < ltCat.length && total > 0; k++) {
            if (!ltActive[k]) continue;
            focus = k;
            if (y < ltWeight[k]) break;
            y -= ltWeight[k];
        }
    }

    /** Short-term drift at a session boundary: multiplicative noise, and sometimes a new weakest slot. */
    private void drift() {
        int weakest = 0;
        for (int s = 0; s < stCat.length; s++) {
            stWeight[s] *= StrictMath.exp(m.driftSigma() * ItemCatalog.gaussian(rnd));
            if (stWeight[s] < stWeight[weakest]) weakest = s;
        }
        if (rnd.nextDouble() < m.replaceProbability()) {
            stCat[weakest] = catalog.samplePopularCategory(rnd);
            stWeight[weakest] = 0.15;
        }
        normaliseShortTerm();
    }

    private void normaliseShortTerm() {
        double sum = 0;
        for (double w : stWeight) sum += w;
        for (int s = 0; s < stWeight.length; s++) stWeight[s] = Math.max(0.01, stWeight[s] / sum);
    }

    private long phaseLength(boolean active) {
        double lo = active ? m.activeMin() : m.dormantMin(), hi = active ? m.activeMax() : m.dormantMax();
        return Math.max(1, Math.round(lo * StrictMath.exp(rnd.nextDouble() * StrictMath.log(hi / lo))));
    }

    private double exponential() {
        return -StrictMath.log(1 - rnd.nextDouble());
    }

    private static int indexOf(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) if (a[i] == v) return i;
        return -1;
    }

    /** An open-addressing set of non-negative ints (item ranks); a user's favourites, a few thousand at most. */
    private static final class RankSet {
        private int[] slots = new int[64]; // rank + 1, 0 = empty
        private int size;

        boolean contains(int rank) {
            int mask = slots.length - 1;
            for (int i = hash(rank) & mask; ; i = (i + 1) & mask) {
                if (slots[i] == 0) return false;
                if (slots[i] == rank + 1) return true;
            }
        }

        void add(int rank) {
            if (2 * (size + 1) > slots.length) {
                int[] old = slots;
                slots = new int[2 * old.length];
                size = 0;
                for (int v : old) if (v != 0) add(v - 1);
            }
            int mask = slots.length - 1;
            int i = hash(rank) & mask;
            while (slots[i] != 0) {
                if (slots[i] == rank + 1) return;
                i = (i + 1) & mask;
            }
            slots[i] = rank + 1;
            size++;
        }

        int size() { return size; }

        private static int hash(int v) {
            return (v * 0x9E3779B9) >>> 7;
        }
    }
}
