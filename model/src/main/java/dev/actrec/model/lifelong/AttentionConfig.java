package dev.actrec.model.lifelong;

/**
 * Settings of the {@link LifelongScorer} family, the same for every method.
 *
 * @param temperature      τ_window in exp((e_c·k - 1) / τ); item vectors and centroids are unit length, so e_c·k is a cosine
 * @param longWeight       λ, exponent of the long-term pool: the score is a log-linear product of the window's
 *                         evidence and the long pool's, so an old item counts most when the recent window points at
 *                         its neighbourhood
 * @param longTemperature  τ_long of the long-term pool (lower: closer to counting the exact item)
 * @param longFloor        δ, added to the long pool in units of one action's weight (δ / W(long)), so an item
 *                         never seen counts like one seen δ times
 * @param popularityWeight β, weight of log(1 + training count of the candidate)
 * @param simTopK          SIM-hard: the most recent actions kept per category
 * @param twinTopK         TWIN-style: actions kept by the cheap pass
 */
public record AttentionConfig(float temperature, float longWeight, float longTemperature, float longFloor, float popularityWeight, int simTopK, int twinTopK) {
    public AttentionConfig {
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be positive, was " + temperature);
        if (!(longWeight >= 0)) throw new IllegalArgumentException("longWeight must be non-negative, was " + longWeight);
        if (!(longFloor > 0)) throw new IllegalArgumentException("longFloor must be positive, was " + longFloor);
        if (!(longTemperature > 0)) throw new IllegalArgumentException("longTemperature must be positive, was " + longTemperature);
        if (!(popularityWeight >= 0)) throw new IllegalArgumentException("popularityWeight must be non-negative, was " + popularityWeight);
        if (simTopK <= 0) throw new IllegalArgumentException("simTopK must be positive, was " + simTopK);
        if (twinTopK <= 0) throw new IllegalArgumentException("twinTopK must be positive, was " + twinTopK);
    }

    /**
     * τ_window = 0.03, λ = 1, τ_long = 0.03, δ = 1, β = 0.5, SIM top 200, TWIN top 100. Chosen by a small grid on
     * the unit test's data set (seed 21, 2,000 items, 4 users x 30,000 actions, last 100 positions), not on the
     * benchmark's data (docs/lifelong-memory.md).
     */
    public static AttentionConfig defaults() {
        return new AttentionConfig(0.03f, 1f, 0.03f, 1f, 0.5f, 200, 100);
    }
}
