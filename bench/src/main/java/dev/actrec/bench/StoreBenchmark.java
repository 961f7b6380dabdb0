package dev.actrec.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.actrec.core.ActionColumns;
import dev.actrec.core.EventReader;
import dev.actrec.core.gen.GenConfig;
import dev.actrec.core.gen.SyntheticEventGenerator;
import dev.actrec.core.io.EventFormat;
import dev.actrec.core.io.EventReaders;
import dev.actrec.store.ActionStore;
import dev.actrec.store.StoreConfig;
import dev.actrec.store.StoreStats;
import dev.actrec.store.StreamIngester;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * {@code actrec bench store}: durable ingest from a generated CSV file, full and recent-window reads of a
 * 1,000,000-action history, bytes per action, and the floors measured in the same run (sequential write + fsync,
 * a plain in-memory scan of as many raw bytes as the decoded history holds).
 */
public final class StoreBenchmark {
    /** What to run. */
    public record Config(Path workDir, int users, int actionsPerUser, int items, int heavyActions, long seed,
                         int batchSize, int fullReads, int lastReads, boolean keep) {}

    private final Config cfg;
    private final Consumer<String> log;

    public StoreBenchmark(Config cfg, Consumer<String> log) {
        this.cfg = cfg;
        this.log = log;
    }

    /** Runs everything and writes one JSON object. */
    public void run(JsonGenerator g) throws Exception {
        Files.createDirectories(cfg.workDir());
        GenConfig gen = GenConfig.of(cfg.users(), cfg.actionsPerUser(), cfg.items(), cfg.seed())
                .withHeavyUserActions(cfg.heavyActions());
        Path csv = cfg.workDir().resolve(String.format("events-u%d-l%d-i%d-h%d-s%d.csv", cfg.users(),
                cfg.actionsPerUser(), cfg.items(), cfg.heavyActions(), cfg.seed()));
        if (!Files.exists(csv)) {
            log.accept("generating " + gen.totalEvents() + " events -> " + csv);
            Path tmp = csv.resolveSibling(csv.getFileName() + ".tmp");
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                new SyntheticEventGenerator(gen).writeTo(o, EventFormat.CSV);
            }
            Files.move(tmp, csv);
        }
        String sha = sha256(csv);
        long csvBytes = Files.size(csv);

        log.accept("floor: sequential write + fsync");
        double diskMbPerS = diskWriteFloor(cfg.workDir().resolve("floor.bin"), 512 << 20);

        Path storeDir = cfg.workDir().resolve("store");
        deleteTree(storeDir);
        log.accept("ingest " + csv);
        long t0 = System.nanoTime();
        StreamIngester.Result r;
        double ingestSecs, checkpointSecs;
        StoreStats stats;
        try (EventReader reader = EventReaders.open(csv, EventFormat.CSV);
             ActionStore store = ActionStore.open(StoreConfig.defaults(storeDir))) {
            r = new StreamIngester(store, cfg.batchSize(), StreamIngester.DEFAULT_IN_FLIGHT).run(reader, null);
            ingestSecs = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            store.checkpoint();
            checkpointSecs = (System.nanoTime() - t1) / 1e9;
            stats = store.stats();
        }
        boolean dropped = dropPageCache();

        String heavyUser = Integer.toString(cfg.users() + 1);
        ActionColumns c = new ActionColumns();
        double coldMs;
        double[] full = new double[cfg.fullReads()];
        double[] fullCpu = new double[cfg.fullReads()];
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        double[] last = new double[cfg.lastReads()];
        long checksum = 0;
        int heavyLength;
        try (ActionStore store = ActionStore.open(StoreConfig.defaults(storeDir).withCheckpointOnClose(false))) {
            int u = store.findUser(heavyUser);
            if (u < 0) throw new IllegalStateException("heavy user " + heavyUser + " not found");
            long s = System.nanoTime();
            heavyLength = store.readAll(u, c);
            coldMs = (System.nanoTime() - s) / 1e6;
            log.accept("full reads of user " + heavyUser + " (" + heavyLength + " actions)");
            for (int i = 0; i < full.length; i++) {
                long cpu0 = mx.getCurrentThreadCpuTime();
                s = System.nanoTime();
                store.readAll(u, c);
                full[i] = (System.nanoTime() - s) / 1e6;
                fullCpu[i] = (mx.getCurrentThreadCpuTime() - cpu0) / 1e6;
                checksum += c.timestamp(c.size() - 1) + c.item(i % c.size());
            }
            log.accept("last-1024 reads");
            for (int i = 0; i < last.length; i++) {
                s = System.nanoTime();
                store.readLast(u, 1024, c);
                last[i] = (System.nanoTime() - s) / 1e3;
                checksum += c.item(i & 1023);
            }
        }
        // Bytes of the decoded columns: item int, type byte, ts long, watch int, duration int.
        int rawBytesPerDecoded = 4 + 1 + 8 + 4 + 4;
        double[] scan = memScanFloor((long) heavyLength * rawBytesPerDecoded, 20);
        if (checksum == 42) log.accept("(checksum)"); // keeps the reads observable

        double ingestRate = r.events() / ingestSecs;
        double fullP50 = pct(full, 50), scanP50 = pct(scan, 50);
        g.writeStartObject();
        g.writeStringField("benchmark", "store");
        g.writeNumberField("seed", cfg.seed());
        g.writeStringField("data_file", csv.toString());
        g.writeStringField("data_sha256", sha);
        g.writeNumberField("data_bytes", csvBytes);
        g.writeObjectFieldStart("config");
        g.writeNumberField("users", cfg.users());
        g.writeNumberField("actions_per_user", cfg.actionsPerUser());
        g.writeNumberField("items", cfg.items());
        g.writeNumberField("heavy_user_actions", cfg.heavyActions());
        g.writeNumberField("batch_size", cfg.batchSize());
        g.writeEndObject();
        Machine.write(g);
        g.writeNumberField("events", r.events());
        g.writeNumberField("ingest_actions_per_s", Math.round(ingestRate));
        g.writeNumberField("ingest_s", round(ingestSecs));
        g.writeNumberField("checkpoint_after_ingest_s", round(checkpointSecs));
        g.writeNumberField("ingest_incl_checkpoint_actions_per_s", Math.round(r.events() / (ingestSecs + checkpointSecs)));
        g.writeNumberField("ingest_input_mb_per_s", round(csvBytes / 1e6 / ingestSecs));
        g.writeNumberField("floor_disk_write_mb_per_s", round(diskMbPerS));
        g.writeNumberField("heavy_user_actions_read", heavyLength);
        g.writeBooleanField("cold_read_after_page_cache_drop", dropped);
        g.writeNumberField("read_full_1m_ms_cold", round(coldMs));
        g.writeNumberField("read_full_1m_ms_p50", round(fullP50));
        g.writeNumberField("read_full_1m_ms_p99", round(pct(full, 99)));
        g.writeNumberField("read_full_1m_reads", full.length);
        // CPU time of the reading thread only (the other half is decoded on the common pool): robust to a loaded machine.
        g.writeNumberField("read_full_1m_calling_thread_cpu_ms_p50", round(pct(fullCpu, 50)));
        g.writeNumberField("read_last_1024_us_p50", round(pct(last, 50)));
        g.writeNumberField("read_last_1024_us_p99", round(pct(last, 99)));
        g.writeNumberField("read_last_1024_reads", last.length);
        g.writeNumberField("floor_memscan_1m_ms", round(scanP50));
        g.writeNumberField("floor_memscan_bytes", (long) heavyLength * rawBytesPerDecoded);
        g.writeNumberField("read_full_vs_memscan_ratio", round(fullP50 / scanP50));
        g.writeNumberField("bytes_per_action", round(stats.bytesPerAction()));
        g.writeNumberField("chunk_bytes_per_action", round(stats.sealedBytesPerAction()));
        g.writeNumberField("raw_bytes_per_action", StoreStats.RAW_BYTES_PER_ACTION);
        g.writeNumberField("csv_bytes_per_action", round((double) csvBytes / r.events()));
        g.writeNumberField("bytes_on_disk", stats.totalBytes());
        g.writeNumberField("store_users", stats.users());
        g.writeNumberField("store_items", stats.items());
        g.writeObjectFieldStart("targets");
        g.writeNumberField("ingest_actions_per_s", 2_000_000);
        g.writeNumberField("read_full_1m_ms_p50", 5);
        g.writeNumberField("read_last_1024_us_p99", 50);
        g.writeNumberField("bytes_per_action", 6);
        g.writeEndObject();
        g.writeEndObject();
        if (!cfg.keep()) deleteTree(storeDir);
        Files.deleteIfExists(cfg.workDir().resolve("floor.bin"));
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    static double pct(double[] v, double p) {
        double[] s = v.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))];
    }

    static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(p)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** MB/s of writing {@code bytes} sequentially in 1 MiB writes followed by one fsync. */
    static double diskWriteFloor(Path file, long bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        for (int i = 0; i < buf.capacity(); i++) buf.put(i, (byte) (i * 31));
        long t = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long w = 0; w < bytes; w += buf.capacity()) {
                buf.clear();
                while (buf.hasRemaining()) ch.write(buf);
            }
            ch.force(true);
        }
        double secs = (System.nanoTime() - t) / 1e9;
        Files.delete(file);
        return bytes / 1e6 / secs;
    }

    /** Milliseconds of summing {@code bytes} of longs in memory, {@code runs} times. */
    static double[] memScanFloor(long bytes, int runs) {
        long[] a = new long[(int) (bytes / 8)];
        for (int i = 0; i < a.length; i++) a[i] = i * 0x9E3779B97F4A7C15L;
        double[] ms = new double[runs];
        long sink = 0;
        for (int r = 0; r < runs + 5; r++) {
            long t = System.nanoTime();
            long s = 0;
            for (long x : a) s += x;
            sink += s;
            if (r >= 5) ms[r - 5] = (System.nanoTime() - t) / 1e6;
        }
        if (sink == 1) System.err.print("");
        return ms;
    }

    /** Drops the OS page cache so the next read is cold; needs root. Returns whether it worked. */
    static boolean dropPageCache() {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path q : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) Files.delete(q);
        }
    }
}
