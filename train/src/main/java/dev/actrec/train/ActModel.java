package dev.actrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The Action Transformer for next-item prediction: HSTU-style pointwise gated attention (Zhai et al., ICML 2024) with
 * a learned relative-position bias, over item representations that optionally include item attributes.
 *
 * <p>Forward pass, every operation a plain formula (B batch, L window, d width, h heads, dh = d / h):
 * <pre>
 * e[i]   = E[i] + mean over a in attrs(i) of A[a]                   item representation, also the output table
 * x      = (e[ids] * sqrt(d) + P[L-1-t]) * valid                    (B, L, d); P by distance from the newest item
 * per layer:
 *   n            = LayerNorm(x)
 *   u, v, q, k   = split(SiLU(n W1 + b1), 4)                        each (B, L, d)
 *   s[b,h,i,j]   = q[b,i,h] . k[b,j,h] / sqrt(dh) + R[clamp(i-j)]   (B, h, L, L)
 *   a            = SiLU(s) * allowed[i,j] / count_j(allowed[i,j])   allowed = j <= i and j not padding
 *   o            = concat over h of (a v)                            (B, L, d)
 *   x            = (x + (LayerNorm(o) * u) W2 + b2) * valid
 * out    = LayerNorm(x)
 * </pre>
 * Unlike softmax attention the weights are not normalised against each other (SiLU is pointwise), which HSTU found
 * better for the intensity of preferences; dividing by the number of visible keys keeps the scale independent of
 * the history length, which matters for lifelong histories.
 */
final class ActModel implements SequenceModel {
    private final TrainConfig config;
    private final Parameters p;
    private final int d;
    private final int heads;
    private final ItemAttributes attributes;
    private final NDArray attrIds;      // (numItems + 1, width) int64, 0 = none
    private final NDArray attrCount;    // (numItems + 1, 1) float, >= 1
    private final NDArray attrPresent;  // (numItems + 1, width, 1) float, 1 where an attribute is present

    ActModel(TrainConfig config, int numItems, ItemAttributes attributes, Parameters params) {
        this.config = config;
        this.p = params;
        this.d = config.dim();
        this.heads = config.heads();
        this.attributes = attributes;
        p.xavier("item_emb", numItems + 1, d);
        p.xavier("pos_emb", config.maxLen(), d);
        if (attributes != null) {
            p.xavier("attr_emb", attributes.numAttributes(), d);
            NDManager m = params.manager();
            long[] ids = attributes.ids();
            attrIds = m.create(ids, new Shape(numItems + 1, attributes.width()));
            float[] count = new float[numItems + 1];
            for (int i = 0; i <= numItems; i++) {
                int c = 0;
                for (int j = 0; j < attributes.width(); j++) if (ids[i * attributes.width() + j] != 0) c++;
                count[i] = Math.max(1, c);
            }
            attrCount = m.create(count, new Shape(numItems + 1, 1));
            float[] present = new float[ids.length];
            for (int i = 0; i < ids.length; i++) present[i] = ids[i] != 0 ? 1f : 0f;
            attrPresent = m.create(present, new Shape(numItems + 1, attributes.width(), 1));
        } else {
            attrIds = null;
            attrCount = null;
            attrPresent = null;
        }
        for (int l = 0; l < config.layers(); l++) {
            String b = "layer" + l + ".";
            p.constant(b + "ln_in.g", 1f, d);
            p.constant(b + "ln_in.b", 0f, d);
            p.xavier(b + "w_uvqk", d, 4 * d);
            p.constant(b + "w_uvqk.b", 0f, 4 * d);
            p.constant(b + "rel_bias", 0f, config.maxLen());
            p.constant(b + "ln_attn.g", 1f, d);
            p.constant(b + "ln_attn.b", 0f, d);
            p.xavier(b + "w_out", d, d);
            p.constant(b + "w_out.b", 0f, d);
        }
        p.constant("ln_out.g", 1f, d);
        p.constant("ln_out.b", 0f, d);
    }

    @Override public Parameters parameters() { return p; }

    @Override public int dim() { return d; }

    @Override
    public NDArray itemTable() {
        NDArray e = p.get("item_emb");
        if (attributes == null) return e;
        // Padding attribute rows are masked out of the sum; row 0 of the attribute table is never read as data.
        NDArray a = Layers.lookup(p.get("attr_emb"), attrIds);                        // (N+1, width, d)
        return e.add(a.mul(attrPresent).sum(new int[] {1}).div(attrCount));
    }

    @Override
    public NDArray encode(NDArray ids, boolean training, NDArray table) {
        NDManager m = ids.getManager();
        long bsz = ids.getShape().get(0);
        int len = (int) ids.getShape().get(1);
        NDArray valid = Layers.validMask(ids);                                          // (B, L)
        NDArray mask = valid.expandDims(2);                                             // (B, L, 1)
        NDArray pos = Layers.lookup(p.get("pos_emb"), Layers.reversePositions(m, len)); // (L, d)
        NDArray x = Layers.lookup(table, ids).mul(Layers.scalar(m, (float) Math.sqrt(d))).add(pos);
        x = Layers.dropout(x, config.dropout(), training).mul(mask);
        NDArray allowed = Layers.causal(m, len).expandDims(0).mul(valid.reshape(bsz, 1, len)); // (B, L, L)
        NDArray norm = allowed.sum(new int[] {2}, true).maximum(Layers.scalar(m, 1f));  // (B, L, 1)
        NDArray weightMask = allowed.div(norm).expandDims(1);                           // (B, 1, L, L)
        NDArray distance = relativeDistance(m, len);                                    // (L, L) int64
        int dh = d / heads;
        NDArray sqrtDh = Layers.scalar(m, (float) Math.sqrt(dh));
        for (int l = 0; l < config.layers(); l++) {
            String b = "layer" + l + ".";
            NDArray n = Layers.layerNorm(x, p.get(b + "ln_in.g"), p.get(b + "ln_in.b"));
            NDArray uvqk = Layers.silu(Layers.linear(n, p.get(b + "w_uvqk"), p.get(b + "w_uvqk.b")));
            ai.djl.ndarray.NDList parts = uvqk.split(4, 2);
            NDArray u = parts.get(0);
            NDArray v = split(parts.get(1), bsz, len, dh);                                 // (B, h, L, dh)
            NDArray q = split(parts.get(2), bsz, len, dh);
            NDArray k = split(parts.get(3), bsz, len, dh);
            NDArray rab = p.get(b + "rel_bias").take(distance);                          // (L, L)
            NDArray s = q.matMul(k.transpose(0, 1, 3, 2)).div(sqrtDh).add(rab);
            NDArray a = Layers.dropout(Layers.silu(s).mul(weightMask), config.dropout(), training);
            NDArray o = a.matMul(v).transpose(0, 2, 1, 3).reshape(bsz, len, d);
            NDArray y = Layers.layerNorm(o, p.get(b + "ln_attn.g"), p.get(b + "ln_attn.b")).mul(u);
            y = Layers.dropout(Layers.linear(y, p.get(b + "w_out"), p.get(b + "w_out.b")), config.dropout(), training);
            x = x.add(y).mul(mask);
        }
        return Layers.layerNorm(x, p.get("ln_out.g"), p.get("ln_out.b"));
    }

    /** (L, L) int64: i - j clamped to [0, maxLen - 1] (future keys are masked anyway). */
    private NDArray relativeDistance(NDManager m, int len) {
        long[] v = new long[len * len];
        int cap = config.maxLen() - 1;
        for (int i = 0; i < len; i++) for (int j = 0; j < len; j++) v[i * len + j] = Math.min(cap, Math.max(0, i - j));
        return m.create(v, new Shape(len, len));
    }

    private NDArray split(NDArray x, long bsz, int len, int dh) {
        return x.reshape(bsz, len, heads, dh).transpose(0, 2, 1, 3);
    }
}
