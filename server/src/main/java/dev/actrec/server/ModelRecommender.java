package dev.actrec.server;

import dev.actrec.core.ActionColumns;
import dev.actrec.model.ModelInfo;
import dev.actrec.model.ServingModel;
import dev.actrec.model.lifelong.CappedReadout;
import dev.actrec.model.lifelong.ItemEmbeddings;
import dev.actrec.model.lifelong.KeySet;
import dev.actrec.model.lifelong.MemoryConfig;
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
 * <h2>Lifelong memory</h2>
 * With {@link UserMemories}, a user whose history is longer than the model's window also has a memory of everything
 * older than that window; an item's score then gets a memory term (source {@link Answer#MODEL_MEMORY}):
 * <pre>
 *   score(c) = q · e_c + λ · log( pool(c, memory) + δ / W )
 * </pre>
 * where pool is the memory's capped target attention ({@link CappedReadout}: the memory keys most similar to c's
 * memory vector until {@value #MEMORY_BUDGET} actions' worth, temperature {@value #MEMORY_TEMPERATURE}), W the weight
 * of every action the memory summarises and δ = 1 action. The term is a constant for items the memory has no evidence
 * for, so it re-orders only what the distant past speaks for. Recommend re-ranks the retrieval's best
 * {@code max(4k, 100)} items plus the memory's heavy-hitter items (re-consumption from long ago, which retrieval by
 * the recent window would miss). λ is {@code memory.weight}; it is set by hand, not learned.
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
    private final UserMemories memories;   // null: no lifelong memory
    private final float memoryWeight;
    private final ConcurrentLinkedQueue<Scratch> pool = new ConcurrentLinkedQueue<>();

    /** Actions' worth of memory keys one item attends over (TWIN's top-k). */
    static final int MEMORY_BUDGET = 100;
    /** Temperature of the memory attention: low, so mostly the item itself and near-duplicates count. */
    static final float MEMORY_TEMPERATURE = 0.03f;
    /** Retrieved items re-ranked with the memory term, at least. */
    static final int MEMORY_RERANK = 100;

    /**
     * @param index    retrieval over the model's item table
     * @param mapping  between the store's item ids and the model's indexes
     * @param maxK     the largest k a request may ask for
     * @param seenScan most recent actions looked at for {@code exclude_seen}
     * @param memories the users' lifelong memories over this model's items, or null
     * @param memoryWeight λ of the memory term
     */
    ModelRecommender(ServingModel model, ItemIndex index, ItemMapping mapping, ActionStore store,
                     Recommender fallback, int maxK, int seenScan, UserMemories memories, float memoryWeight) {
        this.model = model;
        this.index = index;
        this.info = model.info();
        this.store = store;
        this.fallback = fallback;
        this.mapping = mapping;
        this.maxK = maxK;
        this.seenScan = seenScan;
        this.memories = memories;
        this.memoryWeight = memoryWeight;
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

    /** Tells the memories which users got new actions (after {@link #onAppended}, so their items are mapped). */
    void usersAppended(int[] users, int n) {
        if (memories != null) memories.touched(users, n);
    }

    /** The lifelong memories, or null. */
    UserMemories memories() {
        return memories;
    }

    @Override
    public Answer recommend(int user, int k, boolean excludeSeen, int[] outItems, float[] outScores) throws IOException {
        Scratch s = take();
        try {
            if (!encodeUser(user, s)) return fallback.recommend(user, k, excludeSeen, outItems, outScores);
            if (excludeSeen) markSeen(user, s);
            if (readMemory(user, s)) return new Answer(retrieveWithMemory(s, k, outItems, outScores), Answer.MODEL_MEMORY);
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
            boolean memory = readMemory(user, s);
            int known = 0;
            if (memory) s.ensureBatch(items.length);
            for (int i = 0; i < items.length; i++) {
                int index = mapping.modelIndex(items[i]);
                if (index == 0) {
                    out[i] = Float.NaN;
                    continue;
                }
                out[i] = VectorKernels.dot(s.query, 0, table, index * d, d);
                if (memory) {
                    s.batchIndex[known] = index;
                    s.batchPos[known++] = i;
                }
            }
            if (memory) addMemoryTerms(s, s.batchIndex, s.batchPos, known, out);
            return new Answer(items.length, memory ? Answer.MODEL_MEMORY : Answer.MODEL);
        } finally {
            pool.offer(s);
        }
    }

    /**
     * Why model item {@code index} scores as it does for {@code user} (see {@link Explanation}); null when the user
     * has no history the model can use. At most {@code top} recent actions and memory keys.
     */
    Explanation explain(int user, int index, int top) throws IOException {
        Scratch s = take();
        try {
            if (!encodeUser(user, s)) return null;
            int d = info.dim();
            float modelScore = VectorKernels.dot(s.query, 0, model.itemTable(), index * d, d);
            boolean memory = readMemory(user, s);
            ItemEmbeddings v = vectors();
            int off = v.offset(index);
            // recent: a similarity attention over the model's window
            int n = store.readLast(user, info.maxLen(), s.actions);
            double[] terms = new double[n];
            float[] sims = new float[n];
            double total = 0;
            for (int i = 0; i < n; i++) {
                int j = mapping.modelIndex(s.actions.item(i));
                if (j == 0) continue;
                sims[i] = VectorKernels.dot(v.rows(), off, v.rows(), v.offset(j), v.dim());
                terms[i] = TYPE_WEIGHTS.typeWeight(s.actions.type(i)) * Math.exp((sims[i] - 1) / MEMORY_TEMPERATURE);
                total += terms[i];
            }
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> terms[b] != terms[a] ? Double.compare(terms[b], terms[a]) : b - a);
            java.util.List<Explanation.Recent> recent = new java.util.ArrayList<>();
            for (int r = 0; r < Math.min(top, n) && terms[order[r]] > 0; r++) {
                int i = order[r];
                recent.add(new Explanation.Recent(s.actions.item(i), s.actions.type(i), s.actions.timestamp(i), sims[i],
                        terms[i] / total));
            }
            if (!memory) {
                return new Explanation(modelScore, modelScore, Float.NaN, 0, 0, recent, java.util.List.of());
            }
            int[] kept = new int[top];
            double[] keptTerms = new double[top];
            double memoryPool = s.readout.explain(s.keys, v.rows(), off, kept, keptTerms, top);
            float term = (float) (memoryWeight * Math.log(memoryPool + 1.0 / s.keys.total()));
            int keptCount = s.readout.lastKept();
            java.util.List<Explanation.MemoryKey> keys = new java.util.ArrayList<>();
            long[] state = new long[2];
            memories.withMemory(user, m -> {
                state[0] = m.actions();
                state[1] = m.tokensUsed();
                for (int r = 0; r < keptCount; r++) {
                    int k = kept[r];
                    int token = s.keyToken[k];
                    float sim = VectorKernels.dot(s.keys.rows(), k * v.dim(), v.rows(), off, v.dim());
                    int item = s.keyItem[k] > 0 ? mapping.storeItem(s.keyItem[k]) : -1;
                    keys.add(new Explanation.MemoryKey(token, item, sim, s.keys.actions()[k],
                            token < m.tokensUsed() ? m.tokenCount(token) : 0,
                            token < m.tokensUsed() ? m.tokenLastSeen(token) : -1,
                            memoryPool > 0 ? keptTerms[r] / memoryPool : 0));
                }
            });
            return new Explanation(modelScore + term, modelScore, term, state[0], (int) state[1], recent, keys);
        } finally {
            pool.offer(s);
        }
    }

    private volatile ItemEmbeddings explainVectors;

    /** The memory's item vectors, or the same derivation made once for explanations when there are no memories. */
    private ItemEmbeddings vectors() {
        if (memories != null) return memories.vectors();
        ItemEmbeddings v = explainVectors;
        if (v == null) explainVectors = v = ItemEmbeddings.centred(info.numItems() + 1, info.dim(), model.itemTable());
        return v;
    }

    /** Action weights of the explanation's recent part: the memory's. */
    private static final MemoryConfig TYPE_WEIGHTS = MemoryConfig.defaults();

    /** The model index of store item {@code item}, 0 when the model does not know it. */
    int modelIndex(int item) {
        return mapping.modelIndex(item);
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

    /** Reads the user's memory keys into the scratch; false when the user has no memory of older actions. */
    private boolean readMemory(int user, Scratch s) {
        if (memories == null || user < 0) return false;
        return memories.readKeys(user, s.keys, s.keyToken, s.keyItem) >= 0 && s.keys.total() > 0;
    }

    /**
     * Adds λ · log(pool(c, memory) + δ / W) to {@code scores[pos[i]]} for model item {@code c = indexes[i]},
     * {@code i < n}; the keys are in the scratch. Keys too unlike an item to matter next to the floor 1/W are skipped
     * (CappedReadout bounds the change).
     */
    private void addMemoryTerms(Scratch s, int[] indexes, int[] pos, int n, float[] scores) {
        ItemEmbeddings v = memories.vectors();
        s.ensureBatch(n);
        for (int i = 0; i < n; i++) s.batchOffset[i] = v.offset(indexes[i]);
        s.readout.logPoolsBesideFloor(s.keys, v.rows(), s.batchOffset, n, s.batchTerm);
        for (int i = 0; i < n; i++) scores[pos == null ? i : pos[i]] += (float) (memoryWeight * s.batchTerm[i]);
    }

    /**
     * The best {@code k} of: the retrieval's best {@code max(4k, 100)} and the memory's heavy-hitter items, each
     * scored with the memory term; exclusions as in {@link #retrieve}.
     */
    private int retrieveWithMemory(Scratch s, int k, int[] outItems, float[] outScores) {
        int want = Math.min(info.numItems(), Math.max(4 * k, MEMORY_RERANK));
        int n = index.search(s.query, want, s, s.cand, s.candScores);
        for (int i = 0; i < n; i++) s.markListed(s.cand[i]);
        float[] table = model.itemTable();
        int d = info.dim();
        for (int i = 0; i < s.keys.size(); i++) {
            int index = s.keyItem[i];
            if (index <= 0 || s.listed(index) || s.excluded(index)) continue;
            s.markListed(index);
            s.cand[n] = index;
            s.candScores[n++] = VectorKernels.dot(s.query, 0, table, index * d, d);
        }
        addMemoryTerms(s, s.cand, null, n, s.candScores);
        s.clearListed(n);
        int got = VectorKernels.topK(s.candScores, n, k, s.top, s.topScores);
        for (int i = 0; i < got; i++) {
            outItems[i] = mapping.storeItem(s.cand[s.top[i]]);
            outScores[i] = s.topScores[i];
        }
        return got;
    }

    private Scratch take() {
        Scratch s = pool.poll();
        return s != null ? s : new Scratch(info, maxK, mapping, memories);
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
        // lifelong memory (empty when there are no memories)
        final KeySet keys;
        final CappedReadout readout;
        final int[] keyToken, keyItem;
        final int[] cand;
        final float[] candScores;
        final long[] listedBits;
        // a batch of memory terms: model items, their positions in the output, their vectors' offsets, the terms
        int[] batchIndex = new int[0], batchPos = new int[0], batchOffset = new int[0];
        double[] batchTerm = new double[0];

        Scratch(ModelInfo info, int maxK, ItemMapping mapping, UserMemories memories) {
            this.mapping = mapping;
            this.unnamed = info.numItems() - mapping.knownItems();
            this.catalog = info.numItems();
            top = new int[maxK];
            topScores = new float[maxK];
            history = new int[info.maxLen()];
            query = new float[info.dim()];
            seenBits = new long[(info.numItems() >> 6) + 1];
            boolean memory = memories != null;
            int maxKeys = memory ? memories.config().maxLongTermKeys() : 0;
            keys = new KeySet(info.dim(), memory ? maxKeys : 1);
            readout = new CappedReadout(MEMORY_BUDGET, MEMORY_TEMPERATURE);
            keyToken = new int[maxKeys];
            keyItem = new int[maxKeys];
            int rerank = memory ? Math.max(4 * maxK, MEMORY_RERANK) + maxKeys : 0;
            cand = new int[rerank];
            candScores = new float[rerank];
            listedBits = new long[memory ? (info.numItems() >> 6) + 1 : 0];
        }

        void ensureBatch(int n) {
            if (batchIndex.length >= n) return;
            int size = Math.max(n, 2 * batchIndex.length);
            batchIndex = new int[size];
            batchPos = new int[size];
            batchOffset = new int[size];
            batchTerm = new double[size];
        }

        void markListed(int index) {
            listedBits[index >> 6] |= 1L << index;
        }

        boolean listed(int index) {
            return (listedBits[index >> 6] & (1L << index)) != 0;
        }

        /** Clears the marks of {@code cand[0..n)}. */
        void clearListed(int n) {
            for (int i = 0; i < n; i++) listedBits[cand[i] >> 6] = 0L;
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
