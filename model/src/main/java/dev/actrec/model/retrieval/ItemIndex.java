package dev.actrec.model.retrieval;

/**
 * Finds the items whose rows have the highest inner product with a query vector: the retrieval step of serving,
 * where the query comes from {@link dev.actrec.model.ServingModel#encode} and the rows are its item table.
 *
 * <p>Items are model indexes {@code 1..size()}; 0 (the padding row) is never returned. Results are written best
 * first, and every returned score is the item's dot product with the query as the SIMD kernels compute it, whatever
 * the index used to find the item. Exact indexes break ties by the lower item index.
 *
 * <p>Thread-safe: any number of threads may search at once. The index keeps a reference to the item table and
 * assumes nobody writes to it.
 */
public interface ItemIndex {

    /**
     * Writes up to {@code k} best items not excluded by {@code exclude} into {@code outItems} and their scores into
     * {@code outScores}, best first, and returns how many it wrote: always {@code min(k, number of items not
     * excluded)}, for approximate indexes too (which may return other items than the exact top-k, never fewer).
     *
     * @param query {@code dim} floats
     * @param k how many items to return, at least 1
     * @param exclude items to leave out; {@link ItemFilter#NONE} for none
     * @param outItems at least {@code min(k, size())} long
     * @param outScores at least {@code min(k, size())} long
     * @throws IllegalArgumentException if {@code k < 1}, the query length is not the index's dimension, or an output
     *     array is too short
     */
    int search(float[] query, int k, ItemFilter exclude, int[] outItems, float[] outScores);

    /** {@code "exact"} or {@code "hnsw"}: what kind of index this is, for logs and metrics. */
    String kind();

    /** Number of items indexed; valid results are {@code 1..size()}. */
    int size();

    /** Width of the query vector and of every item row. */
    int dim();
}
