package dev.actrec.store.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;

/**
 * Maps external ids (non-negative longs or strings) to dense internal ids 0, 1, 2… in order of first appearance,
 * and back. The item dictionary also keeps each item's registered duration (the duration of its first event), which
 * the chunk format stores durations against.
 *
 * <p>Entry encoding, shared by the write-ahead log and the dictionary files:
 * {@code varint (value << 1), or varint (length << 1 | 1) + UTF-8 bytes | [items: varint duration ms]}: the low
 * bit tells a numeric id (value < 2^63, so the shift loses nothing) from a string id.
 *
 * <p>Not thread-safe: the store mutates it from its commit thread and guards reads with its lock.
 */
public final class IdDictionary {
    private final boolean withDuration;
    private final LongIntHashMap numeric = new LongIntHashMap(1 << 12);
    private final HashMap<String, Integer> named = new HashMap<>();
    private long[] numericKey = new long[1024];
    private String[] stringKey = new String[1024];
    private int[] duration;
    private int size;

    public IdDictionary(boolean withDuration) {
        this.withDuration = withDuration;
        this.duration = withDuration ? new int[1024] : new int[0];
    }

    public int size() { return size; }

    public int find(long key) { return numeric.get(key); }

    public int find(String key) {
        Integer id = named.get(key);
        return id == null ? -1 : id;
    }

    /** Finds or assigns the id of a key given as (numeric, name-or-null). */
    public int findOrAdd(long key, String name, int durationMs) {
        int id = name == null ? numeric.get(key) : find(name);
        return id >= 0 ? id : add(key, name, durationMs);
    }

    /** Adds a key that is not present; returns its id. */
    public int add(long key, String name, int durationMs) {
        int id = size;
        if (id == numericKey.length) {
            int c = id * 2;
            numericKey = Arrays.copyOf(numericKey, c);
            stringKey = Arrays.copyOf(stringKey, c);
            if (withDuration) duration = Arrays.copyOf(duration, c);
        }
        if (name == null) {
            numeric.put(key, id);
            numericKey[id] = key;
        } else {
            named.put(name, id);
            stringKey[id] = name;
        }
        if (withDuration) duration[id] = durationMs;
        size++;
        return id;
    }

    public boolean isNumeric(int id) { return stringKey[id] == null; }
    public long numericKey(int id) { return numericKey[id]; }
    public String stringKey(int id) { return stringKey[id]; }

    public String text(int id) {
        return stringKey[id] != null ? stringKey[id] : Long.toString(numericKey[id]);
    }

    /** Registered durations indexed by item id; the array may be longer than {@link #size()}. */
    public int[] registeredDurations() { return duration; }

    public void writeEntry(int id, ByteSink out) {
        if (stringKey[id] == null) {
            out.varint(numericKey[id] << 1);
        } else {
            byte[] b = stringKey[id].getBytes(StandardCharsets.UTF_8);
            out.varint((long) b.length << 1 | 1);
            out.bytes(b, 0, b.length);
        }
        if (withDuration) out.varint(duration[id]);
    }

    /** Reads one entry and adds it; returns the id it got. Throws IllegalStateException on malformed bytes. */
    public int readEntry(ByteSource in) {
        long head = in.varint();
        long key = -1;
        String name = null;
        if ((head & 1) == 0) {
            key = head >>> 1;
            if (numeric.get(key) >= 0) throw new IllegalStateException("id " + key + " defined twice");
        } else {
            long len = head >>> 1;
            if (len > 4096) throw new IllegalStateException("string id of length " + len);
            byte[] b = new byte[(int) len];
            for (int i = 0; i < len; i++) b[i] = (byte) in.u8();
            name = new String(b, StandardCharsets.UTF_8);
            if (named.containsKey(name)) throw new IllegalStateException("id '" + name + "' defined twice");
        }
        long d = withDuration ? in.varint() : 0;
        if (d < 0 || d > Integer.MAX_VALUE) throw new IllegalStateException("bad registered duration " + d);
        return add(key, name, (int) d);
    }
}
