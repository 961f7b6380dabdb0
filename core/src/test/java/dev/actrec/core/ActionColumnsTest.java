package dev.actrec.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ActionColumnsTest {
    @Test
    void sortByTimestampIsStable() {
        ActionColumns c = new ActionColumns(1);
        long[] ts = {5, 3, 5, 1, 3, 9, 0};
        for (int i = 0; i < ts.length; i++) c.add(i, (byte) 0, ts[i], i * 10, i * 100);
        c.sortByTimestamp();
        int[] expectedItems = {6, 3, 1, 4, 0, 2, 5};
        for (int i = 0; i < ts.length; i++) {
            assertEquals(expectedItems[i], c.item(i), "position " + i);
            assertEquals(expectedItems[i] * 10, c.watchMs(i));
            assertEquals(expectedItems[i] * 100, c.durationMs(i));
        }
    }

    /** A relative duration prefix reads the same through every accessor and survives appends, trims and inserts. */
    @Test
    void relativeDurationsResolveThroughEveryPath() {
        int[] registered = {100, 200, 300};
        ActionColumns c = new ActionColumns(2);
        c.add(0, (byte) 1, 10, 0, 5);    // stored as a difference: 100 + 5
        c.add(2, (byte) 1, 11, 0, -300); // 300 - 300
        c.markRelativeDurations(2, registered);
        c.add(1, (byte) 1, 12, 0, 777);  // absolute, after the prefix
        assertEquals(105, c.durationMs(0));
        assertEquals(0, c.durationMs(1));
        assertEquals(777, c.durationMs(2));

        ActionColumns copy = new ActionColumns();
        copy.addFrom(c, 0, 3);
        assertArrayEquals(new int[] {105, 0, 777}, Arrays.copyOf(copy.durationArray(), 3));

        c.keepLast(2);
        assertEquals(0, c.durationMs(0));
        assertEquals(777, c.durationMs(1));
        c.insert(0, 1, (byte) 2, 9, 0, 42);
        assertArrayEquals(new int[] {42, 0, 777}, Arrays.copyOf(c.durationArray(), 3));
    }
}
