package dev.actrec.cli;

import dev.actrec.core.ActionColumns;
import dev.actrec.core.ActionType;
import dev.actrec.store.ActionStore;
import dev.actrec.store.StoreConfig;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;

/**
 * Writes a store's histories in the training data format, one line per user: {@code user item item ...}, oldest
 * first. Item ids are written as the store knows them, so they must be positive integers (the training format's
 * catalogue is {@code 1..max id}, and a served model maps its indexes back to those same keys); users are numbered
 * from 1 in store order. Users left with fewer than three items are skipped (leave-one-out needs a training, a
 * validation and a test item).
 */
final class SequenceExport {
    private SequenceExport() {
    }

    /** Returns the number of users written; {@code skipActions} are action wire names left out. */
    static int write(Path dataDir, Path out, String... skipActions) throws IOException {
        Set<String> skip = Set.of(skipActions);
        boolean[] skipCode = new boolean[256];
        for (ActionType t : ActionType.values()) skipCode[t.code() & 0xff] = skip.contains(t.wireName());
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        int written = 0;
        try (ActionStore store = ActionStore.open(StoreConfig.defaults(dataDir).withCheckpointOnClose(false));
             BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            ActionColumns cols = new ActionColumns();
            int[] itemIds = new int[store.itemCount()];
            for (int i = 0; i < itemIds.length; i++) itemIds[i] = parseItem(store.itemText(i));
            StringBuilder line = new StringBuilder();
            for (int u = 0; u < store.userCount(); u++) {
                int n = store.readAll(u, cols);
                line.setLength(0);
                int kept = 0;
                for (int i = 0; i < n; i++) {
                    if (skipCode[cols.type(i) & 0xff]) continue;
                    int id = itemIds[cols.item(i)];
                    if (id <= 0) {
                        throw new IOException("item '" + store.itemText(cols.item(i)) + "' of user '" + store.userText(u)
                                + "' is not a positive integer id, which the training format needs");
                    }
                    line.append(' ').append(id);
                    kept++;
                }
                if (kept < 3) continue;
                w.append(Integer.toString(++written)).append(line).append('\n');
            }
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return written;
    }

    private static int parseItem(String text) {
        try {
            return text.length() <= 10 && !text.startsWith("0") ? Integer.parseInt(text) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
