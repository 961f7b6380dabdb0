package dev.actrec.cli;

import dev.actrec.core.gen.GenConfig;
import dev.actrec.core.gen.lifelong.LifelongConfig;
import dev.actrec.core.gen.lifelong.LifelongGenerator;
import dev.actrec.core.gen.lifelong.LifelongModel;
import dev.actrec.core.io.EventFormat;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code actrec gen lifelong}: long histories where the distant past matters, plus the sidecar the oracle needs. */
@Command(name = "lifelong", mixinStandardHelpOptions = true,
        description = {"Generate users with lifelong histories (10^3..10^6 actions) in which long-range structure",
                "carries signal: interests dormant for 10^4..10^5 actions that return, favourites re-consumed long",
                "after they were first seen, drifting short-term interests, sessions, affinity-dependent action types.",
                "Writes the events (users one after another) and a JSON sidecar (FILE.lifelong.json by default) with",
                "the config, seed, event count and sha256, from which LifelongOracle recomputes the ground truth.",
                "The model is described in docs/lifelong-data.md. Deterministic for a seed."})
final class LifelongGenCommand implements Callable<Integer> {
    @Option(names = "--users", required = true, paramLabel = "N", description = "Users (ids 1..N).")
    int users;

    @Option(names = "--min-length", defaultValue = "1000", paramLabel = "L",
            description = "Shortest history; lengths are log-uniform in [min, max]. Default: ${DEFAULT-VALUE}")
    int minLength;

    @Option(names = "--max-length", defaultValue = "1000000", paramLabel = "L",
            description = "Longest history. Default: ${DEFAULT-VALUE}")
    int maxLength;

    @Option(names = "--lengths", split = ",", paramLabel = "L1,L2,...",
            description = "Exact length buckets instead of the range: user u gets L[(u-1) mod k] actions.")
    int[] lengths;

    @Option(names = "--items", required = true, paramLabel = "I", description = "Catalog size.")
    int items;

    @Option(names = "--categories", paramLabel = "C",
            description = "Item categories. Default: items/50, within [12, 1000]")
    Integer categories;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Random seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file.")
    Path out;

    @Option(names = "--sidecar", paramLabel = "FILE", description = "Sidecar JSON. Default: FILE.lifelong.json")
    Path sidecar;

    @Option(names = "--format", defaultValue = "csv", paramLabel = "csv|ndjson", description = "Output format. Default: ${DEFAULT-VALUE}")
    String format;

    @Override
    public Integer call() throws Exception {
        EventFormat fmt = EventFormat.fromName(format);
        if (fmt == EventFormat.SEQUENCES) throw new IllegalArgumentException("--format must be csv or ndjson, got " + format);
        LifelongModel model = LifelongModel.defaults();
        int cats = categories != null ? categories : LifelongConfig.defaultCategories(items);
        LifelongConfig cfg = new LifelongConfig(users, minLength, maxLength, lengths, items, cats,
                GenConfig.DEFAULT_ZIPF_EXPONENT, seed, GenConfig.DEFAULT_START_MS, model);
        LifelongGenerator gen = new LifelongGenerator(cfg);
        ProgressLine progress = new ProgressLine("gen lifelong", "events", gen.totalEvents());
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long t0 = System.nanoTime();
        long n;
        try (OutputStream o = new BufferedOutputStream(new DigestOutputStream(Files.newOutputStream(tmp), sha), 1 << 20)) {
            n = gen.writeTo(o, fmt, c -> progress.update(c, c));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        progress.finish(n, n);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("events", n);
        extra.put("dataFile", out.getFileName().toString());
        extra.put("dataFormat", fmt.cliName());
        extra.put("sha256", HexFormat.of().formatHex(sha.digest()));
        Path side = sidecar != null ? sidecar : out.resolveSibling(out.getFileName() + ".lifelong.json");
        Path sideTmp = side.resolveSibling(side.getFileName() + ".tmp");
        Files.writeString(sideTmp, cfg.toJson(extra));
        Files.move(sideTmp, side, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf("wrote %,d events of %,d users to %s in %.2f s (%.2f M events/s); sidecar %s%n", n, users,
                out, seconds, n / seconds / 1e6, side);
        return 0;
    }
}
