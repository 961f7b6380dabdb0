package dev.actrec.model;

/**
 * The sizes and scoring rule of a serving model: everything needed, besides the weights, to run its forward pass.
 *
 * @param kind        {@code sasrec} or {@code act}
 * @param dim         width d of embeddings, hidden vectors and the query
 * @param heads       attention heads h; d is a multiple of h
 * @param layers      Transformer blocks
 * @param maxLen      window: the newest maxLen items of a history feed the model
 * @param numItems    real items, indexes 1..numItems (0 is padding)
 * @param similarity  {@code cosine} (query and item rows L2-normalised) or {@code dot}
 * @param temperature training logits are {@code similarity / temperature}; the query carries the 1/temperature
 */
public record ForwardConfig(String kind, int dim, int heads, int layers, int maxLen, int numItems, String similarity,
                            double temperature) {
    /** Upper bounds that keep every tensor inside one Java array. */
    public static final int MAX_DIM = 4096;
    public static final int MAX_LAYERS = 64;
    public static final int MAX_LEN = 1 << 16;

    public ForwardConfig {
        require(kind.equals("sasrec") || kind.equals("act"), "kind", kind, "sasrec or act");
        require(dim > 0 && dim <= MAX_DIM, "dim", dim, "in [1, " + MAX_DIM + "]");
        require(heads > 0 && dim % heads == 0, "heads", heads, "> 0 and a divisor of dim=" + dim);
        require(layers > 0 && layers <= MAX_LAYERS, "layers", layers, "in [1, " + MAX_LAYERS + "]");
        require(maxLen > 0 && maxLen <= MAX_LEN, "max_len", maxLen, "in [1, " + MAX_LEN + "]");
        require(numItems > 0 && (numItems + 1L) * dim <= Integer.MAX_VALUE - 8, "num_items", numItems,
                "> 0 with (num_items + 1) * dim < 2^31");
        require(similarity.equals("cosine") || similarity.equals("dot"), "similarity", similarity, "cosine or dot");
        require(temperature > 0 && Double.isFinite(temperature), "temperature", temperature, "finite and > 0");
    }

    private static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) throw new IllegalArgumentException("'" + key + "' = " + value + ": must be " + rule);
    }

    /** Width of one head, d / h. */
    public int headDim() {
        return dim / heads;
    }

    public boolean cosine() {
        return similarity.equals("cosine");
    }
}
