package dev.actrec.core.gen;

/**
 * Settings of the {@link SyntheticEventGenerator}. Build with {@link #of(int, int, int, long)} and adjust with the
 * {@code with...} methods; the canonical constructor validates every field and names the field and value it rejects.
 *
 * @param users             number of ordinary users, ids {@code 1..users}; at least 1
 * @param actionsPerUser    exact number of actions of every ordinary user; at least 1
 * @param items             catalog size, item ids {@code 1..items} (shuffled against popularity); at least 1
 * @param seed              random seed; the same config gives the same bytes
 * @param heavyUserActions  0 for none, else one extra "heavy" user (id {@code users + 1}) with exactly this many
 *                          actions, spread over about two years of dense daily sessions; the store benchmark uses
 *                          {@code 1_000_000}
 * @param categories        number of item categories (power-law sized); at least 1 and at most {@code items}
 * @param zipfExponent      exponent of the item popularity power law, weight of the r-th most popular item
 *                          {@code 1 / r^s}; in (0, 4]
 * @param startMs           epoch milliseconds where the simulated time starts; non-negative
 */
public record GenConfig(int users, int actionsPerUser, int items, long seed, int heavyUserActions, int categories,
                        double zipfExponent, long startMs) {

    /** 2024-01-01T00:00:00Z. */
    public static final long DEFAULT_START_MS = 1_704_067_200_000L;
    public static final double DEFAULT_ZIPF_EXPONENT = 1.1;

    public GenConfig {
        positive("users", users);
        positive("actionsPerUser", actionsPerUser);
        positive("items", items);
        if (heavyUserActions < 0) {
            throw new IllegalArgumentException("heavyUserActions must be 0 (none) or positive, was " + heavyUserActions);
        }
        positive("categories", categories);
        if (categories > items) {
            throw new IllegalArgumentException("categories must be at most items (" + items + "), was " + categories);
        }
        if (!(zipfExponent > 0 && zipfExponent <= 4)) {
            throw new IllegalArgumentException("zipfExponent must be in (0, 4], was " + zipfExponent);
        }
        if (startMs < 0) {
            throw new IllegalArgumentException("startMs must be non-negative, was " + startMs);
        }
    }

    /**
     * The defaults: no heavy user, {@link #defaultCategories(int)} categories, Zipf exponent 1.1, start 2024-01-01.
     */
    public static GenConfig of(int users, int actionsPerUser, int items, long seed) {
        positive("items", items);
        return new GenConfig(users, actionsPerUser, items, seed, 0, defaultCategories(items), DEFAULT_ZIPF_EXPONENT,
                DEFAULT_START_MS);
    }

    /** About one category per 50 items, between 1 and 1000. */
    public static int defaultCategories(int items) {
        return Math.max(1, Math.min(1000, items / 50));
    }

    public GenConfig withHeavyUserActions(int n) {
        return new GenConfig(users, actionsPerUser, items, seed, n, categories, zipfExponent, startMs);
    }

    public GenConfig withCategories(int n) {
        return new GenConfig(users, actionsPerUser, items, seed, heavyUserActions, n, zipfExponent, startMs);
    }

    public GenConfig withZipfExponent(double s) {
        return new GenConfig(users, actionsPerUser, items, seed, heavyUserActions, categories, s, startMs);
    }

    public GenConfig withStartMs(long ms) {
        return new GenConfig(users, actionsPerUser, items, seed, heavyUserActions, categories, zipfExponent, ms);
    }

    public GenConfig withSeed(long s) {
        return new GenConfig(users, actionsPerUser, items, s, heavyUserActions, categories, zipfExponent, startMs);
    }

    /** Number of events a run writes: {@code users * actionsPerUser + heavyUserActions}. */
    public long totalEvents() {
        return (long) users * actionsPerUser + heavyUserActions;
    }

    private static void positive(String field, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(field + " must be positive, was " + v);
        }
    }
}
