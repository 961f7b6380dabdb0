package dev.actrec.train;

import dev.actrec.model.ModelFile;
import dev.actrec.model.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A finished training run as read from its folder: {@code config.toml}, the best weights of {@code model.bin} and
 * that file's header facts ({@code num_items}, {@code dataset_sha256}, {@code best_epoch}, ...).
 */
record RunFolder(Path dir, TrainConfig config, TensorFile.Content weights, Map<String, String> facts) {

    static RunFolder read(Path dir) throws IOException {
        Path cfgFile = dir.resolve(Trainer.CONFIG_FILE);
        Path weights = dir.resolve(Trainer.MODEL_FILE);
        if (!Files.exists(cfgFile) || !Files.exists(weights)) {
            throw new IOException(dir + " is not a trained model folder (needs " + Trainer.CONFIG_FILE + " and "
                    + Trainer.MODEL_FILE + ")");
        }
        TensorFile.Content content = TensorFile.read(weights);
        return new RunFolder(dir, TrainConfig.read(cfgFile), content, ModelFile.parseHeader(content.header()));
    }

    Path weightsFile() {
        return dir.resolve(Trainer.MODEL_FILE);
    }
}
