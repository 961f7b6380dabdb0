package dev.actrec.server;

import dev.actrec.model.ModelInfo;
import dev.actrec.store.ActionStore;
import java.util.Arrays;

/**
 * Both directions between the store's internal item ids and one model's item indexes ({@link ModelInfo#indexOf}):
 * store id to model index (0: the model does not know the item) and model index to store id (-1: the store has
 * never seen the item, so it cannot be named in a response).
 *
 * <p>Built once per model from every item the store knows, then extended as appends bring new items. Writers take
 * a lock; readers take none: an entry is one {@code int}, so a reader sees either the old or the new value, and an
 * id past {@link #limit} is resolved on the spot from the store's dictionary.
 */
final class ItemMapping {
    private final ModelInfo info;
    private final ActionStore store;
    private final int[] storeOfModel;         // (numItems + 1), -1 = not in the store
    private volatile int[] modelOfStore;       // store id -> model index, valid below limit
    private volatile int limit;
    private int known;                         // store items the model knows, guarded by this

    ItemMapping(ModelInfo info, ActionStore store) {
        this.info = info;
        this.store = store;
        this.storeOfModel = new int[info.numItems() + 1];
        Arrays.fill(storeOfModel, -1);
        this.modelOfStore = new int[Math.max(16, store.itemCount())];
        extendTo(store.itemCount());
    }

    /** The model index of store item {@code storeItem}, or 0 when the model does not know it (or it is -1). */
    int modelIndex(int storeItem) {
        if (storeItem < 0) return 0;
        int[] m = modelOfStore;
        if (storeItem < limit && storeItem < m.length) return m[storeItem];
        return info.indexOf(store.itemText(storeItem));
    }

    /** The store id of model item {@code index} (1..numItems), or -1 when the store has never seen it. */
    int storeItem(int index) {
        return storeOfModel[index];
    }

    /** Store items whose keys the model knows. */
    synchronized int knownItems() {
        return known;
    }

    /** Maps the items new to the store among {@code items[0..n)}. */
    void onAppended(int[] items, int n) {
        int max = -1;
        for (int i = 0; i < n; i++) max = Math.max(max, items[i]);
        if (max >= limit) extendTo(max + 1);
    }

    /** Maps every item the store has now, whoever was told about the appends that brought them. */
    void catchUp() {
        extendTo(store.itemCount());
    }

    private synchronized void extendTo(int end) {
        int from = limit;
        if (end <= from) return;
        int[] m = modelOfStore;
        if (end > m.length) m = Arrays.copyOf(m, Math.max(end, m.length * 2));
        for (int id = from; id < end; id++) {
            int index = info.indexOf(store.itemText(id));
            m[id] = index;
            if (index > 0) {
                storeOfModel[index] = id;
                known++;
            }
        }
        modelOfStore = m;
        limit = end; // published after the entries below it
    }
}
