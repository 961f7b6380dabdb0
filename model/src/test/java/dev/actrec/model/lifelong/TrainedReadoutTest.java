package dev.actrec.model.lifelong;

import dev.actrec.core.ActionType;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainedReadoutTest {
    private static final int ITEMS = 300, DIM = 16;

    private static ItemEmbeddings vectors(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] rows = new float[ITEMS * DIM];
        for (int i = 0; i < rows.length; i++) rows[i] = (float) (r.nextDouble() * 2 - 1);
        return ItemEmbeddings.centred(ITEMS, DIM, rows);
    }

    /** A memory over a random history whose items cluster in 10 groups, so tokens hold repeated items. */
    private static LifelongMemory memory(ItemEmbeddings emb, MemoryConfig mc, int actions, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        LifelongMemory mem = new LifelongMemory(mc, emb);
        for (int a = 0; a < actions; a++) {
            int group = r.nextInt(10);
            mem.append(group * 30 + r.nextInt(r.nextBoolean() ? 3 : 30), (byte) r.nextInt(ActionType.COUNT), a * 1000L);
        }
        return mem;
    }

    @Test
    void handSetWeightsGiveTheUncappedHandSetPoolsUpToAConstant() {
        ItemEmbeddings emb = vectors(3);
        MemoryConfig mc = MemoryConfig.defaults().withWindow(40).withTokens(12);
        AttentionConfig ac = AttentionConfig.defaults();
        LifelongMemory mem = memory(emb, mc, 2_000, 5);
        ReadoutInput in = new ReadoutInput(DIM, mc.window(), mc.maxLongTermKeys()).fill(mem);
        assertEquals(40, in.windowSize());
        assertTrue(in.keyCount() > 12, "heavy hitters and centroids: " + in.keyCount());
        TrainedReadout readout = new TrainedReadout(ReadoutWeights.handSet(mc, ac, DIM), emb);
        double[] fWin = new double[ITEMS], fLong = new double[ITEMS];
        readout.catalog(in, fWin, fLong);

        KeySet win = new KeySet(DIM, 64), keys = new KeySet(DIM, 64);
        mem.windowKeys(win);
        mem.longTermKeys(keys);
        double winConstant = Double.NaN, longConstant = Double.NaN;
        for (int c = 0; c < ITEMS; c++) {
            double want0 = Math.log(naivePool(emb, win, c, ac.temperature()) / win.total());
            double want1 = Math.log(naivePool(emb, keys, c, ac.longTemperature()) / keys.total() + ac.longFloor() / keys.total());
            if (c == 0) {
                winConstant = fWin[c] - want0;
                longConstant = fLong[c] - want1;
            }
            assertEquals(winConstant, fWin[c] - want0, 1e-4, "window term of item " + c);
            assertEquals(longConstant, fLong[c] - want1, 1e-4, "memory term of item " + c);
        }
        assertEquals(Math.log(win.total()), winConstant, 1e-4, "the window's normaliser is the only difference");
        assertEquals(Math.log(keys.total()), longConstant, 1e-4, "the memory's normaliser is the only difference");
    }

    @Test
    void candidatesScoreAsTheCatalogDoesUnderLearnedLookingWeights() {
        ItemEmbeddings emb = vectors(4);
        MemoryConfig mc = MemoryConfig.defaults().withWindow(30).withTokens(8);
        ReadoutWeights w = perturbed(ReadoutWeights.handSet(mc, AttentionConfig.defaults(), DIM), 7);
        TrainedReadout readout = new TrainedReadout(w, emb);
        ReadoutInput in = new ReadoutInput(DIM, 30, mc.maxLongTermKeys()).fill(memory(emb, mc, 500, 9));
        double[] catWin = new double[ITEMS], catLong = new double[ITEMS];
        readout.catalog(in, catWin, catLong);
        int[] cands = {0, 17, 45, 299, 150};
        double[] win = new double[cands.length], lng = new double[cands.length];
        readout.candidates(in, cands, cands.length, win, lng);
        for (int i = 0; i < cands.length; i++) {
            assertEquals(catWin[cands[i]], win[i], 1e-4 * Math.max(1, Math.abs(win[i])), "window term of " + cands[i]);
            assertEquals(catLong[cands[i]], lng[i], 1e-4 * Math.max(1, Math.abs(lng[i])), "memory term of " + cands[i]);
        }
    }

    @Test
    void anEmptyMemoryLeavesTheFloorAndAnEmptyWindowAConstant() {
        ItemEmbeddings emb = vectors(5);
        MemoryConfig mc = MemoryConfig.defaults().withWindow(30).withTokens(8);
        ReadoutWeights w = ReadoutWeights.handSet(mc, AttentionConfig.defaults(), DIM);
        TrainedReadout readout = new TrainedReadout(w, emb);
        ReadoutInput in = new ReadoutInput(DIM, 30, mc.maxLongTermKeys()).fill(new LifelongMemory(mc, emb));
        double[] win = new double[ITEMS], lng = new double[ITEMS];
        readout.catalog(in, win, lng);
        for (int c = 0; c < ITEMS; c++) {
            assertEquals(0, win[c]);
            assertEquals(w.logFloor(), lng[c], 1e-12);
        }
    }

    @Test
    void lambdaAndTheFloorMoveWithTheMemorysMass() {
        ItemEmbeddings emb = vectors(6);
        MemoryConfig mc = MemoryConfig.defaults().withWindow(30).withTokens(8);
        Map<String, float[]> named = ReadoutWeights.handSet(mc, AttentionConfig.defaults(), DIM).named();
        named.put("mix_length", new float[]{0.25f, -0.5f});
        ReadoutWeights w = ReadoutWeights.of(DIM, named);
        TrainedReadout readout = new TrainedReadout(w, emb);
        LifelongMemory mem = memory(emb, mc, 2_000, 3);
        ReadoutInput in = new ReadoutInput(DIM, 30, mc.maxLongTermKeys()).fill(mem);
        KeySet keys = new KeySet(DIM, mc.maxLongTermKeys());
        mem.longTermKeys(keys);
        double mass = 0;
        for (int k = 0; k < keys.size(); k++) mass += keys.weights()[k];
        double ell = Math.log1p(mass) - Math.log1p(1e4);
        assertEquals(ell, in.lengthFeature(), 1e-4, "ℓ = log(1 + W) − log(1 + 10^4)");
        assertEquals(w.longWeight() + 0.25 * ell, readout.longWeight(in), 1e-4);
        // a far candidate's memory term is the floor alone, now δ·exp(s_δ·ℓ)
        double[] win = new double[ITEMS], lng = new double[ITEMS];
        readout.catalog(in, win, lng);
        double min = Double.POSITIVE_INFINITY;
        for (double v : lng) min = Math.min(min, v);
        assertTrue(min >= w.logFloor() - 0.5 * ell - 1e-9, "no item's memory term is below the moved floor");
        assertTrue(in.copy().lengthFeature() == in.lengthFeature(), "a stored example keeps its ℓ");
    }

    @Test
    void weightsNameWhatIsMissingOrWrong() {
        Map<String, float[]> named = ReadoutWeights.handSet(MemoryConfig.defaults(), AttentionConfig.defaults(), DIM).named();
        named.put("age_bias", new float[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReadoutWeights.of(DIM, named));
        assertTrue(e.getMessage().contains("'age_bias' must have 8 values, has 3"), e.getMessage());
        named.remove("age_bias");
        e = assertThrows(IllegalArgumentException.class, () -> ReadoutWeights.of(DIM, named));
        assertTrue(e.getMessage().contains("'age_bias' must have 8 values, has none"), e.getMessage());
        named.put("age_bias", new float[8]);
        named.put("mix", new float[]{1, Float.NaN, 0});
        e = assertThrows(IllegalArgumentException.class, () -> ReadoutWeights.of(DIM, named));
        assertTrue(e.getMessage().contains("'mix' is not finite"), e.getMessage());
    }

    @Test
    void ageBucketsDoubleInWidth() {
        int[] want = {0, 1, 1, 2, 2, 2, 2, 3};
        for (int age = 0; age < want.length; age++) assertEquals(want[age], ReadoutWeights.ageBucket(age), "age " + age);
        assertEquals(6, ReadoutWeights.ageBucket(126));
        assertEquals(7, ReadoutWeights.ageBucket(127));
        assertEquals(7, ReadoutWeights.ageBucket(10_000));
    }

    /** Hand-set weights moved off their special values (projections off the identity, γ below 1, age effects). */
    static ReadoutWeights perturbed(ReadoutWeights w, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, float[]> m = w.named();
        for (float[] v : m.values()) for (int i = 0; i < v.length; i++) v[i] += (float) (r.nextDouble() - 0.5) * 0.2f;
        return ReadoutWeights.of(w.dim(), m);
    }

    private static double naivePool(ItemEmbeddings emb, KeySet keys, int c, float tau) {
        double s = 0;
        float[] rows = keys.rows();
        for (int k = 0; k < keys.size(); k++) {
            double dot = 0;
            for (int i = 0; i < DIM; i++) dot += emb.rows()[emb.offset(c) + i] * rows[k * DIM + i];
            s += keys.weights()[k] * Math.exp((dot - 1) / tau);
        }
        return s;
    }
}
