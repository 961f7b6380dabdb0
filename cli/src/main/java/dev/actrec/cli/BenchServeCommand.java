package dev.actrec.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.actrec.server.bench.ServeBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"The HTTP server in a child JVM on loopback under a closed-loop client: durable HTTP ingest rate",
                "(batches of 1,000), recommend and rank latency p50/p99/max, and GET /healthz as the floor.",
                "The recommender is the popularity fallback, not a model; the output says so."})
final class BenchServeCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "actrec-bench", description = "Work directory. Default: ${DEFAULT-VALUE}")
    Path dir;
    @Option(names = "--users", defaultValue = "10000", description = "Default: ${DEFAULT-VALUE}")
    int users;
    @Option(names = "--items", defaultValue = "1000000", description = "Catalog size. Default: ${DEFAULT-VALUE}")
    int items;
    @Option(names = "--batches", defaultValue = "1000", description = "Ingest requests. Default: ${DEFAULT-VALUE}")
    int batches;
    @Option(names = "--batch-size", defaultValue = "1000", description = "Events per ingest request. Default: ${DEFAULT-VALUE}")
    int batchSize;
    @Option(names = "--clients", defaultValue = "4", description = "Client threads. Default: ${DEFAULT-VALUE}")
    int clients;
    @Option(names = "--requests", defaultValue = "20000", description = "Timed requests per route. Default: ${DEFAULT-VALUE}")
    int requests;
    @Option(names = "--candidates", defaultValue = "1000", description = "Items per rank request. Default: ${DEFAULT-VALUE}")
    int candidates;
    @Option(names = "--seed", defaultValue = "7", description = "Default: ${DEFAULT-VALUE}")
    long seed;
    @Option(names = "--json", description = "Print JSON (the only output format; accepted for symmetry).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ServeBenchmark.Config cfg = new ServeBenchmark.Config(dir, users, items, batches, batchSize, clients, requests,
                candidates, seed);
        try (JsonGenerator g = Json.to(System.out)) {
            new ServeBenchmark(cfg, m -> System.err.println("bench serve: " + m)).run(g);
        }
        System.out.println();
        return 0;
    }
}
