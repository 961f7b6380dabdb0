package dev.actrec.train;

import dev.actrec.core.ActionType;
import dev.actrec.model.lifelong.AttentionConfig;
import dev.actrec.model.lifelong.ItemEmbeddings;
import dev.actrec.model.lifelong.LifelongMemory;
import dev.actrec.model.lifelong.MemoryConfig;
import dev.actrec.model.lifelong.ReadoutInput;
import dev.actrec.model.lifelong.ReadoutWeights;
import dev.actrec.model.lifelong.TrainedReadout;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadoutTrainerTest {
    private static final int ITEMS = 300, DIM = 16, WINDOW = 30;
    private static final MemoryConfig MC = MemoryConfig.defaults().withWindow(WINDOW).withTokens(8);

    private static ItemEmbeddings vectors() {
        SplittableRandom r = new SplittableRandom(3);
        float[] rows = new float[ITEMS * DIM];
        for (int i = 0; i < rows.length; i++) rows[i] = (float) (r.nextDouble() * 2 - 1);
        return ItemEmbeddings.centred(ITEMS, DIM, rows);
    }

    private static float[] logPop() {
        float[] p = new float[ITEMS];
        for (int i = 0; i < ITEMS; i++) p[i] = (float) Math.log1p(i % 17);
        return p;
    }

    /**
     * Examples over one long random history (items in 10 groups of 30, a few heavy ones per group), taken every 7
     * actions after the first 100; the target is the item of the newest window action: "the user re-consumes what
     * they just did", which the hand-set readout (no age effect) cannot single out.
     */
    private static List<ReadoutInput> examples(ItemEmbeddings emb, int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        LifelongMemory mem = new LifelongMemory(MC, emb);
        ReadoutInput in = new ReadoutInput(DIM, WINDOW, MC.maxLongTermKeys());
        List<ReadoutInput> out = new ArrayList<>();
        int[] items = new int[WINDOW];
        byte[] types = new byte[WINDOW];
        for (int a = 0; out.size() < count; a++) {
            int group = r.nextInt(10);
            mem.append(group * 30 + r.nextInt(r.nextBoolean() ? 3 : 30), (byte) r.nextInt(ActionType.COUNT), a * 1000L);
            if (a >= 100 && a % 7 == 0) {
                int n = mem.windowActions(items, types);
                out.add(in.fill(mem).withTarget(items[n - 1]).copy());
            }
        }
        return out;
    }

    @Test
    void djlScoresEqualTheJavaReadout() {
        ItemEmbeddings emb = vectors();
        float[] logPop = logPop();
        SplittableRandom r = new SplittableRandom(11);
        Map<String, float[]> named = ReadoutWeights.handSet(MC, AttentionConfig.defaults(), DIM).named();
        for (float[] v : named.values()) for (int i = 0; i < v.length; i++) v[i] += (float) (r.nextDouble() - 0.5) * 0.2f;
        ReadoutWeights w = ReadoutWeights.of(DIM, named);
        List<ReadoutInput> ex = examples(emb, 5, 4);
        int[][] cands = new int[ex.size()][12];
        for (int[] row : cands) for (int j = 0; j < row.length; j++) row[j] = r.nextInt(ITEMS);
        float[][] djl = new ReadoutTrainer(emb, logPop).scores(w, ex, cands);
        TrainedReadout java = new TrainedReadout(w, emb);
        double[] fWin = new double[12], fLong = new double[12];
        for (int b = 0; b < ex.size(); b++) {
            java.candidates(ex.get(b), cands[b], 12, fWin, fLong);
            for (int j = 0; j < 12; j++) {
                double want = fWin[j] + w.longWeight(ex.get(b).lengthFeature()) * fLong[j] + w.popularityWeight() * logPop[cands[b][j]];
                assertEquals(want, djl[b][j], 2e-3 * Math.max(1, Math.abs(want)), "example " + b + " candidate " + cands[b][j]);
            }
        }
    }

    @Test
    void trainingLearnsWhatTheHandSetReadoutMisses() {
        ItemEmbeddings emb = vectors();
        float[] logPop = logPop();
        List<ReadoutInput> train = examples(emb, 240, 5), validation = examples(emb, 60, 6);
        ReadoutWeights start = ReadoutWeights.handSet(MC, AttentionConfig.defaults(), DIM);
        ReadoutTrainer.Result result = new ReadoutTrainer(emb, logPop)
                .train(train, validation, start, new ReadoutTrainer.Settings(6, 0, 16, 63, 0, 0.05, 0.01, 42), s -> { });
        assertTrue(result.bestEpoch() > 0, "a trained epoch beats the start on validation");
        assertTrue(result.validationLoss()[result.bestEpoch()] < result.validationLoss()[0] - 0.2,
                "validation loss " + result.validationLoss()[0] + " -> " + result.validationLoss()[result.bestEpoch()]);
        ReadoutWeights w = result.weights();
        assertTrue(w.ageBias(0) > w.ageBias(4) + 0.5, "the newest action gains weight: " + w.ageBias(0) + " vs " + w.ageBias(4));
        assertTrue(hitRate(w, emb, logPop, validation) > hitRate(start, emb, logPop, validation) + 0.2,
                "validation HR@10 over the catalog rises");
    }

    @Test
    void sameSeedSameWeights() {
        ItemEmbeddings emb = vectors();
        List<ReadoutInput> train = examples(emb, 64, 5), validation = examples(emb, 16, 6);
        ReadoutWeights start = ReadoutWeights.handSet(MC, AttentionConfig.defaults(), DIM);
        ReadoutTrainer.Settings s = new ReadoutTrainer.Settings(2, 0, 16, 31, 8, 0.05, 0.01, 7);
        ReadoutTrainer t = new ReadoutTrainer(emb, logPop());
        Map<String, float[]> a = t.train(train, validation, start, s, x -> { }).weights().named();
        Map<String, float[]> b = t.train(train, validation, start, s, x -> { }).weights().named();
        for (String k : a.keySet()) org.junit.jupiter.api.Assertions.assertArrayEquals(a.get(k), b.get(k), k);
    }

    @Test
    void lengthSlopesTrainOnlyWhenAsked() {
        ItemEmbeddings emb = vectors();
        List<ReadoutInput> train = examples(emb, 240, 5), validation = examples(emb, 60, 6);
        ReadoutWeights start = ReadoutWeights.handSet(MC, AttentionConfig.defaults(), DIM);
        ReadoutTrainer.Settings on = new ReadoutTrainer.Settings(3, 0, 16, 63, 0, 0.05, 0.01, 42);
        ReadoutTrainer t = new ReadoutTrainer(emb, logPop());
        // the training keeps the best epoch; a start that is best would hide whether the slopes moved
        ReadoutTrainer.Result moved = t.train(train, validation, start, on, x -> { });
        assertTrue(moved.bestEpoch() > 0, "an epoch beats the start");
        assertTrue(moved.weights().longWeightLengthSlope() != 0 && moved.weights().logFloorLengthSlope() != 0,
                "trained slopes move from 0");
        ReadoutTrainer.Result held = t.train(train, validation, start, on.withLengthSlopes(false), x -> { });
        assertTrue(held.bestEpoch() > 0, "an epoch beats the start");
        assertEquals(0f, held.weights().longWeightLengthSlope());
        assertEquals(0f, held.weights().logFloorLengthSlope());
        assertTrue(held.weights().longWeight() != start.longWeight(), "λ itself still trains");
    }

    private static double hitRate(ReadoutWeights w, ItemEmbeddings emb, float[] logPop, List<ReadoutInput> examples) {
        TrainedReadout r = new TrainedReadout(w, emb);
        double[] fWin = new double[ITEMS], fLong = new double[ITEMS];
        int hits = 0;
        for (ReadoutInput in : examples) {
            r.catalog(in, fWin, fLong);
            double lambda = w.longWeight(in.lengthFeature());
            double target = score(w, lambda, fWin, fLong, logPop, in.target());
            int above = 0;
            for (int c = 0; c < ITEMS; c++) if (score(w, lambda, fWin, fLong, logPop, c) > target) above++;
            if (above < 10) hits++;
        }
        return hits / (double) examples.size();
    }

    private static double score(ReadoutWeights w, double lambda, double[] fWin, double[] fLong, float[] logPop, int c) {
        return fWin[c] + lambda * fLong[c] + w.popularityWeight() * logPop[c];
    }
}
