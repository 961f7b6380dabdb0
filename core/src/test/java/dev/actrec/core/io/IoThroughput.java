package dev.actrec.core.io;

import dev.actrec.core.EventBatch;
import dev.actrec.core.EventReader;
import dev.actrec.core.gen.GenConfig;
import dev.actrec.core.gen.SyntheticEventGenerator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Throughput of the generator and the readers, in one process, printed as JSON; not a unit test (no timed
 * assertions). Inputs are generated in memory so disk speed does not enter; each figure comes with a floor from the
 * same run: a plain byte scan of the same data. Rates use thread CPU time (robust on a shared machine) and wall time.
 *
 * <pre>
 * mvn -q -pl core -am test-compile &&
 *   nice -n 19 java -cp core/target/classes:core/target/test-classes dev.actrec.core.io.IoThroughput [events]
 * </pre>
 */
public final class IoThroughput {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 4_000_000;
        int users = Math.max(1, events / 100);
        GenConfig cfg = GenConfig.of(users, 100, 100_000, 42);
        StringBuilder json = new StringBuilder("{\"events\": " + cfg.totalEvents() + ", \"seed\": 42");
        byte[] csv = null;
        byte[] ndjson = null;
        for (int rep = 0; rep < 3; rep++) { // the last repetition is reported; the first ones warm up the JIT
            long[] t = start();
            new SyntheticEventGenerator(cfg).writeTo(OutputStream.nullOutputStream(), EventFormat.CSV);
            double[] gen = rate(t, cfg.totalEvents());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new SyntheticEventGenerator(cfg).writeTo(out, EventFormat.CSV);
            csv = out.toByteArray();
            out = new ByteArrayOutputStream();
            new SyntheticEventGenerator(cfg).writeTo(out, EventFormat.NDJSON);
            ndjson = out.toByteArray();
            byte[] seq = sequences(cfg.users(), 100);
            double[] csvRate = parse(new CsvEventReader(new ByteArrayInputStream(csv), "csv"));
            double[] ndRate = parse(new NdjsonEventReader(new ByteArrayInputStream(ndjson), "ndjson"));
            double[] seqRate = parse(new SequenceLineReader(new ByteArrayInputStream(seq), "seq"));
            double floor = byteScan(csv);
            if (rep == 2) {
                json.append(String.format(",%n \"generate_csv_to_null_Mev_s\": {\"cpu\": %.2f, \"wall\": %.2f}", gen[0], gen[1]));
                json.append(String.format(",%n \"parse_csv_Mev_s\": {\"cpu\": %.2f, \"wall\": %.2f, \"bytes_per_line\": %.1f}",
                        csvRate[0], csvRate[1], csv.length / (double) cfg.totalEvents()));
                json.append(String.format(",%n \"parse_ndjson_Mev_s\": {\"cpu\": %.2f, \"wall\": %.2f, \"bytes_per_line\": %.1f}",
                        ndRate[0], ndRate[1], ndjson.length / (double) cfg.totalEvents()));
                json.append(String.format(",%n \"parse_sequences_Mev_s\": {\"cpu\": %.2f, \"wall\": %.2f}",
                        seqRate[0], seqRate[1]));
                json.append(String.format(",%n \"floor_byte_scan_csv_MB_s_cpu\": %.0f, \"parse_csv_MB_s_cpu\": %.0f}%n",
                        floor, csv.length / 1e6 / (cfg.totalEvents() / 1e6 / csvRate[0])));
            }
        }
        System.out.print(json);
    }

    private static byte[] sequences(int users, int length) {
        StringBuilder sb = new StringBuilder();
        for (int u = 1; u <= users; u++) {
            sb.append(u);
            for (int k = 0; k < length; k++) sb.append(' ').append((u * 31L + k * 7919L) % 100_000 + 1);
            sb.append('\n');
        }
        return sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static double[] parse(EventReader r) throws Exception {
        long[] t = start();
        EventBatch b = new EventBatch(8192);
        long n = 0;
        long check = 0;
        int k;
        while ((k = r.read(b, 8192)) > 0) {
            n += k;
            check += b.timestamp(k - 1) + b.itemId(k / 2) + b.watchMs(k / 3); // keep the parse observable
            b.clear();
        }
        if (check == 42) System.out.print("");
        return rate(t, n);
    }

    private static double byteScan(byte[] data) throws Exception {
        long[] t = start();
        long sum = 0;
        InputStream in = new ByteArrayInputStream(data);
        byte[] buf = new byte[1 << 20];
        int k;
        while ((k = in.read(buf)) > 0) for (int i = 0; i < k; i++) sum += buf[i];
        if (sum == 42) System.out.print("");
        return data.length / 1e6 / ((MX.getCurrentThreadCpuTime() - t[0]) / 1e9);
    }

    private static long[] start() {
        return new long[]{MX.getCurrentThreadCpuTime(), System.nanoTime()};
    }

    /** Million events per second by CPU time and by wall time. */
    private static double[] rate(long[] t, long n) {
        double cpu = (MX.getCurrentThreadCpuTime() - t[0]) / 1e9;
        double wall = (System.nanoTime() - t[1]) / 1e9;
        return new double[]{n / cpu / 1e6, n / wall / 1e6};
    }
}
