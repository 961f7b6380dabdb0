package dev.actrec.cli;

import dev.actrec.core.ActionColumns;
import dev.actrec.core.EventReader;
import dev.actrec.core.gen.GenConfig;
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

@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"The main job on embedded defaults: generate a demo event stream, ingest it durably into",
                "the store, print its statistics and one user's most recent actions."})
final class QuickstartCommand implements Callable<Integer> {
    @Mixin
    DataDirOption data;

    @Option(names = "--users", defaultValue = "2000", description = "Demo users. Default: ${DEFAULT-VALUE}")
    int users;

    @Option(names = "--actions-per-user", defaultValue = "500", description = "Actions per demo user. Default: ${DEFAULT-VALUE}")
    int actionsPerUser;

    @Option(names = "--heavy-user-actions", defaultValue = "100000", description = "Actions of the one heavy demo user. Default: ${DEFAULT-VALUE}")
    int heavy;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(data.dir);
        Path events = data.dir.resolve("demo-events.csv");
        GenConfig cfg = GenConfig.of(users, actionsPerUser, 50_000, seed).withHeavyUserActions(heavy);
        System.out.printf("1/3 generating %,d demo events (%,d users x %,d actions + one heavy user with %,d) -> %s%n",
                cfg.totalEvents(), users, actionsPerUser, heavy, events);
        GenCommand.generate(cfg, EventFormat.CSV, events, true);

        System.out.printf("2/3 ingesting into %s (durable: fsync per group commit)%n", data.dir);
        long t0 = System.nanoTime();
        StreamIngester.Result r;
        try (EventReader reader = EventReaders.open(events, EventFormat.CSV);
             ActionStore store = ActionStore.open(StoreConfig.defaults(data.dir))) {
            ProgressLine progress = new ProgressLine("ingest", "actions", Files.size(events));
            r = new StreamIngester(store, 10_000, StreamIngester.DEFAULT_IN_FLIGHT).run(reader, (a, l, b) -> progress.update(a, b));
            progress.finish(r.stored() + r.duplicates(), Files.size(events));
        }
        System.out.printf("    %,d events in %.1f s: %,d stored, %,d duplicates dropped (a re-run of quickstart drops them all)%n",
                r.events(), (System.nanoTime() - t0) / 1e9, r.stored(), r.duplicates());

        System.out.println("3/3 store statistics:");
        try (ActionStore store = ActionStore.open(StoreConfig.defaults(data.dir).withCheckpointOnClose(false))) {
            StatsCommand.print(store.stats(), false);
            String user = Integer.toString(users + 1);
            int id = store.findUser(user);
            ActionColumns c = new ActionColumns();
            store.readLast(id, 10, c);
            System.out.println();
            HistoryCommand.print(store, user, store.historyLength(id), c, false);
        }
        System.out.println();
        System.out.println("Next: ./actrec history --data " + data.dir + " --user 1 --last 20");
        System.out.println("      ./actrec stats --data " + data.dir + " --json");
        System.out.println("      ./actrec bench store --json");
        return 0;
    }
}
