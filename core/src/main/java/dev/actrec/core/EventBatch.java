package dev.actrec.core;

import java.util.Arrays;

/**
 * A batch of parsed action events with <em>external</em> ids, as parallel primitive columns (no object per event).
 *
 * <p>An external id is either a non-negative 64-bit number ({@code userNames[i] == null}, value in {@code userIds[i]})
 * or a string ({@code userNames[i] != null}; {@code userIds[i]} is then unused). The same holds for items. A token made
 * only of ASCII digits that fits in a signed 64-bit long is a numeric id, so {@code "007"} and {@code 7} name the same
 * id; anything else is a string id.
 *
 * <p>Optional fields are 0 when absent: {@code watchMs}, {@code durationMs}. {@code sourceLine} keeps the input line
 * of each event (1-based; 0 when the event did not come from a file) so that later checks can name it.
 *
 * <p>Not thread-safe; a reader fills one batch, a consumer drains it, then {@link #clear()} reuses the arrays.
 */
public final class EventBatch {
    private int size;
    private long[] userIds;
    private String[] userNames;
    private long[] itemIds;
    private String[] itemNames;
    private byte[] types;
    private long[] timestamps;
    private int[] watchMs;
    private int[] durationMs;
    private long[] sourceLine;

    public EventBatch() {
        this(1024);
    }

    public EventBatch(int initialCapacity) {
        int c = Math.max(1, initialCapacity);
        userIds = new long[c];
        userNames = new String[c];
        itemIds = new long[c];
        itemNames = new String[c];
        types = new byte[c];
        timestamps = new long[c];
        watchMs = new int[c];
        durationMs = new int[c];
        sourceLine = new long[c];
    }

    /**
     * Appends one event. {@code userName}/{@code itemName} null means the numeric id is used.
     * Callers validate; this only asserts.
     */
    public void add(long userId, String userName, long itemId, String itemName, byte type, long tsMs,
                    int watch, int duration, long line) {
        assert userName != null || userId >= 0 : "negative user id " + userId;
        assert itemName != null || itemId >= 0 : "negative item id " + itemId;
        assert type >= 0 && type < ActionType.COUNT : "bad type " + type;
        assert tsMs >= 0 && watch >= 0 && duration >= 0;
        if (size == types.length) {
            grow();
        }
        int i = size++;
        userIds[i] = userId;
        userNames[i] = userName;
        itemIds[i] = itemId;
        itemNames[i] = itemName;
        types[i] = type;
        timestamps[i] = tsMs;
        watchMs[i] = watch;
        durationMs[i] = duration;
        sourceLine[i] = line;
    }

    /** Convenience for numeric ids. */
    public void add(long userId, long itemId, ActionType type, long tsMs, int watch, int duration) {
        add(userId, null, itemId, null, type.code(), tsMs, watch, duration, 0);
    }

    private void grow() {
        int c = types.length * 2;
        userIds = Arrays.copyOf(userIds, c);
        userNames = Arrays.copyOf(userNames, c);
        itemIds = Arrays.copyOf(itemIds, c);
        itemNames = Arrays.copyOf(itemNames, c);
        types = Arrays.copyOf(types, c);
        timestamps = Arrays.copyOf(timestamps, c);
        watchMs = Arrays.copyOf(watchMs, c);
        durationMs = Arrays.copyOf(durationMs, c);
        sourceLine = Arrays.copyOf(sourceLine, c);
    }

    public void clear() {
        // Drop string references so a reused batch does not pin old strings.
        Arrays.fill(userNames, 0, size, null);
        Arrays.fill(itemNames, 0, size, null);
        size = 0;
    }

    public int size() { return size; }
    public boolean isEmpty() { return size == 0; }
    public long userId(int i) { return userIds[i]; }
    public String userName(int i) { return userNames[i]; }
    public long itemId(int i) { return itemIds[i]; }
    public String itemName(int i) { return itemNames[i]; }
    public byte type(int i) { return types[i]; }
    public long timestamp(int i) { return timestamps[i]; }
    public int watchMs(int i) { return watchMs[i]; }
    public int durationMs(int i) { return durationMs[i]; }
    public long sourceLine(int i) { return sourceLine[i]; }

    /** The external user id as text, for messages and output. */
    public String userText(int i) {
        return userNames[i] != null ? userNames[i] : Long.toString(userIds[i]);
    }

    /** The external item id as text, for messages and output. */
    public String itemText(int i) {
        return itemNames[i] != null ? itemNames[i] : Long.toString(itemIds[i]);
    }
}
