package dev.actrec.model.lifelong;

import dev.actrec.simd.VectorKernels;

import java.util.Arrays;

/**
 * One scoring rule, several views of the history: target attention of a candidate c over weighted keys,
 * <pre>
 *   pool(c, S)  = (1 / W(S)) · Σ_{k ∈ S} w_k · exp((e_c · k - 1) / τ_S)       in (0, 1]
 *   score(c)    = log pool(c, window) + λ · log( pool(c, long) + δ / W(long) ) + β · log(1 + n_c)
 * </pre>
 * (a softmax numerator shifted by its largest possible logit: an exact match scores 1) where the window pool
 * (temperature τ_window) holds the last {@link MemoryConfig#window()} actions (key = item vector, w = type weight,
 * W = their total weight), the long pool stands for every older action (W = the total weight of all older
 * actions, whatever the method keeps, so what a method drops counts as zero; temperature τ_long, lower, so the
 * long pool mostly counts the candidate itself and its near-duplicates: re-consumption), and n_c is the candidate's count in
 * the training data. The methods differ only in the long pool:
 * <ul>
 *   <li>{@code popularity}: β·log(1 + n_c) alone (floor);</li>
 *   <li>{@code last_n}: no long pool (λ = 0);</li>
 *   <li>{@code sim_hard}: the {@code simTopK} most recent older actions in c's category (SIM's hard search);</li>
 *   <li>{@code twin}: the {@code twinTopK} older actions with the highest e_c·e_j (ties: the most recent), then
 *   the exact weighted attention over them. Generous to TWIN: its cheap pass here is the exact similarity, and it
 *   runs over the history grouped by item (all actions of an item share the score, so ties go to whole items);</li>
 *   <li>{@code full}: every older action. Computed exactly by grouping actions per distinct item (Σ over actions of
 *   an item = that item's summed weight times one exp), which is valid because a key depends only on its item;
 *   cost O(candidates × distinct items), at most the catalog size;</li>
 *   <li>{@code act_memory}: the {@link LifelongMemory}'s keys — heavy hitters (exact items, guaranteed mass) and
 *   token centroids (the rest of each token's mass) — read out like TWIN: the keys most similar to c until
 *   {@code twinTopK} actions' worth, then exact attention. O(M·(H+1)) per candidate instead of O(history).</li>
 *   <li>{@code act_trained}: the same memory read by a {@link TrainedReadout} (learned type, age and key weights,
 *   temperatures, query projections and a mass exponent in place of the cap; {@link #useTrainedReadout}); its parts
 *   are the readout's window and long terms, weighted by its learned λ and β.</li>
 * </ul>
 * Apart from act_trained's readout (trained by {@code ReadoutTrainer} in the train module) this is a fixed scorer over
 * learned item vectors, not trained end to end; {@link #features} gives its parts to an
 * {@link EngagementHead} (a small logistic action head) and to {@link RankingWeights} (learned weights in place of
 * the hand-set 1, λ, β), both fitted on them.
 *
 * <p>Per user: {@link #startUser} then {@link #advanceTo} with non-decreasing positions; scores describe the action
 * at that position given everything before it. Not thread-safe; buffers are reused, no allocation per request once
 * warm (except growth).
 */
public final class LifelongScorer {
    /** The methods of the family. */
    public enum Method {
        POPULARITY("popularity"), LAST_N("last_n"), SIM_HARD("sim_hard"), TWIN("twin"), FULL("full"),
        ACT_MEMORY("act_memory"), ACT_TRAINED("act_trained");

        private final String label;

        Method(String label) { this.label = label; }

        public String label() { return label; }
    }

    private final ItemEmbeddings emb;
    private final int items, d, window;
    private final int[] categoryOf;     // by item index
    private final int[] catStart, catItems; // items of each category, values + offsets
    private final float[] logPop;       // log(1 + training count), by item index
    private final AttentionConfig a;
    private final MemoryConfig mc;
    private final float invTauWin, invTauLong;

    // the user's history
    private int[] hItems;
    private byte[] hTypes;
    private int position;
    private int oldEnd;                 // actions [0, oldEnd) are "older" than the window

    // full: older actions grouped by distinct item
    private final double[] aggWeight;
    private final int[] aggCount;
    private int[] distinct = new int[256];
    private int nDistinct;
    private double oldMass;

    // sim: per category, a ring of the most recent simTopK older positions
    private final int[] simRing;        // (categories, simTopK)
    private final int[] simFill, simHead;

    // scratch
    private final KeySet winKeys, longKeys, simKeys;
    private final double[] poolWin, poolLong;
    private double trainedLambda;  // act_trained: λ at the position whose pools were computed last
    private float[] dots;
    private final float[] q;
    private final CappedReadout readout;
    private TrainedReadout trained;
    private ReadoutInput readoutInput;

    /**
     * @param categoryOf       category (0-based) of each item index, the item metadata SIM retrieves by
     * @param trainingCounts   occurrences of each item index in the training data (popularity prior)
     */
    public LifelongScorer(ItemEmbeddings emb, int[] categoryOf, long[] trainingCounts, AttentionConfig a, MemoryConfig mc) {
        this.emb = emb;
        this.items = emb.items();
        this.d = emb.dim();
        this.window = mc.window();
        if (categoryOf.length != items || trainingCounts.length != items) {
            throw new IllegalArgumentException("categoryOf and trainingCounts must have " + items + " entries");
        }
        this.categoryOf = categoryOf.clone();
        int cats = Arrays.stream(categoryOf).max().orElse(0) + 1;
        catStart = new int[cats + 1];
        for (int c : categoryOf) {
            if (c < 0) throw new IllegalArgumentException("negative category " + c);
            catStart[c + 1]++;
        }
        for (int c = 0; c < cats; c++) catStart[c + 1] += catStart[c];
        catItems = new int[items];
        int[] fill = Arrays.copyOf(catStart, cats);
        for (int i = 0; i < items; i++) catItems[fill[categoryOf[i]]++] = i;
        logPop = new float[items];
        for (int i = 0; i < items; i++) logPop[i] = (float) Math.log1p(trainingCounts[i]);
        this.a = a;
        this.mc = mc;
        this.invTauWin = 1f / a.temperature();
        this.invTauLong = 1f / a.longTemperature();
        aggWeight = new double[items];
        aggCount = new int[items];
        simRing = new int[cats * a.simTopK()];
        simFill = new int[cats];
        simHead = new int[cats];
        winKeys = new KeySet(d, window);
        longKeys = new KeySet(d, 1024);
        simKeys = new KeySet(d, a.simTopK());
        poolWin = new double[items];
        poolLong = new double[items];
        dots = new float[Math.max(items, 1024)];
        q = new float[d];
        readout = new CappedReadout(a.twinTopK(), a.longTemperature());
    }

    /** Sets the readout {@code act_trained} scores with (required before that method is used). */
    public void useTrainedReadout(TrainedReadout readout) {
        if (readout.weights().dim() != d) throw new IllegalArgumentException("readout of width " + readout.weights().dim() + ", vectors of width " + d);
        this.trained = readout;
        this.readoutInput = new ReadoutInput(d, window, mc.maxLongTermKeys());
    }

    /** Starts a user: item indices and type codes in time order (kept by reference; not modified). */
    public void startUser(int[] items, byte[] types) {
        if (items.length != types.length) throw new IllegalArgumentException("items and types differ in length");
        for (int i = 0; i < nDistinct; i++) {
            aggWeight[distinct[i]] = 0;
            aggCount[distinct[i]] = 0;
        }
        nDistinct = 0;
        oldMass = 0;
        Arrays.fill(simFill, 0);
        Arrays.fill(simHead, 0);
        hItems = items;
        hTypes = types;
        position = 0;
        oldEnd = 0;
    }

    /** Moves to position {@code p} (the next action's index); the history is actions {@code [0, p)}. */
    public void advanceTo(int p) {
        if (p < position || p > hItems.length) {
            throw new IllegalArgumentException("position must be in [" + position + ", " + hItems.length + "], was " + p);
        }
        position = p;
        int end = Math.max(0, p - window);
        int k = a.simTopK();
        for (int j = oldEnd; j < end; j++) {
            int item = hItems[j];
            double w = mc.typeWeight(hTypes[j]);
            if (aggCount[item]++ == 0) {
                if (nDistinct == distinct.length) distinct = Arrays.copyOf(distinct, nDistinct * 2);
                distinct[nDistinct++] = item;
            }
            aggWeight[item] += w;
            oldMass += w;
            int c = categoryOf[item];
            if (simFill[c] < k) {
                simRing[c * k + (simHead[c] + simFill[c]++) % k] = j;
            } else {
                simRing[c * k + simHead[c]] = j;
                simHead[c] = (simHead[c] + 1) % k;
            }
        }
        oldEnd = end;
    }

    public int position() { return position; }

    /** Bytes a method needs per user beyond the item table (its derived state or the raw history it reads). */
    public static long stateBytes(Method m, int historyLength, LifelongMemory memory, MemoryConfig mc) {
        long perAction = 4 + 1 + 8; // item, type, time: the raw columns, before the store's compression
        return switch (m) {
            case POPULARITY -> 0;
            case LAST_N -> (long) Math.min(historyLength, mc.window()) * perAction;
            case SIM_HARD, TWIN, FULL -> (long) historyLength * perAction;
            case ACT_MEMORY, ACT_TRAINED -> memory.serializedBytes();
        };
    }

    /** Scores every item of the catalog (index = item index) into {@code out} for the current position. */
    public void scoreCatalog(Method m, LifelongMemory memory, double[] out) {
        if (m == Method.POPULARITY) {
            for (int i = 0; i < items; i++) out[i] = logPop[i];
            return;
        }
        catalogPools(m, memory);
        combine(m, null, items, out);
    }

    /** poolWin and poolLong of every item of the catalog under a method other than popularity. */
    private void catalogPools(Method m, LifelongMemory memory) {
        if (m == Method.ACT_TRAINED) {
            ReadoutInput in = trainedInput(memory);
            trained.catalog(in, poolWin, poolLong);
            trainedLambda = trained.longWeight(in);
            return;
        }
        windowPool(memory, m);
        poolCatalog(winKeys, poolWin, invTauWin);
        Arrays.fill(poolLong, 0, items, 0);
        switch (m) {
            case LAST_N -> { }
            case FULL -> {
                fullKeys();
                poolCatalog(longKeys, poolLong, invTauLong);
            }
            case ACT_MEMORY -> {
                checkMemory(memory);
                memory.longTermKeys(longKeys);
                for (int i = 0; i < items; i++) poolLong[i] = cappedPool(longKeys, i);
            }
            case SIM_HARD -> {
                for (int c = 0; c + 1 < catStart.length; c++) {
                    if (simFill[c] == 0) continue;
                    simKeysOf(c);
                    for (int s = catStart[c]; s < catStart[c + 1]; s++) poolLong[catItems[s]] = poolOne(simKeys, catItems[s], invTauLong);
                }
            }
            case TWIN -> {
                fullKeys();
                for (int i = 0; i < items; i++) poolLong[i] = cappedPool(longKeys, i);
            }
            default -> throw new AssertionError(m);
        }
    }

    /** Scores {@code cands[0..n)} (item indices) into {@code out[0..n)}: the request-time path. */
    public void scoreCandidates(Method m, LifelongMemory memory, int[] cands, int n, double[] out) {
        if (m == Method.POPULARITY) {
            for (int i = 0; i < n; i++) out[i] = logPop[cands[i]];
            return;
        }
        candidatePools(m, memory, cands, n);
        combine(m, cands, n, out);
    }

    /** Inputs of a method's score per candidate, the features of an action head: see {@link #features}. */
    public static final int FEATURES = 3;

    /**
     * The parts the score of {@code cands[0..n)} is made of, row-major {@code (n, FEATURES)} into {@code out}:
     * log pool(c, window), log(pool(c, long) + δ / W(long)) (0 when the method has no long pool or there is no
     * older action) and log(1 + n_c). Popularity has only the last. The score is 1·f0 + λ·f1 + β·f2; an action
     * head weighs them as it learns to.
     */
    public void features(Method m, LifelongMemory memory, int[] cands, int n, double[] out) {
        if (m != Method.POPULARITY) candidatePools(m, memory, cands, n);
        writeFeatures(m, cands, n, out);
    }

    /** {@link #features} of every item of the catalog (row = item index). */
    public void catalogFeatures(Method m, LifelongMemory memory, double[] out) {
        if (m != Method.POPULARITY) catalogPools(m, memory);
        writeFeatures(m, null, items, out);
    }

    /**
     * The weights that make {@link #features} the method's score: (1, λ, β), or (0, 0, 1) for popularity. (λ
     * multiplies a feature that is 0 where the method has no long pool.)
     */
    public double[] handSetWeights(Method m) {
        if (m == Method.ACT_TRAINED) {
            requireTrained();
            return new double[]{1, 1, trained.weights().popularityWeight()}; // feature 1 carries the position's λ
        }
        return m == Method.POPULARITY ? new double[]{0, 0, 1} : new double[]{1, a.longWeight(), a.popularityWeight()};
    }

    private void writeFeatures(Method m, int[] cands, int n, double[] out) {
        if (m == Method.ACT_TRAINED) { // the readout's own log terms, the memory's weighted by the position's λ
            for (int i = 0; i < n; i++) {
                out[i * FEATURES] = poolWin[i];
                out[i * FEATURES + 1] = trainedLambda * poolLong[i];
                out[i * FEATURES + 2] = logPop[cands == null ? i : cands[i]];
            }
            return;
        }
        boolean pop = m == Method.POPULARITY, hasLong = !pop && m != Method.LAST_N && oldMass > 0;
        double floor = oldMass == 0 ? 1 : a.longFloor() / oldMass;
        for (int i = 0; i < n; i++) {
            out[i * FEATURES] = pop ? 0 : Math.log(poolWin[i] + 1e-30);
            out[i * FEATURES + 1] = hasLong ? Math.log(poolLong[i] + floor) : 0;
            out[i * FEATURES + 2] = logPop[cands == null ? i : cands[i]];
        }
    }

    /** poolWin[0..n) and poolLong[0..n) of the candidates under a method other than popularity. */
    private void candidatePools(Method m, LifelongMemory memory, int[] cands, int n) {
        if (m == Method.ACT_TRAINED) {
            ReadoutInput in = trainedInput(memory);
            trained.candidates(in, cands, n, poolWin, poolLong);
            trainedLambda = trained.longWeight(in);
            return;
        }
        windowPool(memory, m);
        for (int i = 0; i < n; i++) poolWin[i] = poolOne(winKeys, cands[i], invTauWin);
        switch (m) {
            case LAST_N -> Arrays.fill(poolLong, 0, n, 0);
            case FULL -> {
                fullKeys();
                for (int i = 0; i < n; i++) poolLong[i] = poolOne(longKeys, cands[i], invTauLong);
            }
            case ACT_MEMORY -> {
                checkMemory(memory);
                memory.longTermKeys(longKeys);
                for (int i = 0; i < n; i++) poolLong[i] = cappedPool(longKeys, cands[i]);
            }
            case SIM_HARD -> {
                for (int i = 0; i < n; i++) {
                    int c = categoryOf[cands[i]];
                    if (simFill[c] == 0) {
                        poolLong[i] = 0;
                        continue;
                    }
                    simKeysOf(c); // one category's ≤ simTopK keys: rebuilt per candidate, cheap next to the dots
                    poolLong[i] = poolOne(simKeys, cands[i], invTauLong);
                }
            }
            case TWIN -> {
                fullKeys();
                for (int i = 0; i < n; i++) poolLong[i] = cappedPool(longKeys, cands[i]);
            }
            default -> throw new AssertionError(m);
        }
    }

    private void combine(Method m, int[] cands, int n, double[] out) {
        if (m == Method.ACT_TRAINED) {
            double beta = trained.weights().popularityWeight();
            for (int i = 0; i < n; i++) out[i] = poolWin[i] + trainedLambda * poolLong[i] + beta * logPop[cands == null ? i : cands[i]];
            return;
        }
        double lambda = m == Method.LAST_N || oldMass == 0 ? 0 : a.longWeight();
        double floor = oldMass == 0 ? 1 : a.longFloor() / oldMass;
        for (int i = 0; i < n; i++) {
            int item = cands == null ? i : cands[i];
            out[i] = Math.log(poolWin[i] + 1e-30) + lambda * Math.log(poolLong[i] + floor)
                    + a.popularityWeight() * logPop[item];
        }
    }

    private ReadoutInput trainedInput(LifelongMemory memory) {
        requireTrained();
        checkMemory(memory);
        return readoutInput.fill(memory);
    }

    private void requireTrained() {
        if (trained == null) throw new IllegalStateException("act_trained needs a readout: call useTrainedReadout first");
    }

    private void checkMemory(LifelongMemory memory) {
        if (memory == null || memory.actions() != position) {
            throw new IllegalStateException("the memory must hold exactly the " + position + " actions before the position, holds "
                    + (memory == null ? "none" : memory.actions()));
        }
    }

    /** Window keys: from the memory for act_memory (its own ring), from the history columns otherwise. */
    private void windowPool(LifelongMemory memory, Method m) {
        if (m == Method.ACT_MEMORY) {
            checkMemory(memory);
            memory.windowKeys(winKeys);
            return;
        }
        winKeys.clear();
        double total = 0;
        float[] rows = emb.rows();
        for (int j = oldEnd; j < position; j++) {
            float w = mc.typeWeight(hTypes[j]);
            winKeys.add(rows, emb.offset(hItems[j]), w);
            total += w;
        }
        winKeys.setTotal(total);
    }

    private void fullKeys() {
        longKeys.clear();
        float[] rows = emb.rows();
        for (int i = 0; i < nDistinct; i++) {
            int it = distinct[i];
            longKeys.add(rows, emb.offset(it), (float) aggWeight[it], aggCount[it]);
        }
        longKeys.setTotal(oldMass);
    }

    private void simKeysOf(int c) {
        simKeys.clear();
        float[] rows = emb.rows();
        int k = a.simTopK();
        for (int s = 0; s < simFill[c]; s++) {
            int j = simRing[c * k + s];
            simKeys.add(rows, emb.offset(hItems[j]), mc.typeWeight(hTypes[j]));
        }
        simKeys.setTotal(oldMass);
    }

    /**
     * The capped (TWIN-style) readout of one item over grouped keys; see {@link CappedReadout}. With a floor δ > 0
     * beside the pool, as the server reads it: keys too far from the item to move {@code log(pool + δ/W)} are skipped
     * before the selection, which is what makes a readout over many light keys (10^4 actions: one or two actions per
     * key) cheap.
     */
    private double cappedPool(KeySet keys, int item) {
        return a.longFloor() > 0 ? readout.poolBesideFloor(keys, emb.rows(), emb.offset(item))
                : readout.pool(keys, emb.rows(), emb.offset(item));
    }

    /** pool(item, keys) for one item. */
    private double poolOne(KeySet keys, int item, float invTau) {
        int n = keys.size();
        if (n == 0 || keys.total() <= 0) return 0;
        System.arraycopy(emb.rows(), emb.offset(item), q, 0, d);
        ensureDots(n);
        VectorKernels.dotMany(keys.rows(), n, d, q, dots);
        float[] w = keys.weights();
        double s = 0;
        for (int i = 0; i < n; i++) s += w[i] * Math.exp((dots[i] - 1) * invTau);
        return s / keys.total();
    }

    /** pool(c, keys) for every item c of the catalog, key by key (one scan of the item table per key). */
    private void poolCatalog(KeySet keys, double[] acc, float invTau) {
        Arrays.fill(acc, 0, items, 0);
        int n = keys.size();
        if (n == 0 || keys.total() <= 0) return;
        float[] rows = keys.rows(), w = keys.weights();
        for (int k = 0; k < n; k++) {
            System.arraycopy(rows, k * d, q, 0, d);
            VectorKernels.dotMany(emb.rows(), items, d, q, dots);
            double wk = w[k];
            for (int i = 0; i < items; i++) acc[i] += wk * Math.exp((dots[i] - 1) * invTau);
        }
        double inv = 1 / keys.total();
        for (int i = 0; i < items; i++) acc[i] *= inv;
    }

    private void ensureDots(int n) {
        if (dots.length < n) dots = new float[Math.max(n, dots.length * 2)];
    }
}
