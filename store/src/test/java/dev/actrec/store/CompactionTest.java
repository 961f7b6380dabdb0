package dev.actrec.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.actrec.core.ActionColumns;
import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many checkpoints: histories stay whole, chunk files whose chunks were all merged away are deleted. */
class CompactionTest {
    @TempDir
    Path dir;

    private StoreConfig config() {
        return StoreConfig.defaults(dir).withSealThreshold(Integer.MAX_VALUE).withCheckpointOnClose(false)
                .withCompactAfterChunks(3);
    }

    @Test
    void compactionKeepsEveryActionSortsLateOnesAndDropsDeadFiles() throws IOException {
        Random rnd = new Random(17);
        List<HistoryOracle.Action> expectedA = new ArrayList<>();
        List<HistoryOracle.Action> expectedB = new ArrayList<>();
        long clock = 1_000_000;
        try (ActionStore store = ActionStore.open(config())) {
            for (int round = 0; round < 12; round++) {
                EventBatch b = new EventBatch();
                for (int i = 0; i < 300; i++) {
                    // User "a" writes every round, sometimes late by more than the sealed part; "b" only early on.
                    long ts = round > 2 && i % 50 == 0 ? clock - 500_000 - rnd.nextInt(400_000) : (clock += 1 + rnd.nextInt(1000));
                    HistoryOracle.Action a = new HistoryOracle.Action(Integer.toString(rnd.nextInt(5000)),
                            (byte) rnd.nextInt(9), ts, rnd.nextInt(60_000), 1000 * rnd.nextInt(60));
                    ActionStoreTest.addEvent(b, "a", a);
                    expectedA.add(a);
                    if (round < 2) {
                        HistoryOracle.Action other = new HistoryOracle.Action("7", ActionType.VIEW.code(), clock, 1, 2);
                        ActionStoreTest.addEvent(b, "b", other);
                        expectedB.add(other);
                    }
                }
                assertEquals(b.size(), store.append(b).stored());
                store.checkpoint();
            }
            assertHistories(store, expectedA, expectedB);
        }
        try (ActionStore store = ActionStore.open(config())) {
            assertHistories(store, expectedA, expectedB);
        }
        try (Stream<Path> files = Files.list(dir.resolve("chunks"))) {
            long n = files.count();
            // "b"'s two chunks keep files 0 and 1 alive; "a" has its compacted chunk plus at most two newer ones.
            assertTrue(n <= 5, "12 checkpoints wrote 12 files; at most 5 may still hold live chunks, found " + n);
        }
    }

    private static void assertHistories(ActionStore store, List<HistoryOracle.Action> a, List<HistoryOracle.Action> b)
            throws IOException {
        ActionColumns c = new ActionColumns();
        store.readAll(store.findUser("a"), c);
        List<HistoryOracle.Action> got = HistoryOracle.fromColumns(store, c);
        // Compaction sorts the sealed history, so every action of "a" is there in time order (stable for ties);
        // only the actions after the last compaction may still sit where they arrived.
        List<HistoryOracle.Action> sorted = new ArrayList<>(a);
        sorted.sort(Comparator.comparingLong(HistoryOracle.Action::ts));
        List<HistoryOracle.Action> gotSorted = new ArrayList<>(got);
        gotSorted.sort(Comparator.comparingLong(HistoryOracle.Action::ts));
        assertEquals(sorted, gotSorted, "same actions");
        int outOfOrder = 0;
        for (int i = 1; i < c.size(); i++) if (c.timestamp(i) < c.timestamp(i - 1)) outOfOrder++;
        assertTrue(outOfOrder <= 6 * 2, "late actions after the last compaction only, found " + outOfOrder);
        store.readAll(store.findUser("b"), c);
        assertEquals(b, HistoryOracle.fromColumns(store, c));
    }
}
