package dev.actrec.core.gen;

import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import dev.actrec.core.EventReader;
import dev.actrec.core.io.CsvEventReader;
import dev.actrec.core.io.EventFormat;
import dev.actrec.core.io.NdjsonEventReader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticEventGeneratorTest {
    private static final GenConfig SMALL = GenConfig.of(500, 60, 2000, 7);

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws Exception {
        byte[] a = csv(SMALL);
        byte[] b = csv(SMALL);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, csv(SMALL.withSeed(8))));
        // and a fresh generator object changes nothing
        assertArrayEquals(a, csv(GenConfig.of(500, 60, 2000, 7)));
    }

    @Test
    void exactCountsIncreasingTimeAndGlobalOrder() throws Exception {
        GenConfig cfg = GenConfig.of(300, 37, 500, 1).withHeavyUserActions(5_000);
        int users = cfg.users() + 1;
        int[] count = new int[users + 1];
        long[] lastTs = new long[users + 1];
        long[] prevGlobal = {Long.MIN_VALUE};
        long total = new SyntheticEventGenerator(cfg).generate(1000, batch -> {
            for (int i = 0; i < batch.size(); i++) {
                int u = (int) batch.userId(i);
                assertTrue(u >= 1 && u <= users, "user " + u);
                long ts = batch.timestamp(i);
                assertTrue(ts > lastTs[u], "user " + u + " ts " + ts + " after " + lastTs[u]);
                assertTrue(ts >= prevGlobal[0], "global order");
                assertTrue(ts >= GenConfig.DEFAULT_START_MS);
                lastTs[u] = ts;
                prevGlobal[0] = ts;
                count[u]++;
                long item = batch.itemId(i);
                assertTrue(item >= 1 && item <= cfg.items(), "item " + item);
            }
        });
        assertEquals(cfg.totalEvents(), total);
        for (int u = 1; u <= cfg.users(); u++) {
            assertEquals(37, count[u], "user " + u);
        }
        assertEquals(5_000, count[users], "heavy user");
    }

    @Test
    void actionRatesAndWatchTimesArePlausible() throws Exception {
        GenConfig cfg = GenConfig.of(2000, 50, 5000, 3);
        SyntheticEventGenerator gen = new SyntheticEventGenerator(cfg);
        long[] byType = new long[ActionType.COUNT];
        Map<Long, Integer> durationOfItem = new HashMap<>();
        Map<Long, long[]> lastViewOfUser = new HashMap<>(); // user -> {item, type}
        gen.generate(4096, b -> {
            for (int i = 0; i < b.size(); i++) {
                byte t = b.type(i);
                byTypes(byType, t);
                int d = b.durationMs(i);
                int w = b.watchMs(i);
                assertTrue(d >= 5_000 && d <= 600_000, "duration " + d);
                Integer known = durationOfItem.putIfAbsent(b.itemId(i), d);
                assertTrue(known == null || known == d, "an item's duration is fixed");
                ActionType type = ActionType.fromCode(t);
                switch (type) {
                    case IMPRESSION, LIKE, COMMENT, SHARE, FOLLOW, PURCHASE -> assertEquals(0, w, type.wireName());
                    case SKIP -> assertTrue(w > 0 && w <= Math.min(d, 2_500), "skip watch " + w);
                    case VIEW -> assertTrue(w <= 0.7 * d + 1, "view watch " + w + " of " + d);
                    case LONG_VIEW -> assertTrue(w >= 0.7 * d - 1 && w <= d, "long_view watch " + w + " of " + d);
                }
                long[] last = lastViewOfUser.get(b.userId(i));
                if (type == ActionType.LIKE || type == ActionType.COMMENT || type == ActionType.SHARE
                        || type == ActionType.FOLLOW || type == ActionType.PURCHASE) {
                    // engagement follows a view of the same item
                    assertTrue(last != null && last[0] == b.itemId(i), "engagement on the item just viewed");
                }
                lastViewOfUser.put(b.userId(i), new long[]{b.itemId(i), t});
            }
        });
        double n = cfg.totalEvents();
        double imp = byType[ActionType.IMPRESSION.code()] / n;
        double view = byType[ActionType.VIEW.code()] / n;
        double longView = byType[ActionType.LONG_VIEW.code()] / n;
        double skip = byType[ActionType.SKIP.code()] / n;
        double like = byType[ActionType.LIKE.code()] / n;
        String rates = Arrays.toString(byType);
        assertTrue(imp > view && imp > longView && imp > skip && imp > 0.3 && imp < 0.6, rates);
        assertTrue(view > 0.1 && longView > 0.05 && skip > 0.05, rates);
        assertTrue(like > 0.01 && like < 0.06, rates);
        for (ActionType rare : new ActionType[]{ActionType.COMMENT, ActionType.SHARE, ActionType.FOLLOW,
                ActionType.PURCHASE}) {
            double r = byType[rare.code()] / n;
            assertTrue(r > 0 && r < 0.01, rare + " " + rates);
        }
    }

    private static void byTypes(long[] byType, byte t) {
        byType[t]++;
    }

    @Test
    void popularityIsSkewedAndNotTiedToLowIds() throws Exception {
        GenConfig cfg = GenConfig.of(1000, 50, 10_000, 11);
        long[] hits = new long[cfg.items() + 1];
        new SyntheticEventGenerator(cfg).generate(4096, b -> {
            for (int i = 0; i < b.size(); i++) hits[(int) b.itemId(i)]++;
        });
        Integer[] ids = new Integer[cfg.items()];
        for (int i = 0; i < ids.length; i++) ids[i] = i + 1;
        Arrays.sort(ids, (x, y) -> Long.compare(hits[y], hits[x]));
        long top1pct = 0;
        for (int i = 0; i < ids.length / 100; i++) top1pct += hits[ids[i]];
        assertTrue(top1pct > 0.15 * cfg.totalEvents(), "top 1% of items get " + top1pct);
        int lowIdsInTop = 0;
        for (int i = 0; i < 20; i++) lowIdsInTop += ids[i] <= 100 ? 1 : 0;
        assertTrue(lowIdsInTop < 5, "popular items are not the low ids: " + lowIdsInTop);
    }

    @Test
    void writesReadableCsvAndNdjsonWithProgress() throws Exception {
        GenConfig cfg = GenConfig.of(100, 20, 300, 5).withHeavyUserActions(70_000);
        for (EventFormat f : new EventFormat[]{EventFormat.CSV, EventFormat.NDJSON}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<Long> progress = new ArrayList<>();
            long n = new SyntheticEventGenerator(cfg).writeTo(out, f, progress::add);
            assertEquals(72_000, n);
            assertEquals(List.of(65_536L, 72_000L), progress);
            ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
            try (EventReader r = f == EventFormat.CSV ? new CsvEventReader(in, "g") : new NdjsonEventReader(in, "g")) {
                EventBatch b = new EventBatch();
                long read = 0;
                int k;
                while ((k = r.read(b, 10_000)) > 0) {
                    read += k;
                    b.clear();
                }
                assertEquals(n, read);
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> new SyntheticEventGenerator(cfg).writeTo(new ByteArrayOutputStream(), EventFormat.SEQUENCES));
    }

    @Test
    void configValidationNamesFieldAndValue() {
        assertMessage("users must be positive, was 0", () -> GenConfig.of(0, 1, 1, 1));
        assertMessage("actionsPerUser must be positive, was -3", () -> GenConfig.of(1, -3, 1, 1));
        assertMessage("items must be positive, was 0", () -> GenConfig.of(1, 1, 0, 1));
        assertMessage("heavyUserActions must be 0 (none) or positive, was -1",
                () -> GenConfig.of(1, 1, 1, 1).withHeavyUserActions(-1));
        assertMessage("categories must be at most items (10), was 11",
                () -> GenConfig.of(1, 1, 10, 1).withCategories(11));
        assertMessage("zipfExponent must be in (0, 4], was NaN",
                () -> GenConfig.of(1, 1, 10, 1).withZipfExponent(Double.NaN));
        assertMessage("startMs must be non-negative, was -1", () -> GenConfig.of(1, 1, 10, 1).withStartMs(-1));
        assertEquals(40, GenConfig.defaultCategories(2000));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, e).getMessage());
    }

    private static byte[] csv(GenConfig cfg) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new SyntheticEventGenerator(cfg).writeTo(out, EventFormat.CSV);
        return out.toByteArray();
    }
}
