package dev.actrec.bench;

import dev.actrec.core.EventReader;
import dev.actrec.core.io.EventFormat;
import dev.actrec.core.io.EventReaders;
import dev.actrec.store.ActionStore;
import dev.actrec.store.StoreConfig;
import dev.actrec.store.StreamIngester;
import java.nio.file.Files;
import java.nio.file.Path;

public class IngestProbe {
    public static void main(String[] a) throws Exception {
        Path dir = Files.createTempDirectory("ing");
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = System.nanoTime();
        long c0 = mx.getCurrentThreadCpuTime();
        StreamIngester.Result r;
        try (EventReader reader = EventReaders.open(Path.of(a[0]), EventFormat.CSV);
             ActionStore s = ActionStore.open(StoreConfig.defaults(dir).withCheckpointOnClose(false))) {
            r = new StreamIngester(s, Integer.parseInt(a[1]), Integer.parseInt(a[2])).run(reader, null);
            double secs = (System.nanoTime() - t0) / 1e9;
            long commitCpu = 0;
            for (long id : mx.getAllThreadIds()) {
                var info = mx.getThreadInfo(id);
                if (info != null && info.getThreadName().startsWith("actrec-")) System.out.printf("  %s cpu %.2f s%n", info.getThreadName(), mx.getThreadCpuTime(id) / 1e9);
                if (info != null && info.getThreadName().equals("actrec-commit")) commitCpu = mx.getThreadCpuTime(id);
            }
            System.out.printf("%d events in %.2f s = %.0f/s; main cpu %.2f s, commit cpu %.2f s%n", r.events(), secs,
                    r.events() / secs, (mx.getCurrentThreadCpuTime() - c0) / 1e9, commitCpu / 1e9);
        }
    }
}
