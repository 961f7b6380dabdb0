package dev.actrec.model.lifelong;

import dev.actrec.core.ActionType;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The learned parameters of {@link TrainedReadout}, by name, as the trainer ({@code ReadoutTrainer} in the train
 * module) stores them. With d the item vectors' width:
 * <pre>
 *   type_bias        (T)      log weight of a window action by type code
 *   age_bias         (8)      log weight of a window action by age bucket (0 = newest; bucket = floor(log2(age + 1)), ≤ 7)
 *   win_log_inv_tau  (1)      log of the window's inverse temperature
 *   win_proj         (d, d)   query projection for the window: q = e_c · win_proj
 *   kind_bias        (2)      log weight of a memory key: exact item (heavy hitter), token centroid
 *   mass_exponent    (1)      γ: a memory key counts with mass^γ (γ &lt; 1 saturates heavy keys)
 *   long_log_inv_tau (1)      log of the memory's inverse temperature
 *   long_proj        (d, d)   query projection for the memory
 *   mix              (3)      λ (memory term), log δ (floor beside the memory pool), β (popularity)
 *   mix_length       (2)      how λ and log δ move with the memory's size: with ℓ = log(1 + W) − log(1 + 10^4), W the
 *                             memory's whole mass, the position uses λ + s_λ·ℓ and log δ + s_δ·ℓ
 * </pre>
 * {@link #handSet} gives the values under which the readout ranks like {@code act_memory} read without its cap:
 * type weights of the memory's config, no age effect, identity projections, γ = 1, the attention config's
 * temperatures, λ, δ and β, and no length effect. Training starts there. The length slopes let one readout serve users
 * of 10^3 and of 10^6 actions: trained over all of them with one λ, the short histories (most users) taught it to
 * ignore the memory.
 */
public final class ReadoutWeights {
    public static final int AGE_BUCKETS = 8;
    public static final int KINDS = 2;
    public static final int EXACT = 0, CENTROID = 1;
    /** ℓ = 0 for a memory of this mass (log(1 + 10^4)): the slopes pivot around a mid-length history. */
    public static final double LENGTH_CENTRE = Math.log1p(1e4);

    private final int dim;
    private final Map<String, float[]> values;

    private ReadoutWeights(int dim, Map<String, float[]> values) {
        this.dim = dim;
        this.values = values;
    }

    /** Shapes by name, in the order the trainer creates them. */
    public static Map<String, long[]> shapes(int dim) {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("type_bias", new long[]{ActionType.COUNT});
        m.put("age_bias", new long[]{AGE_BUCKETS});
        m.put("win_log_inv_tau", new long[]{1});
        m.put("win_proj", new long[]{dim, dim});
        m.put("kind_bias", new long[]{KINDS});
        m.put("mass_exponent", new long[]{1});
        m.put("long_log_inv_tau", new long[]{1});
        m.put("long_proj", new long[]{dim, dim});
        m.put("mix", new long[]{3});
        m.put("mix_length", new long[]{2});
        return m;
    }

    /** The starting point: the hand-set scorer's weights (see the class comment). */
    public static ReadoutWeights handSet(MemoryConfig mc, AttentionConfig a, int dim) {
        Map<String, float[]> m = new LinkedHashMap<>();
        float[] type = new float[ActionType.COUNT];
        for (int t = 0; t < type.length; t++) type[t] = (float) Math.log(mc.typeWeight(t));
        float[] identity = new float[dim * dim];
        for (int i = 0; i < dim; i++) identity[i * dim + i] = 1;
        m.put("type_bias", type);
        m.put("age_bias", new float[AGE_BUCKETS]);
        m.put("win_log_inv_tau", new float[]{(float) -Math.log(a.temperature())});
        m.put("win_proj", identity);
        m.put("kind_bias", new float[KINDS]);
        m.put("mass_exponent", new float[]{1});
        m.put("long_log_inv_tau", new float[]{(float) -Math.log(a.longTemperature())});
        m.put("long_proj", identity.clone());
        m.put("mix", new float[]{a.longWeight(), (float) Math.log(a.longFloor()), a.popularityWeight()});
        m.put("mix_length", new float[2]);
        return of(dim, m);
    }

    /** Weights from named values; every name of {@link #shapes} must be present with its size. */
    public static ReadoutWeights of(int dim, Map<String, float[]> named) {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes(dim).entrySet()) {
            float[] v = named.get(e.getKey());
            long size = Arrays.stream(e.getValue()).reduce(1, (x, y) -> x * y);
            if (v == null || v.length != size) {
                throw new IllegalArgumentException("readout weight '" + e.getKey() + "' must have " + size + " values, has "
                        + (v == null ? "none" : v.length));
            }
            for (float x : v) {
                if (!Float.isFinite(x)) throw new IllegalArgumentException("readout weight '" + e.getKey() + "' is not finite: " + x);
            }
            m.put(e.getKey(), v.clone());
        }
        return new ReadoutWeights(dim, m);
    }

    public int dim() { return dim; }

    /** Copies of the values by name. */
    public Map<String, float[]> named() {
        Map<String, float[]> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, v.clone()));
        return m;
    }

    float[] raw(String name) { return values.get(name); }

    public float typeBias(int type) { return values.get("type_bias")[type]; }

    public float ageBias(int bucket) { return values.get("age_bias")[bucket]; }

    public float windowInverseTemperature() { return (float) Math.exp(values.get("win_log_inv_tau")[0]); }

    public float kindBias(int kind) { return values.get("kind_bias")[kind]; }

    public float massExponent() { return values.get("mass_exponent")[0]; }

    public float longInverseTemperature() { return (float) Math.exp(values.get("long_log_inv_tau")[0]); }

    public float longWeight() { return values.get("mix")[0]; }

    public float logFloor() { return values.get("mix")[1]; }

    public float popularityWeight() { return values.get("mix")[2]; }

    /** s_λ: change of λ per unit of ℓ (see the class comment). */
    public float longWeightLengthSlope() { return values.get("mix_length")[0]; }

    /** s_δ: change of log δ per unit of ℓ. */
    public float logFloorLengthSlope() { return values.get("mix_length")[1]; }

    /** ℓ of a memory whose keys' masses sum to {@code exp(logLongMass) − 1}, i.e. {@code logLongMass} = log(1 + W). */
    public static double lengthFeature(double logLongMass) { return logLongMass - LENGTH_CENTRE; }

    /** λ at a position with length feature ℓ. */
    public double longWeight(double ell) { return longWeight() + longWeightLengthSlope() * ell; }

    /** log δ at a position with length feature ℓ. */
    public double logFloor(double ell) { return logFloor() + logFloorLengthSlope() * ell; }

    /** The age bucket of a window action {@code age} actions older than the newest (0 = the newest). */
    public static int ageBucket(int age) {
        return Math.min(AGE_BUCKETS - 1, 31 - Integer.numberOfLeadingZeros(age + 1));
    }
}
