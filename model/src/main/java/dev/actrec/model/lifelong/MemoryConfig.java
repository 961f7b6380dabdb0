package dev.actrec.model.lifelong;

import dev.actrec.core.ActionType;

import java.util.Arrays;

/**
 * Shape of a {@link LifelongMemory} and the per-action-type weights shared by every scorer of the family.
 *
 * @param tokens       memory budget M (tokens per user)
 * @param heavyHitters exact item counters per token (Space-Saving), H
 * @param joinCosine   an action opens a new token while fewer than M are used and its best cosine to an
 *                     existing token is below this; otherwise it joins the nearest token
 * @param window       recent raw actions kept beside the tokens (the "last N"); an action enters the tokens when it
 *                     leaves this window
 * @param typeWeights  weight of an action by type code (length {@link ActionType#COUNT}, each positive)
 */
public record MemoryConfig(int tokens, int heavyHitters, float joinCosine, int window, float[] typeWeights) {
    public MemoryConfig {
        if (tokens <= 0 || tokens > 1 << 16) throw new IllegalArgumentException("tokens must be in [1, 65536], was " + tokens);
        if (heavyHitters < 0 || heavyHitters > 64) throw new IllegalArgumentException("heavyHitters must be in [0, 64], was " + heavyHitters);
        if (!(joinCosine >= -1 && joinCosine <= 1)) throw new IllegalArgumentException("joinCosine must be in [-1, 1], was " + joinCosine);
        if (window <= 0 || window > 1 << 20) throw new IllegalArgumentException("window must be in [1, 2^20], was " + window);
        if (typeWeights == null || typeWeights.length != ActionType.COUNT) {
            throw new IllegalArgumentException("typeWeights must have " + ActionType.COUNT + " entries");
        }
        typeWeights = typeWeights.clone();
        for (int t = 0; t < typeWeights.length; t++) {
            if (!(typeWeights[t] > 0)) throw new IllegalArgumentException("typeWeights[" + t + "] must be positive, was " + typeWeights[t]);
        }
    }

    /**
     * Defaults: M = 256 tokens, H = 4, join below cosine 0.8, window 200. Type weights (impression 0.2, view 0.6,
     * long_view 1, like/comment/share/follow 1.5, skip 0.05, purchase 2) say how much an action shows interest; they
     * are fixed by hand, not learned.
     */
    public static MemoryConfig defaults() {
        float[] w = new float[ActionType.COUNT];
        w[ActionType.IMPRESSION.code()] = 0.2f;
        w[ActionType.VIEW.code()] = 0.6f;
        w[ActionType.LONG_VIEW.code()] = 1f;
        w[ActionType.LIKE.code()] = 1.5f;
        w[ActionType.COMMENT.code()] = 1.5f;
        w[ActionType.SHARE.code()] = 1.5f;
        w[ActionType.FOLLOW.code()] = 1.5f;
        w[ActionType.SKIP.code()] = 0.05f;
        w[ActionType.PURCHASE.code()] = 2f;
        return new MemoryConfig(256, 4, 0.8f, 200, w);
    }

    public MemoryConfig withTokens(int m) {
        return new MemoryConfig(m, heavyHitters, joinCosine, window, typeWeights);
    }

    /** The most keys {@link LifelongMemory#longTermKeys} writes: a centroid and the heavy hitters per token. */
    public int maxLongTermKeys() {
        return tokens * (heavyHitters + 1);
    }

    public MemoryConfig withHeavyHitters(int h) {
        return new MemoryConfig(tokens, h, joinCosine, window, typeWeights);
    }

    public MemoryConfig withJoinCosine(float c) {
        return new MemoryConfig(tokens, heavyHitters, c, window, typeWeights);
    }

    public MemoryConfig withWindow(int w) {
        return new MemoryConfig(tokens, heavyHitters, joinCosine, w, typeWeights);
    }

    @Override
    public float[] typeWeights() {
        return typeWeights.clone();
    }

    /** Weight of type code {@code type}. */
    public float typeWeight(int type) {
        return typeWeights[type];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemoryConfig c && c.tokens == tokens && c.heavyHitters == heavyHitters
                && Float.compare(c.joinCosine, joinCosine) == 0 && c.window == window && Arrays.equals(c.typeWeights, typeWeights);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * tokens + heavyHitters) + window) + Arrays.hashCode(typeWeights) + Float.hashCode(joinCosine);
    }
}
