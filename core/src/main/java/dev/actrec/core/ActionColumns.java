package dev.actrec.core;

import java.util.Arrays;

/**
 * One user's actions as parallel primitive columns with dense internal item ids, oldest first: what store reads
 * return and what models consume. Reused across reads: {@link #clear()} keeps the arrays, and they grow only when a
 * longer history arrives, so a warm read allocates nothing.
 */
public final class ActionColumns {
    private int size;
    private int[] items;
    private byte[] types;
    private long[] timestamps;
    private int[] watchMs;
    private int[] durationMs;

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

    public void clear() { size = 0; }
    public int size() { return size; }

    /** Sets the size after bulk writes into the arrays (which must hold {@code n} actions). */
    public void setSize(int n) {
        assert n >= 0 && n <= items.length;
        size = n;
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
        System.arraycopy(src.durationMs, from, durationMs, size, n);
        size += n;
    }

    /** Inserts one action at index {@code at}, shifting later ones (late events inside the unsealed window). */
    public void insert(int at, int item, byte type, long ts, int watch, int duration) {
        assert at >= 0 && at <= size;
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

    /** Keeps only the last {@code n} actions. */
    public void keepLast(int n) {
        if (n >= size) return;
        int from = size - n;
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
    public int durationMs(int i) { return durationMs[i]; }

    /** The backing arrays, valid for indices below {@link #size()}; for hot loops and decoders. */
    public int[] itemArray() { return items; }
    public byte[] typeArray() { return types; }
    public long[] timestampArray() { return timestamps; }
    public int[] watchArray() { return watchMs; }
    public int[] durationArray() { return durationMs; }
}
