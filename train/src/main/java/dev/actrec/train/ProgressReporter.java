package dev.actrec.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a training run: on a terminal one line redrawn in place; otherwise (logs, CI) a plain line every
 * {@code progress_seconds} and one per epoch. Each line shows the running loss, sequences per second and the ETA of
 * the epoch and of the whole run (an upper bound: early stopping may end it sooner).
 */
final class ProgressReporter {
    private final PrintStream out;
    private final boolean terminal;
    private final double intervalNanos;
    private long lastPrint;

    ProgressReporter(PrintStream out, double progressSeconds) {
        this.out = out;
        java.io.Console c = System.console();
        this.terminal = c != null && c.isTerminal() && (out == System.out || out == System.err);
        this.intervalNanos = progressSeconds * 1e9;
        this.lastPrint = System.nanoTime();
    }

    void step(int epoch, int epochs, int done, int total, double loss, double seqPerSec, double remainingRunSeconds) {
        long now = System.nanoTime();
        if (!terminal && now - lastPrint < intervalNanos) return;
        if (terminal && now - lastPrint < 2e8) return;
        lastPrint = now;
        double epochEta = seqPerSec > 0 ? (total - done) / seqPerSec : 0;
        String line = String.format(Locale.ROOT, "epoch %d/%d %s %5.1f%% loss %.4f %,.0f seq/s ETA epoch %s run <= %s",
                epoch, epochs, bar(done, total), 100.0 * done / Math.max(1, total), loss, seqPerSec,
                duration(epochEta), duration(remainingRunSeconds + epochEta));
        if (terminal) {
            out.print("\r" + line + "   ");
        } else {
            out.println(line);
        }
        out.flush();
    }

    void epoch(String line) {
        if (terminal) out.print("\r");
        out.println(line);
        out.flush();
        lastPrint = System.nanoTime();
    }

    private static String bar(int done, int total) {
        int width = 20;
        int filled = (int) ((long) width * done / Math.max(1, total));
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
    }

    static String duration(double seconds) {
        long s = Math.round(Math.max(0, seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
