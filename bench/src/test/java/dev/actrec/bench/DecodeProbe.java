package dev.actrec.bench;

import dev.actrec.core.ActionColumns;
import dev.actrec.store.internal.ByteSink;
import dev.actrec.store.internal.ChunkCodec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.*;
import java.util.Random;

public class DecodeProbe {
    public static void main(String[] a) throws Exception {
        Random r = new Random(1);
        int n = 1_000_000;
        int[] dur = new int[200_000];
        for (int i = 0; i < dur.length; i++) dur[i] = 5000 + r.nextInt(600_000);
        ActionColumns src = new ActionColumns(n);
        long ts = 1_700_000_000_000L;
        for (int i = 0; i < n; i++) {
            ts += r.nextInt(10) == 0 ? r.nextInt(20_000_000) : r.nextInt(30_000);
            int item = (int) Math.min(dur.length - 1, Math.exp(r.nextDouble() * Math.log(dur.length)));
            int type = r.nextInt(100);
            byte t = (byte) (type < 50 ? 0 : type < 80 ? 1 : type < 90 ? 7 : type < 97 ? 2 : 3);
            src.add(item, t, ts, t == 0 ? 0 : r.nextInt(dur[item]), dur[item]);
        }
        ChunkCodec codec = new ChunkCodec();
        ByteSink sink = new ByteSink(1 << 20);
        long e0 = System.nanoTime();
        codec.encode(0, src, 0, n, dur, sink);
        System.out.printf("encode %.1f ms, %.2f B/action%n", (System.nanoTime() - e0) / 1e6, sink.position() / (double) n);
        byte[] bytes = java.util.Arrays.copyOf(sink.array(), sink.position());
        Path f = Files.createTempFile("chunk", ".bin");
        Files.write(f, bytes);
        MemorySegment heap = MemorySegment.ofArray(bytes);
        MemorySegment mapped;
        try (FileChannel ch = FileChannel.open(f)) { mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), Arena.ofShared()); }
        MemorySegment conf;
        try (FileChannel ch = FileChannel.open(f)) { conf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), Arena.global()); }
        ActionColumns out = new ActionColumns(n + 256);
        for (String name : new String[] {"heap", "mapped-shared", "mapped-global", "heap", "mapped-shared"}) {
            MemorySegment seg = name.equals("heap") ? heap : name.equals("mapped-shared") ? mapped : conf;
            int blocks = ChunkCodec.blockCount(seg, 0);
            long best = Long.MAX_VALUE;
            for (int k = 0; k < 60; k++) {
                out.clear();
                long t0 = System.nanoTime();
                codec.decode(seg, 0, 0, blocks, dur, out);
                best = Math.min(best, System.nanoTime() - t0);
            }
            System.out.printf("%s decode best %.2f ms (%d)%n", name, best / 1e6, out.size());
        }
    }
}
