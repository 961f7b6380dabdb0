package dev.actrec.bench;

import java.util.Arrays;

/**
 * The positions of one history where only what lies beyond the recent window can explain the action: the slices
 * on which a lifelong method has to earn its keep. Defined from the data alone, so any method (and any data set)
 * can be cut the same way:
 * <ul>
 *   <li><b>distant re-consumption</b>: the item was consumed before, but not among the {@code window} actions just
 *   before the position;</li>
 *   <li><b>returning category</b>: the item's category occurred before, but not among those {@code window} actions
 *   (a dormant interest coming back, with an old item or a new one).</li>
 * </ul>
 * {@link #select} keeps the last {@code perUser} positions of a range that belong to either slice, so the
 * position sets are small, recent (the memory is fully grown) and their costs bounded per user.
 *
 * @param positions     chosen positions, increasing
 * @param reconsumption whether each is a distant re-consumption
 * @param categoryReturn whether each is a returning category
 */
public record DistantPositions(int[] positions, boolean[] reconsumption, boolean[] categoryReturn) {
    /**
     * @param items      the user's item indices in time order
     * @param categoryOf category of each item index
     * @param window     actions that count as recent
     * @param from       first position considered (inclusive)
     * @param to         end of the range (exclusive)
     * @param perUser    how many positions to keep at most (the latest)
     */
    public static DistantPositions select(int[] items, int[] categoryOf, int categories, int window, int from, int to,
                                          int perUser) {
        if (from < 0 || to > items.length || from > to) {
            throw new IllegalArgumentException("range [" + from + ", " + to + ") outside the history of " + items.length);
        }
        if (window <= 0 || perUser < 0) throw new IllegalArgumentException("window must be positive and perUser non-negative");
        int[] lastItem = new int[categoryOf.length], lastCategory = new int[categories];
        Arrays.fill(lastItem, -1);
        Arrays.fill(lastCategory, -1);
        boolean[] re = new boolean[to], cat = new boolean[to];
        for (int p = 0; p < to; p++) {
            int item = items[p], c = categoryOf[item];
            re[p] = lastItem[item] >= 0 && p - lastItem[item] > window;
            cat[p] = lastCategory[c] >= 0 && p - lastCategory[c] > window;
            lastItem[item] = p;
            lastCategory[c] = p;
        }
        int kept = 0, start = to;
        while (start > from && kept < perUser) {
            start--;
            if (re[start] || cat[start]) kept++;
        }
        int[] positions = new int[kept];
        boolean[] reOut = new boolean[kept], catOut = new boolean[kept];
        int at = 0;
        for (int p = start; p < to && at < kept; p++) {
            if (!re[p] && !cat[p]) continue;
            positions[at] = p;
            reOut[at] = re[p];
            catOut[at++] = cat[p];
        }
        return new DistantPositions(positions, reOut, catOut);
    }
}
