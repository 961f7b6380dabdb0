package dev.actrec.cli.train;

import dev.actrec.core.InputFormatException;
import dev.actrec.core.dataset.SequenceDataset;
import dev.actrec.train.CurvePlot;
import dev.actrec.train.JsonReport;
import dev.actrec.train.Reports;
import dev.actrec.train.TrainConfig;
import dev.actrec.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code actrec train}: trains a next-item model on a one-line-per-user data set; see {@link Trainer}. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a next-item model (leave-one-out: last item = test, second-to-last = validation).",
                "Settings: the model's defaults, then --config FILE (key = value lines), then --set key=value.",
                "Writes DIR/config.toml, model.bin (best validation epoch), serving.bin (the same weights for serving),",
                "checkpoint.bin, metrics.json, curves.png."})
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--dataset", required = true, paramLabel = "FILE",
            description = "Data file: one line per user, 'user_id item_1 ... item_n', oldest first.")
    Path dataset;

    @Option(names = "--model", required = true, paramLabel = "sasrec|act", description = "Model to train.")
    String model;

    @Option(names = "--config", paramLabel = "FILE", description = "Config file (flat TOML: key = value).")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one setting (repeatable), "
            + "e.g. --set epochs=50 --set lr=0.002.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--epochs", description = "Shortcut for --set epochs=N.")
    Integer epochs;

    @Option(names = "--seed", description = "Shortcut for --set seed=N.")
    Long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/MODEL-DATASET).")
    Path out;

    @Option(names = "--resume", description = "Continue from DIR/checkpoint.bin.")
    boolean resume;

    @Option(names = "--print-config", description = "Print the effective configuration and exit.")
    boolean printConfig;

    @Override
    public Integer call() throws Exception {
        TrainConfig config;
        try {
            config = TrainConfig.defaults(model).with("model", model);
            if (resume && configFile == null && out != null && Files.exists(out.resolve(Trainer.CONFIG_FILE))) {
                config = TrainConfig.read(out.resolve(Trainer.CONFIG_FILE)); // resume with the run's own settings
            }
            if (configFile != null) config = config.withFile(configFile);
            for (String kv : overrides) {
                int eq = kv.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("--set expects KEY=VALUE, got '" + kv + "'");
                config = config.with(kv.substring(0, eq), kv.substring(eq + 1));
            }
            if (epochs != null) config = config.with("epochs", epochs.toString());
            if (seed != null) config = config.with("seed", seed.toString());
        } catch (IllegalArgumentException e) {
            System.err.println("actrec train: " + e.getMessage());
            return 2;
        }
        if (printConfig) {
            System.out.print(config.toToml());
            return 0;
        }
        SequenceDataset data;
        try {
            data = SequenceDataset.load(dataset);
        } catch (InputFormatException e) {
            System.err.println("actrec train: bad data: " + e.getMessage());
            return 2;
        }
        Path dir = out != null ? out : Path.of("runs", config.model() + "-" + stem(dataset));
        String command = "actrec train " + String.join(" ", rawArgs());
        Trainer.Result r = new Trainer(data, config, dir, System.err).run(resume);
        Map<String, Object> report = Reports.training(data, config, r, command);
        Files.writeString(dir.resolve("metrics.json"), JsonReport.toJson(report));
        CurvePlot.write(dir.resolve("curves.png"), config.model() + " on " + stem(dataset), r.history());
        System.out.printf(Locale.ROOT, "%s on %s: best epoch %d of %d, %.1f min; test (mask_seen) HR@10 %.4f "
                        + "NDCG@10 %.4f, (no mask) HR@10 %.4f NDCG@10 %.4f; run folder %s%n", config.model(),
                stem(dataset), r.bestEpoch(), r.epochsRun(), r.wallSeconds() / 60, r.test().masked().hr(10),
                r.test().masked().ndcg(10), r.test().unmasked().hr(10), r.test().unmasked().ndcg(10), dir);
        return 0;
    }

    private List<String> rawArgs() {
        List<String> a = new ArrayList<>(List.of("--dataset", dataset.toString(), "--model", model));
        if (configFile != null) a.addAll(List.of("--config", configFile.toString()));
        for (String s : overrides) a.addAll(List.of("--set", s));
        if (epochs != null) a.addAll(List.of("--epochs", epochs.toString()));
        if (seed != null) a.addAll(List.of("--seed", seed.toString()));
        if (out != null) a.addAll(List.of("--out", out.toString()));
        if (resume) a.add("--resume");
        return a;
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
