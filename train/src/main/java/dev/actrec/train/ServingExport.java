package dev.actrec.train;

import ai.djl.ndarray.NDManager;
import dev.actrec.model.ForwardConfig;
import dev.actrec.model.ModelFile;
import dev.actrec.model.ModelInfo;
import dev.actrec.model.TensorFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes a run's serving file, {@code serving.bin} ({@link ModelFile}), from its best weights: every weight of the
 * forward pass in training's layout, plus {@code item_table}, the model's output table with attributes already
 * summed in for {@code act} and its padding row zeroed. The trainer calls it at the end of every run;
 * {@link #export(Path)} does it for run folders written before serving files existed.
 */
public final class ServingExport {
    /** Training-only tensors: the table is exported whole as item_table instead. */
    private static final Set<String> NOT_EXPORTED = Set.of("item_emb", "attr_emb");
    /** model.bin header keys that the serving header states itself. */
    private static final Set<String> NOT_FACTS = Set.of("format", "model", "num_items");

    private ServingExport() {}

    /**
     * Reads {@code runDir/config.toml} and {@code runDir/model.bin} and writes {@code runDir/serving.bin}. For an
     * {@code act} run with attributes, the attribute file named in the config must still exist.
     *
     * @return the facts of the written file (version label, file sha256, run facts)
     */
    public static ModelInfo export(Path runDir) throws IOException {
        RunFolder run = RunFolder.read(runDir);
        TrainConfig config = run.config();
        TensorFile.Content content = run.weights();
        long[] tableShape = content.shapes().get("item_emb");
        if (tableShape == null || tableShape.length != 2) {
            throw new IOException(run.weightsFile() + ": no item_emb table, not the weights of a sequence model");
        }
        int numItems = Math.toIntExact(tableShape[0] - 1);
        TorchRuntime.start(1, 1);
        ItemAttributes attrs = config.model().equals("act") && !config.attributes().isEmpty()
                ? ItemAttributes.load(Path.of(config.attributes()), numItems) : null;
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameters params = new Parameters(manager, config.seed(), content.values());
            SequenceModel model = SequenceModel.create(config, numItems, attrs, params);
            return write(runDir.resolve(ModelFile.FILE_NAME), config, model, numItems, run.facts());
        }
    }

    /** Writes the serving file of a model; {@code runFacts} is a model.bin header's map (structural keys dropped). */
    static ModelInfo write(Path file, TrainConfig config, SequenceModel model, int numItems,
                           Map<String, String> runFacts) throws IOException {
        ForwardConfig fc = new ForwardConfig(config.model(), config.dim(), config.heads(), config.layers(),
                config.maxLen(), numItems, config.similarity(), config.temperature());
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : model.parameters().snapshot().entrySet()) {
            if (!NOT_EXPORTED.contains(e.getKey())) tensors.put(e.getKey(), e.getValue());
        }
        float[] table;
        try (NDManager step = model.parameters().manager().newSubManager()) {
            model.parameters().attachTo(step);
            table = model.itemTable().toFloatArray();                       // (numItems + 1, d)
        }
        java.util.Arrays.fill(table, 0, config.dim(), 0f);                   // padding row: never an input, never scored
        tensors.put("item_table", table);
        Map<String, String> facts = new LinkedHashMap<>();
        runFacts.forEach((k, v) -> {
            if (!NOT_FACTS.contains(k)) facts.put(k, v);
        });
        facts.put("loss", config.loss());
        return ModelFile.write(file, fc, facts, tensors);
    }
}
