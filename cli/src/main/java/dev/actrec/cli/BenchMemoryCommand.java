package dev.actrec.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.actrec.bench.MemoryOnRealData;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code actrec bench memory}: the server's memory term on a trained model and its real data, λ chosen on validation. */
@Command(name = "memory", mixinStandardHelpOptions = true,
        description = {"Scores every user of a one-line-per-user data set as the server does: the trained model on its",
                "window plus lambda*log(pool(c, memory) + 1/W) for users longer than the window; leave-one-out, full",
                "ranking, earlier items masked; lambda chosen on validation NDCG@10, lambda 0 (the model alone) beside",
                "it. Prints one JSON object."})
final class BenchMemoryCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Run folder or serving.bin trained on --dataset")
    Path model;
    @Option(names = "--dataset", required = true, description = "The data set the model was trained on")
    Path dataset;
    @Option(names = "--weights", split = ",", defaultValue = "0.1,0.25,0.5,1,2",
            description = "Lambda grid (0 is always measured). Default: ${DEFAULT-VALUE}")
    float[] weights;
    @Option(names = "--temperature", defaultValue = "0.03", description = "Memory readout temperature (the server's: 0.03). Default: ${DEFAULT-VALUE}")
    float temperature;
    @Option(names = "--json", description = "Print JSON (the only output format; accepted for symmetry).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (JsonGenerator g = Json.to(System.out)) {
            new MemoryOnRealData(new MemoryOnRealData.Config(model, dataset, weights, temperature),
                    m -> System.err.println("bench memory: " + m)).run(g);
        }
        System.out.println();
        return 0;
    }
}
