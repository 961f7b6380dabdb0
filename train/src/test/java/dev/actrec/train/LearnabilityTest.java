package dev.actrec.train;

import dev.actrec.core.dataset.SequenceDataset;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each model must learn a deterministic next-item pattern to HR@10 >= 0.9 in a few seconds. */
class LearnabilityTest {

    static TrainConfig tiny(String model) {
        return TrainConfig.defaults(model).with("dim", "32").with("heads", "1").with("max_len", "20")
                .with("batch_size", "64").with("epochs", "12").with("negatives", "32").with("lr", "0.005")
                .with("dropout", "0.1").with("patience", "50").with("eval_every", "4").with("seed", "7")
                // One thread: on a shared machine two OpenMP threads stall each other (10x slower measured).
                .with("intra_threads", "1").with("progress_seconds", "60");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sasrec", "act", "sasrec-bce", "act-ce", "sasrec-pos"})
    void learnsPermutationWalks(String variant, @TempDir Path dir) throws Exception {
        SequenceDataset data = SyntheticSequences.permutationWalks(400, 60, 6, 16, 11);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String model = variant.contains("-") ? variant.substring(0, variant.indexOf('-')) : variant;
        TrainConfig config = switch (variant.substring(model.length())) {
            case "-bce" -> tiny(model).with("loss", "bce").with("similarity", "dot").with("temperature", "1");
            case "-ce" -> tiny(model).with("loss", "ce");
            case "-pos" -> tiny(model).with("negative_scope", "position");
            default -> tiny(model);
        };
        Trainer.Result r = new Trainer(data, config, dir, new PrintStream(log, true)).run(false);
        System.out.println(log);
        double hr10 = r.test().masked().hr(10);
        assertTrue(hr10 >= 0.9, model + " test HR@10 " + hr10 + "\n" + log);
        assertEquals(400, r.test().masked().users());
        assertTrue(Files.exists(dir.resolve(Trainer.MODEL_FILE)));
        assertTrue(Files.exists(dir.resolve(Trainer.CHECKPOINT_FILE)));
    }
}
