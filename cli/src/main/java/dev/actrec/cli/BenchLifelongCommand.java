package dev.actrec.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.actrec.bench.LifelongBenchmark;
import dev.actrec.core.gen.lifelong.LifelongConfig;
import dev.actrec.core.gen.lifelong.LifelongModel;
import dev.actrec.model.lifelong.AttentionConfig;
import dev.actrec.model.lifelong.ItemEmbeddings;
import dev.actrec.model.lifelong.MemoryConfig;
import dev.actrec.train.ReadoutTrainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code actrec bench lifelong}: the lifelong scorer family beside the oracle, per history length. */
@Command(name = "lifelong", mixinStandardHelpOptions = true,
        description = {"Next-item HR@10/NDCG@10 (95%% CI over users; hand-set and learned score weights), AUC/GAUC of an",
                "engagement head, rank latency for N candidates, memory update cost and state bytes for last_n, sim_hard,",
                "twin, full, act_memory, act_trained (the memory with a readout trained by DJL), popularity and the oracle, per history length. Generates (or reuses) one",
                "lifelong CSV per length in --dir. Prints one JSON object."})
final class BenchLifelongCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "actrec-bench-lifelong", description = "Work directory (generated data is kept). Default: ${DEFAULT-VALUE}")
    Path dir;
    @Option(names = "--lengths", split = ",", defaultValue = "1000,10000,100000,1000000", description = "History lengths. Default: ${DEFAULT-VALUE}")
    int[] lengths;
    @Option(names = "--users", split = ",", defaultValue = "60,30,12,3", description = "Users per length. Default: ${DEFAULT-VALUE}")
    int[] users;
    @Option(names = "--items", defaultValue = "5000", description = "Catalog size. Default: ${DEFAULT-VALUE}")
    int items;
    @Option(names = "--categories", description = "Categories. Default: items/50 within 12..1000")
    Integer categories;
    @Option(names = "--seed", defaultValue = "11", description = "Default: ${DEFAULT-VALUE}")
    long seed;
    @Option(names = "--held-out", defaultValue = "10", description = "Test positions per user (its last actions). Default: ${DEFAULT-VALUE}")
    int heldOut;
    @Option(names = "--head-train", defaultValue = "50", description = "Action heads: training positions per user (the actions just before the test ones). Default: ${DEFAULT-VALUE}")
    int headTrain;
    @Option(names = "--rank-train", defaultValue = "10", description = "Learned ranking weights: the last of those positions at which the whole catalog is the softmax. Default: ${DEFAULT-VALUE}")
    int rankTrain;
    @Option(names = "--candidates", defaultValue = "1000", description = "Candidates per timed rank request. Default: ${DEFAULT-VALUE}")
    int candidates;
    @Option(names = "--returning-per-user", defaultValue = "30", description = "Positions per user in the returning-interest slice (within a window after a dormant interest came back). Default: ${DEFAULT-VALUE}")
    int returningPerUser;
    @Option(names = "--latency-requests", defaultValue = "100", description = "Timed rank requests per method and length. Default: ${DEFAULT-VALUE}")
    int latencyRequests;
    @Option(names = "--max-train-per-user", defaultValue = "200000", description = "Item-vector training: most recent training actions per user. Default: ${DEFAULT-VALUE}")
    int maxTrainPerUser;
    @Option(names = "--epochs", defaultValue = "2", description = "Skip-gram epochs. Default: ${DEFAULT-VALUE}")
    int epochs;
    @Option(names = "--tokens", defaultValue = "256", description = "Memory tokens M. Default: ${DEFAULT-VALUE}")
    int tokens;
    @Option(names = "--heavy-hitters", defaultValue = "4", description = "Memory: exact item counters per token H. Default: ${DEFAULT-VALUE}")
    int heavyHitters;
    @Option(names = "--join-cosine", defaultValue = "0.8", description = "Memory: open a new token below this cosine. Default: ${DEFAULT-VALUE}")
    float joinCosine;
    @Option(names = "--temperature", defaultValue = "0.03", description = "Attention temperature. Default: ${DEFAULT-VALUE}")
    float temperature;
    @Option(names = "--long-weight", defaultValue = "1", description = "Exponent λ of the long-term pool. Default: ${DEFAULT-VALUE}")
    float longWeight;
    @Option(names = "--long-floor", defaultValue = "1", description = "Floor δ of the long-term pool, in actions. Default: ${DEFAULT-VALUE}")
    float longFloor;
    @Option(names = "--long-temperature", defaultValue = "0.03", description = "Temperature of the long-term pool. Default: ${DEFAULT-VALUE}")
    float longTemperature;
    @Option(names = "--popularity-weight", defaultValue = "0.5", description = "Weight of log(1 + training count). Default: ${DEFAULT-VALUE}")
    float popularityWeight;
    @Option(names = "--favourite-rate", description = "Generator: chance that an engaged action in a long-term interest makes a favourite. Default: the model's (0.02)")
    Double favouriteRate;
    @Option(names = "--favourite-sigma", description = "Generator: sigma of the favourites' log-normal re-consumption weights (0 = all alike). Default: the model's (1.5)")
    Double favouriteSigma;
    @Option(names = "--readout-positions", defaultValue = "100", description = "act_trained: training positions per user for its readout. Default: ${DEFAULT-VALUE}")
    int readoutPositions;
    @Option(names = "--readout-epochs", defaultValue = "8", description = "act_trained: readout training epochs, at least (the epoch with the lowest validation loss is kept). Default: ${DEFAULT-VALUE}")
    int readoutEpochs;
    @Option(names = "--readout-steps", defaultValue = "1000", description = "act_trained: at least this many optimiser steps (more epochs when the training set is small). Default: ${DEFAULT-VALUE}")
    int readoutSteps;
    @Option(names = "--readout-negatives", defaultValue = "255", description = "act_trained: uniform negatives per training example. Default: ${DEFAULT-VALUE}")
    int readoutNegatives;
    @Option(names = "--readout-hard-negatives", defaultValue = "512", description = "act_trained: at most this many more negatives per example from its own window and exact memory keys. Default: ${DEFAULT-VALUE}")
    int readoutHardNegatives;
    @Option(names = "--readout-lr", defaultValue = "0.01", description = "act_trained: Adam learning rate of the readout. Default: ${DEFAULT-VALUE}")
    double readoutLr;
    @Option(names = "--json", description = "Print JSON (the only output format; accepted for symmetry).")
    boolean json;

    /** The generator's default model, with the favourites' settings given on the command line. */
    private LifelongModel model() {
        LifelongModel m = LifelongModel.defaults();
        if (favouriteRate != null) m = m.withFavourites(favouriteRate, m.reconsumeMinGap());
        if (favouriteSigma != null) m = m.withFavouriteWeightSigma(favouriteSigma);
        return m;
    }

    @Override
    public Integer call() throws Exception {
        ItemEmbeddings.Config e = ItemEmbeddings.Config.defaults(seed);
        e = new ItemEmbeddings.Config(e.dim(), e.window(), e.negatives(), epochs, e.learningRate(), e.seed());
        int cats = categories != null ? categories : LifelongConfig.defaultCategories(items);
        LifelongBenchmark.Config cfg = new LifelongBenchmark.Config(dir, lengths, users, items, cats, seed, heldOut, headTrain, rankTrain,
                returningPerUser, candidates, latencyRequests, maxTrainPerUser, e, MemoryConfig.defaults().withTokens(tokens).withHeavyHitters(heavyHitters)
                .withJoinCosine(joinCosine),
                new AttentionConfig(temperature, longWeight, longTemperature, longFloor, popularityWeight, 200, 100),
                model(), readoutPositions, new ReadoutTrainer.Settings(readoutEpochs, readoutSteps, 32, readoutNegatives, readoutHardNegatives, readoutLr, 0.01, seed));
        try (JsonGenerator g = Json.to(System.out)) {
            new LifelongBenchmark(cfg, m -> System.err.println("bench lifelong: " + m)).run(g);
        }
        System.out.println();
        return 0;
    }
}
