package dev.actrec.core;

import java.util.Arrays;

/**
 * One user's actions as parallel primitive columns with dense internal item ids, oldest first: what store reads
 * return and what models consume. Reused across reads: {@link #clear()} keeps the arrays, and they grow only when a
 * longer history arrives, so a warm read allocates nothing.
 *
 * <p>A duration is the item's property, so the store keeps one registered duration per item and decodes only each
 * action's difference to it. Looking the item up for a million actions costs more than decoding them (cache misses
 * on a catalog-sized table), so a decoder may leave a prefix of the duration column relative to such a table
 * ({@link #markRelativeDurations}); {@link #durationMs(int)} adds the item's duration on access, and
 * {@link #durationArray()} resolves the prefix once, in place.
 */
public final class ActionColumns {
    private int size;
    private int[] items;
    private byte[] types;
    private long[] timestamps;
    private int[] watchMs;
    private int[] durationMs;
    /** Durations of actions [0, relativeDurations) are differences to durationBase[item]. */
    private int relativeDurations;
    private int[] durationBase;

    public ActionColumns() {
        this(256);
    }

    public ActionColumns(int capacity) {
        int c = Math.max(1, capacity);
        items = new int[c];
        types = new byte[c];
        timestamps = new long[c];
        watchMs = new int[c];
        durationMs = new int[c];
    }

    /** Makes room for {@code n} actions in total, keeping the current ones. */
    public void ensureCapacity(int n) {
        if (n > items.length) {
            int c = Math.max(n, (int) Math.min(Integer.MAX_VALUE - 8, items.length * 2L));
            items = Arrays.copyOf(items, c);
            types = Arrays.copyOf(types, c);
            timestamps = Arrays.copyOf(timestamps, c);
            watchMs = Arrays.copyOf(watchMs, c);
            durationMs = Arrays.copyOf(durationMs, c);
        }
    }

    public void clear() {
        size = 0;
        relativeDurations = 0;
        durationBase = null;
    }
    public int size() { return size; }

    /** Sets the size after bulk writes into the arrays (which must hold {@code n} actions). */
    public void setSize(int n) {
        assert n >= 0 && n <= items.length;
        size = n;
        relativeDurations = Math.min(relativeDurations, n);
    }

    /**
     * Declares that the durations of actions {@code [0, n)} hold differences to {@code base[item]}, and sets the size
     * to {@code n}. Only a prefix can be relative: the caller resolves first if absolute durations precede.
     */
    public void markRelativeDurations(int n, int[] base) {
        assert relativeDurations == 0 || base == durationBase;
        size = n;
        relativeDurations = n;
        durationBase = base;
    }

    /** Whether some stored durations are absolute, so that a decoder must not append relative ones after them. */
    public boolean hasAbsoluteDurations() {
        return relativeDurations < size;
    }

    /** Turns the relative prefix of the duration column into absolute durations. */
    public void resolveDurations() {
        int[] base = durationBase;
        for (int i = 0; i < relativeDurations; i++) durationMs[i] += base[items[i]];
        relativeDurations = 0;
        durationBase = null;
    }

    public void add(int item, byte type, long ts, int watch, int duration) {
        ensureCapacity(size + 1);
        items[size] = item;
        types[size] = type;
        timestamps[size] = ts;
        watchMs[size] = watch;
        durationMs[size] = duration;
        size++;
    }

    /** Appends {@code n} actions of {@code src} starting at {@code from}. */
    public void addFrom(ActionColumns src, int from, int n) {
        ensureCapacity(size + n);
        System.arraycopy(src.items, from, items, size, n);
        System.arraycopy(src.types, from, types, size, n);
        System.arraycopy(src.timestamps, from, timestamps, size, n);
        System.arraycopy(src.watchMs, from, watchMs, size, n);
        System.arraycopy(src.durationArray(), from, durationMs, size, n);
        size += n;
    }

    /** Inserts one action at index {@code at}, shifting later ones (late events inside the unsealed window). */
    public void insert(int at, int item, byte type, long ts, int watch, int duration) {
        assert at >= 0 && at <= size;
        if (at < relativeDurations) resolveDurations();
        ensureCapacity(size + 1);
        int tail = size - at;
        System.arraycopy(items, at, items, at + 1, tail);
        System.arraycopy(types, at, types, at + 1, tail);
        System.arraycopy(timestamps, at, timestamps, at + 1, tail);
        System.arraycopy(watchMs, at, watchMs, at + 1, tail);
        System.arraycopy(durationMs, at, durationMs, at + 1, tail);
        items[at] = item;
        types[at] = type;
        timestamps[at] = ts;
        watchMs[at] = watch;
        durationMs[at] = duration;
        size++;
    }

    /**
     * Sorts the actions by timestamp, stably (ties keep their order). Linear when already sorted, which is the
     * common case; otherwise a merge sort of an index, then one permutation of every column.
     */
    public void sortByTimestamp() {
        boolean sorted = true;
        for (int i = 1; i < size && sorted; i++) sorted = timestamps[i - 1] <= timestamps[i];
        if (sorted) return;
        int[] durations = durationArray();
        int[] order = new int[size];
        for (int i = 0; i < size; i++) order[i] = i;
        mergeSort(order, new int[size], 0, size);
        int[] it = new int[size], wa = new int[size], du = new int[size];
        byte[] ty = new byte[size];
        long[] ts = new long[size];
        for (int i = 0; i < size; i++) {
            int j = order[i];
            it[i] = items[j];
            ty[i] = types[j];
            ts[i] = timestamps[j];
            wa[i] = watchMs[j];
            du[i] = durations[j];
        }
        System.arraycopy(it, 0, items, 0, size);
        System.arraycopy(ty, 0, types, 0, size);
        System.arraycopy(ts, 0, timestamps, 0, size);
        System.arraycopy(wa, 0, watchMs, 0, size);
        System.arraycopy(du, 0, durationMs, 0, size);
    }

    private void mergeSort(int[] a, int[] tmp, int from, int to) {
        if (to - from < 2) return;
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, from, mid);
        mergeSort(a, tmp, mid, to);
        if (timestamps[a[mid - 1]] <= timestamps[a[mid]]) return;
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from, j = mid, k = from;
        while (i < mid && j < to) a[k++] = timestamps[tmp[j]] < timestamps[tmp[i]] ? tmp[j++] : tmp[i++];
        while (i < mid) a[k++] = tmp[i++];
        while (j < to) a[k++] = tmp[j++];
    }

    /** Keeps only the last {@code n} actions. */
    public void keepLast(int n) {
        if (n >= size) return;
        int from = size - n;
        relativeDurations = Math.max(0, relativeDurations - from);
        System.arraycopy(items, from, items, 0, n);
        System.arraycopy(types, from, types, 0, n);
        System.arraycopy(timestamps, from, timestamps, 0, n);
        System.arraycopy(watchMs, from, watchMs, 0, n);
        System.arraycopy(durationMs, from, durationMs, 0, n);
        size = n;
    }

    public int item(int i) { return items[i]; }
    public byte type(int i) { return types[i]; }
    public long timestamp(int i) { return timestamps[i]; }
    public int watchMs(int i) { return watchMs[i]; }
    public int durationMs(int i) {
        return i < relativeDurations ? durationMs[i] + durationBase[items[i]] : durationMs[i];
    }

    /** The backing arrays, valid for indices below {@link #size()}; for hot loops and decoders. */
    public int[] itemArray() { return items; }
    public byte[] typeArray() { return types; }
    public long[] timestampArray() { return timestamps; }
    public int[] watchArray() { return watchMs; }
    /** The duration column as stored, possibly with a relative prefix; for decoders that fill it. */
    public int[] rawDurationArray() {
        return durationMs;
    }

    /** The duration column, resolved to absolute durations first if a prefix was relative. */
    public int[] durationArray() {
        if (relativeDurations > 0) resolveDurations();
        return durationMs;
    }
}
