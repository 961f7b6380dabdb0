package dev.actrec.cli.train;

import dev.actrec.core.InputFormatException;
import dev.actrec.core.dataset.SequenceDataset;
import dev.actrec.train.Evaluator;
import dev.actrec.train.JsonReport;
import dev.actrec.train.LeaveOneOut;
import dev.actrec.train.RankingMetrics;
import dev.actrec.train.Reports;
import dev.actrec.train.ResultsTable;
import dev.actrec.train.TrainedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code actrec eval}: full-ranking leave-one-out evaluation of a trained run folder. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a trained model: leave-one-out, full ranking over all items, every user.",
                "HR and NDCG at 5, 10, 20, 50 on the test target (last item) or the validation target."})
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", description = "Run folder written by actrec train.")
    Path modelDir;

    @Option(names = "--dataset", paramLabel = "FILE", description = "The data file it was trained on.")
    Path dataset;

    @Option(names = "--table", paramLabel = "METRICS_JSON", arity = "1..*",
            description = "Instead of evaluating, print the markdown results table (docs/results.md) of these runs' "
                    + "metrics.json files next to the published numbers.")
    List<Path> table;

    @Option(names = "--mask-seen", description = "Exclude the user's earlier items from the ranking (ICLRec/DuoRec/"
            + "TIGER/HSTU convention). Default: off.")
    boolean maskSeen;

    @Option(names = "--split", defaultValue = "test", paramLabel = "test|validation",
            description = "Which held-out target to rank (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch intra-op threads; 0 = automatic "
            + "(all cores when the machine is idle, else 1) (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (table != null) {
            System.out.print(ResultsTable.markdown(table));
            return 0;
        }
        if (modelDir == null || dataset == null) {
            System.err.println("actrec eval: --model DIR and --dataset FILE are required (or --table FILES)");
            return 2;
        }
        LeaveOneOut.Split which;
        switch (split.toLowerCase(Locale.ROOT)) {
            case "test" -> which = LeaveOneOut.Split.TEST;
            case "validation", "valid", "val" -> which = LeaveOneOut.Split.VALIDATION;
            default -> {
                System.err.println("actrec eval: --split must be test or validation, got '" + split + "'");
                return 2;
            }
        }
        SequenceDataset data;
        try {
            data = SequenceDataset.load(dataset);
        } catch (InputFormatException e) {
            System.err.println("actrec eval: bad data: " + e.getMessage());
            return 2;
        }
        try (TrainedModel tm = TrainedModel.load(modelDir, data, threads, 1)) {
            String trained = tm.facts().get("dataset_sha256");
            if (trained != null && !trained.equals(data.sha256())) {
                System.err.println("actrec eval: warning: the model was trained on data with sha256 " + trained
                        + ", this file has " + data.sha256());
            }
            RankingMetrics m = Evaluator.evaluate(tm.model(), data, which, tm.config()).get(maskSeen);
            Map<String, Object> report = Reports.evaluation(data, tm.config(), tm.facts(),
                    which.name().toLowerCase(Locale.ROOT), maskSeen, m);
            if (json) {
                System.out.print(JsonReport.toJson(report));
            } else {
                System.out.printf(Locale.ROOT, "%s on %s (%s, mask_seen=%s, %d users):%n", tm.config().model(),
                        data.source(), which.name().toLowerCase(Locale.ROOT), maskSeen, m.users());
                m.asMap().forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-8s %.4f%n", k, v));
            }
        }
        return 0;
    }
}
