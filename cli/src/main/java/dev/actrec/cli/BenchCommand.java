package dev.actrec.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.actrec.bench.StoreBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print one JSON object.",
        subcommands = {BenchCommand.Store.class, BenchServeCommand.class, BenchLifelongCommand.class,
                BenchMemoryCommand.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "store", mixinStandardHelpOptions = true,
            description = {"Durable ingest from a generated CSV (>= 10M actions), full reads of a 1M-action history,",
                    "last-1024 reads, bytes per action, with floors measured in the same run."})
    static final class Store implements Callable<Integer> {
        @Option(names = "--dir", defaultValue = "actrec-bench", description = "Work directory (the generated CSV is kept for reuse). Default: ${DEFAULT-VALUE}")
        Path dir;
        @Option(names = "--users", defaultValue = "10000", description = "Ordinary users. Default: ${DEFAULT-VALUE}")
        int users;
        @Option(names = "--actions-per-user", defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}")
        int actionsPerUser;
        @Option(names = "--items", defaultValue = "1000000", description = "Catalog size. Default: ${DEFAULT-VALUE}")
        int items;
        @Option(names = "--heavy-user-actions", defaultValue = "1000000", description = "Default: ${DEFAULT-VALUE}")
        int heavy;
        @Option(names = "--seed", defaultValue = "7", description = "Default: ${DEFAULT-VALUE}")
        long seed;
        @Option(names = "--batch-size", defaultValue = "10000", description = "Default: ${DEFAULT-VALUE}")
        int batchSize;
        @Option(names = "--full-reads", defaultValue = "100", description = "Warm full-history reads timed. Default: ${DEFAULT-VALUE}")
        int fullReads;
        @Option(names = "--last-reads", defaultValue = "20000", description = "Last-1024 reads timed. Default: ${DEFAULT-VALUE}")
        int lastReads;
        @Option(names = "--keep", description = "Keep the store directory afterwards.")
        boolean keep;
        @Option(names = "--json", description = "Print JSON (the only output format; accepted for symmetry).")
        boolean json;

        @Override
        public Integer call() throws Exception {
            StoreBenchmark.Config cfg = new StoreBenchmark.Config(dir, users, actionsPerUser, items, heavy, seed,
                    batchSize, fullReads, lastReads, keep);
            try (JsonGenerator g = Json.to(System.out)) {
                new StoreBenchmark(cfg, m -> System.err.println("bench store: " + m)).run(g);
            }
            System.out.println();
            return 0;
        }
    }
}
