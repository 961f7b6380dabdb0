package dev.actrec.cli;

import dev.actrec.core.ActionColumns;
import dev.actrec.core.EventReader;
import dev.actrec.core.gen.GenConfig;
import dev.actrec.core.io.EventFormat;
import dev.actrec.core.io.EventReaders;
import dev.actrec.core.dataset.SequenceDataset;
import dev.actrec.server.ServerConfig;
import dev.actrec.server.ServerRuntime;
import dev.actrec.store.ActionStore;
import dev.actrec.store.StoreConfig;
import dev.actrec.store.StreamIngester;
import dev.actrec.train.TrainConfig;
import dev.actrec.train.Trainer;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"The main job on embedded defaults, start to finish: generate a demo event stream, ingest it",
                "durably into the store, train a small ACT model on it (about two minutes), start the server with",
                "that model, and show real requests and responses with the curl commands that make them.",
                "Runs until Ctrl-C (or returns after the demo with --no-wait). A re-run reuses the store (every",
                "event is dropped as a duplicate) and the trained model (--retrain trains again)."})
final class QuickstartCommand implements Callable<Integer> {
    /** Actions that say the user wanted the item; skips and bare impressions are not next-item targets. */
    private static final String NOT_POSITIVE = "skip impression";

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

    @Option(names = "--train-minutes", defaultValue = "2", description = "Training time budget. Default: ${DEFAULT-VALUE}")
    double trainMinutes;

    @Option(names = "--retrain", description = "Train again even if DATA/model holds a trained model.")
    boolean retrain;

    @Option(names = "--port", defaultValue = "8080", description = "Server port (0: any free one). Default: ${DEFAULT-VALUE}")
    int port;

    @Option(names = "--no-wait", description = "Stop the server and return after the demo requests.")
    boolean noWait;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(data.dir);
        Path events = data.dir.resolve("demo-events.csv");
        GenConfig cfg = GenConfig.of(users, actionsPerUser, 50_000, seed).withHeavyUserActions(heavy);
        System.out.printf("1/5 generating %,d demo events (%,d users x %,d actions + one heavy user with %,d) -> %s%n",
                cfg.totalEvents(), users, actionsPerUser, heavy, events);
        GenCommand.generate(cfg, EventFormat.CSV, events, true);

        System.out.printf("2/5 ingesting into %s (durable: fsync per group commit)%n", data.dir);
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

        String heavyUser = Integer.toString(users + 1);
        try (ActionStore store = ActionStore.open(StoreConfig.defaults(data.dir).withCheckpointOnClose(false))) {
            StatsCommand.print(store.stats(), false);
            int id = store.findUser(heavyUser);
            ActionColumns c = new ActionColumns();
            store.readLast(id, 10, c);
            System.out.println();
            HistoryCommand.print(store, heavyUser, store.historyLength(id), c, false);
        }

        Path model = data.dir.resolve("model");
        if (!retrain && Files.exists(model.resolve("serving.bin"))) {
            System.out.println("3/5 and 4/5: reusing the model trained before in " + model + " (--retrain to train again)");
        } else {
            Path sequences = data.dir.resolve("demo-sequences.txt");
            System.out.println("3/5 writing each user's positive actions (all but " + NOT_POSITIVE.replace(" ", ", ")
                    + "), oldest first -> " + sequences);
            int written = SequenceExport.write(data.dir, sequences, NOT_POSITIVE.split(" "));
            System.out.printf("    %,d users%n", written);
            train(sequences, model);
        }

        System.out.println("5/5 starting the server with the model");
        String token = newToken();
        Map<String, String> settings = new HashMap<>();
        settings.put("port", Integer.toString(port));
        settings.put("model", model.toString());
        settings.put("token.quickstart", token);
        ServerConfig serverConfig = ServerConfig.load(null, settings);
        ServerRuntime rt = ServerRuntime.start(serverConfig, data.dir);
        CountDownLatch stopped = rt.closeOnExit("quickstart");
        String base = "http://" + serverConfig.host() + ":" + rt.port();
        System.out.println("    listening on " + base + "; bearer token for this run: " + token);
        new Demo(base, token, System.out).run(heavyUser);
        if (noWait) {
            rt.close();
            return 0;
        }
        System.out.println();
        System.out.println("The server keeps running: try the commands above. Ctrl-C stops it (the store is checkpointed on");
        System.out.println("the way out). Next time: ./actrec serve --data " + data.dir + " --model " + model);
        stopped.await();
        return 0;
    }

    private void train(Path sequences, Path model) throws Exception {
        // Small and quick: a short window and a narrow stack; the budget ends training whatever the epoch.
        TrainConfig config = TrainConfig.defaults("act").with("model", "act").with("dim", "32").with("max_len", "50")
                .with("epochs", "200").with("eval_every", "2").with("patience", "3").with("batch_size", "256")
                .with("max_minutes", Double.toString(trainMinutes)).with("seed", Long.toString(seed));
        SequenceDataset ds = SequenceDataset.load(sequences);
        System.out.printf(Locale.ROOT, "4/5 training act (d=32, 2 layers, window 50) on %,d users and %,d items for at most "
                + "%.1f minutes -> %s%n", ds.users(), ds.numItems(), trainMinutes, model);
        Trainer.Result t = new Trainer(ds, config, model, System.err).run(false);
        System.out.printf(Locale.ROOT, "    best epoch %d of %d in %.1f min; test HR@10 %.4f, NDCG@10 %.4f (earlier items "
                        + "masked, full ranking over %,d items)%n", t.bestEpoch(), t.epochsRun(), t.wallSeconds() / 60,
                t.test().masked().hr(10), t.test().masked().ndcg(10), ds.numItems());
    }

    private static String newToken() {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** Makes the example requests and prints each as a curl command with the response the server gave. */
    private record Demo(String base, String token, PrintStream out) {
        /** Waits (at most a minute) until the heavy user's lifelong memory is built, so explain can show it. */
        void awaitMemories(HttpClient client) throws Exception {
            java.util.regex.Pattern pending = java.util.regex.Pattern.compile("(?m)^actrec_memory_pending_users ([0-9.eE+]+)$");
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                String metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body();
                java.util.regex.Matcher m = pending.matcher(metrics);
                if (!m.find() || Double.parseDouble(m.group(1)) == 0) return;
                Thread.sleep(200);
            }
        }

        void run(String heavyUser) throws Exception {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            long now = System.currentTimeMillis();
            String events = "{\"user\":\"1\",\"item\":\"17\",\"action\":\"like\",\"ts\":" + now + "}\n"
                    + "{\"user\":\"1\",\"item\":\"42\",\"action\":\"view\",\"watch_ms\":31000,\"ts\":" + (now + 1) + "}\n";
            show(client, "POST", "/v1/events", events, "application/x-ndjson");
            show(client, "GET", "/v1/recommend?user=1&k=5&exclude_seen=true", null, null);
            show(client, "POST", "/v1/rank", "{\"user\":\"" + heavyUser + "\",\"items\":[\"17\",\"42\",\"1000\",\"999999999\"]}",
                    "application/json");
            awaitMemories(client);
            show(client, "GET", "/v1/explain?user=" + heavyUser + "&item=17&top=2", null, null);
            show(client, "GET", "/v1/users/1/actions?last=3", null, null);
            show(client, "GET", "/v1/recommend?user=someone-new&k=3", null, null);
            out.println("    (also: GET /healthz, /readyz, /metrics, /openapi.json; POST /v1/admin/model {\"path\": DIR} swaps the model)");
        }

        private void show(HttpClient client, String method, String path, String body, String type) throws Exception {
            StringBuilder curl = new StringBuilder("curl -s");
            if (!method.equals("GET")) curl.append(" -X ").append(method);
            curl.append(" -H 'Authorization: Bearer ").append(token).append('\'');
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token);
            if (body != null) {
                curl.append(" -H 'Content-Type: ").append(type).append("' --data-binary $'")
                        .append(body.replace("\n", "\\n").replace("'", "\\'")).append('\'');
                b.header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofString(body));
            } else {
                b.GET();
            }
            curl.append(" '").append(base).append(path).append('\'');
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            out.println();
            out.println("$ " + curl);
            out.println(r.body() + (r.statusCode() == 200 ? "" : "   (HTTP " + r.statusCode() + ")"));
            if (r.statusCode() != 200) throw new IllegalStateException(method + " " + path + " answered " + r.statusCode());
        }
    }
}
