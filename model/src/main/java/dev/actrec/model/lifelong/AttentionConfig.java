package dev.actrec.model.lifelong;

/**
 * Settings of the {@link LifelongScorer} family, the same for every method.
 *
 * @param temperature      τ_window in exp((e_c·k - 1) / τ); item vectors and centroids are unit length, so e_c·k is a cosine
 * @param windowShare      α, the share of the recent-window pool against the long-term pool
 * @param longTemperature  τ_long of the long-term pool (lower: closer to counting the exact item)
 * @param popularityWeight β, weight of log(1 + training count of the candidate)
 * @param simTopK          SIM-hard: the most recent actions kept per category
 * @param twinTopK         TWIN-style: actions kept by the cheap pass
 */
public record AttentionConfig(float temperature, float windowShare, float longTemperature, float popularityWeight, int simTopK, int twinTopK) {
    public AttentionConfig {
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be positive, was " + temperature);
        if (!(windowShare >= 0 && windowShare <= 1)) throw new IllegalArgumentException("windowShare must be in [0, 1], was " + windowShare);
        if (!(longTemperature > 0)) throw new IllegalArgumentException("longTemperature must be positive, was " + longTemperature);
        if (!(popularityWeight >= 0)) throw new IllegalArgumentException("popularityWeight must be non-negative, was " + popularityWeight);
        if (simTopK <= 0) throw new IllegalArgumentException("simTopK must be positive, was " + simTopK);
        if (twinTopK <= 0) throw new IllegalArgumentException("twinTopK must be positive, was " + twinTopK);
    }

    /** τ = 0.1, α = 0.5, τ_long = 0.03, β = 0.2, SIM top 200, TWIN top 100 (chosen a priori, not tuned on the test positions). */
    public static AttentionConfig defaults() {
        return new AttentionConfig(0.1f, 0.5f, 0.03f, 0.2f, 200, 100);
    }
}
