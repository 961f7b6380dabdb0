package dev.actrec.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.actrec.core.ActionColumns;
import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActionStoreTest {
    @TempDir
    Path dir;

    private static StoreConfig config(Path dir) {
        // Seal only when the test asks, so the oracle knows where the sealed boundary is.
        return StoreConfig.defaults(dir).withSealThreshold(Integer.MAX_VALUE).withCheckpointOnClose(false);
    }

    /** Random batches with string and numeric ids, late events and exact duplicates, against the oracle. */
    @Test
    void matchesOracleAcrossCheckpointsAndReopens() throws IOException {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        HistoryOracle oracle = new HistoryOracle();
        String[] userNames = {"7", "alice", "42", "bob,quoted", "1000000000000", "ünï"};
        long[] clock = new long[userNames.length];
        List<HistoryOracle.Action> recent = new java.util.ArrayList<>();
        ActionStore store = ActionStore.open(config(dir));
        try {
            for (int round = 0; round < 12; round++) {
                for (int b = 0; b < 5; b++) {
                    EventBatch batch = new EventBatch();
                    int expectedStored = 0;
                    int n = 1 + rnd.nextInt(300);
                    for (int i = 0; i < n; i++) {
                        int u = rnd.nextInt(userNames.length);
                        HistoryOracle.Action a;
                        if (!recent.isEmpty() && rnd.nextInt(20) == 0) {
                            a = recent.get(rnd.nextInt(recent.size())); // an exact duplicate (maybe of another user's)
                        } else {
                            long ts = rnd.nextInt(10) == 0 ? Math.max(0, clock[u] - rnd.nextInt(5000)) // late
                                    : (clock[u] += rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(100_000));
                            String item = rnd.nextBoolean() ? Integer.toString(rnd.nextInt(500)) : "i" + rnd.nextInt(50);
                            a = new HistoryOracle.Action(item, (byte) rnd.nextInt(ActionType.COUNT), ts,
                                    rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(600_000), rnd.nextInt(3) == 0 ? 0 : 1000 * rnd.nextInt(50));
                        }
                        recent.add(a);
                        addEvent(batch, userNames[u], a);
                        if (oracle.append(userNames[u], a)) expectedStored++;
                    }
                    AppendResult r = store.append(batch);
                    assertEquals(expectedStored, r.stored(), "seed " + seed);
                    assertEquals(n - expectedStored, r.duplicates(), "seed " + seed);
                }
                switch (round % 3) {
                    case 0 -> {
                        store.checkpoint();
                        oracle.checkpoint();
                    }
                    case 1 -> { // reopen: recovery replays the log
                        store.close();
                        store = ActionStore.open(config(dir));
                    }
                    default -> { }
                }
                assertMatches(store, oracle, userNames, rnd, seed);
            }
        } finally {
            store.close();
        }
    }

    static void addEvent(EventBatch batch, String user, HistoryOracle.Action a) {
        Long uNum = ActionStore.parseNumericId(user);
        Long iNum = ActionStore.parseNumericId(a.item());
        batch.add(uNum == null ? 0 : uNum, uNum == null ? user : null, iNum == null ? 0 : iNum,
                iNum == null ? a.item() : null, a.type(), a.ts(), a.watch(), a.duration(), 0);
    }

    private static void assertMatches(ActionStore store, HistoryOracle oracle, String[] users, Random rnd, long seed)
            throws IOException {
        ActionColumns c = new ActionColumns(4);
        for (String u : users) {
            List<HistoryOracle.Action> expected = oracle.history(u);
            int id = store.findUser(u);
            if (expected.isEmpty()) continue;
            assertEquals(expected.size(), store.historyLength(id), "length of " + u + ", seed " + seed);
            store.readAll(id, c);
            assertEquals(expected, HistoryOracle.fromColumns(store, c), "history of " + u + ", seed " + seed);
            int n = rnd.nextInt(expected.size() + 3);
            store.readLast(id, n, c);
            assertEquals(expected.subList(Math.max(0, expected.size() - n), expected.size()),
                    HistoryOracle.fromColumns(store, c), "last " + n + " of " + u + ", seed " + seed);
            long from = expected.get(rnd.nextInt(expected.size())).ts();
            long to = from + rnd.nextInt(400_000);
            store.readRange(id, from, to, c);
            assertEquals(expected.stream().filter(a -> a.ts() >= from && a.ts() < to).toList(),
                    HistoryOracle.fromColumns(store, c), "range [" + from + "," + to + ") of " + u + ", seed " + seed);
        }
    }

    @Test
    void invalidBatchIsRejectedWholeAndNamesTheEvent() throws IOException {
        try (ActionStore store = ActionStore.open(config(dir))) {
            EventBatch b = new EventBatch();
            b.add(1, 10, ActionType.VIEW, 100, 5, 0);
            b.add(2, null, 11, null, ActionType.LIKE.code(), 200, 0, 0, 17);
            b.add(3, "", 12, null, ActionType.LIKE.code(), 300, 0, 0, 18);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.append(b));
            assertTrue(e.getMessage().contains("line 18") && e.getMessage().contains("'user'"), e.getMessage());
            assertEquals(0, store.userCount());
            assertEquals(0, store.stats().actions());
        }
    }

    /**
     * The item ids append hands back are the ones findItem answers: new and known items, numeric and string ids,
     * repeats within a batch, dropped duplicates, several batches in flight at once, and after a reopen.
     */
    @Test
    void appendHandsBackTheItemIdsFindItemAnswers() throws Exception {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        ActionStore store = ActionStore.open(config(dir));
        try {
            for (int round = 0; round < 4; round++) {
                List<EventBatch> batches = new java.util.ArrayList<>();
                List<int[]> ids = new java.util.ArrayList<>();
                List<int[]> users = new java.util.ArrayList<>();
                List<java.util.concurrent.CompletableFuture<AppendResult>> pending = new java.util.ArrayList<>();
                for (int k = 0; k < 6; k++) {
                    EventBatch b = new EventBatch(4);
                    int n = 1 + rnd.nextInt(k == 0 ? 3 : 700);
                    for (int i = 0; i < n; i++) {
                        // ts repeats across rounds, so some events are exact duplicates that get dropped
                        String item = rnd.nextBoolean() ? Integer.toString(rnd.nextInt(2000)) : "sku-" + rnd.nextInt(300);
                        addEvent(b, Integer.toString(rnd.nextInt(5)), new HistoryOracle.Action(item, (byte) 0, rnd.nextInt(50), 0, 0));
                    }
                    int[] out = new int[n + rnd.nextInt(3)];
                    int[] userOut = k % 3 == 0 ? null : new int[n + rnd.nextInt(3)];
                    batches.add(b);
                    ids.add(out);
                    users.add(userOut);
                    pending.add(k % 2 == 0 ? store.appendAsync(b, out, userOut)
                            : java.util.concurrent.CompletableFuture.completedFuture(store.append(b, out, userOut)));
                }
                for (int k = 0; k < batches.size(); k++) {
                    pending.get(k).get();
                    EventBatch b = batches.get(k);
                    for (int i = 0; i < b.size(); i++) {
                        assertEquals(store.findItem(b.itemText(i)), ids.get(k)[i],
                                "round " + round + " batch " + k + " event " + i + " item " + b.itemText(i) + ", seed " + seed);
                        assertEquals(b.itemText(i), store.itemText(ids.get(k)[i]), "seed " + seed);
                        if (users.get(k) != null) {
                            assertEquals(store.findUser(b.userText(i)), users.get(k)[i], "user of event " + i + ", seed " + seed);
                        }
                    }
                }
                store.close();
                store = ActionStore.open(config(dir)); // recovery must give every item back the same id
                for (int k = 0; k < batches.size(); k++) {
                    EventBatch b = batches.get(k);
                    for (int i = 0; i < b.size(); i++) assertEquals(ids.get(k)[i], store.findItem(b.itemText(i)), "seed " + seed);
                }
            }
        } finally {
            store.close();
        }
    }

    /** The batch lookup answers as findItem does, numeric ids at the edges of a long and string ids alike. */
    @Test
    void findItemsAnswersAsFindItemDoes() throws Exception {
        List<String> known = List.of("17", "sku-3", "9223372036854775807", "0", "007", "a1");
        try (ActionStore store = ActionStore.open(config(dir))) {
            EventBatch b = new EventBatch(8);
            for (String item : known) addEvent(b, "1", new HistoryOracle.Action(item, (byte) 0, 5, 0, 0));
            store.append(b, null, null);
            List<String> asked = List.of("17", "sku-3", "9223372036854775807", "9223372036854775808",
                    "99999999999999999999", "0", "007", "7", "a1", "", "18", "sku-4");
            int[] out = new int[asked.size()];
            store.findItems(asked, out);
            for (int i = 0; i < out.length; i++) {
                assertEquals(store.findItem(asked.get(i)), out[i], "item '" + asked.get(i) + "'");
            }
            for (String item : known) assertTrue(store.findItem(item) >= 0, item);
            assertEquals(-1, out[3]);
            assertEquals(-1, out[asked.size() - 1]);
        }
        assertEquals(Long.MAX_VALUE, ActionStore.parseNumericId("9223372036854775807"));
        assertNull(ActionStore.parseNumericId("9223372036854775808"));
        assertEquals(7L, ActionStore.parseNumericId("007"));
        assertNull(ActionStore.parseNumericId("-7"));
    }

    @Test
    void readFromReturnsTheSuffixFromAPositionOverChunksFrozenAndTail() throws IOException {
        try (ActionStore store = ActionStore.open(config(dir))) {
            for (int round = 0; round < 3; round++) {
                EventBatch b = new EventBatch();
                for (int i = 0; i < 700; i++) b.add(7, (round * 700 + i) % 97, ActionType.VIEW, round * 1000L + i, i, 0);
                store.append(b);
                if (round < 2) store.checkpoint(); // two sealed chunks, then an unsealed tail
            }
            int u = store.findUser(7);
            ActionColumns all = new ActionColumns(), part = new ActionColumns();
            int n = store.readAll(u, all);
            assertEquals(2100, n);
            for (long from : new long[] {0, 1, 699, 700, 1337, 2099, 2100, 5000}) {
                int got = store.readFrom(u, from, part);
                assertEquals(Math.max(0, n - from), got, "from " + from);
                for (int i = 0; i < got; i++) {
                    assertEquals(all.timestamp((int) from + i), part.timestamp(i), "from " + from + " at " + i);
                    assertEquals(all.item((int) from + i), part.item(i), "from " + from + " at " + i);
                }
            }
            assertEquals(0, store.readFrom(12345, 0, part), "unknown user");
            assertEquals("from must be >= 0, got -1",
                    assertThrows(IllegalArgumentException.class, () -> store.readFrom(u, -1, part)).getMessage());
        }
    }

    @Test
    void itemIdArrayTooShortRejectsTheBatchWhole() throws IOException {
        try (ActionStore store = ActionStore.open(config(dir))) {
            EventBatch b = new EventBatch();
            b.add(1, 10, ActionType.VIEW, 100, 5, 0);
            b.add(2, 11, ActionType.VIEW, 200, 5, 0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.append(b, new int[1]));
            assertTrue(e.getMessage().contains("room for 1") && e.getMessage().contains("2 events"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> store.append(b, new int[2], new int[1]));
            assertTrue(e.getMessage().startsWith("userIds has room for 1"), e.getMessage());
            assertEquals(0, store.userCount());
            assertEquals(0, store.itemCount());
            assertEquals(0, store.stats().actions());
        }
    }

    /** The id length limit counts UTF-8 bytes: 1-, 2-, 3- and 4-byte characters and lone surrogates at the edge. */
    @Test
    void idLengthLimitCountsUtf8BytesExactly() throws IOException {
        String[] units = {"a", "é", "€", "😀", "\uD800"}; // 1, 2, 3, 4 bytes; a lone surrogate is written as '?'
        try (ActionStore store = ActionStore.open(config(dir))) {
            long ts = 0;
            for (String unit : units) {
                for (String pad : new String[] {"", "a", "aa", "aaa"}) {
                    StringBuilder id = new StringBuilder(pad);
                    while (id.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + unit.getBytes(
                            java.nio.charset.StandardCharsets.UTF_8).length <= ActionStore.MAX_ID_BYTES) id.append(unit);
                    String fits = id.toString(), tooLong = fits + unit;
                    assertTrue(fits.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= ActionStore.MAX_ID_BYTES);
                    EventBatch ok = new EventBatch();
                    ok.add(1, null, 0, fits, ActionType.VIEW.code(), ts++, 0, 0, 0);
                    assertEquals(1, store.append(ok).stored(), unit + pad);
                    EventBatch bad = new EventBatch();
                    bad.add(1, null, 0, tooLong, ActionType.VIEW.code(), ts++, 0, 0, 0);
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.append(bad));
                    assertTrue(e.getMessage().contains("longer than " + ActionStore.MAX_ID_BYTES), e.getMessage());
                }
            }
        }
    }

    @Test
    void secondOpenOfTheSameDirectoryFails() throws IOException {
        try (ActionStore store = ActionStore.open(config(dir))) {
            IOException e = assertThrows(IOException.class, () -> ActionStore.open(config(dir)));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
        }
    }

    /** Long enough for the two-thread decode, across several chunks plus an unsealed tail. */
    @Test
    void historyAboveTheParallelDecodeThresholdReadsBackExactly() throws IOException {
        Random rnd = new Random(11);
        int n = HistoryReader.PARALLEL_DECODE_ACTIONS * 2 + 777;
        long[] ts = new long[n];
        int[] item = new int[n], watch = new int[n], dur = new int[n];
        long t = 5;
        try (ActionStore store = ActionStore.open(config(dir))) {
            EventBatch b = new EventBatch();
            for (int i = 0; i < n; i++) {
                ts[i] = t += rnd.nextInt(5000);
                item[i] = rnd.nextInt(50_000);
                watch[i] = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(100_000);
                dur[i] = item[i] % 7 == 0 ? rnd.nextInt(9999) : 1000 + item[i]; // mostly the item's own duration
                b.add(3, item[i], ActionType.VIEW, ts[i], watch[i], dur[i]);
                if (b.size() == 50_000 || i == n - 1) {
                    store.append(b);
                    b.clear();
                    if (i < n - 1000) store.checkpoint();
                }
            }
            ActionColumns c = new ActionColumns();
            int u = store.findUser(3);
            assertEquals(n, store.readAll(u, c));
            for (int i = 0; i < n; i++) {
                if (c.timestamp(i) != ts[i] || !store.itemText(c.item(i)).equals(Integer.toString(item[i]))
                        || c.watchMs(i) != watch[i] || c.durationMs(i) != dur[i]) {
                    throw new AssertionError("action " + i + " differs");
                }
            }
            int[] resolved = c.durationArray();
            for (int i = 0; i < n; i++) assertEquals(dur[i], resolved[i], "resolved duration " + i);
        }
    }

    @Test
    void longHistoryAcrossManyChunksReadsBack() throws IOException {
        Random rnd = new Random(5);
        long ts = 1_700_000_000_000L;
        int total = 0;
        try (ActionStore store = ActionStore.open(config(dir).withSealThreshold(10_000))) {
            EventBatch b = new EventBatch();
            for (int k = 0; k < 20; k++) {
                b.clear();
                for (int i = 0; i < 3001; i++) {
                    ts += rnd.nextInt(30_000);
                    b.add(99, rnd.nextInt(100_000), ActionType.fromCode(rnd.nextInt(9)), ts, rnd.nextInt(60_000), 45_000);
                }
                total += store.append(b).stored();
            }
            ActionColumns c = new ActionColumns();
            int user = store.findUser(99);
            assertEquals(total, store.readAll(user, c));
            for (int i = 1; i < c.size(); i++) assertTrue(c.timestamp(i) >= c.timestamp(i - 1));
            assertEquals(1024, store.readLast(user, 1024, c));
            assertEquals(ts, c.timestamp(1023));
            assertTrue(store.stats().sealedActions() > 0);
        }
    }
}
