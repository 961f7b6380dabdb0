package dev.actrec.server;

import dev.actrec.core.ActionColumns;
import dev.actrec.simd.VectorKernels;
import dev.actrec.store.ActionStore;
import java.io.IOException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fallback until a trained model exists: items ranked by their recent action count, every action counting
 * {@code 2^(-age / halfLife)} where age is measured on the server's clock since it was ingested (not the event's
 * own timestamp, which may be late or skewed). Counts are kept incrementally as events are appended, and seeded at
 * start-up from each user's last {@code seedPerUser} actions (until then {@link #ready()} is false).
 *
 * <p>Decay without touching every item on every event: a new action adds {@code 2^((now - epoch)/halfLife)} to its
 * item, so all counts share one scale; when that weight grows large the counts are rescaled once and the epoch
 * moves to now. The ranking served is the top {@code rankingSize} items, rebuilt on demand at most every
 * {@code refreshMs} after a change, so a request costs a walk of that list, not a scan of the catalog.
 * {@code exclude_seen} skips items among the user's last {@code seenScan} actions; when the user has seen
 * nearly all of the ranking, fewer than k items come back.
 *
 * <p>Thread-safe: counts change under one lock; the ranking is an immutable snapshot read without locks.
 */
public final class PopularityRecommender implements Recommender {
    public static final String NAME = "popularity-fallback";
    private static final Logger LOG = LoggerFactory.getLogger(PopularityRecommender.class);
    /** Rescale before the shared weight loses float precision against old counts. */
    private static final double MAX_WEIGHT = 1 << 16;

    private final ActionStore store;
    private final double ln2PerMs;
    private final long refreshMs;
    private final int rankingSize;
    private final int seenScan;
    private final LongSupplier clockMs;

    private final Object lock = new Object();
    private float[] counts = new float[1024];
    private int itemLimit; // counts[0..itemLimit) are in use
    private long epochMs;
    private boolean dirty = true;
    private volatile Ranking ranking = new Ranking(new int[0], new float[0], -1);
    private volatile boolean ready;
    private static final ThreadLocal<ActionColumns> SEEN = ThreadLocal.withInitial(() -> new ActionColumns(1024));

    /** An immutable top list; scores are decayed counts as of {@code builtAtMs} (-1: never built). */
    private record Ranking(int[] items, float[] scores, long builtAtMs) {
    }

    public PopularityRecommender(ActionStore store, long halfLifeMs, long refreshMs, int rankingSize, int seenScan,
                                 LongSupplier clockMs) {
        if (halfLifeMs < 1 || refreshMs < 0 || rankingSize < 1 || seenScan < 0) {
            throw new IllegalArgumentException("halfLifeMs=" + halfLifeMs + ", refreshMs=" + refreshMs
                    + ", rankingSize=" + rankingSize + ", seenScan=" + seenScan);
        }
        this.store = store;
        this.ln2PerMs = Math.log(2) / halfLifeMs;
        this.refreshMs = refreshMs;
        this.rankingSize = rankingSize;
        this.seenScan = seenScan;
        this.clockMs = clockMs;
        this.epochMs = clockMs.getAsLong();
    }

    /** Seeds the counts from the store on a background thread; {@link #ready()} turns true when done. */
    public void startSeeding(int seedPerUser) {
        if (seedPerUser == 0) {
            ready = true;
            return;
        }
        Thread t = new Thread(() -> {
            long t0 = System.nanoTime();
            ActionColumns cols = new ActionColumns(seedPerUser);
            int users = store.userCount();
            long actions = 0;
            try {
                for (int u = 0; u < users; u++) {
                    int n = store.readLast(u, seedPerUser, cols);
                    onAppended(cols.itemArray(), n);
                    actions += n;
                }
                LOG.info("popularity fallback seeded from {} actions of {} users in {} ms", actions, users,
                        (System.nanoTime() - t0) / 1_000_000);
            } catch (IOException | RuntimeException e) {
                LOG.error("seeding the popularity fallback failed; it starts from the events ingested from now on", e);
            } finally {
                ready = true;
            }
        }, "actrec-popularity-seed");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public void onAppended(int[] items, int n) {
        synchronized (lock) {
            double w = weightNow();
            float add = (float) w;
            for (int i = 0; i < n; i++) {
                int item = items[i];
                if (item < 0) continue;
                if (item >= counts.length) counts = Arrays.copyOf(counts, Math.max(item + 1, counts.length * 2));
                counts[item] += add;
                if (item >= itemLimit) itemLimit = item + 1;
            }
            dirty |= n > 0;
        }
    }

    /** The shared weight of an action ingested now; rescales the counts first when it has grown large. */
    private double weightNow() {
        assert Thread.holdsLock(lock);
        long now = clockMs.getAsLong();
        double w = Math.exp(ln2PerMs * (now - epochMs));
        if (w > MAX_WEIGHT) {
            float scale = (float) (1 / w);
            for (int i = 0; i < itemLimit; i++) counts[i] *= scale;
            epochMs = now;
            w = 1;
        }
        return w;
    }

    private Ranking currentRanking() {
        Ranking r = ranking;
        long now = clockMs.getAsLong();
        if (r.builtAtMs >= 0 && now - r.builtAtMs < refreshMs) return r;
        synchronized (lock) {
            r = ranking;
            if (!dirty && r.builtAtMs >= 0) return r;
            double w = weightNow();
            int size = Math.min(rankingSize, itemLimit);
            int[] idx = new int[size];
            float[] top = new float[size];
            int got = VectorKernels.topK(counts, itemLimit, size, idx, top);
            for (int i = 0; i < got; i++) top[i] = (float) (top[i] / w);
            r = new Ranking(idx, top, now);
            ranking = r;
            dirty = false;
            return r;
        }
    }

    @Override
    public Answer recommend(int user, int k, boolean excludeSeen, int[] outItems, float[] outScores) throws IOException {
        Ranking r = currentRanking();
        BitSet seen = excludeSeen && user >= 0 ? seenItems(user) : null;
        int n = 0;
        for (int i = 0; i < r.items.length && n < k; i++) {
            int item = r.items[i];
            if (seen != null && seen.get(item)) continue;
            outItems[n] = item;
            outScores[n] = r.scores[i];
            n++;
        }
        return new Answer(n, Answer.POPULARITY);
    }

    private BitSet seenItems(int user) throws IOException {
        ActionColumns cols = SEEN.get();
        int n = store.readLast(user, seenScan, cols);
        BitSet seen = new BitSet();
        int[] items = cols.itemArray();
        for (int i = 0; i < n; i++) seen.set(items[i]);
        return seen;
    }

    @Override
    public Answer score(int user, int[] items, float[] out) {
        synchronized (lock) {
            double w = weightNow();
            for (int i = 0; i < items.length; i++) {
                int item = items[i];
                out[i] = item >= 0 && item < itemLimit ? (float) (counts[item] / w) : 0f;
            }
        }
        return new Answer(items.length, Answer.POPULARITY);
    }
}
