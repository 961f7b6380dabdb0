package dev.actrec.model.retrieval;

import java.util.Arrays;
import java.util.Objects;

/**
 * A reusable {@link ItemFilter} over a set of item indexes, kept sorted and looked up by binary search. {@link #reset}
 * copies the caller's items into an internal array that grows only when a larger set arrives, so refilling the filter
 * for each request allocates nothing on the steady path.
 *
 * <p>Not thread-safe: keep one per thread (or per request), and do not reset it while a search is using it.
 */
public final class SortedItemFilter implements ItemFilter {

    private int[] items;
    private int size;

    /** An empty filter with room for {@code initialCapacity} items before it has to grow. */
    public SortedItemFilter(int initialCapacity) {
        if (initialCapacity < 0) {
            throw new IllegalArgumentException("initialCapacity must be >= 0, got " + initialCapacity);
        }
        items = new int[initialCapacity];
    }

    /**
     * Replaces the filter's content by {@code source[0..len)}; duplicates and zeros (padding) are harmless.
     *
     * @return this filter, to pass straight to a search
     */
    public SortedItemFilter reset(int[] source, int len) {
        Objects.requireNonNull(source, "source");
        if (len < 0 || len > source.length) {
            throw new IllegalArgumentException("len=" + len + " is outside [0, source.length=" + source.length + "]");
        }
        if (items.length < len) {
            items = new int[Math.max(len, items.length * 2)];
        }
        System.arraycopy(source, 0, items, 0, len);
        Arrays.sort(items, 0, len);
        size = len;
        return this;
    }

    /** Number of entries (duplicates counted). */
    public int size() {
        return size;
    }

    @Override
    public boolean excluded(int item) {
        return Arrays.binarySearch(items, 0, size, item) >= 0;
    }

    @Override
    public int sizeHint() {
        return size;
    }
}
