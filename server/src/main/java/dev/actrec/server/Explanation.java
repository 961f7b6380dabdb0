package dev.actrec.server;

import java.util.List;

/**
 * Why an item scores as it does for a user ({@code GET /v1/explain}).
 *
 * <p>{@code recent}: the user's actions in the model's window that are most like the item, by a target attention in
 * the memory's vector space (type weight × exp((v_c·v_j − 1)/τ), as a share of the window's total). It says which
 * recent actions speak for the item; it is not a decomposition of the transformer's output, which mixes its window
 * non-linearly. {@code memory}: the memory keys the item's readout attended over, each with its share of the memory
 * pool; they are exactly the terms of the score's memory part.
 *
 * @param score       the score rank gives the item
 * @param modelScore  the model's part, q · e_c
 * @param memoryTerm  the memory's part, or NaN when the user has no memory of older actions
 * @param memoryActions actions the user's memory has folded (0 without a memory)
 * @param memoryTokens  tokens in use
 */
record Explanation(float score, float modelScore, float memoryTerm, long memoryActions, int memoryTokens,
                   List<Recent> recent, List<MemoryKey> memory) {

    /** A recent action: store item id, action type code, time, similarity to the item, share of the window. */
    record Recent(int item, byte type, long ts, float similarity, double share) {
    }

    /**
     * A memory key: its token, the heavy hitter's store item id (-1 for the token's centroid), similarity to the item,
     * actions it stands for, the token's action count and newest action time, and its share of the memory pool.
     */
    record MemoryKey(int token, int item, float similarity, double actions, int tokenActions, long tokenLastSeen,
                     double share) {
    }
}
