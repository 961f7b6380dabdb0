package dev.actrec.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.actrec.bench.ServeBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"The server with an act model over a 1,000,000-item catalog, in a child JVM on loopback, under a",
                "closed-loop client: recommend (k=10) and rank (1,000 candidates) latency p50/p99/max per history",
                "length, throughput at saturation, durable HTTP ingest (batches of 1,000), /healthz as the HTTP floor;",
                "then the forward pass in pure Java, through DJL/PyTorch, and the compute floor. Prints JSON."})
final class BenchServeCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "actrec-bench", description = "Work directory. Default: ${DEFAULT-VALUE}")
    Path dir;
    @Option(names = "--items", defaultValue = "1000000", description = "Catalog size. Default: ${DEFAULT-VALUE}")
    int items;
    @Option(names = "--lengths", defaultValue = "1000,10000,100000,1000000", split = ",",
            description = "History lengths, one user each. Default: ${DEFAULT-VALUE}")
    int[] lengths;
    @Option(names = "--users", defaultValue = "10000", description = "Ordinary users. Default: ${DEFAULT-VALUE}")
    int users;
    @Option(names = "--actions-per-user", defaultValue = "50", description = "Default: ${DEFAULT-VALUE}")
    int actionsPerUser;
    @Option(names = "--batches", defaultValue = "300", description = "Ingest requests. Default: ${DEFAULT-VALUE}")
    int batches;
    @Option(names = "--batch-size", defaultValue = "1000", description = "Events per ingest request. Default: ${DEFAULT-VALUE}")
    int batchSize;
    @Option(names = "--clients", defaultValue = "2", description = "Client threads for latency (4x that for saturation). Default: ${DEFAULT-VALUE}")
    int clients;
    @Option(names = "--requests", defaultValue = "5000", description = "Timed requests per route. Default: ${DEFAULT-VALUE}")
    int requests;
    @Option(names = "--candidates", defaultValue = "1000", description = "Items per rank request. Default: ${DEFAULT-VALUE}")
    int candidates;
    @Option(names = "--dim", defaultValue = "64", description = "Model width. Default: ${DEFAULT-VALUE}")
    int dim;
    @Option(names = "--layers", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}")
    int layers;
    @Option(names = "--heads", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}")
    int heads;
    @Option(names = "--window", defaultValue = "200", description = "Model window (max_len). Default: ${DEFAULT-VALUE}")
    int window;
    @Option(names = "--seed", defaultValue = "7", description = "Default: ${DEFAULT-VALUE}")
    long seed;
    @Option(names = "--server-set", paramLabel = "KEY=VALUE", description = "A server setting for the run, e.g. "
            + "--server-set retrieval.hnsw_ef_search=200 (repeatable).")
    java.util.List<String> serverSettings = new java.util.ArrayList<>();
    @Option(names = "--json", description = "Print JSON (the only output format; accepted for symmetry).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ServeBenchmark.Config cfg = new ServeBenchmark.Config(dir, items, lengths, users, actionsPerUser, batches,
                batchSize, clients, requests, candidates, dim, layers, heads, window, seed, serverSettings);
        try (JsonGenerator g = Json.to(System.out)) {
            new ServeBenchmark(cfg, m -> System.err.println("bench serve: " + m)).run(g);
        }
        System.out.println();
        return 0;
    }
}
