package dev.actrec.core.gen;

import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import dev.actrec.core.io.EventFormat;

import java.io.IOException;
import java.io.OutputStream;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * Generates a realistic, deterministic stream of action events for tests and benchmarks.
 *
 * <h2>The model</h2>
 * The items come from an {@link ItemCatalog} (shared with the lifelong generator).
 *
 * <ul>
 *   <li><b>Items.</b> The r-th most popular item has weight {@code 1 / r^s} (Zipf, {@code s} = 1.1 by default). Item
 *   ids {@code 1..items} are a seeded permutation of popularity ranks, so a low id says nothing about popularity.
 *   Each item belongs to one category; category sizes follow a power law (category c gets items with probability
 *   proportional to {@code 1 / c}). Each item has a fixed duration (video-like, log-normal with median 30 s, clamped
 *   to 5 s .. 10 min), written as {@code duration_ms} with every action on it.</li>
 *   <li><b>Users.</b> Ids {@code 1..users}, plus an optional heavy user {@code users + 1}. Each user has three
 *   preferred categories (drawn by category popularity) with a mix of weights that drifts: at every session start
 *   the weights are perturbed multiplicatively, and with probability 5% the weakest category is replaced by a new
 *   one. An action's item comes from a preferred category by the mix (80%) or from the whole catalog by popularity
 *   (20%, exploration). Affinity to an item is 0.4 .. 1.0 for a preferred category (by its weight) and 0.15
 *   otherwise.</li>
 *   <li><b>Time.</b> Activity comes in sessions of geometric length (mean 10 .. 30 actions per user; 40 for the
 *   heavy user). Between sessions: a log-normal gap around the user's own mean, which is log-uniform between 2 h and
 *   3 days (the heavy user: its actions spread over about two years, at least 10 min). Within a session, the next
 *   action follows after the watch time plus a think time of 0.3 s + exponential(mean 3 s). Timestamps are
 *   integer ms, strictly increasing per user; each user starts at a random point within its first session gap.</li>
 *   <li><b>Actions.</b> On a new item: impression (about 45% before normalising), skip (more likely at low
 *   affinity), view, long_view (more likely at high affinity). Right after a view or long_view, the next action may
 *   instead be an engagement on that same item: like (a few %), comment, share, follow, purchase (each well under
 *   1%). Watch time: impressions and engagements 0; skip a short watch (median 1.2 s, at most the duration); view
 *   10..70% of the duration, higher with affinity; long_view 70..100%.</li>
 * </ul>
 *
 * <h2>Guarantees</h2>
 * Every ordinary user gets exactly {@code actionsPerUser} actions and the heavy user exactly
 * {@code heavyUserActions}; the output is in global time order (ties by user id), interleaving users; the same
 * config yields the same events (and bytes) on every run: one seeded {@link SplittableRandom}, {@link StrictMath}
 * for all transcendental functions, and a deterministic heap order. Per-user state is about 50 bytes, so millions
 * of users fit. A generator object is immutable after construction; each run starts afresh from the seed, and runs
 * on different threads do not interfere.
 */
public final class SyntheticEventGenerator {
    /** Receives generated batches; the batch is cleared and reused after the call returns. */
    @FunctionalInterface
    public interface BatchSink {
        void accept(EventBatch batch) throws IOException;
    }

    private static final int PREFERRED = 3;
    private static final double EXPLORE = 0.2;
    private static final double OTHER_AFFINITY = 0.15;
    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 24 * HOUR_MS;
    private static final int PROGRESS_EVERY = 1 << 16;

    private static final byte IMPRESSION = ActionType.IMPRESSION.code();
    private static final byte VIEW = ActionType.VIEW.code();
    private static final byte LONG_VIEW = ActionType.LONG_VIEW.code();
    private static final byte LIKE = ActionType.LIKE.code();
    private static final byte COMMENT = ActionType.COMMENT.code();
    private static final byte SHARE = ActionType.SHARE.code();
    private static final byte FOLLOW = ActionType.FOLLOW.code();
    private static final byte SKIP = ActionType.SKIP.code();
    private static final byte PURCHASE = ActionType.PURCHASE.code();
    private static final byte NONE = -1;

    private final GenConfig config;

    private final ItemCatalog catalog;

    public SyntheticEventGenerator(GenConfig config) {
        this.config = config;
        this.catalog = new ItemCatalog(config.items(), config.categories(), config.zipfExponent(), config.seed());
    }

    public GenConfig config() {
        return config;
    }

    /** Number of events a run produces. */
    public long totalEvents() {
        return config.totalEvents();
    }

    /** Writes all events to {@code out} (not closed) in CSV or NDJSON; returns the count. */
    public long writeTo(OutputStream out, EventFormat format) throws IOException {
        return writeTo(out, format, null);
    }

    /**
     * Writes all events to {@code out} (flushed, not closed) in CSV or NDJSON; returns the count. {@code progress},
     * when not null, is called with the number of events written so far every 65,536 events and once at the end.
     */
    public long writeTo(OutputStream out, EventFormat format, LongConsumer progress) throws IOException {
        return GeneratedEventWriter.write(out, format, progress, PROGRESS_EVERY, this::generate);
    }

    /** Generates all events in batches of {@code batchSize} (the last may be smaller); returns the count. */
    public long generate(int batchSize, BatchSink sink) throws IOException {
        return generate(batchSize, null, sink);
    }

    private long generate(int batchSize, LongConsumer progress, BatchSink sink) throws IOException {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, was " + batchSize);
        }
        Run run = new Run();
        EventBatch batch = new EventBatch(Math.min(batchSize, 1 << 16));
        long total = 0;
        while (run.next(batch, batchSize)) {
            total += batch.size();
            sink.accept(batch);
            batch.clear();
            if (progress != null) {
                progress.accept(total);
            }
        }
        if (progress != null && total == 0) {
            progress.accept(0);
        }
        assert total == config.totalEvents() : total + " != " + config.totalEvents();
        return total;
    }

    /** The mutable state of one run: per-user columns and a min-heap on (next timestamp, user). */
    private final class Run {
        final SplittableRandom rnd = new SplittableRandom(config.seed());
        final int nUsers = config.users() + (config.heavyUserActions() > 0 ? 1 : 0);
        final int heavy = config.heavyUserActions() > 0 ? config.users() : -1; // index of the heavy user

        // (users, STRIDE): one row per user u (index = id - 1), packed so that an event touches one cache line:
        // remaining actions, actions left in the session, rank of the last new item, last type, the three
        // preferred categories and their mix weights (float bits, summing to 1)
        static final int REM = 0, SESS = 1, LAST_ITEM = 2, LAST_TYPE = 3, CAT = 4, WEIGHT = CAT + PREFERRED;
        static final int STRIDE = WEIGHT + PREFERRED;
        final int[] st = new int[nUsers * STRIDE];

        // heap entries: (heapTs[i], heapUser[i]); a 4-ary min-heap of size heapSize
        final long[] heapTs = new long[nUsers];
        final int[] heapUser = new int[nUsers];
        int heapSize;

        Run() {
            for (int u = 0; u < nUsers; u++) {
                st[u * STRIDE + REM] = u == heavy ? config.heavyUserActions() : config.actionsPerUser();
                st[u * STRIDE + LAST_TYPE] = NONE;
                for (int k = 0; k < PREFERRED; k++) {
                    st[u * STRIDE + CAT + k] = popularCategory();
                    setWeight(u * STRIDE, k, (float) (0.2 + rnd.nextDouble()));
                }
                normalise(u);
                st[u * STRIDE + SESS] = sessionLength(u);
                long start = config.startMs() + (long) (rnd.nextDouble() * meanSessionGap(u));
                heapTs[heapSize] = start;
                heapUser[heapSize] = u;
                heapSize++;
            }
            for (int i = (heapSize - 2) / 4; i >= 0; i--) {
                siftDown(i);
            }
        }

        /** Appends up to max events; false when the run is over and nothing was added. */
        boolean next(EventBatch batch, int max) {
            int n = 0;
            while (n < max && heapSize > 0) {
                int u = heapUser[0];
                long ts = heapTs[0];
                long busyMs = emit(batch, u, ts);
                n++;
                if (--st[u * STRIDE + REM] == 0) {
                    heapSize--;
                    heapTs[0] = heapTs[heapSize];
                    heapUser[0] = heapUser[heapSize];
                } else if (--st[u * STRIDE + SESS] == 0) {
                    drift(u);
                    st[u * STRIDE + SESS] = sessionLength(u);
                    heapTs[0] = ts + busyMs + sessionGap(u);
                } else {
                    heapTs[0] = ts + busyMs + 300 + (long) (3000 * exponential());
                }
                if (heapSize > 0) {
                    siftDown(0);
                }
            }
            return n > 0;
        }

        /** Emits one event of user u at ts; returns the time the user is busy with it (its watch time, ms). */
        private long emit(EventBatch batch, int u, long ts) {
            int rank;
            byte type;
            int watch = 0;
            byte prev = (byte) st[u * STRIDE + LAST_TYPE];
            double a;
            if (prev == VIEW || prev == LONG_VIEW) {
                rank = st[u * STRIDE + LAST_ITEM];
                a = affinity(u, catalog.category(rank));
                type = engagement(a, prev == LONG_VIEW ? 2.0 : 1.0);
                if (type != NONE) {
                    st[u * STRIDE + LAST_TYPE] = type;
                    batch.add(u + 1, null, catalog.itemId(rank), null, type, ts, 0, catalog.duration(rank), 0);
                    return 0;
                }
            }
            rank = pickItem(u);
            a = affinity(u, catalog.category(rank));
            int duration = catalog.duration(rank);
            double pImp = 0.45, pSkip = 0.25 * (1.2 - a), pView = 0.22, pLong = 0.2 * a;
            double x = rnd.nextDouble() * (pImp + pSkip + pView + pLong);
            if (x < pImp) {
                type = IMPRESSION;
            } else if (x < pImp + pSkip) {
                type = SKIP;
                watch = (int) Math.min(duration, 1200 * StrictMath.exp(0.6 * (rnd.nextDouble() - 0.5) * 2));
            } else if (x < pImp + pSkip + pView) {
                type = VIEW;
                double f = 0.1 + 0.4 * a * rnd.nextDouble() + 0.2 * rnd.nextDouble();
                watch = (int) (duration * f);
            } else {
                type = LONG_VIEW;
                double f = 1.0 - 0.3 * rnd.nextDouble() * (1.2 - a) / 1.05;
                watch = (int) (duration * Math.min(1.0, f));
            }
            st[u * STRIDE + LAST_TYPE] = type;
            st[u * STRIDE + LAST_ITEM] = rank;
            batch.add(u + 1, null, catalog.itemId(rank), null, type, ts, watch, duration, 0);
            return watch;
        }

        /** An engagement on the item just viewed, or NONE; {@code boost} is 2 after a long_view. */
        private byte engagement(double a, double boost) {
            double x = rnd.nextDouble() / (a * boost);
            if (x < 0.055) return LIKE;
            if (x < 0.060) return COMMENT;
            if (x < 0.065) return SHARE;
            if (x < 0.068) return FOLLOW;
            if (x < 0.072) return PURCHASE;
            return NONE;
        }

        private int pickItem(int u) {
            if (rnd.nextDouble() < EXPLORE) {
                return catalog.sampleGlobal(rnd);
            }
            double x = rnd.nextDouble();
            int k = 0;
            while (k < PREFERRED - 1 && x >= weight(u * STRIDE, k)) {
                x -= weight(u * STRIDE, k);
                k++;
            }
            return catalog.sampleInCategory(st[u * STRIDE + CAT + k], rnd);
        }

        private double affinity(int u, int category) {
            float max = 0;
            float w = -1;
            for (int k = 0; k < PREFERRED; k++) {
                float wk = weight(u * STRIDE, k);
                max = Math.max(max, wk);
                if (st[u * STRIDE + CAT + k] == category) {
                    w = Math.max(w, wk);
                }
            }
            return w < 0 ? OTHER_AFFINITY : 0.4 + 0.6 * w / max;
        }

        /** Perturbs the user's category mix; sometimes swaps the weakest category for a new one. */
        private void drift(int u) {
            int base = u * STRIDE;
            int weakest = 0;
            for (int k = 0; k < PREFERRED; k++) {
                setWeight(base, k, (float) (weight(base, k) * StrictMath.exp(0.3 * gaussian(rnd))));
                if (weight(base, k) < weight(base, weakest)) {
                    weakest = k;
                }
            }
            if (rnd.nextDouble() < 0.05) {
                st[base + CAT + weakest] = popularCategory();
                setWeight(base, weakest, 0.15f);
            }
            normalise(u);
        }

        private void normalise(int u) {
            int base = u * STRIDE;
            float sum = 0;
            for (int k = 0; k < PREFERRED; k++) {
                sum += weight(base, k);
            }
            for (int k = 0; k < PREFERRED; k++) {
                setWeight(base, k, Math.max(0.01f, weight(base, k) / sum));
            }
        }

        private float weight(int base, int k) {
            return Float.intBitsToFloat(st[base + WEIGHT + k]);
        }

        private void setWeight(int base, int k, float w) {
            st[base + WEIGHT + k] = Float.floatToRawIntBits(w);
        }

        private int popularCategory() {
            return catalog.samplePopularCategory(rnd);
        }

        /** Mean gap between sessions (ms), a fixed property of the user. */
        private double meanSessionGap(int u) {
            if (u == heavy) {
                double sessions = Math.max(1, config.heavyUserActions() / 40.0);
                return Math.min(DAY_MS, Math.max(10 * 60_000.0, 730.0 * DAY_MS / sessions));
            }
            double h = unit(u, 1); // log-uniform between 2 h and 72 h
            return 2 * HOUR_MS * StrictMath.exp(h * StrictMath.log(36));
        }

        private long sessionGap(int u) {
            double sigma = 0.8;
            return 1 + (long) (meanSessionGap(u) * StrictMath.exp(sigma * gaussian(rnd) - sigma * sigma / 2));
        }

        private int sessionLength(int u) {
            double mean = u == heavy ? 40 : 10 + 20 * unit(u, 2);
            // geometric on 1, 2, ...: 1 + floor(ln U / ln(1 - 1/mean))
            double v = 1 + StrictMath.floor(StrictMath.log(1 - rnd.nextDouble()) / StrictMath.log(1 - 1 / mean));
            return (int) Math.min(1_000_000, v);
        }

        /** A per-user constant in [0, 1), from a hash of the seed, the user and a salt: no state needed. */
        private double unit(int u, int salt) {
            return (mix(config.seed() + 0x9E37_79B9_7F4A_7C15L * (u * 4L + salt)) >>> 11) * 0x1.0p-53;
        }

        private double exponential() {
            return -StrictMath.log(1 - rnd.nextDouble());
        }

        /** Moves entry i down a 4-ary heap (half the depth of a binary one, and four children share a cache line). */
        private void siftDown(int i) {
            long ts = heapTs[i];
            int user = heapUser[i];
            int n = heapSize;
            while (true) {
                int first = 4 * i + 1;
                if (first >= n) {
                    break;
                }
                int c = first;
                for (int j = first + 1; j < Math.min(first + 4, n); j++) {
                    if (less(heapTs[j], heapUser[j], heapTs[c], heapUser[c])) {
                        c = j;
                    }
                }
                if (!less(heapTs[c], heapUser[c], ts, user)) {
                    break;
                }
                heapTs[i] = heapTs[c];
                heapUser[i] = heapUser[c];
                i = c;
            }
            heapTs[i] = ts;
            heapUser[i] = user;
        }

        private static boolean less(long t1, int u1, long t2, int u2) {
            return t1 < t2 || (t1 == t2 && u1 < u2);
        }
    }

    private static double gaussian(SplittableRandom rnd) {
        return ItemCatalog.gaussian(rnd);
    }

    private static long mix(long z) {
        return ItemCatalog.mix(z);
    }
}
