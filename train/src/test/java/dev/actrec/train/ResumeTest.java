package dev.actrec.train;

import dev.actrec.core.dataset.SequenceDataset;
import dev.actrec.model.TensorFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Stopping after epoch 2 and resuming to epoch 4 gives exactly the weights of an uninterrupted 4-epoch run. */
class ResumeTest {

    @ParameterizedTest
    @ValueSource(strings = {"sasrec", "act", "act+ema"})
    void resumeEqualsUninterrupted(String variant, @TempDir Path dir) throws Exception {
        SequenceDataset data = SyntheticSequences.permutationWalks(150, 40, 5, 12, 3);
        TrainConfig four = LearnabilityTest.tiny(variant.replace("+ema", "")).with("epochs", "4").with("eval_every", "1");
        if (variant.endsWith("+ema")) four = four.with("ema_decay", "0.9");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());

        Trainer.Result straight = new Trainer(data, four, dir.resolve("a"), quiet).run(false);
        new Trainer(data, four.with("epochs", "2"), dir.resolve("b"), quiet).run(false);
        Trainer.Result resumed = new Trainer(data, four, dir.resolve("b"), quiet).run(true);

        Map<String, float[]> a = TensorFile.read(dir.resolve("a").resolve(Trainer.CHECKPOINT_FILE)).values();
        Map<String, float[]> b = TensorFile.read(dir.resolve("b").resolve(Trainer.CHECKPOINT_FILE)).values();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), "tensor " + k);
        assertEquals(4, resumed.epochsRun());
        assertEquals(straight.history().size(), resumed.history().size());
        for (int i = 0; i < 4; i++) {
            assertEquals(straight.history().get(i).loss(), resumed.history().get(i).loss(), "loss of epoch " + (i + 1));
        }
        assertEquals(straight.test().masked().asMap(), resumed.test().masked().asMap());
    }

    @ParameterizedTest
    @ValueSource(strings = {"act"})
    void sameSeedSameRunDifferentSeedDifferentRun(String model, @TempDir Path dir) throws Exception {
        SequenceDataset data = SyntheticSequences.permutationWalks(100, 30, 5, 10, 5);
        TrainConfig c = LearnabilityTest.tiny(model).with("epochs", "1");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        double l1 = new Trainer(data, c, dir.resolve("1"), quiet).run(false).history().get(0).loss();
        double l2 = new Trainer(data, c, dir.resolve("2"), quiet).run(false).history().get(0).loss();
        double l3 = new Trainer(data, c.with("seed", "8"), dir.resolve("3"), quiet).run(false).history().get(0).loss();
        assertEquals(l1, l2);
        assertNotEquals(l1, l3);
    }
}
