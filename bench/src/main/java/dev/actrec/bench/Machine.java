package dev.actrec.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine figures printed beside every benchmark result. */
final class Machine {
    private Machine() {}

    static void write(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("machine");
        g.writeNumberField("cores", Runtime.getRuntime().availableProcessors());
        g.writeNumberField("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        g.writeStringField("java", Runtime.version().toString());
        g.writeStringField("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        g.writeStringField("cpu", cpuModel());
        g.writeNumberField("load_average_1m", loadAverage());
        g.writeEndObject();
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
