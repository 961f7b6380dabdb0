package dev.actrec.cli;

import dev.actrec.server.ApiToken;
import dev.actrec.server.Scope;
import dev.actrec.server.ServerConfig;
import dev.actrec.server.ServerRuntime;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the HTTP API: ingest events, read histories, recommend and rank.",
                "recommend and rank answer from the model given by --model (a training run folder or its serving.bin;",
                "POST /v1/admin/model swaps it while serving); without one, from a popularity fallback "
                        + "(labelled \"model\": \"popularity-fallback\").",
                "Routes: see GET /openapi.json. Settings: a properties file (--config), then --set KEY=VALUE, "
                        + "--host, --port on top."})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    DataDirOption data;

    @Option(names = "--config", paramLabel = "FILE", description = "Server settings (Java properties; see ServerConfig).")
    Path config;

    @Option(names = "--model", paramLabel = "DIR", description = "Model to serve: a run folder of `actrec train` or its "
            + "serving.bin. Overrides the config file's model=.")
    Path model;

    @Option(names = "--port", paramLabel = "P", description = "Port (0: any free port). Overrides the config file.")
    Integer port;

    @Option(names = "--host", paramLabel = "H", description = "Address to listen on. Overrides the config file.")
    String host;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any setting, e.g. --set max_k=100 --set read_auth=true.")
    Map<String, String> set = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>(set);
        if (port != null) overrides.put("port", port.toString());
        if (host != null) overrides.put("host", host);
        if (model != null) overrides.put("model", model.toString());
        ServerConfig cfg = ServerConfig.load(config, overrides);
        String generated = null;
        if (cfg.tokens().isEmpty()) {
            // Ingest always needs a token: rather than an unusable server, make one for this run and say so.
            byte[] secret = new byte[24];
            new SecureRandom().nextBytes(secret);
            generated = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            cfg = cfg.withTokens(List.of(new ApiToken("generated", generated, EnumSet.allOf(Scope.class))));
        }
        System.out.println("actrec serve: data " + data.dir.toAbsolutePath() + ", settings:");
        System.out.print(cfg.describe().indent(2));
        if (generated != null) {
            System.out.println("no token configured (token.NAME=SECRET in --config): this run accepts");
            System.out.println("  Authorization: Bearer " + generated);
        }
        ServerRuntime rt = ServerRuntime.start(cfg, data.dir);
        CountDownLatch stopped = rt.closeOnExit("serve");
        System.out.println("listening on http://" + cfg.host() + ":" + rt.port() + " (Ctrl-C stops it; the store is"
                + " checkpointed on the way out)");
        System.out.println("  curl -s 'http://" + cfg.host() + ":" + rt.port() + "/v1/recommend?user=1&k=5'");
        stopped.await();
        return 0;
    }
}
