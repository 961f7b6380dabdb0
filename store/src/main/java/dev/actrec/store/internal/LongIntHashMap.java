package dev.actrec.store.internal;

import java.util.Arrays;

/** Open-addressing map from non-negative long keys to int values, no boxing; -1 marks an empty slot. */
public final class LongIntHashMap {
    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    public LongIntHashMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
        keys = new long[cap];
        values = new int[cap];
        Arrays.fill(keys, -1);
        mask = cap - 1;
    }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** The value for {@code key}, or -1. */
    public int get(long key) {
        int i = hash(key) & mask;
        while (true) {
            long k = keys[i];
            if (k == key) return values[i];
            if (k == -1) return -1;
            i = (i + 1) & mask;
        }
    }

    public void put(long key, int value) {
        assert key >= 0;
        if (size * 2 >= keys.length) rehash();
        int i = hash(key) & mask;
        while (keys[i] != -1 && keys[i] != key) i = (i + 1) & mask;
        if (keys[i] == -1) size++;
        keys[i] = key;
        values[i] = value;
    }

    private void rehash() {
        long[] oldK = keys;
        int[] oldV = values;
        keys = new long[oldK.length * 2];
        values = new int[oldK.length * 2];
        Arrays.fill(keys, -1);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < oldK.length; i++) {
            if (oldK[i] != -1) put(oldK[i], oldV[i]);
        }
    }

    public int size() { return size; }
}
