package dev.actrec.cli;

import dev.actrec.core.EventReader;
import dev.actrec.core.io.EventFormat;
import dev.actrec.core.io.EventReaders;
import dev.actrec.store.ActionStore;
import dev.actrec.store.StoreConfig;
import dev.actrec.store.StreamIngester;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Append action events from a file or stdin to the store; exits 0 only when all are durable.",
                "Formats: CSV with header user,item,action,ts[,watch_ms,duration_ms]; NDJSON with the same fields; "
                        + "the benchmark format 'user item1 item2 ...' (view actions, ordinal timestamps).",
                "Each batch is atomic: a bad line rejects its batch and stops; earlier batches stay durable."})
final class IngestCommand implements Callable<Integer> {
    @Mixin
    DataDirOption data;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE|-", description = "Input file ('-' or none: stdin; .gz is decompressed).")
    String input;

    @Option(names = "--format", paramLabel = "csv|ndjson|sequences", description = "Input format (default: detect from the extension, else the content).")
    String format;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "10000",
            description = "Events per atomic batch (one log record). Default: ${DEFAULT-VALUE}")
    int batchSize;

    @Option(names = "--no-checkpoint", description = "Leave the new actions in the log instead of sealing them into compressed chunks at the end.")
    boolean noCheckpoint;

    @Override
    public Integer call() throws Exception {
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        Path path = input == null || input.equals("-") ? null : Path.of(input);
        if (path != null && !Files.isRegularFile(path)) throw new IllegalArgumentException("input file not found: " + path);
        EventFormat fmt = format == null ? null : EventFormat.fromName(format);
        long size = path == null ? -1 : Files.size(path);
        ProgressLine progress = new ProgressLine("ingest", "actions", size);
        StreamIngester.Result r;
        long t0 = System.nanoTime();
        try (EventReader reader = EventReaders.open(path, fmt);
             ActionStore store = ActionStore.open(StoreConfig.defaults(data.dir).withCheckpointOnClose(!noCheckpoint))) {
            r = new StreamIngester(store, batchSize, StreamIngester.DEFAULT_IN_FLIGHT).run(reader, (actions, lines, bytes) -> progress.update(actions, bytes));
            progress.finish(r.stored() + r.duplicates(), size);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("ingested %,d events in %.1f s (%,.0f/s): %,d stored, %,d exact duplicates dropped, %,d late; durable in %s%n",
                r.events(), secs, r.events() / secs, r.stored(), r.duplicates(), r.late(), data.dir);
        return 0;
    }
}
