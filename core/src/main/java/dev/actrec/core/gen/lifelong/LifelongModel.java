package dev.actrec.core.gen.lifelong;

/**
 * The behavioural parameters of the lifelong generator (see {@link LifelongGenerator} for the model they drive and
 * {@code docs/lifelong-data.md} for the reasoning). Lengths of phases and gaps are counted in <b>actions</b> of the
 * user, not in time, so that "the distant past" means the same thing for every user. Build with {@link #defaults()}
 * and adjust with the {@code with...} methods; the canonical constructor names the field and value it rejects.
 *
 * @param longTermInterests  K, the user's lifelong niche categories (drawn uniformly over categories, distinct);
 *                           default 12
 * @param interestWeightSigma sigma of the log-normal fixed weight of each long-term interest; default 0.7
 * @param activeMin          shortest active phase of a long-term interest (actions); default 2,000
 * @param activeMax          longest active phase (log-uniform in between); default 20,000
 * @param dormantMin         shortest dormant phase (actions); default 10,000
 * @param dormantMax         longest dormant phase (log-uniform in between); default 100,000
 * @param shortTermSlots     S, mainstream categories (drawn by popularity) whose weights drift; default 3
 * @param driftSigma         sigma of the log-normal multiplicative drift of short-term weights per session;
 *                           default 0.3
 * @param replaceProbability chance per session that the weakest short-term slot is replaced; default 0.1
 * @param focusBoost         weight multiplier of the session's focus interest (one active long-term interest
 *                           chosen per session by weight); default 4
 * @param reconsumeShare     share of the mixture that re-consumes a favourite item; default 0.30
 * @param longTermShare      share that picks a new item from an active long-term interest; default 0.40
 * @param shortTermShare     share that picks from a short-term slot; default 0.20
 * @param exploreShare       share that picks from the whole catalog by popularity; default 0.10
 * @param nicheUniform       chance that a long-term (niche) pick is uniform over its category's items instead of
 *                           by popularity: users dig into the tail of their niches; default 0.8
 * @param favouriteRate      chance that an engaged action (long_view or stronger) on an item of a long-term
 *                           interest makes it a favourite; default 0.02
 * @param favouriteWeightSigma sigma of the log-normal re-consumption weight of each favourite (a few favourites are
 *                           re-consumed far more than the rest); default 1.5
 * @param reconsumeMinGap    a favourite is re-consumed only once it became one at least this many actions ago;
 *                           default 10,000
 * @param meanSessionMin     the user's mean session length (actions) is uniform in [min, max]; default 10
 * @param meanSessionMax     default 30
 */
public record LifelongModel(int longTermInterests, double interestWeightSigma, int activeMin, int activeMax,
                            int dormantMin, int dormantMax, int shortTermSlots, double driftSigma,
                            double replaceProbability, double focusBoost, double reconsumeShare,
                            double longTermShare, double shortTermShare, double exploreShare, double nicheUniform,
                            double favouriteRate,
                            double favouriteWeightSigma, int reconsumeMinGap, int meanSessionMin,
                            int meanSessionMax) {

    public LifelongModel {
        positive("longTermInterests", longTermInterests);
        nonNegative("interestWeightSigma", interestWeightSigma);
        positive("activeMin", activeMin);
        if (activeMax < activeMin) throw new IllegalArgumentException("activeMax must be >= activeMin (" + activeMin + "), was " + activeMax);
        positive("dormantMin", dormantMin);
        if (dormantMax < dormantMin) throw new IllegalArgumentException("dormantMax must be >= dormantMin (" + dormantMin + "), was " + dormantMax);
        positive("shortTermSlots", shortTermSlots);
        nonNegative("driftSigma", driftSigma);
        probability("replaceProbability", replaceProbability);
        if (!(focusBoost >= 1)) throw new IllegalArgumentException("focusBoost must be >= 1, was " + focusBoost);
        probability("reconsumeShare", reconsumeShare);
        probability("longTermShare", longTermShare);
        probability("shortTermShare", shortTermShare);
        probability("exploreShare", exploreShare);
        // exploration gives every item a positive probability, and the mixture must sum to 1
        if (!(exploreShare > 0)) throw new IllegalArgumentException("exploreShare must be positive, was " + exploreShare);
        double sum = reconsumeShare + longTermShare + shortTermShare + exploreShare;
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException("reconsumeShare + longTermShare + shortTermShare + exploreShare must be 1, was " + sum);
        }
        probability("nicheUniform", nicheUniform);
        probability("favouriteRate", favouriteRate);
        nonNegative("favouriteWeightSigma", favouriteWeightSigma);
        if (reconsumeMinGap < 0) throw new IllegalArgumentException("reconsumeMinGap must be non-negative, was " + reconsumeMinGap);
        positive("meanSessionMin", meanSessionMin);
        if (meanSessionMax < meanSessionMin) throw new IllegalArgumentException("meanSessionMax must be >= meanSessionMin (" + meanSessionMin + "), was " + meanSessionMax);
    }

    public static LifelongModel defaults() {
        return new LifelongModel(12, 0.7, 2_000, 20_000, 10_000, 100_000, 3, 0.3, 0.1, 4.0,
                0.30, 0.40, 0.20, 0.10, 0.8, 0.02, 1.5, 10_000, 10, 30);
    }

    /** The same model with the four mixture shares replaced (they must sum to 1). */
    public LifelongModel withShares(double reconsume, double longTerm, double shortTerm, double explore) {
        return new LifelongModel(longTermInterests, interestWeightSigma, activeMin, activeMax, dormantMin, dormantMax,
                shortTermSlots, driftSigma, replaceProbability, focusBoost, reconsume, longTerm, shortTerm, explore,
                nicheUniform, favouriteRate, favouriteWeightSigma, reconsumeMinGap, meanSessionMin, meanSessionMax);
    }

    /** The same model with other phase lengths (actions). */
    public LifelongModel withPhases(int activeMin, int activeMax, int dormantMin, int dormantMax) {
        return new LifelongModel(longTermInterests, interestWeightSigma, activeMin, activeMax, dormantMin, dormantMax,
                shortTermSlots, driftSigma, replaceProbability, focusBoost, reconsumeShare, longTermShare,
                shortTermShare, exploreShare, nicheUniform, favouriteRate, favouriteWeightSigma, reconsumeMinGap, meanSessionMin,
                meanSessionMax);
    }

    /** The same model with another spread of the favourites' re-consumption weights (0: all alike). */
    public LifelongModel withFavouriteWeightSigma(double sigma) {
        return new LifelongModel(longTermInterests, interestWeightSigma, activeMin, activeMax, dormantMin, dormantMax,
                shortTermSlots, driftSigma, replaceProbability, focusBoost, reconsumeShare, longTermShare,
                shortTermShare, exploreShare, nicheUniform, favouriteRate, sigma, reconsumeMinGap, meanSessionMin,
                meanSessionMax);
    }

    /** The same model with another favourite rate and minimum re-consumption gap (actions). */
    public LifelongModel withFavourites(double favouriteRate, int reconsumeMinGap) {
        return new LifelongModel(longTermInterests, interestWeightSigma, activeMin, activeMax, dormantMin, dormantMax,
                shortTermSlots, driftSigma, replaceProbability, focusBoost, reconsumeShare, longTermShare,
                shortTermShare, exploreShare, nicheUniform, favouriteRate, favouriteWeightSigma, reconsumeMinGap, meanSessionMin,
                meanSessionMax);
    }

    /** Long-run fraction of actions during which a long-term interest is active (mean of log-uniform phases). */
    public double activeFraction() {
        double a = logUniformMean(activeMin, activeMax);
        return a / (a + logUniformMean(dormantMin, dormantMax));
    }

    static double logUniformMean(double lo, double hi) {
        return hi == lo ? lo : (hi - lo) / StrictMath.log(hi / lo);
    }

    private static void positive(String f, long v) {
        if (v <= 0) throw new IllegalArgumentException(f + " must be positive, was " + v);
    }

    private static void nonNegative(String f, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException(f + " must be finite and non-negative, was " + v);
    }

    private static void probability(String f, double v) {
        if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException(f + " must be in [0, 1], was " + v);
    }
}
