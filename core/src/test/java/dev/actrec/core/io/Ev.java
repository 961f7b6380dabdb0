package dev.actrec.core.io;

import dev.actrec.core.EventBatch;
import dev.actrec.core.EventReader;
import dev.actrec.core.InputFormatException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** One event as a value, for comparing what was written with what was read (tests only). */
record Ev(long userId, String userName, long itemId, String itemName, byte type, long ts, int watch, int duration) {

    /** Numeric ids are normalised to 0 when a name is present, as the readers do. */
    Ev {
        if (userName != null) userId = 0;
        if (itemName != null) itemId = 0;
    }

    static Ev of(EventBatch b, int i) {
        return new Ev(b.userId(i), b.userName(i), b.itemId(i), b.itemName(i), b.type(i), b.timestamp(i),
                b.watchMs(i), b.durationMs(i));
    }

    void addTo(EventBatch b) {
        b.add(userId, userName, itemId, itemName, type, ts, watch, duration, 0);
    }

    /** Reads everything, {@code max} events per call. */
    static List<Ev> readAll(EventReader r, int max) throws IOException, InputFormatException {
        List<Ev> out = new ArrayList<>();
        EventBatch b = new EventBatch(4);
        int n;
        while ((n = r.read(b, max)) > 0) {
            if (n != b.size()) throw new AssertionError("read returned " + n + " but batch has " + b.size());
            for (int i = 0; i < b.size(); i++) out.add(of(b, i));
            b.clear();
        }
        return out;
    }
}
