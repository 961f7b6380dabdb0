package dev.actrec.model.lifelong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CappedReadoutTest {
    private static final int D = 8;

    /** The definition, spelled out: sort every key, take whole keys while the budget lasts, the last pro rata. */
    private static double naive(KeySet keys, float[] q, int budget, float tau) {
        int n = keys.size();
        float[] dots = new float[n];
        for (int i = 0; i < n; i++) {
            float s = 0;
            // the kernel's products: a chain of fused multiply-adds over the columns in order
            for (int j = 0; j < D; j++) s = Math.fma(keys.rows()[i * D + j], q[j], s);
            dots[i] = s;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -dots[i]).thenComparingInt(i -> i));
        double remaining = budget, s = 0;
        for (int r = 0; r < Math.min(n, budget) && remaining > 0; r++) {
            int k = order[r];
            double take = Math.min(keys.actions()[k], remaining);
            s += keys.weights()[k] * (take / keys.actions()[k]) * Math.exp((dots[k] - 1) * (1f / tau));
            remaining -= take;
        }
        return n == 0 ? 0 : s / keys.total();
    }

    @Test
    void equalsTheDefinitionWhetherOrNotTheFirstPassFillsTheBudget() {
        SplittableRandom rnd = new SplittableRandom(5);
        CappedReadout readout = new CappedReadout(100, 0.05f);
        KeySet keys = new KeySet(D, 4);
        float[] row = new float[D], q = new float[D];
        int secondPass = 0;
        for (int trial = 0; trial < 500; trial++) {
            keys.clear();
            int n = rnd.nextInt(0, 400);
            // small action counts force the second pass, large ones end in the first
            double scale = trial % 2 == 0 ? 3 : 300;
            double total = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < D; j++) row[j] = (float) rnd.nextDouble(-0.4, 0.4);
                if (i % 7 == 3) System.arraycopy(keys.rows(), 0, row, 0, D); // exact ties with key 0
                float w = (float) rnd.nextDouble(0.05, 2);
                float a = (float) Math.max(0.1, rnd.nextDouble() * scale);
                keys.add(row, 0, w, a);
                total += w;
            }
            keys.setTotal(total + rnd.nextDouble(0, 5));
            for (int j = 0; j < D; j++) q[j] = (float) rnd.nextDouble(-0.4, 0.4);
            double expected = naive(keys, q, 100, 0.05f);
            double got = readout.pool(keys, q, 0);
            assertEquals(expected, got, Math.abs(expected) * 1e-12 + 1e-300, "trial " + trial + ", " + n + " keys");
            int[] kept = new int[100];
            double[] terms = new double[100];
            assertEquals(got, readout.explain(keys, q, 0, kept, terms, 100), "explain returns the same pool");
            double sum = 0;
            for (int r = 0; r < readout.lastKept(); r++) sum += terms[r];
            assertEquals(got, sum, Math.abs(got) * 1e-9 + 1e-300, "the terms add up to the pool");
            if (readout.lastKept() > CappedReadout.FIRST_PASS) secondPass++;
        }
        assertTrue(secondPass > 50, "the second pass ran " + secondPass + " times");
    }

    @Test
    void droppingKeysBelowTheNegligibleSimilarityChangesNothingNextToTheFloor() {
        SplittableRandom rnd = new SplittableRandom(9);
        CappedReadout readout = new CappedReadout(100, 0.03f);
        KeySet keys = new KeySet(D, 4);
        float[] row = new float[D], q = new float[D];
        int pruned = 0;
        for (int trial = 0; trial < 400; trial++) {
            keys.clear();
            int n = rnd.nextInt(1, 300);
            double total = 0, maxWeightPerAction = 0;
            for (int i = 0; i < n; i++) {
                unit(rnd, row);
                float w = (float) rnd.nextDouble(0.05, 2), a = (float) Math.max(0.1, rnd.nextDouble() * 50);
                keys.add(row, 0, w, a);
                total += w;
                maxWeightPerAction = Math.max(maxWeightPerAction, w / a);
            }
            keys.setTotal(total);
            unit(rnd, q);
            if (trial % 3 == 0) System.arraycopy(keys.rows(), D * rnd.nextInt(n), q, 0, D); // the item itself is a key
            double floor = 1 / total;
            double exact = readout.pool(keys, q, 0), besideFloor = readout.poolBesideFloor(keys, q, 0);
            assertTrue(besideFloor <= exact + 1e-15, "dropping keys only removes terms");
            double bound = maxWeightPerAction * 100 * Math.exp(-20);
            assertTrue(Math.log(exact + floor) - Math.log(besideFloor + floor) <= bound + 1e-12,
                    "trial " + trial + ": " + exact + " vs " + besideFloor + ", bound " + bound + " of the floor");
            if (besideFloor < exact) pruned++;
        }
        assertTrue(pruned > 0, "some trials dropped a key that mattered at all");
    }

    @Test
    void manyQueriesAtOnceGiveWhatOneAtATimeGives() {
        SplittableRandom rnd = new SplittableRandom(13);
        CappedReadout batch = new CappedReadout(100, 0.03f), single = new CappedReadout(100, 0.03f);
        KeySet keys = new KeySet(D, 4);
        float[] row = new float[D];
        for (int trial = 0; trial < 30; trial++) {
            keys.clear();
            int n = rnd.nextInt(0, 300);
            double total = 0;
            for (int i = 0; i < n; i++) {
                unit(rnd, row);
                float w = (float) rnd.nextDouble(0.05, 2);
                keys.add(row, 0, w, (float) Math.max(0.1, rnd.nextDouble() * 50));
                total += w;
            }
            keys.setTotal(total + 1);
            int count = rnd.nextInt(0, 3 * CappedReadout.QUERY_BLOCK + 7);
            float[] q = new float[(count + 3) * D];
            int[] offsets = new int[count];
            for (int i = 0; i < count; i++) {
                offsets[i] = (count - i) * D + (i % 3); // scattered, unaligned
                unit(rnd, row);
                if (i % 4 == 1 && n > 0) System.arraycopy(keys.rows(), D * rnd.nextInt(n), row, 0, D);
                System.arraycopy(row, 0, q, offsets[i], D);
            }
            double[] out = new double[count];
            batch.logPoolsBesideFloor(keys, q, offsets, count, out);
            for (int i = 0; i < count; i++) {
                assertEquals(single.logPoolBesideFloor(keys, q, offsets[i]), out[i],
                        "trial " + trial + ", " + n + " keys, query " + i + " of " + count);
            }
        }
    }

    private static void unit(SplittableRandom rnd, float[] v) {
        double n2 = 0;
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) rnd.nextGaussian();
            n2 += v[j] * v[j];
        }
        for (int j = 0; j < v.length; j++) v[j] /= (float) Math.sqrt(n2);
    }

    @Test
    void refusesABadBudgetOrTemperature() {
        assertEquals("budget must be at least 1, was 0",
                assertThrows(IllegalArgumentException.class, () -> new CappedReadout(0, 1f)).getMessage());
        assertEquals("temperature must be above 0, was NaN",
                assertThrows(IllegalArgumentException.class, () -> new CappedReadout(10, Float.NaN)).getMessage());
    }
}
