package dev.actrec.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A server in a child JVM on this test's class path, for tests that kill it. */
record ChildJvm(Process process, int port) {

    /** Starts {@code mainClass} with {@code args} and {@code env}; returns once it printed {@code PORT n}. */
    static ChildJvm start(Class<?> mainClass, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process child = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("PORT ")) return new ChildJvm(child, Integer.parseInt(line.substring(5).strip()));
        }
        child.destroyForcibly();
        throw new IOException(mainClass.getSimpleName() + " exited without printing its port (exit " + child.exitValue() + ")");
    }

    /** SIGKILL, then wait for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }
}
