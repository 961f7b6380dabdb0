package dev.actrec.server;

import dev.actrec.model.lifelong.MemoryConfig;

/**
 * The {@code memory.*} settings: whether users with long histories get a lifelong memory ({@link UserMemories}),
 * how long a history must be for one, the weight λ of its term in the score, its number of tokens, the exact item
 * counters per token, and how often it is written to disk.
 */
public record MemorySettings(boolean enabled, long minActions, float weight, int tokens, int heavyHitters,
                             long snapshotSeconds) {
    public MemorySettings {
        if (minActions < 1) throw new IllegalArgumentException("memory.min_actions must be at least 1, got " + minActions);
        if (!(weight >= 0 && weight <= 100)) throw new IllegalArgumentException("memory.weight must be in 0..100, got " + weight);
        if (tokens < 1 || tokens > 4096) throw new IllegalArgumentException("memory.tokens must be in 1..4096, got " + tokens);
        if (heavyHitters < 0 || heavyHitters > 64) {
            throw new IllegalArgumentException("memory.heavy_hitters must be in 0..64, got " + heavyHitters);
        }
        if (snapshotSeconds < 0 || snapshotSeconds > 86_400) {
            throw new IllegalArgumentException("memory.snapshot_s must be in 0..86400, got " + snapshotSeconds);
        }
    }

    /**
     * On for users with at least 1,000 actions (a memory takes about 150 KB of heap at d = 64 whatever the history,
     * so it is for the long histories it was made for); λ 0.5 (set by hand, not learned); 256 tokens; a snapshot a
     * minute. The counters per token are the memory's own default ({@link MemoryConfig#defaults()}).
     */
    public static MemorySettings defaults() {
        return new MemorySettings(true, 1000, 0.5f, 256, MemoryConfig.defaults().heavyHitters(), 60);
    }
}
