package dev.actrec.model.retrieval;

/**
 * Items a search must not return, typically the ones the user has already seen. Implementations are asked about one
 * item at a time, possibly many times per search, so {@link #excluded} should be cheap and must not allocate.
 *
 * <p>A caller that filters on every request keeps one reusable filter per thread (a {@link SortedItemFilter}, or its
 * own implementation over a bit set) so that filtering allocates nothing.
 */
@FunctionalInterface
public interface ItemFilter {

    /** Excludes nothing. */
    ItemFilter NONE = new ItemFilter() {
        @Override
        public boolean excluded(int item) {
            return false;
        }

        @Override
        public String toString() {
            return "ItemFilter.NONE";
        }
    };

    /** Whether {@code item} (a model index, 1..numItems) must be left out of the results. */
    boolean excluded(int item);

    /**
     * About how many items this filter excludes; 0 when unknown. Only a hint: the exact scan selects
     * {@code k + sizeHint()} candidates first and widens the selection if exclusions leave fewer than k, so a wrong
     * hint costs time, never correctness.
     */
    default int sizeHint() {
        return 0;
    }
}
