package dev.actrec.model;

/**
 * A trained next-item model ready to serve: it turns a user's recent items into one query vector, and an item's
 * score is the dot product of that vector with the item's row of {@link #itemTable()}. Whatever the model needs at
 * the end of its forward pass (a final normalisation for cosine scoring, a temperature) is applied inside
 * {@link #encode}, so retrieval and ranking are plain inner products for every model kind.
 *
 * <p>Items are the model's own indexes {@code 1..numItems()}; 0 is padding and never a real item. How an index maps
 * to the store's item keys is {@link ModelInfo#itemKey(int)}.
 *
 * <p>Thread-safe and immutable once loaded: any number of threads may call {@link #encode} at once (scratch space is
 * per thread), which is what lets the server swap one instance for another with a single reference write.
 */
public interface ServingModel {

    /** What the model is: kind, version, sizes and the facts of its training run. */
    ModelInfo info();

    /** Width d of the query vector and of every item row. */
    default int dim() {
        return info().dim();
    }

    /** Number of real items; valid indexes are {@code 1..numItems()}. */
    default int numItems() {
        return info().numItems();
    }

    /** Longest window the model attends over; longer histories are cut to their newest {@code maxLen()} items. */
    default int maxLen() {
        return info().maxLen();
    }

    /**
     * The output item table, row-major {@code (numItems() + 1) x dim()}; row 0 (padding) is all zeros. Shared, not
     * copied: callers must not write to it.
     */
    float[] itemTable();

    /**
     * Encodes the newest {@code min(len, maxLen())} entries of {@code history[0..len)} (model item indexes, oldest
     * first; entries of 0 are skipped as unknown items) into {@code out[0..dim())}. With no usable item the query is
     * the model's encoding of an empty history. Allocates nothing on the steady path.
     *
     * @throws IllegalArgumentException if an index is negative or above {@link #numItems()}, or {@code out} is short
     */
    void encode(int[] history, int len, float[] out);
}
