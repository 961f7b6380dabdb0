package dev.actrec.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DistantPositionsTest {
    // items 0, 1 in category 0; 2, 3 in category 1; 4 in category 2
    private static final int[] CATEGORY = {0, 0, 1, 1, 2};
    // window 2: position 4 re-consumes item 0 (last at 0) in category 0 (last at 0): both slices;
    // 5 is a new item of a recent category: neither; 6 a new item of category 1, last seen at 1: returning category;
    // 7 re-consumes item 2 (last at 1) while category 1 was seen at 6: re-consumption only; 3 repeats the item of 2
    private static final int[] HISTORY = {0, 2, 4, 4, 0, 1, 3, 2};

    @Test
    void marksPositionsWhoseItemOrCategoryLastOccurredBeyondTheWindow() {
        DistantPositions d = DistantPositions.select(HISTORY, CATEGORY, 3, 2, 0, HISTORY.length, 10);
        assertArrayEquals(new int[] {4, 6, 7}, d.positions());
        assertArrayEquals(new boolean[] {true, false, true}, d.reconsumption());
        assertArrayEquals(new boolean[] {true, true, false}, d.categoryReturn());
    }

    @Test
    void keepsTheLatestPositionsOfTheRange() {
        assertArrayEquals(new int[] {6, 7}, DistantPositions.select(HISTORY, CATEGORY, 3, 2, 0, HISTORY.length, 2).positions());
        assertArrayEquals(new int[] {6, 7}, DistantPositions.select(HISTORY, CATEGORY, 3, 2, 5, HISTORY.length, 10).positions());
        assertArrayEquals(new int[] {4, 6}, DistantPositions.select(HISTORY, CATEGORY, 3, 2, 0, 7, 10).positions());
        assertArrayEquals(new int[] {}, DistantPositions.select(HISTORY, CATEGORY, 3, 2, 0, HISTORY.length, 0).positions());
    }

    @Test
    void aWindowAsLongAsTheHistoryLeavesNothingDistant() {
        assertArrayEquals(new int[] {}, DistantPositions.select(HISTORY, CATEGORY, 3, 8, 0, HISTORY.length, 10).positions());
    }

    @Test
    void rejectsARangeOutsideTheHistory() {
        assertThrows(IllegalArgumentException.class, () -> DistantPositions.select(HISTORY, CATEGORY, 3, 2, 0, 9, 10));
        assertThrows(IllegalArgumentException.class, () -> DistantPositions.select(HISTORY, CATEGORY, 3, 2, 5, 4, 10));
    }
}
