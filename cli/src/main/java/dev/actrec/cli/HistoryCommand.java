package dev.actrec.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.actrec.core.ActionColumns;
import dev.actrec.core.ActionType;
import dev.actrec.store.ActionStore;
import dev.actrec.store.StoreConfig;
import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Print a user's actions, oldest first.")
final class HistoryCommand implements Callable<Integer> {
    @Mixin
    DataDirOption data;

    @Option(names = "--user", required = true, paramLabel = "U", description = "External user id (digits = numeric id).")
    String user;

    @Option(names = "--last", paramLabel = "N", description = "Only the last N actions (default: the whole history).")
    Integer last;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (last != null && last < 0) throw new IllegalArgumentException("--last must be >= 0, got " + last);
        try (ActionStore store = ActionStore.open(StoreConfig.defaults(data.dir).withCheckpointOnClose(false))) {
            int id = store.findUser(user);
            if (id < 0) {
                System.err.println("actrec: user '" + user + "' has no actions in " + data.dir);
                return 1;
            }
            ActionColumns c = new ActionColumns();
            if (last == null) store.readAll(id, c);
            else store.readLast(id, last, c);
            print(store, user, store.historyLength(id), c, json);
        }
        return 0;
    }

    static void print(ActionStore store, String user, long length, ActionColumns c, boolean json) throws java.io.IOException {
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
        if (json) {
            try (JsonGenerator g = Json.to(out)) {
                g.writeStartObject();
                g.writeStringField("user", user);
                g.writeNumberField("history_length", length);
                g.writeNumberField("returned", c.size());
                g.writeArrayFieldStart("actions");
                for (int i = 0; i < c.size(); i++) {
                    g.writeStartObject();
                    g.writeNumberField("ts", c.timestamp(i));
                    g.writeStringField("item", store.itemText(c.item(i)));
                    g.writeStringField("action", ActionType.fromCode(c.type(i)).wireName());
                    g.writeNumberField("watch_ms", c.watchMs(i));
                    g.writeNumberField("duration_ms", c.durationMs(i));
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            out.println();
        } else {
            out.printf("user %s: %,d actions, showing %,d%n", user, length, c.size());
            out.printf("%15s  %-10s  %-20s  %9s  %11s%n", "ts", "action", "item", "watch_ms", "duration_ms");
            for (int i = 0; i < c.size(); i++) {
                out.printf("%15d  %-10s  %-20s  %9d  %11d%n", c.timestamp(i), ActionType.fromCode(c.type(i)).wireName(),
                        store.itemText(c.item(i)), c.watchMs(i), c.durationMs(i));
            }
        }
        out.flush();
    }
}
