package dev.actrec.server;

import dev.actrec.core.ActionColumns;
import dev.actrec.model.ModelInfo;
import dev.actrec.model.ServingModel;
import dev.actrec.model.retrieval.ItemFilter;
import dev.actrec.model.retrieval.ItemIndex;
import dev.actrec.simd.VectorKernels;
import dev.actrec.store.ActionStore;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Serves a trained model: a user's newest actions, mapped to the model's item indexes, are encoded into a query
 * vector ({@link ServingModel#encode}); recommend retrieves the best items for it over the whole catalog, rank
 * scores the given candidates by dot product. Items are mapped between store and model by {@link ItemMapping}.
 *
 * <p>A user the model can say nothing about (unknown, no history, or only items the model does not know) is
 * answered by the popularity fallback, and the answer says so ({@link Answer#POPULARITY}).
 *
 * <p>Thread-safe. Per-request buffers come from a pool, so their number is bounded by the requests in flight
 * rather than by the server's thread count.
 */
final class ModelRecommender implements Recommender {
    private final ServingModel model;
    private final ItemIndex index;
    private final ModelInfo info;
    private final ActionStore store;
    private final Recommender fallback;
    private final ItemMapping mapping;
    private final int maxK;
    private final int seenScan;
    private final int window;
    private final ConcurrentLinkedQueue<Scratch> pool = new ConcurrentLinkedQueue<>();

    /**
     * @param index    retrieval over the model's item table
     * @param mapping  between the store's item ids and the model's indexes
     * @param maxK     the largest k a request may ask for
     * @param seenScan most recent actions looked at for {@code exclude_seen}
     */
    ModelRecommender(ServingModel model, ItemIndex index, ItemMapping mapping, ActionStore store,
                     Recommender fallback, int maxK, int seenScan) {
        this.model = model;
        this.index = index;
        this.info = model.info();
        this.store = store;
        this.fallback = fallback;
        this.mapping = mapping;
        this.maxK = maxK;
        this.seenScan = seenScan;
        // Unknown items are skipped, so read past the model's window to still fill it when a few are unknown.
        this.window = 2 * info.maxLen();
    }

    /** Store items the model knows; zero means the model was trained on another catalog. */
    int knownItems() {
        return mapping.knownItems();
    }

    @Override
    public String name() {
        return info.version();
    }

    @Override
    public void onAppended(int[] items, int n) {
        mapping.onAppended(items, n);
    }

    @Override
    public Answer recommend(int user, int k, boolean excludeSeen, int[] outItems, float[] outScores) throws IOException {
        Scratch s = take();
        try {
            if (!encodeUser(user, s)) return fallback.recommend(user, k, excludeSeen, outItems, outScores);
            if (excludeSeen) markSeen(user, s);
            return new Answer(retrieve(s, k, outItems, outScores), Answer.MODEL);
        } finally {
            s.clearSeen();
            pool.offer(s);
        }
    }

    @Override
    public Answer score(int user, int[] items, float[] out) throws IOException {
        Scratch s = take();
        try {
            if (!encodeUser(user, s)) return fallback.score(user, items, out);
            float[] table = model.itemTable();
            int d = info.dim();
            for (int i = 0; i < items.length; i++) {
                int index = mapping.modelIndex(items[i]);
                out[i] = index == 0 ? Float.NaN : VectorKernels.dot(s.query, 0, table, index * d, d);
            }
            return new Answer(items.length, Answer.MODEL);
        } finally {
            pool.offer(s);
        }
    }

    /** Encodes the user's newest known items into {@code s.query}; false when there are none. */
    private boolean encodeUser(int user, Scratch s) throws IOException {
        if (user < 0) return false;
        int n = store.readLast(user, window, s.actions);
        int[] items = s.actions.itemArray();
        int maxLen = info.maxLen();
        // Newest first into the tail of the buffer, so the kept items end up oldest first.
        int kept = 0;
        for (int i = n - 1; i >= 0 && kept < maxLen; i--) {
            int index = mapping.modelIndex(items[i]);
            if (index > 0) s.history[maxLen - 1 - kept++] = index;
        }
        if (kept == 0) return false;
        System.arraycopy(s.history, maxLen - kept, s.history, 0, kept);
        model.encode(s.history, kept, s.query);
        return true;
    }

    private void markSeen(int user, Scratch s) throws IOException {
        int n = store.readLast(user, seenScan, s.actions);
        int[] items = s.actions.itemArray();
        for (int i = 0; i < n; i++) s.markSeen(mapping.modelIndex(items[i]));
    }

    /** Best {@code k} model items for the query, leaving out seen items and items the store cannot name. */
    private int retrieve(Scratch s, int k, int[] outItems, float[] outScores) {
        int got = index.search(s.query, k, s, s.top, s.topScores);
        for (int i = 0; i < got; i++) {
            outItems[i] = mapping.storeItem(s.top[i]);
            outScores[i] = s.topScores[i];
        }
        return got;
    }

    private Scratch take() {
        Scratch s = pool.poll();
        return s != null ? s : new Scratch(info, maxK, mapping);
    }

    /** One request's buffers; also the request's retrieval filter. */
    private static final class Scratch implements ItemFilter {
        final ActionColumns actions = new ActionColumns(1024);
        final ItemMapping mapping;
        final int unnamed;    // model items the store could not name when the scratch was made
        final int catalog;
        final int[] history;
        final float[] query;
        final int[] top;
        final float[] topScores;
        final long[] seenBits;
        final int[] seenList = new int[4096];
        int seenCount;        // entries of seenList, or -1 once it overflowed and clearing must sweep
        int seenTotal;

        Scratch(ModelInfo info, int maxK, ItemMapping mapping) {
            this.mapping = mapping;
            this.unnamed = info.numItems() - mapping.knownItems();
            this.catalog = info.numItems();
            top = new int[maxK];
            topScores = new float[maxK];
            history = new int[info.maxLen()];
            query = new float[info.dim()];
            seenBits = new long[(info.numItems() >> 6) + 1];
        }

        @Override
        public boolean excluded(int item) {
            return seen(item) || mapping.storeItem(item) < 0;
        }

        @Override
        public int sizeHint() {
            // Items the store cannot name are scattered over the ranking: only about their share of it is in the way.
            return seenTotal + (unnamed == 0 ? 0 : Math.max(16, (int) ((long) unnamed * 64 / Math.max(1, catalog))));
        }

        void markSeen(int index) {
            if (index <= 0 || seen(index)) return;
            seenBits[index >> 6] |= 1L << index;
            seenTotal++;
            if (seenCount >= 0 && seenCount < seenList.length) seenList[seenCount++] = index;
            else seenCount = -1;
        }

        boolean seen(int index) {
            return (seenBits[index >> 6] & (1L << index)) != 0;
        }

        void clearSeen() {
            if (seenCount < 0) {
                Arrays.fill(seenBits, 0L);
            } else {
                for (int i = 0; i < seenCount; i++) seenBits[seenList[i] >> 6] = 0L;
            }
            seenCount = 0;
            seenTotal = 0;
        }
    }
}
