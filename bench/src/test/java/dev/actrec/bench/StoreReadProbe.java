package dev.actrec.bench;

import dev.actrec.core.ActionColumns;
import dev.actrec.store.ActionStore;
import dev.actrec.store.StoreConfig;
import java.nio.file.Path;
import java.util.Arrays;

public class StoreReadProbe {
    public static void main(String[] a) throws Exception {
        try (ActionStore s = ActionStore.open(StoreConfig.defaults(Path.of(a[0])).withCheckpointOnClose(false))) {
            int u = s.findUser(a[1]);
            ActionColumns c = new ActionColumns();
            var mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long[] cpu = new long[100], wall = new long[100];
            for (int i = 0; i < 100; i++) {
                long w = System.nanoTime(), cs = mx.getCurrentThreadCpuTime();
                s.readAll(u, c);
                cpu[i] = mx.getCurrentThreadCpuTime() - cs;
                wall[i] = System.nanoTime() - w;
            }
            Arrays.sort(cpu);
            Arrays.sort(wall);
            System.out.printf("n=%d cpu p50 %.2f ms wall p50 %.2f ms%n", c.size(), cpu[50] / 1e6, wall[50] / 1e6);
        }
    }
}
