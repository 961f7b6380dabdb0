package dev.actrec.model.retrieval;

import dev.actrec.simd.VectorKernels;

/**
 * Exact retrieval: scores every row of the item table with {@link VectorKernels#dotMany} and selects the best with
 * {@link VectorKernels#topK}. Costs {@code numItems x dim} multiply-adds and one pass over the table per query, so it
 * suits catalogs up to a few hundred thousand items (see {@link RetrievalConfig#exactMaxItems()}); it is also the
 * oracle approximate indexes are measured against.
 *
 * <p>Exclusions are applied after selection: top-k is asked for {@code k + 1 + exclude.sizeHint()} candidates (the
 * extra one for the padding row), the excluded ones are dropped, and the selection is doubled until k survive or
 * every item has been considered. The answer is therefore exact whatever the hint says.
 *
 * <p>Thread-safe. Each thread keeps its own scratch (a score per row, {@code 4 x (numItems + 1)} bytes, plus the
 * candidate buffers), allocated on its first search and grown only when a search needs more candidates than any
 * before it; the steady path allocates nothing.
 */
public final class ExactScanIndex implements ItemIndex {
    /** Exclusion estimates above this mask the excluded rows instead of selecting extra candidates. */
    static final int MASK_ABOVE = 256;

    private final ItemTable table;
    private final ThreadLocal<Scratch> scratch;

    /**
     * @param table row-major {@code (numItems + 1) x dim}, row 0 the padding row; kept by reference, not copied
     * @throws IllegalArgumentException if the table is shorter than {@code (numItems + 1) x dim}, or a size is bad
     */
    public ExactScanIndex(float[] table, int numItems, int dim) {
        this.table = new ItemTable(table, numItems, dim);
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(numItems + 1));
    }

    /** Per-thread buffers; {@code scores[i]} is row i's score, so index 0 is the padding row. */
    private static final class Scratch {
        final float[] scores;
        int[] candidateItems = new int[64];
        float[] candidateScores = new float[64];

        Scratch(int rows) {
            scores = new float[rows];
        }

        void ensureCandidates(int n) {
            if (candidateItems.length < n) {
                int grown = (int) Math.min(scores.length, Math.max(n, 2L * candidateItems.length));
                candidateItems = new int[grown];
                candidateScores = new float[grown];
            }
        }
    }

    @Override
    public int search(float[] query, int k, ItemFilter exclude, int[] outItems, float[] outScores) {
        table.checkSearch(query, k, exclude, outItems, outScores);
        int numItems = table.numItems();
        if (numItems == 0) {
            return 0;
        }
        Scratch s = scratch.get();
        int rows = numItems + 1;
        // One call over all rows, padding included: dotMany has no row offset, and row 0 costs one row of work.
        VectorKernels.dotMany(table.rows(), rows, table.dim(), query, s.scores);

        int hint = Math.max(0, exclude.sizeHint());
        if (hint > MASK_ABOVE) {
            return searchMasked(s, rows, k, exclude, outItems, outScores);
        }
        // Candidates: k wanted + the padding row + the filter's own estimate of what it will drop.
        long want = Math.min(rows, (long) k + 1 + hint);
        while (true) {
            int wanted = (int) want;
            s.ensureCandidates(wanted);
            int got = VectorKernels.topK(s.scores, rows, wanted, s.candidateItems, s.candidateScores);
            int count = 0;
            for (int i = 0; i < got && count < k; i++) {
                int item = s.candidateItems[i];
                if (item == 0 || exclude.excluded(item)) {
                    continue;
                }
                outItems[count] = item;
                outScores[count] = s.candidateScores[i];
                count++;
            }
            if (count == k || wanted == rows) {
                return count;
            }
            // Exclusions took more than the estimate: widen the selection. The scores are still in scratch.
            want = Math.min(rows, 2 * want);
        }
    }

    /**
     * Many exclusions (a long history's seen items): one pass marks every excluded row, then a top-k of exactly k.
     * Selecting k + thousands of candidates instead costs a heap of that size, which measured several times the
     * scan itself.
     */
    private static int searchMasked(Scratch s, int rows, int k, ItemFilter exclude, int[] outItems,
                                    float[] outScores) {
        s.scores[0] = Float.NEGATIVE_INFINITY;
        for (int item = 1; item < rows; item++) {
            if (exclude.excluded(item)) {
                s.scores[item] = Float.NEGATIVE_INFINITY;
            }
        }
        s.ensureCandidates(k);
        int got = VectorKernels.topK(s.scores, rows, k, s.candidateItems, s.candidateScores);
        int count = 0;
        for (int i = 0; i < got; i++) {
            if (s.candidateScores[i] == Float.NEGATIVE_INFINITY) {
                break; // only excluded rows are left
            }
            outItems[count] = s.candidateItems[i];
            outScores[count] = s.candidateScores[i];
            count++;
        }
        return count;
    }

    @Override
    public String kind() {
        return "exact";
    }

    @Override
    public int size() {
        return table.numItems();
    }

    @Override
    public int dim() {
        return table.dim();
    }

    @Override
    public String toString() {
        return "ExactScanIndex[items=" + table.numItems() + ", dim=" + table.dim() + "]";
    }
}
