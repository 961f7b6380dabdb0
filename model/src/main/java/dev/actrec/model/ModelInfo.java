package dev.actrec.model;

import java.util.Map;

/**
 * The facts of a model file: its kind ({@code sasrec} or {@code act}), a version label (what {@code /metrics} and
 * every response report), sizes, the sha256 of the file it was read from, and the training run's facts
 * ({@code dataset_sha256}, {@code seed}, {@code best_epoch}, ...).
 *
 * <p>Item keys: model index {@code i} stands for the store item whose external id is the decimal text of
 * {@code i}, the convention of the benchmark data sets ({@code user item item ...} with items numbered from 1).
 */
public record ModelInfo(String kind, String version, int dim, int heads, int layers, int maxLen, int numItems,
                        String fileSha256, Map<String, String> facts) {

    public ModelInfo {
        facts = Map.copyOf(facts);
    }

    /** The store's external item id for model index {@code index} (1..numItems). */
    public String itemKey(int index) {
        return Integer.toString(index);
    }

    /** The model index for a store item id, or 0 when the model does not know the item. */
    public int indexOf(String itemKey) {
        int n = itemKey.length();
        if (n == 0 || n > 10) return 0;
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = itemKey.charAt(i);
            if (c < '0' || c > '9' || (i == 0 && c == '0')) return 0;
            v = v * 10 + (c - '0');
        }
        return v >= 1 && v <= numItems ? (int) v : 0;
    }
}
