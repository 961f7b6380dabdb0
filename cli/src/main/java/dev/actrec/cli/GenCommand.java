package dev.actrec.cli;

import dev.actrec.core.gen.GenConfig;
import dev.actrec.core.gen.SyntheticEventGenerator;
import dev.actrec.core.io.EventFormat;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "gen", mixinStandardHelpOptions = true, subcommands = LifelongGenCommand.class,
        description = {"Generate a realistic synthetic event stream: power-law item popularity, item categories,",
                "sessions, drifting interests, plausible action rates and watch times. Deterministic for a seed.",
                "'gen lifelong' generates long histories where the distant past matters, with an oracle."})
final class GenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    // Required, but checked in call(): picocli would otherwise demand them before 'gen lifelong' as well.
    @Option(names = "--users", paramLabel = "N", description = "Ordinary users (ids 1..N). Required.")
    Integer users;

    @Option(names = "--actions-per-user", paramLabel = "L", description = "Actions of every ordinary user. Required.")
    Integer actionsPerUser;

    @Option(names = "--items", paramLabel = "I", description = "Catalog size. Required.")
    Integer items;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Random seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--heavy-user-actions", defaultValue = "0", paramLabel = "H",
            description = "Add one heavy user (id N+1) with exactly H actions. Default: none")
    int heavy;

    @Option(names = "--out", paramLabel = "FILE", description = "Output file ('-' for stdout). Required.")
    String out;

    @Option(names = "--format", defaultValue = "csv", paramLabel = "csv|ndjson", description = "Output format. Default: ${DEFAULT-VALUE}")
    String format;

    @Override
    public Integer call() throws Exception {
        List<String> missing = new ArrayList<>();
        if (users == null) missing.add("'--users=N'");
        if (actionsPerUser == null) missing.add("'--actions-per-user=L'");
        if (items == null) missing.add("'--items=I'");
        if (out == null) missing.add("'--out=FILE'");
        if (!missing.isEmpty()) {
            throw new ParameterException(spec.commandLine(), (missing.size() == 1 ? "Missing required option: "
                    : "Missing required options: ") + String.join(", ", missing));
        }
        EventFormat fmt = EventFormat.fromName(format);
        if (fmt == EventFormat.SEQUENCES) throw new IllegalArgumentException("--format must be csv or ndjson, got " + format);
        GenConfig cfg = GenConfig.of(users, actionsPerUser, items, seed).withHeavyUserActions(heavy);
        long n = generate(cfg, fmt, out.equals("-") ? null : Path.of(out), true);
        if (!out.equals("-")) System.out.printf("wrote %,d events to %s%n", n, out);
        return 0;
    }

    /** Writes the stream to {@code file} (atomically, via a temporary file) or stdout when null. */
    static long generate(GenConfig cfg, EventFormat fmt, Path file, boolean showProgress) throws java.io.IOException {
        SyntheticEventGenerator gen = new SyntheticEventGenerator(cfg);
        ProgressLine progress = showProgress ? new ProgressLine("gen", "events", gen.totalEvents()) : null;
        if (file == null) {
            OutputStream o = new BufferedOutputStream(System.out, 1 << 16);
            long n = gen.writeTo(o, fmt, c -> { if (progress != null) progress.update(c, c); });
            o.flush();
            return n;
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        long n;
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            n = gen.writeTo(o, fmt, c -> { if (progress != null) progress.update(c, c); });
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (progress != null) progress.finish(n, n);
        return n;
    }
}
