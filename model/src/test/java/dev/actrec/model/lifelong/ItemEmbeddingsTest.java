package dev.actrec.model.lifelong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ItemEmbeddingsTest {
    @Test
    void centredVectorsAreUnitLengthSpreadOutAndKeepZeroRowsZero() {
        int items = 200, d = 8;
        SplittableRandom rnd = new SplittableRandom(3);
        float[] table = new float[items * d];
        // every real row shares a large common direction, as trained ranking embeddings do
        for (int i = 1; i < items; i++) {
            if (i % 10 == 0) continue; // an item the model never learned
            for (int j = 0; j < d; j++) table[i * d + j] = 3f + (float) rnd.nextDouble(-1, 1);
        }
        float[] before = table.clone();
        ItemEmbeddings e = ItemEmbeddings.centred(items, d, table);
        assertTrue(java.util.Arrays.equals(before, table), "the input table is not modified");
        double meanCosine = 0;
        int pairs = 0;
        for (int i = 0; i < items; i++) {
            double n2 = 0;
            for (int j = 0; j < d; j++) n2 += e.rows()[i * d + j] * e.rows()[i * d + j];
            if (i == 0 || i % 10 == 0) assertEquals(0, n2, 0, "row " + i + " stays zero");
            else assertEquals(1, n2, 1e-5, "row " + i + " is unit length");
        }
        for (int i = 1; i < items; i++) {
            for (int k = i + 1; k < items; k++) {
                if (i % 10 == 0 || k % 10 == 0) continue;
                double c = 0;
                for (int j = 0; j < d; j++) c += e.rows()[i * d + j] * e.rows()[k * d + j];
                meanCosine += c;
                pairs++;
            }
        }
        meanCosine /= pairs;
        assertTrue(Math.abs(meanCosine) < 0.05, "the common direction is gone: mean cosine " + meanCosine);
    }
}
