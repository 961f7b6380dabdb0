package dev.actrec.server;

import java.nio.file.Path;
import java.util.Map;

/**
 * A bare serving process for harnesses that need the server in its own JVM (benchmarks, crash tests):
 * {@code java dev.actrec.server.ServerProcess DATA_DIR [KEY=VALUE...]}. The bearer token comes from the environment
 * variable {@code ACTREC_TOKEN} (never the command line, where other users could read it). Prints
 * {@code PORT n} once serving, then runs until killed.
 */
public final class ServerProcess {
    private ServerProcess() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) throw new IllegalArgumentException("usage: ServerProcess DATA_DIR [KEY=VALUE...]");
        Map<String, String> settings = new java.util.HashMap<>(Map.of("port", "0"));
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 1) throw new IllegalArgumentException("expected KEY=VALUE, got '" + args[i] + "'");
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        String token = System.getenv("ACTREC_TOKEN");
        if (token != null) settings.put("token.harness", token);
        ServerRuntime rt = ServerRuntime.start(ServerConfig.load(null, settings), Path.of(args[0]));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                rt.close();
            } catch (Exception e) {
                System.err.println("closing failed: " + e);
            }
        }));
        System.out.println("PORT " + rt.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
