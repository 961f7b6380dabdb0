package dev.actrec.cli;

import dev.actrec.core.ActionColumns;
import dev.actrec.store.ActionStore;
import dev.actrec.store.StoreConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check a store end to end: opening checks the checkpoint, dictionaries, chunk headers and the log;",
                "then every user's history is read, which checks every chunk's payload checksum.",
                "Exits 1 naming the file and offset of the first damage."})
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    DataDirOption data;

    @Override
    public Integer call() throws Exception {
        long actions = 0;
        int users;
        try (ActionStore store = ActionStore.open(StoreConfig.defaults(data.dir).withCheckpointOnClose(false))) {
            users = store.userCount();
            ActionColumns c = new ActionColumns();
            for (int u = 0; u < users; u++) {
                long expected = store.historyLength(u);
                int n = store.readAll(u, c);
                if (n != expected) {
                    throw new IllegalStateException("user " + store.userText(u) + ": read " + n + " actions, expected " + expected);
                }
                actions += n;
            }
        }
        System.out.printf("ok: %s holds %,d users and %,d actions; every checksum verified%n", data.dir, users, actions);
        return 0;
    }
}
