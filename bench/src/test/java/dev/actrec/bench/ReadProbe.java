package dev.actrec.bench;

import dev.actrec.core.ActionColumns;
import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import dev.actrec.store.ActionStore;
import dev.actrec.store.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

public class ReadProbe {
    public static void main(String[] a) throws Exception {
        Path dir = Files.createTempDirectory("probe");
        Random r = new Random(1);
        int[] dur = new int[200_000];
        for (int i = 0; i < dur.length; i++) dur[i] = 5000 + r.nextInt(600_000);
        long t0 = System.nanoTime();
        long ts = 1_700_000_000_000L;
        try (ActionStore s = ActionStore.open(StoreConfig.defaults(dir))) {
            EventBatch b = new EventBatch(10_000);
            for (int k = 0; k < 100; k++) {
                b.clear();
                for (int i = 0; i < 10_000; i++) {
                    ts += r.nextInt(10) == 0 ? r.nextInt(20_000_000) : r.nextInt(30_000);
                    int item = (int) Math.min(dur.length - 1, Math.exp(r.nextDouble() * Math.log(dur.length)));
                    int type = r.nextInt(100);
                    ActionType t = type < 50 ? ActionType.IMPRESSION : type < 80 ? ActionType.VIEW : type < 90 ? ActionType.SKIP : type < 97 ? ActionType.LONG_VIEW : ActionType.LIKE;
                    int w = t == ActionType.IMPRESSION ? 0 : r.nextInt(dur[item]);
                    b.add(1, item, t, ts, w, dur[item]);
                }
                s.append(b);
            }
            System.out.printf("append %.1f ms%n", (System.nanoTime() - t0) / 1e6);
            s.checkpoint();
            System.out.println(s.stats() + " bpa=" + s.stats().sealedBytesPerAction());
            ActionColumns c = new ActionColumns();
            int u = s.findUser(1);
            long[] t = new long[200];
            var mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long[] cpu = new long[t.length];
            for (int i = 0; i < t.length; i++) {
                long st = System.nanoTime();
                long cs = mx.getCurrentThreadCpuTime();
                s.readAll(u, c);
                t[i] = System.nanoTime() - st;
                cpu[i] = mx.getCurrentThreadCpuTime() - cs;
            }
            Arrays.sort(cpu);
            System.out.printf("readAll cpu p50 %.2f ms%n", cpu[100] / 1e6);
            Arrays.sort(t);
            System.out.printf("readAll n=%d p50 %.2f ms p99 %.2f ms%n", c.size(), t[100] / 1e6, t[198] / 1e6);
            long[] t2 = new long[20000];
            for (int i = 0; i < t2.length; i++) {
                long st = System.nanoTime();
                s.readLast(u, 1024, c);
                t2[i] = System.nanoTime() - st;
            }
            Arrays.sort(t2);
            System.out.printf("readLast1024 p50 %.1f us p99 %.1f us%n", t2[10000] / 1e3, t2[19800] / 1e3);
        }
    }
}
