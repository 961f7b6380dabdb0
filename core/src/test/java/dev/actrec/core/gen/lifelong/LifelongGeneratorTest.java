package dev.actrec.core.gen.lifelong;

import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import dev.actrec.core.gen.ItemCatalog;
import dev.actrec.core.io.EventFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifelongGeneratorTest {
    private static final LifelongConfig SMALL =
            LifelongConfig.ofBuckets(6, new int[] {300, 2_000, 5_000}, 2_000, 7).withCategories(40);

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws Exception {
        for (EventFormat f : new EventFormat[] {EventFormat.CSV, EventFormat.NDJSON}) {
            byte[] a = bytes(SMALL, f);
            assertArrayEquals(a, bytes(SMALL, f), f.cliName());
            assertArrayEquals(a, bytes(LifelongConfig.ofBuckets(6, new int[] {300, 2_000, 5_000}, 2_000, 7)
                    .withCategories(40), f), "a fresh config object changes nothing");
            assertFalse(Arrays.equals(a, bytes(SMALL.withSeed(8), f)));
        }
    }

    @Property(tries = 10)
    void batchSizeDoesNotChangeTheEvents(@ForAll @IntRange(min = 1, max = 5_000) int batchSize) throws Exception {
        LifelongConfig cfg = LifelongConfig.ofBuckets(3, new int[] {100, 1_500}, 500, 4).withCategories(20);
        long[] expected = fingerprint(cfg, 1 << 16);
        assertArrayEquals(expected, fingerprint(cfg, batchSize));
    }

    /** (count, a running hash of every column) of a run in batches of {@code batchSize}. */
    private static long[] fingerprint(LifelongConfig cfg, int batchSize) throws Exception {
        long[] f = new long[2];
        new LifelongGenerator(cfg).generate(batchSize, b -> {
            assertTrue(b.size() <= batchSize);
            for (int i = 0; i < b.size(); i++) {
                f[0]++;
                f[1] = 31 * f[1] + java.util.Objects.hash(b.userId(i), b.itemId(i), b.type(i), b.timestamp(i),
                        b.watchMs(i), b.durationMs(i));
            }
        });
        return f;
    }

    @Test
    void exactLengthsUserMajorIncreasingTimeAndCatalogDurations() throws Exception {
        LifelongGenerator gen = new LifelongGenerator(SMALL);
        ItemCatalog catalog = gen.catalog();
        long[] count = new long[SMALL.users() + 1];
        long[] lastTs = new long[SMALL.users() + 1];
        int[] lastUser = {0};
        long n = gen.generate(777, b -> {
            for (int i = 0; i < b.size(); i++) {
                int u = (int) b.userId(i);
                assertTrue(u == lastUser[0] || u == lastUser[0] + 1, "users come one after another");
                lastUser[0] = u;
                assertTrue(b.timestamp(i) > lastTs[u], "timestamps strictly increase per user");
                lastTs[u] = b.timestamp(i);
                int id = (int) b.itemId(i);
                assertEquals(catalog.duration(catalog.rankOf(id)), b.durationMs(i));
                assertTrue(b.watchMs(i) >= 0 && b.watchMs(i) <= b.durationMs(i));
                count[u]++;
            }
        });
        assertEquals(SMALL.totalEvents(), n);
        for (int u = 1; u <= SMALL.users(); u++) {
            assertEquals(new int[] {300, 2_000, 5_000}[(u - 1) % 3], count[u], "user " + u);
            assertEquals(SMALL.userLength(u), count[u]);
        }
    }

    @Test
    void logUniformLengthsStayInRangeAndSpreadOverDecades() {
        LifelongConfig cfg = LifelongConfig.of(200, 1_000, 1_000_000, 5_000, 3);
        int[] decades = new int[4];
        for (int u = 1; u <= cfg.users(); u++) {
            int l = cfg.userLength(u);
            assertTrue(l >= 1_000 && l <= 1_000_000, "length " + l);
            decades[Math.min(3, (int) Math.floor(Math.log10(l)) - 3)]++;
        }
        for (int d = 0; d < 3; d++) assertTrue(decades[d] > 30, "decade 10^" + (d + 3) + ": " + decades[d]);
    }

    /** The items of one long user, by rank, generated through the public generator. */
    private static int[] history(LifelongConfig cfg, int user) {
        UserSimulator sim = new LifelongGenerator(cfg).simulator(user);
        int[] h = new int[sim.length()];
        for (int t = 0; t < h.length; t++) {
            sim.step();
            h[t] = sim.lastRank();
        }
        return h;
    }

    /**
     * A comeback: a category silent for more than 10^4 actions that then appears at least 10 times in the next
     * 1,000 (a returning interest, not a stray exploration hit). Measured on the data alone, against a control
     * whose long-term interests never go dormant.
     */
    @Test
    void interestsGoDormantForMoreThan10kActionsAndComeBack() {
        LifelongConfig cfg = LifelongConfig.ofBuckets(2, new int[] {300_000}, 50_000, 11).withCategories(500);
        LifelongConfig control = cfg.withModel(LifelongModel.defaults().withPhases(1 << 30, 1 << 30, 1, 1));
        double[] shares = new double[2];
        long[] comebacks = new long[2];
        for (int v = 0; v < 2; v++) {
            LifelongConfig c = v == 0 ? cfg : control;
            ItemCatalog catalog = new LifelongGenerator(c).catalog();
            long positions = 0, inComeback = 0;
            for (int u = 1; u <= c.users(); u++) {
                int[] h = history(c, u);
                int[] lastSeen = new int[catalog.categories()];
                int[] comebackAt = new int[catalog.categories()];
                Arrays.fill(lastSeen, -1);
                Arrays.fill(comebackAt, Integer.MIN_VALUE);
                for (int t = 0; t < h.length; t++) {
                    int cat = catalog.category(h[t]);
                    if (lastSeen[cat] >= 0 && t - lastSeen[cat] > 10_000) {
                        int seen = 0;
                        for (int j = t; j < Math.min(h.length, t + 1_000); j++) {
                            if (catalog.category(h[j]) == cat) seen++;
                        }
                        if (seen >= 10) {
                            comebackAt[cat] = t;
                            comebacks[v]++;
                        }
                    }
                    lastSeen[cat] = t;
                    if (t >= 20_000) {
                        positions++;
                        if (comebackAt[cat] >= 0 && t - comebackAt[cat] < 5_000) inComeback++;
                    }
                }
            }
            shares[v] = (double) inComeback / positions;
        }
        System.out.printf("lifelong: %d comebacks of categories silent for > 10^4 actions (control without dormancy: %d);"
                + " %.1f%% of next items belong to an interest that came back within the last 5,000 actions (control %.1f%%)%n",
                comebacks[0], comebacks[1], 100 * shares[0], 100 * shares[1]);
        assertTrue(comebacks[0] >= 20, "comebacks: " + comebacks[0]);
        assertTrue(shares[0] > 0.05, "share: " + shares[0]);
        assertTrue(shares[0] > 5 * shares[1], "share " + shares[0] + " vs control " + shares[1]);
    }

    @Test
    void reconsumptionOfItemsFirstSeenMoreThan10kEarlierHappensAtTheConfiguredRate() {
        LifelongConfig cfg = LifelongConfig.ofBuckets(1, new int[] {200_000}, 50_000, 5).withCategories(500);
        UserSimulator sim = new LifelongGenerator(cfg).simulator(1);
        int[] firstSeen = new int[cfg.items()];
        Arrays.fill(firstSeen, -1);
        long available = 0, reconsumed = 0, farRepeats = 0;
        while (sim.position() < sim.length()) {
            int t = sim.position();
            boolean avail = sim.reconsumptionAvailable();
            sim.step();
            int r = sim.lastRank();
            if (avail) {
                available++;
                if (sim.lastComponent() == UserSimulator.RECONSUME) {
                    reconsumed++;
                    assertTrue(firstSeen[r] >= 0 && t - firstSeen[r] >= 10_000,
                            "re-consumed item first seen at " + firstSeen[r] + ", now " + t);
                }
            }
            if (firstSeen[r] < 0) firstSeen[r] = t;
            else if (t - firstSeen[r] >= 10_000) farRepeats++;
        }
        double rate = (double) reconsumed / available;
        double sigma = Math.sqrt(0.3 * 0.7 / available);
        System.out.printf("lifelong: re-consumption rate %.4f (configured 0.30) over %d eligible positions; "
                + "%.1f%% of all actions are re-consumptions, %.1f%% repeat an item first seen >= 10^4 actions earlier%n",
                rate, available, 100.0 * reconsumed / sim.length(), 100.0 * farRepeats / sim.length());
        assertTrue(available > 100_000, "eligible positions: " + available);
        assertTrue(Math.abs(rate - 0.3) < 5 * sigma, "rate " + rate + " vs 0.3 +- " + 5 * sigma);
        assertTrue(farRepeats >= reconsumed);
    }

    @Property(tries = 25)
    void oracleProbabilitiesSumToOne(@ForAll @IntRange(min = 1, max = 6) int user,
                                     @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double where,
                                     @ForAll @IntRange(min = 1, max = 2_000) int itemId) {
        LifelongOracle oracle = new LifelongOracle(SMALL);
        int position = (int) (where * SMALL.userLength(user));
        double[] p = oracle.nextItemProbabilities(user, position);
        double sum = 0;
        for (double v : p) {
            assertTrue(v > 0, "exploration gives every item a positive probability");
            sum += v;
        }
        assertEquals(1.0, sum, 1e-9);
        double[] types = oracle.actionProbabilities(user, position, itemId);
        assertEquals(1.0, Arrays.stream(types).sum(), 1e-12);
        assertEquals(types[ActionType.LIKE.code()], oracle.actionProbability(user, position, itemId, ActionType.LIKE));
    }

    /** Every event the generator writes for {@code cfg}, in its order (users one after another). */
    private static EventBatch generated(LifelongConfig cfg) throws java.io.IOException {
        EventBatch all = new EventBatch();
        new LifelongGenerator(cfg).generate(1000, b -> {
            for (int i = 0; i < b.size(); i++) {
                all.add(b.userId(i), b.itemId(i), ActionType.fromCode(b.type(i)), b.timestamp(i), b.watchMs(i),
                        b.durationMs(i));
            }
        });
        return all;
    }

    @Test
    void oracleReplaysExactlyTheGeneratedEvents() throws Exception {
        EventBatch all = generated(SMALL);
        int[] start = new int[SMALL.users() + 2];
        for (int u = 1; u <= SMALL.users(); u++) start[u + 1] = start[u] + SMALL.userLength(u);
        LifelongOracle oracle = new LifelongOracle(SMALL);
        int[] visited = {0};
        oracle.forEachHeldOut(5, u -> true, (u, pos, p, rank, type, typeProb, watch) -> {
            int i = start[u] + pos;
            assertEquals(all.itemId(i), oracle.catalog().itemId(rank));
            assertEquals(all.type(i), type);
            assertEquals(1.0, Arrays.stream(typeProb).sum(), 1e-12);
            visited[0]++;
        });
        assertEquals(5 * SMALL.users(), visited[0]);
        // and the single-position API agrees with the pass
        int u = 2, pos = SMALL.userLength(2) - 1;
        double[] byId = oracle.nextItemProbabilities(u, pos);
        assertTrue(byId[(int) all.itemId(start[u] + pos) - 1] > 0);
    }

    @Test
    void oracleVisitsChosenPositionsAsTheGeneratorDrewThem() throws Exception {
        EventBatch all = generated(SMALL);
        int user = 2, first = 0;
        for (int u = 1; u < user; u++) first += SMALL.userLength(u);
        int[] positions = {3, 40, 41, SMALL.userLength(user) - 1};
        LifelongOracle oracle = new LifelongOracle(SMALL);
        List<Integer> seen = new ArrayList<>();
        int base = first;
        oracle.forEachPosition(user, positions, (u, pos, p, rank, type, typeProb, watch) -> {
            assertEquals(user, u);
            assertEquals(all.itemId(base + pos), oracle.catalog().itemId(rank));
            assertEquals(all.type(base + pos), type);
            // the same distribution as the single-position query
            double[] byId = oracle.nextItemProbabilities(user, pos);
            for (int r = 0; r < p.length; r++) assertEquals(byId[oracle.catalog().itemId(r) - 1], p[r]);
            seen.add(pos);
        });
        assertEquals(List.of(3, 40, 41, SMALL.userLength(user) - 1), seen);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> oracle.forEachPosition(user, new int[] {40, 40}, (u, pos, p, rank, type, typeProb, watch) -> { }));
        assertTrue(e.getMessage().contains("got 40 after 40"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> oracle.forEachPosition(user,
                new int[] {SMALL.userLength(user)}, (u, pos, p, rank, type, typeProb, watch) -> { }));
    }

    @Test
    void returnPositionsAreTheStatesRightAfterADormantInterestCameBack() {
        LifelongConfig cfg = LifelongConfig.ofBuckets(2, new int[] {6_000}, 1_000, 5).withCategories(30)
                .withModel(LifelongModel.defaults().withPhases(300, 600, 500, 1_000).withFavourites(0.3, 50));
        LifelongOracle oracle = new LifelongOracle(cfg);
        int user = 1, within = 100, from = 200, to = 6_000;
        // brute force: replay and test the state before every action
        List<Integer> expected = new ArrayList<>();
        UserSimulator sim = new UserSimulator(cfg, oracle.catalog(), user);
        while (sim.position() < to) {
            if (sim.position() >= from && sim.interestReturnedWithin(within)) expected.add(sim.position());
            sim.step();
        }
        assertTrue(expected.size() > 200, "returns expected with short phases, got " + expected.size());
        int[] all = oracle.returnPositions(user, within, from, to, Integer.MAX_VALUE);
        assertEquals(expected, Arrays.stream(all).boxed().toList());
        // a few of them, spread over all: increasing, a subset, from the first and the last fifth
        int[] few = oracle.returnPositions(user, within, from, to, 5);
        assertEquals(5, few.length);
        for (int i = 0; i < few.length; i++) {
            assertTrue(expected.contains(few[i]));
            if (i > 0) assertTrue(few[i] > few[i - 1]);
        }
        assertTrue(few[0] <= expected.get(expected.size() / 5) && few[4] >= expected.get(expected.size() * 4 / 5),
                Arrays.toString(few));
        // with the default phases (dormant for 10^4 actions or more) nothing comes back within 2,000 actions:
        // being active from the start is not a return
        assertEquals(0, new LifelongOracle(SMALL).returnPositions(2, within, 0, 2_000, 100).length);
    }

    /**
     * The point of the data: on held-out positions the oracle is clearly above a popularity baseline and above a
     * last-200 window, most of all where the history is long enough for favourites to come back (10^5).
     */
    @Test
    void oracleBeatsPopularityAndLastWindow() {
        int[] lengths = {1_000, 10_000, 100_000};
        LifelongConfig cfg = LifelongConfig.ofBuckets(9, lengths, 100_000, 3).withCategories(1000);
        LifelongOracle oracle = new LifelongOracle(cfg);
        ItemCatalog catalog = oracle.catalog();
        int heldOut = 50;
        int[][] hist = new int[cfg.users()][];
        double[] popularity = new double[cfg.items()];
        for (int u = 1; u <= cfg.users(); u++) {
            hist[u - 1] = history(cfg, u);
            for (int t = 0; t < hist[u - 1].length - heldOut; t++) popularity[hist[u - 1][t]]++;
        }
        double[][] hits = new double[lengths.length][3]; // oracle, popularity, last-200
        int[] n = new int[lengths.length];
        double[] window = new double[cfg.items()];
        oracle.forEachHeldOut(heldOut, u -> true, (u, pos, p, actual, type, typeProb, watch) -> {
            assertEquals(hist[u - 1][pos], actual);
            int b = (u - 1) % lengths.length;
            n[b]++;
            if (LifelongOracle.rankOf(p, actual) < 10) hits[b][0]++;
            if (LifelongOracle.rankOf(popularity, actual) < 10) hits[b][1]++;
            LifelongBaselines.lastN(catalog, hist[u - 1], pos, 200, window);
            if (LifelongOracle.rankOf(window, actual) < 10) hits[b][2]++;
        });
        double[] total = new double[3];
        for (int b = 0; b < lengths.length; b++) {
            System.out.printf("lifelong HR@10 at L=%,d (%d positions): oracle %.3f, popularity %.3f, last-200 %.3f%n",
                    lengths[b], n[b], hits[b][0] / n[b], hits[b][1] / n[b], hits[b][2] / n[b]);
            for (int k = 0; k < 3; k++) total[k] += hits[b][k];
        }
        OracleMetrics m = oracle.evaluate(heldOut);
        System.out.printf("lifelong oracle overall: HR@10 %.3f NDCG@10 %.3f AUC(engaged) %.3f positive rate %.3f%n",
                m.hitRate(), m.ndcg(), m.auc(), m.positiveRate());
        assertEquals(total[0] / m.positions(), m.hitRate(), 1e-12);
        assertTrue(total[0] > 2 * total[1], "oracle vs popularity: " + Arrays.toString(total));
        assertTrue(total[0] > 1.1 * total[2], "oracle vs last-200: " + Arrays.toString(total));
        int longest = lengths.length - 1;
        assertTrue(hits[longest][0] > 1.3 * hits[longest][2], "at 10^5, oracle vs last-200: " + Arrays.toString(hits[longest]));
        assertTrue(m.auc() > 0.6, "oracle AUC " + m.auc());
    }

    @Test
    void sidecarRoundTripsAndRebuildsTheSameOracle() throws Exception {
        LifelongConfig cfg = LifelongConfig.of(4, 100, 3_000, 1_000, -42).withCategories(30)
                .withModel(LifelongModel.defaults().withPhases(100, 500, 1_000, 2_000));
        String json = cfg.toJson(Map.of("events", cfg.totalEvents(), "sha256", "abc"));
        LifelongConfig back = LifelongConfig.fromJson(json);
        assertEquals(cfg, back);
        Path tmp = Files.createTempFile("lifelong", ".json");
        try {
            Files.writeString(tmp, json);
            LifelongOracle o = LifelongOracle.fromSidecar(tmp);
            assertArrayEquals(new LifelongOracle(cfg).nextItemProbabilities(3, 77), o.nextItemProbabilities(3, 77));
        } finally {
            Files.delete(tmp);
        }
        assertThrows(java.io.IOException.class, () -> LifelongConfig.fromJson(json.replace("\"version\" : 1", "\"version\" : 9")));
    }

    /**
     * The oracle's expected watch fraction is the mean of the drawn ones: over each user's actions the mean of
     * watch/duration minus its expectation is within 4 standard errors of 0, overall and among the actions expected
     * to be watched least and most (so it is not right only on average).
     */
    @Test
    void expectedWatchFractionIsTheMeanOfTheDrawnWatchFractions() {
        ItemCatalog catalog = LifelongGenerator.catalogOf(SMALL);
        double[][] residual = new double[3][2]; // all, expected < 0.2, expected > 0.35: (sum, sum of squares)
        int[] n = new int[3];
        for (int u = 1; u <= SMALL.users(); u++) {
            UserSimulator sim = new UserSimulator(SMALL, catalog, u);
            while (sim.position() < sim.length()) {
                sim.step();
                double expected = sim.lastExpectedWatchFraction();
                assertTrue(expected >= 0 && expected <= 1, "expected fraction " + expected);
                double r = (double) sim.lastWatchMs() / catalog.duration(sim.lastRank()) - expected;
                for (int b = 0; b < 3; b++) {
                    if (b == 1 && expected >= 0.2 || b == 2 && expected <= 0.35) continue;
                    residual[b][0] += r;
                    residual[b][1] += r * r;
                    n[b]++;
                }
            }
        }
        for (int b = 0; b < 3; b++) {
            assertTrue(n[b] > 500, "bin " + b + " has " + n[b] + " actions");
            double mean = residual[b][0] / n[b];
            double se = Math.sqrt((residual[b][1] / n[b] - mean * mean) / n[b]);
            assertTrue(Math.abs(mean) < 4 * se, "bin " + b + ": mean residual " + mean + ", standard error " + se);
        }
    }

    @Test
    void invalidSettingsNameTheFieldAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LifelongModel.defaults().withShares(0.5, 0.4, 0.2, 0.1));
        assertTrue(e.getMessage().contains("must be 1, was 1.2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LifelongConfig.ofBuckets(1, new int[] {0}, 10, 1));
        assertTrue(e.getMessage().contains("was 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LifelongConfig.of(1, 10, 5, 100, 1));
        assertTrue(e.getMessage().contains("maxLength"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LifelongConfig.of(1, 10, 50, 100, 1).withCategories(5));
        assertTrue(e.getMessage().contains("longTermInterests"), e.getMessage());
        LifelongOracle o = new LifelongOracle(SMALL);
        assertThrows(IllegalArgumentException.class, () -> o.nextItemProbabilities(1, 300));
    }

    private static byte[] bytes(LifelongConfig cfg, EventFormat f) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = new LifelongGenerator(cfg).writeTo(out, f, null);
        assertEquals(cfg.totalEvents(), n);
        return out.toByteArray();
    }
}
