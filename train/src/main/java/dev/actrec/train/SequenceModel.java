package dev.actrec.train;

import ai.djl.ndarray.NDArray;

/**
 * A next-item model: encodes a batch of left-padded item-id windows into one hidden vector per position, and scores
 * a hidden vector against items by a similarity with the rows of {@link #itemTable()}.
 */
public interface SequenceModel {

    /** The trainable tensors. */
    Parameters parameters();

    /** Hidden width d. */
    int dim();

    /**
     * @param ids      (B, L) int64 item ids, left-padded with 0; the last column is the newest item
     * @param training whether dropout is active
     * @return (B, L) hidden vectors (B, L, d); position i has seen items up to i only (causal)
     */
    default NDArray encode(NDArray ids, boolean training) {
        return encode(ids, training, itemTable());
    }

    /** As {@link #encode(NDArray, boolean)}, with the item table of this step computed once by the caller. */
    NDArray encode(NDArray ids, boolean training, NDArray table);

    /** Output item representations (numItems + 1, d); row 0 is padding. Also the input embedding (shared). */
    NDArray itemTable();

    /** Creates the model named in the config. */
    static SequenceModel create(TrainConfig config, int numItems, ItemAttributes attributes, Parameters params) {
        return switch (config.model()) {
            case "sasrec" -> new SasRecModel(config, numItems, params);
            case "act" -> new ActModel(config, numItems, attributes, params);
            default -> throw new IllegalArgumentException("unknown model " + config.model());
        };
    }
}
