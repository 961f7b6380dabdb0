package dev.actrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.actrec.core.dataset.SequenceDataset;

/**
 * Full-ranking leave-one-out evaluation (DESIGN.md): every user with a target for the split is scored against the
 * whole catalogue, once with the user's earlier items masked and once without; see {@link RankingMetrics} for the
 * rank and tie conventions. The model sees the last maxLen items before the target; masking uses the whole history.
 */
public final class Evaluator {

    /** Metrics with and without masking of the user's earlier items. */
    public record Result(RankingMetrics masked, RankingMetrics unmasked) {
        public RankingMetrics get(boolean maskSeen) { return maskSeen ? masked : unmasked; }
    }

    private Evaluator() {}

    public static Result evaluate(SequenceModel model, SequenceDataset data, LeaveOneOut.Split split,
                                  TrainConfig config) {
        int numItems = data.numItems();
        int maxLen = config.maxLen();
        RankingMetrics masked = new RankingMetrics();
        RankingMetrics unmasked = new RankingMetrics();
        boolean[] scratch = new boolean[numItems + 1];
        int[] values = data.values();
        int users = data.users();
        int[] batch = new int[config.evalBatch()];
        NDManager base = model.parameters().manager();
        int u = 0;
        while (u < users) {
            int b = 0;
            int len = 1;
            while (u < users && b < batch.length) {
                int h = LeaveOneOut.historyLength(data, u, split);
                if (h > 0) {
                    batch[b++] = u;
                    len = Math.max(len, Math.min(h, maxLen));
                }
                u++;
            }
            if (b == 0) break;
            long[] ids = new long[b * len];
            for (int r = 0; r < b; r++) {
                int user = batch[r];
                int h = LeaveOneOut.historyLength(data, user, split);
                int take = Math.min(h, len);
                int src = data.start(user) + h - take;
                for (int t = 0; t < take; t++) ids[r * len + (len - take) + t] = values[src + t];
            }
            float[] scores;
            try (NDManager step = base.newSubManager()) {
                model.parameters().attachTo(step);
                NDArray table = model.itemTable();
                NDArray h = model.encode(step.create(ids, new Shape(b, len)), false, table);
                NDArray last = h.get(new NDIndex(":, " + (len - 1) + ", :"));          // (b, d)
                if (config.similarity().equals("cosine")) {
                    last = Layers.l2Normalize(last);
                    table = Layers.l2Normalize(table);
                }
                scores = last.matMul(table.transpose()).toFloatArray();                 // (b, numItems + 1)
            }
            int stride = numItems + 1;
            for (int r = 0; r < b; r++) {
                int user = batch[r];
                int h = LeaveOneOut.historyLength(data, user, split);
                int start = data.start(user);
                int target = values[start + h];
                unmasked.add(RankingMetrics.rank(scores, r * stride, numItems, target, null, 0, 0, scratch));
                masked.add(RankingMetrics.rank(scores, r * stride, numItems, target, values, start, start + h, scratch));
            }
        }
        return new Result(masked, unmasked);
    }
}
