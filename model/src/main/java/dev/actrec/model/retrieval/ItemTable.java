package dev.actrec.model.retrieval;

import java.util.Objects;

/**
 * The item table an index searches, checked once: row-major {@code (numItems + 1) x dim} floats, row 0 the padding
 * row. Also holds the argument checks every {@link ItemIndex#search} shares, so their messages read the same.
 */
record ItemTable(float[] rows, int numItems, int dim) {

    ItemTable {
        Objects.requireNonNull(rows, "table");
        if (numItems < 0) {
            throw new IllegalArgumentException("numItems must be >= 0, got " + numItems);
        }
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        }
        long needed = ((long) numItems + 1) * dim;
        if (needed > rows.length) {
            throw new IllegalArgumentException("table.length=" + rows.length + " is less than (numItems + 1) x dim = ("
                + numItems + " + 1) x " + dim + " = " + needed);
        }
    }

    /** Index in {@link #rows} of the first float of {@code item}'s row. */
    int offset(int item) {
        assert item >= 0 && item <= numItems : "item=" + item + ", numItems=" + numItems;
        return item * dim;
    }

    /** Throws {@link IllegalArgumentException} naming the offending value if a search's arguments are unusable. */
    void checkSearch(float[] query, int k, ItemFilter exclude, int[] outItems, float[] outScores) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(exclude, "exclude (use ItemFilter.NONE for no exclusions)");
        Objects.requireNonNull(outItems, "outItems");
        Objects.requireNonNull(outScores, "outScores");
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (query.length != dim) {
            throw new IllegalArgumentException("query.length=" + query.length + " but the index has dim=" + dim);
        }
        int kept = Math.min(k, numItems);
        if (outItems.length < kept || outScores.length < kept) {
            throw new IllegalArgumentException("min(k, size)=" + kept + " results do not fit: outItems.length="
                + outItems.length + ", outScores.length=" + outScores.length);
        }
    }
}
