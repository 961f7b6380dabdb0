package dev.actrec.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.actrec.bench.LifelongBenchmark.Recurrence;
import org.junit.jupiter.api.Test;

class RecurrenceTest {
    private static final int[] HISTORY = {7, 1, 2, 3, 7, 4, 1, 5};

    @Test
    void placesThePreviousOccurrenceInTheWindowFurtherBackOrNowhere() {
        int window = 3;
        assertEquals(Recurrence.NEVER, Recurrence.of(HISTORY, 0, window));
        assertEquals(Recurrence.NEVER, Recurrence.of(HISTORY, 3, window));
        assertEquals(Recurrence.OLDER, Recurrence.of(HISTORY, 4, window));  // 7 at 0, four actions back
        assertEquals(Recurrence.OLDER, Recurrence.of(HISTORY, 6, window));  // 1 at 1, five back
        assertEquals(Recurrence.WINDOW, Recurrence.of(HISTORY, 6, 5));      // within five
        assertEquals(Recurrence.WINDOW, Recurrence.of(new int[] {9, 9}, 1, 1));
    }
}
