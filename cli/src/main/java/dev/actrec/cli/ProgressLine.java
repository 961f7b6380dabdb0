package dev.actrec.cli;

import java.io.PrintStream;

/**
 * Progress of a long job on stderr: a bar redrawn in place (rate, ETA) on a terminal, a plain line every few
 * seconds otherwise (logs, CI). The total may be unknown (stdin), then no ETA is shown.
 */
final class ProgressLine {
    private static final long PLAIN_EVERY_NS = 5_000_000_000L;
    private static final long BAR_EVERY_NS = 200_000_000L;

    private final String what;
    private final String unit;
    private final long total;
    private final boolean terminal;
    private final PrintStream out = System.err;
    private final long start = System.nanoTime();
    private long lastDraw;

    /** {@code total} in the same unit as {@code fraction} updates' second argument, or <= 0 when unknown. */
    ProgressLine(String what, String unit, long total) {
        this.what = what;
        this.unit = unit;
        this.total = total;
        this.terminal = System.console() != null && System.console().isTerminal() && System.getenv("CI") == null;
    }

    /** {@code count} units done so far; {@code done}/{@link #total} drives the ETA. */
    void update(long count, long done) {
        long now = System.nanoTime();
        if (now - lastDraw < (terminal ? BAR_EVERY_NS : PLAIN_EVERY_NS)) return;
        lastDraw = now;
        draw(count, done, now, false);
    }

    void finish(long count, long done) {
        draw(count, done, System.nanoTime(), true);
    }

    private void draw(long count, long done, long now, boolean last) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double rate = count / secs;
        String eta = "";
        double frac = total > 0 ? Math.min(1, (double) done / total) : -1;
        if (frac > 0 && !last) eta = String.format(", ETA %s", duration(secs / frac - secs));
        String text = String.format("%s: %,d %s, %,.0f %s/s, %s elapsed%s", what, count, unit, rate, unit, duration(secs), eta);
        if (terminal) {
            String bar = "";
            if (frac >= 0) {
                int w = 30, filled = (int) Math.round(frac * w);
                bar = "[" + "#".repeat(filled) + " ".repeat(w - filled) + String.format("] %3.0f%% ", frac * 100);
            }
            out.print("\r" + bar + text + "\u001b[K"); // erase what a longer previous line left
            if (last) out.println();
        } else {
            out.println(text);
        }
        out.flush();
    }

    private static String duration(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format("%dh%02dm", t / 3600, t / 60 % 60)
                : t >= 60 ? String.format("%dm%02ds", t / 60, t % 60) : String.format("%.1fs", s);
    }
}
