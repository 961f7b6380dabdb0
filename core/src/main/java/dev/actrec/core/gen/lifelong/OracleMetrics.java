package dev.actrec.core.gen.lifelong;

/**
 * Oracle quality on held-out positions: next-item hit rate and NDCG at {@code topK} over the full catalog (no
 * masking of seen items: re-consumption is part of the task), and the AUC of the true probability of the
 * positive action types given the shown item.
 *
 * @param positions held-out positions evaluated (users x last K)
 * @param topK      cut-off of HR and NDCG
 * @param hitRate   fraction of positions whose true next item ranks in the top K by oracle probability
 * @param ndcg      mean of 1 / log2(rank + 2) over hits (0 for misses), rank 0-based
 * @param auc       AUC of P(type in positive | item, state) against the observed type
 * @param positiveRate fraction of held-out actions whose type is positive
 */
public record OracleMetrics(long positions, int topK, double hitRate, double ndcg, double auc, double positiveRate) {
}
