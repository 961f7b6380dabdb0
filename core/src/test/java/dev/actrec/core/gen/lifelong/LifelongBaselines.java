package dev.actrec.core.gen.lifelong;

import dev.actrec.core.gen.ItemCatalog;

/**
 * Two reference predictors for tests, computed from a user's observed history only (item ranks in time order):
 * popularity over the training part of the data, and a last-N window estimator. Scores are over catalog ranks.
 */
final class LifelongBaselines {
    private LifelongBaselines() {
    }

    /**
     * Last-N window: p(i) = 0.1 * repeats of i in the window / n + 0.8 * share of i's category in the window *
     * popularity of i within its category + 0.1 * global popularity. Generous: it knows the catalog's true
     * within-category popularity; what it lacks is everything older than the window.
     */
    static void lastN(ItemCatalog catalog, int[] history, int end, int window, double[] out) {
        int from = Math.max(0, end - window);
        int n = end - from;
        for (int r = 0; r < out.length; r++) out[r] = 0.1 * catalog.globalProbability(r);
        if (n == 0) return;
        int[] catCount = new int[catalog.categories()];
        for (int i = from; i < end; i++) {
            out[history[i]] += 0.1 / n;
            catCount[catalog.category(history[i])]++;
        }
        for (int c = 0; c < catCount.length; c++) {
            if (catCount[c] == 0) continue;
            double coef = 0.8 * catCount[c] / n;
            for (int j = 0; j < catalog.categorySize(c); j++) {
                int r = catalog.categoryItem(c, j);
                out[r] += coef * catalog.probabilityInCategory(r);
            }
        }
    }
}
