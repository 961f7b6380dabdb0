package dev.actrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * SASRec (Kang and McAuley, ICDM 2018) as in the authors' code: item embeddings scaled by sqrt(d) plus learned
 * position embeddings; per block, {@code q = LN(x); x = q + MHA(q, x, x)} with a causal mask,
 * {@code x = LN(x); x = x + FFN(x)} (ReLU), padding positions zeroed after each block; a final layer norm. The output
 * layer is the input item embedding table (shared). Positions are counted from the newest item, which for a fixed
 * window of maxLen is the same as the original's left-padded absolute positions.
 */
final class SasRecModel implements SequenceModel {
    private final TrainConfig config;
    private final Parameters p;
    private final int d;
    private final int heads;

    SasRecModel(TrainConfig config, int numItems, Parameters params) {
        this.config = config;
        this.p = params;
        this.d = config.dim();
        this.heads = config.heads();
        p.xavier("item_emb", numItems + 1, d);
        p.xavier("pos_emb", config.maxLen(), d);
        for (int l = 0; l < config.layers(); l++) {
            String b = "block" + l + ".";
            p.constant(b + "ln_attn.g", 1f, d);
            p.constant(b + "ln_attn.b", 0f, d);
            for (String m : new String[] {"wq", "wk", "wv", "wo"}) {
                p.xavier(b + m, d, d);
                p.constant(b + m + ".b", 0f, d);
            }
            p.constant(b + "ln_ffn.g", 1f, d);
            p.constant(b + "ln_ffn.b", 0f, d);
            p.xavier(b + "ffn1", d, d);
            p.constant(b + "ffn1.b", 0f, d);
            p.xavier(b + "ffn2", d, d);
            p.constant(b + "ffn2.b", 0f, d);
        }
        p.constant("ln_out.g", 1f, d);
        p.constant("ln_out.b", 0f, d);
    }

    @Override public Parameters parameters() { return p; }

    @Override public int dim() { return d; }

    @Override public NDArray itemTable() { return p.get("item_emb"); }

    @Override
    public NDArray encode(NDArray ids, boolean training, NDArray table) {
        NDManager m = ids.getManager();
        long bsz = ids.getShape().get(0);
        int len = (int) ids.getShape().get(1);
        NDArray mask = Layers.validMask(ids).expandDims(2);                          // (B, L, 1)
        NDArray pos = Layers.lookup(p.get("pos_emb"), Layers.reversePositions(m, len)); // (L, d)
        NDArray x = Layers.lookup(table, ids).mul(Layers.scalar(m, (float) Math.sqrt(d))).add(pos);
        x = Layers.dropout(x, config.dropout(), training).mul(mask);                 // (B, L, d)
        // Additive attention mask (B, 1, L, L): 0 where query i may see key j (j <= i, j real), -1e9 elsewhere.
        NDArray allowed = Layers.causal(m, len).expandDims(0)
                .mul(Layers.validMask(ids).reshape(bsz, 1, len)).expandDims(1);
        NDArray bias = allowed.sub(Layers.scalar(m, 1f)).mul(Layers.scalar(m, 1e9f));
        int dh = d / heads;
        NDArray sqrtDh = Layers.scalar(m, (float) Math.sqrt(dh));
        NDArray zero = Layers.scalar(m, 0f);
        for (int l = 0; l < config.layers(); l++) {
            String b = "block" + l + ".";
            NDArray q = Layers.layerNorm(x, p.get(b + "ln_attn.g"), p.get(b + "ln_attn.b"));
            NDArray qh = split(Layers.linear(q, p.get(b + "wq"), p.get(b + "wq.b")), bsz, len, dh); // (B, h, L, dh)
            NDArray kh = split(Layers.linear(x, p.get(b + "wk"), p.get(b + "wk.b")), bsz, len, dh);
            NDArray vh = split(Layers.linear(x, p.get(b + "wv"), p.get(b + "wv.b")), bsz, len, dh);
            NDArray scores = qh.matMul(kh.transpose(0, 1, 3, 2)).div(sqrtDh).add(bias);
            NDArray attn = Layers.dropout(scores.softmax(3), config.dropout(), training);         // (B, h, L, L)
            NDArray o = attn.matMul(vh).transpose(0, 2, 1, 3).reshape(bsz, len, d);
            x = q.add(Layers.linear(o, p.get(b + "wo"), p.get(b + "wo.b")));
            x = Layers.layerNorm(x, p.get(b + "ln_ffn.g"), p.get(b + "ln_ffn.b"));
            NDArray f = Layers.linear(x, p.get(b + "ffn1"), p.get(b + "ffn1.b")).maximum(zero);
            f = Layers.dropout(f, config.dropout(), training);
            f = Layers.dropout(Layers.linear(f, p.get(b + "ffn2"), p.get(b + "ffn2.b")), config.dropout(), training);
            x = x.add(f).mul(mask);
        }
        return Layers.layerNorm(x, p.get("ln_out.g"), p.get("ln_out.b"));
    }

    /** (B, L, d) to (B, h, L, dh). */
    private NDArray split(NDArray x, long bsz, int len, int dh) {
        return x.reshape(bsz, len, heads, dh).transpose(0, 2, 1, 3);
    }
}
