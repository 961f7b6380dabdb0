package dev.actrec.train;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Draws the training curves (loss per epoch, validation NDCG@10) as a PNG, headless. */
public final class CurvePlot {
    private CurvePlot() {}

    public static void write(Path file, String title, List<EpochRecord> history) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int w = 900;
        int h = 420;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setColor(Color.BLACK);
        g.drawString(title, 20, 22);
        panel(g, 40, 50, 380, 320, "training loss", history, true, new Color(0x1f77b4));
        panel(g, 490, 50, 380, 320, "validation NDCG@10", history, false, new Color(0xd62728));
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static void panel(Graphics2D g, int x0, int y0, int pw, int ph, String label, List<EpochRecord> hist,
                              boolean loss, Color color) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int maxEpoch = 1;
        for (EpochRecord r : hist) {
            double v = loss ? r.loss() : r.valNdcg10();
            if (Double.isNaN(v)) continue;
            min = Math.min(min, v);
            max = Math.max(max, v);
            maxEpoch = Math.max(maxEpoch, r.epoch());
        }
        g.setColor(Color.GRAY);
        g.drawRect(x0, y0, pw, ph);
        g.setColor(Color.BLACK);
        g.drawString(label, x0, y0 - 6);
        if (min > max) return;
        if (max - min < 1e-12) max = min + 1e-6;
        g.drawString(String.format(Locale.ROOT, "%.4f", max), x0 + 4, y0 + 14);
        g.drawString(String.format(Locale.ROOT, "%.4f", min), x0 + 4, y0 + ph - 4);
        g.drawString("epoch " + maxEpoch, x0 + pw - 70, y0 + ph + 16);
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        int px = -1;
        int py = -1;
        for (EpochRecord r : hist) {
            double v = loss ? r.loss() : r.valNdcg10();
            if (Double.isNaN(v)) continue;
            int x = x0 + (int) ((double) r.epoch() / maxEpoch * pw);
            int y = y0 + ph - (int) ((v - min) / (max - min) * (ph - 20)) - 10;
            if (px >= 0) g.drawLine(px, py, x, y);
            g.fillOval(x - 2, y - 2, 5, 5);
            px = x;
            py = y;
        }
    }
}
