package dev.actrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.actrec.core.dataset.SequenceDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The softmax losses recomputed here in plain Java from the model's outputs and item table: {@code ce} is the
 * cross-entropy of the softmax over every item (never the padding id 0) at the real positions; {@code ssm} with
 * {@code negative_scope = position} is the softmax over the target and that position's own negatives, a negative
 * equal to the target left out.
 */
class SoftmaxLossTest {

    @Test
    void catalogSoftmaxEqualsTheCrossEntropyComputedByHand(@TempDir Path dir) throws Exception {
        TrainConfig config = LearnabilityTest.tiny("act").with("loss", "ce").with("dropout", "0")
                .with("temperature", "0.1");
        SequenceDataset data = SyntheticSequences.permutationWalks(40, 30, 5, 12, 3);
        Trainer.Batch batch = BackwardAfterGcTest.batch(data, config, new SplittableRandom(3));
        Outputs out = Outputs.of(config, data, batch, dir);
        float[] h = out.h(), e = out.table();
        double loss = out.loss();
        int d = config.dim();
        int items = data.numItems();
        double sum = 0;
        for (long at : batch.positions()) {
            double[] q = unit(h, (int) at * d, d);
            double[] logits = new double[items + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 1; c <= items; c++) {
                logits[c] = dot(q, unit(e, c * d, d)) / config.temperature();
                max = Math.max(max, logits[c]);
            }
            double z = 0;
            for (int c = 1; c <= items; c++) z += Math.exp(logits[c] - max);
            sum += max + Math.log(z) - logits[(int) batch.targets()[(int) at]];
        }
        double expected = sum / batch.positions().length;
        assertEquals(expected, loss, 1e-4 * Math.max(1, expected), "mean catalog cross-entropy");
    }

    @Test
    void perPositionNegativesEqualTheSampledSoftmaxComputedByHand(@TempDir Path dir) throws Exception {
        TrainConfig config = LearnabilityTest.tiny("sasrec").with("negative_scope", "position").with("dropout", "0")
                .with("negatives", "6");
        SequenceDataset data = SyntheticSequences.permutationWalks(40, 30, 5, 12, 4);
        Trainer.Batch batch = BackwardAfterGcTest.batch(data, config, new SplittableRandom(4));
        long[] neg = batch.negatives();
        // make sure some negatives collide with their position's target, so the exclusion is exercised
        for (int i = 0; i < batch.positions().length; i += 3) {
            neg[i * 6] = batch.targets()[(int) batch.positions()[i]];
        }
        Outputs out = Outputs.of(config, data, batch, dir);
        float[] h = out.h(), e = out.table();
        double loss = out.loss();
        int d = config.dim();
        double invT = 1 / config.temperature();
        double sum = 0;
        long[] at = batch.positions();
        for (int p = 0; p < at.length; p++) {
            double[] q = unit(h, (int) at[p] * d, d);
            int target = (int) batch.targets()[(int) at[p]];
            double pos = dot(q, unit(e, target * d, d)) * invT;
            double z = Math.exp(pos);
            for (int j = 0; j < 6; j++) {
                int c = (int) neg[p * 6 + j];
                if (c != target) z += Math.exp(dot(q, unit(e, c * d, d)) * invT);
            }
            sum += Math.log(z) - pos;
        }
        double expected = sum / at.length;
        assertEquals(expected, loss, 1e-4 * Math.max(1, expected), "mean sampled cross-entropy per position");
    }

    /**
     * With dropout off the two views are equal, so the contrastive term is, per window, the cross-entropy of picking
     * its own newest-position vector among the batch's (cosine / cl_temperature), the same in both directions; the
     * trainer's loss is the next-item loss plus cl_weight times its mean.
     */
    @Test
    void contrastiveTermIsTheInfoNceOfTheNewestPositions(@TempDir Path dir) throws Exception {
        TrainConfig plain = LearnabilityTest.tiny("act").with("loss", "ce").with("dropout", "0")
                .with("temperature", "0.1").with("cl_temperature", "0.3");
        TrainConfig withCl = plain.with("cl_weight", "0.5");
        SequenceDataset data = SyntheticSequences.permutationWalks(40, 30, 5, 12, 3);
        Trainer.Batch batch = BackwardAfterGcTest.batch(data, plain, new SplittableRandom(4));
        Outputs a = Outputs.of(plain, data, batch, dir.resolve("a"));
        Outputs b = Outputs.of(withCl, data, batch, dir.resolve("b"));
        int d = plain.dim(), rows = batch.rows(), len = batch.len();
        double[][] z = new double[rows][];
        for (int r = 0; r < rows; r++) z[r] = unit(a.h(), (r * len + len - 1) * d, d);
        double sum = 0;
        for (int i = 0; i < rows; i++) {
            double lse = 0;
            for (int j = 0; j < rows; j++) lse += Math.exp(dot(z[i], z[j]) / 0.3);
            sum += Math.log(lse) - dot(z[i], z[i]) / 0.3;
        }
        double contrastive = sum / rows;
        assertEquals(a.loss() + 0.5 * contrastive, b.loss(), 1e-4 * Math.max(1, b.loss()));
    }

    /** The trainer's loss on the batch, and the model's outputs (B, L, d) and item table behind it, as floats. */
    private record Outputs(double loss, float[] h, float[] table) {
        static Outputs of(TrainConfig config, SequenceDataset data, Trainer.Batch batch, Path dir) throws Exception {
            Trainer trainer = new Trainer(data, config, dir, new PrintStream(OutputStream.nullOutputStream()));
            TorchRuntime.start(config.intraThreads(), config.interThreads());
            try (NDManager manager = NDManager.newBaseManager()) {
                SequenceModel model = SequenceModel.create(config, data.numItems(), null, new Parameters(manager, 5));
                double loss = trainer.loss(model, batch, manager).getFloat();
                NDArray table = model.itemTable();
                NDArray ids = manager.create(batch.ids(), new Shape(batch.rows(), batch.len()));
                return new Outputs(loss, model.encode(ids, true, table).toFloatArray(), table.toFloatArray());
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) s += a[j] * b[j];
        return s;
    }

    private static double[] unit(float[] x, int from, int d) {
        double norm = 0;
        for (int j = 0; j < d; j++) norm += (double) x[from + j] * x[from + j];
        double inv = 1 / Math.sqrt(norm + 1e-12);
        double[] v = new double[d];
        for (int j = 0; j < d; j++) v[j] = x[from + j] * inv;
        return v;
    }
}
