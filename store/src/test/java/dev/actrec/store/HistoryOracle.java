package dev.actrec.store;

import dev.actrec.core.ActionColumns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The store's ordering and duplicate rules written the slow, obvious way: per user a sealed list and a tail list
 * sorted by timestamp (ties in arrival order). Used as the oracle in tests.
 */
final class HistoryOracle {
    record Action(String item, byte type, long ts, int watch, int duration) {}

    private final Map<String, List<Action>> sealed = new HashMap<>();
    private final Map<String, List<Action>> tail = new HashMap<>();

    /** Returns false when the action is an exact duplicate and was dropped. */
    boolean append(String user, Action a) {
        List<Action> s = sealed.computeIfAbsent(user, k -> new ArrayList<>());
        List<Action> t = tail.computeIfAbsent(user, k -> new ArrayList<>());
        if (s.contains(a) || t.contains(a)) return false;
        int at = t.size();
        while (at > 0 && t.get(at - 1).ts() > a.ts()) at--;
        t.add(at, a);
        return true;
    }

    void checkpoint() {
        tail.forEach((u, t) -> {
            sealed.get(u).addAll(t);
            t.clear();
        });
    }

    List<Action> history(String user) {
        List<Action> all = new ArrayList<>(sealed.getOrDefault(user, List.of()));
        all.addAll(tail.getOrDefault(user, List.of()));
        return all;
    }

    java.util.Set<String> users() {
        return sealed.keySet();
    }

    static List<Action> fromColumns(ActionStore store, ActionColumns c) {
        List<Action> out = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            out.add(new Action(store.itemText(c.item(i)), c.type(i), c.timestamp(i), c.watchMs(i), c.durationMs(i)));
        }
        return out;
    }
}
