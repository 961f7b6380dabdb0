package dev.actrec.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.actrec.store.ActionStore;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PopularityRecommenderTest {
    @TempDir
    Path dir;

    @Test
    void countsHalveEveryHalfLifeAndRecentActionsWin() throws Exception {
        AtomicLong now = new AtomicLong(0);
        try (ActionStore store = ActionStore.open(dir)) {
            PopularityRecommender p = new PopularityRecommender(store, 1000, 0, 10, 100, now::get);
            p.onAppended(new int[] {0, 0, 0, 0}, 4); // item 0: 4 actions at t=0
            now.set(2000);                          // two half-lives later they weigh 1 in all
            p.onAppended(new int[] {1, 1}, 2);      // item 1: 2 fresh actions
            float[] s = new float[3];
            p.score(-1, new int[] {0, 1, 2}, s);
            assertEquals(1.0, s[0], 1e-4);
            assertEquals(2.0, s[1], 1e-4);
            assertEquals(0.0, s[2]);
            int[] items = new int[3];
            float[] scores = new float[3];
            assertEquals(2, p.recommend(-1, 3, false, items, scores).count());
            assertArrayEquals(new int[] {1, 0}, new int[] {items[0], items[1]});
        }
    }

    @Test
    void rescalingKeepsScoresOverManyHalfLives() throws Exception {
        AtomicLong now = new AtomicLong(0);
        try (ActionStore store = ActionStore.open(dir)) {
            PopularityRecommender p = new PopularityRecommender(store, 10, 0, 10, 100, now::get);
            for (int step = 0; step < 1000; step++) { // 1000 half-lives: the raw weight would overflow a double
                now.addAndGet(10);
                p.onAppended(new int[] {0}, 1);
            }
            float[] s = new float[1];
            p.score(-1, new int[] {0}, s);
            assertEquals(2.0, s[0], 1e-3); // 1 + 1/2 + 1/4 + ...
        }
    }
}
