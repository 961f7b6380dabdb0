package dev.actrec.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.actrec.store.ActionStore;
import dev.actrec.store.StoreConfig;
import dev.actrec.store.StoreStats;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Print the store's size: users, items, actions, bytes on disk, bytes per action, longest history.")
final class StatsCommand implements Callable<Integer> {
    @Mixin
    DataDirOption data;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        StoreStats s;
        try (ActionStore store = ActionStore.open(StoreConfig.defaults(data.dir).withCheckpointOnClose(false))) {
            s = store.stats();
        }
        print(s, json);
        return 0;
    }

    static void print(StoreStats s, boolean json) throws java.io.IOException {
        if (json) {
            try (JsonGenerator g = Json.to(System.out)) {
                write(g, s);
            }
            System.out.println();
            return;
        }
        System.out.printf("users                 %,d%n", s.users());
        System.out.printf("items                 %,d%n", s.items());
        System.out.printf("actions               %,d (%,d sealed in chunks, %,d in the log)%n",
                s.actions(), s.sealedActions(), s.actions() - s.sealedActions());
        System.out.printf("bytes on disk         %,d (chunks %,d, log %,d, dictionaries %,d)%n",
                s.totalBytes(), s.chunkBytes(), s.logBytes(), s.dictionaryBytes());
        System.out.printf("bytes per action      %.2f on disk in all, %.2f in chunks (raw fixed-width: %d)%n",
                s.bytesPerAction(), s.sealedBytesPerAction(), StoreStats.RAW_BYTES_PER_ACTION);
        System.out.printf("longest history       %,d actions (user %s)%n", s.longestHistory(), s.longestUser());
    }

    static void write(JsonGenerator g, StoreStats s) throws java.io.IOException {
        g.writeStartObject();
        g.writeNumberField("users", s.users());
        g.writeNumberField("items", s.items());
        g.writeNumberField("actions", s.actions());
        g.writeNumberField("sealed_actions", s.sealedActions());
        g.writeNumberField("bytes_on_disk", s.totalBytes());
        g.writeNumberField("chunk_bytes", s.chunkBytes());
        g.writeNumberField("log_bytes", s.logBytes());
        g.writeNumberField("dictionary_bytes", s.dictionaryBytes());
        g.writeNumberField("bytes_per_action", round(s.bytesPerAction()));
        g.writeNumberField("chunk_bytes_per_action", round(s.sealedBytesPerAction()));
        g.writeNumberField("raw_bytes_per_action", StoreStats.RAW_BYTES_PER_ACTION);
        g.writeNumberField("longest_history", s.longestHistory());
        g.writeStringField("longest_history_user", s.longestUser());
        g.writeEndObject();
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
