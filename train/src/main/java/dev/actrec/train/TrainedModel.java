package dev.actrec.train;

import ai.djl.ndarray.NDManager;
import dev.actrec.core.dataset.SequenceDataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A finished run folder loaded for evaluation: its configuration, the facts of the run (from the header of
 * {@code model.bin}) and the best weights. Close it to free the native tensors.
 */
public final class TrainedModel implements AutoCloseable {
    private final TrainConfig config;
    private final Map<String, String> facts;
    private final NDManager manager;
    private final SequenceModel model;

    private TrainedModel(TrainConfig config, Map<String, String> facts, NDManager manager, SequenceModel model) {
        this.config = config;
        this.facts = facts;
        this.manager = manager;
        this.model = model;
    }

    /** Loads {@code dir/config.toml} and {@code dir/model.bin}; {@code data} must have the same catalogue size. */
    public static TrainedModel load(Path dir, SequenceDataset data, int intraThreads, int interThreads)
            throws IOException {
        RunFolder run = RunFolder.read(dir);
        TrainConfig config = run.config();
        Map<String, String> facts = run.facts();
        int numItems = Integer.parseInt(facts.getOrDefault("num_items", "-1"));
        if (numItems != data.numItems()) {
            throw new IOException(run.weightsFile() + " was trained on " + numItems + " items but " + data.source() + " has "
                    + data.numItems());
        }
        TorchRuntime.start(intraThreads, interThreads);
        ItemAttributes attrs = config.model().equals("act") && !config.attributes().isEmpty()
                ? ItemAttributes.load(Path.of(config.attributes()), numItems) : null;
        NDManager manager = NDManager.newBaseManager();
        try {
            Parameters params = new Parameters(manager, config.seed(), run.weights().values());
            SequenceModel model = SequenceModel.create(config, numItems, attrs, params);
            return new TrainedModel(config, facts, manager, model);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public TrainConfig config() { return config; }

    /** Run facts written at training time: dataset_sha256, best_epoch, epochs, wall_seconds, seed, ... */
    public Map<String, String> facts() { return facts; }

    public SequenceModel model() { return model; }

    @Override
    public void close() { manager.close(); }
}
