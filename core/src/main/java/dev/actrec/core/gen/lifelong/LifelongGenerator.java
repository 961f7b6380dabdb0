package dev.actrec.core.gen.lifelong;

import dev.actrec.core.EventBatch;
import dev.actrec.core.gen.ItemCatalog;
import dev.actrec.core.gen.GeneratedEventWriter;
import dev.actrec.core.gen.SyntheticEventGenerator.BatchSink;
import dev.actrec.core.io.EventFormat;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.LongConsumer;

/**
 * Generates users with lifelong histories (10^3 .. 10^6 actions) from a model in which the distant past carries
 * signal, deterministically from a seed, and with a ground truth that {@link LifelongOracle} recomputes.
 *
 * <h2>The model (one user; parameters in {@link LifelongModel}, defaults in brackets)</h2>
 * <ul>
 *   <li><b>Catalog.</b> The {@link ItemCatalog} of the ordinary generator: Zipf popularity (s = 1.1), power-law
 *   sized categories, item durations.</li>
 *   <li><b>Long-term interests</b> [K = 12]: niche categories drawn uniformly (so chance visits while dormant are
 *   rare), each with a fixed log-normal weight [sigma 0.7]. Each alternates between <i>active</i> phases
 *   [log-uniform 2,000 .. 20,000 actions] and <i>dormant</i> phases [log-uniform 10,000 .. 100,000 actions]:
 *   an interest goes quiet for 10^4 .. 10^5 actions and then returns. About 17% of interests are active at a time
 *   (about 2 of 12). Phases are counted in the user's actions, so the same holds for every history length.</li>
 *   <li><b>Favourites and re-consumption.</b> An engaged action (long_view or stronger) on an item of a long-term
 *   interest makes that item a favourite of the interest with probability [0.02], with a log-normal
 *   re-consumption weight [sigma 1.5]. A favourite becomes <i>eligible</i> [10,000 actions] after it was made. When
 *   an interest is active, its eligible favourites are re-consumed: after a dormant phase, the user comes back to
 *   the very items loved 10^4 .. 10^5 actions earlier, which no recent window holds.</li>
 *   <li><b>Short-term interests</b> [S = 3]: mainstream categories (drawn by popularity) whose weights drift at
 *   every session boundary [log-normal noise, sigma 0.3]; with probability [0.1] per session the weakest slot is
 *   replaced by a new category.</li>
 *   <li><b>Sessions.</b> Geometric lengths with a per-user mean [uniform 10 .. 30 actions]; each session has a
 *   focus: one active long-term interest, drawn by weight, whose weight is multiplied by [4] in that session.</li>
 *   <li><b>Next item</b>: a mixture of re-consumption [0.30: active interest by weight, then an eligible favourite
 *   by its weight], long-term [0.40: active interest by weight, then an item of its category, uniformly with
 *   probability 0.8 (users dig into the tail of their niches), else by popularity], short-term [0.20: slot by
 *   weight, then by popularity] and exploration [0.10: catalog by popularity].
 *   Unavailable components (no active interest, no eligible favourite) drop out and the rest is renormalised.</li>
 *   <li><b>Action type and watch time</b> depend on the affinity to the item's category and on whether the item is
 *   a favourite (see {@link UserSimulator#typeProbabilities}): skips fall and long_views, likes and purchases rise
 *   with affinity; re-consumed favourites are long-viewed twice and re-bought four times as often. One event per
 *   exposure, carrying its strongest outcome. Watch time: 0 for impressions, about 1.2 s for skips, 10 .. 70% of
 *   the duration for views (more with affinity), 70 .. 100% for long_view and engagements.</li>
 *   <li><b>Time.</b> Within a session the next action follows the watch time plus 0.3 s + exponential(3 s);
 *   between sessions a log-normal gap whose mean spreads the whole history over about two years (10 min .. 3
 *   days). Timestamps are integer ms, strictly increasing per user.</li>
 * </ul>
 *
 * <h2>Output and guarantees</h2>
 * Users are written one after another (ids 1..users, each user's actions in time order), not interleaved by time:
 * per-user state stays small and any user can be replayed alone. Each user has exactly
 * {@link LifelongConfig#userLength(int)} actions; the same config gives the same bytes (per-user
 * {@link java.util.SplittableRandom} streams seeded from (seed, user), {@link StrictMath} throughout). Immutable
 * after construction; concurrent runs do not interfere.
 */
public final class LifelongGenerator {
    private static final int PROGRESS_EVERY = 1 << 16;

    private final LifelongConfig config;
    private final ItemCatalog catalog;

    public LifelongGenerator(LifelongConfig config) {
        this.config = config;
        this.catalog = catalogOf(config);
    }

    static ItemCatalog catalogOf(LifelongConfig c) {
        return new ItemCatalog(c.items(), c.categories(), c.zipfExponent(), c.seed());
    }

    public LifelongConfig config() { return config; }

    public ItemCatalog catalog() { return catalog; }

    /** Number of events a run produces. */
    public long totalEvents() {
        return config.totalEvents();
    }

    /** A fresh simulator of user {@code user} (1-based) at position 0. */
    public UserSimulator simulator(int user) {
        return new UserSimulator(config, catalog, user);
    }

    /**
     * Writes all events to {@code out} (flushed, not closed) in CSV or NDJSON; returns the count. {@code progress},
     * when not null, is called with the number of events written so far about every 65,536 events.
     */
    public long writeTo(OutputStream out, EventFormat format, LongConsumer progress) throws IOException {
        return GeneratedEventWriter.write(out, format, progress, PROGRESS_EVERY, this::generate);
    }

    /** Generates all events in batches of at most {@code batchSize} (user-major order); returns the count. */
    public long generate(int batchSize, BatchSink sink) throws IOException {
        return generate(batchSize, null, sink);
    }

    private long generate(int batchSize, LongConsumer progress, BatchSink sink) throws IOException {
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be positive, was " + batchSize);
        EventBatch batch = new EventBatch(Math.min(batchSize, 1 << 16));
        long total = 0;
        for (int u = 1; u <= config.users(); u++) {
            UserSimulator sim = simulator(u);
            for (int t = sim.length(); t > 0; t--) {
                sim.step();
                int rank = sim.lastRank();
                batch.add(u, null, catalog.itemId(rank), null, sim.lastType(), sim.lastTimestamp(), sim.lastWatchMs(),
                        catalog.duration(rank), 0);
                if (batch.size() == batchSize) {
                    total += batch.size();
                    sink.accept(batch);
                    batch.clear();
                    if (progress != null) progress.accept(total);
                }
            }
        }
        if (!batch.isEmpty()) {
            total += batch.size();
            sink.accept(batch);
            batch.clear();
        }
        if (progress != null) progress.accept(total);
        assert total == config.totalEvents() : total + " != " + config.totalEvents();
        return total;
    }
}
