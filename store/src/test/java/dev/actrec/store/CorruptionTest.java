package dev.actrec.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.actrec.core.ActionColumns;
import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged files are detected and named (path and offset); a torn log tail is cut back to the last whole batch. */
class CorruptionTest {
    @TempDir
    Path dir;

    private static final int BATCHES = 6;
    private static final int PER_BATCH = 100;

    private StoreConfig config() {
        return StoreConfig.defaults(dir).withSealThreshold(Integer.MAX_VALUE).withCheckpointOnClose(false);
    }

    /** Three sealed batches in a chunk file, then three more only in the log. */
    @BeforeEach
    void fill() throws IOException {
        try (ActionStore s = ActionStore.open(config())) {
            for (int k = 0; k < BATCHES; k++) {
                EventBatch b = new EventBatch();
                for (int j = 0; j < PER_BATCH; j++) b.add(j % 3, k * PER_BATCH + j, ActionType.VIEW, k * 1000L + j, 10, 20);
                s.append(b);
                if (k == BATCHES / 2 - 1) s.checkpoint();
            }
        }
    }

    private Path only(String sub, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve(sub))) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    private static void flip(Path p, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x5A);
        }
    }

    private long storedActions() throws IOException {
        try (ActionStore s = ActionStore.open(config())) {
            return s.stats().actions();
        }
    }

    @Test
    void tornLogTailIsTruncatedToTheLastWholeBatch() throws IOException {
        Path wal = only("wal", ".wal");
        long size = Files.size(wal);
        try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
            f.setLength(size - 7); // the last batch's record loses its end
        }
        assertEquals((BATCHES - 1) * PER_BATCH, storedActions());
        assertTrue(Files.size(wal) < size - 7, "torn bytes are cut from the file");
        // And the store keeps working after the cut.
        try (ActionStore s = ActionStore.open(config())) {
            EventBatch b = new EventBatch();
            b.add(1, 1, ActionType.LIKE, 99_999, 0, 0);
            s.append(b);
        }
        assertEquals((BATCHES - 1) * PER_BATCH + 1, storedActions());
    }

    @Test
    void newestSegmentWithATornHeaderIsRecreated() throws IOException {
        Path wal = only("wal", ".wal");
        try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
            f.setLength(5); // the crash came right after the segment was created
        }
        assertEquals(BATCHES / 2 * PER_BATCH, storedActions(), "the sealed half survives; the torn segment held the rest");
        assertTrue(Files.size(wal) >= ActionLogSegment.FILE_HEADER);
    }

    @Test
    void damagedRecordFollowedByValidOnesIsCorruptionNotATornTail() throws IOException {
        Path wal = only("wal", ".wal");
        flip(wal, ActionLogSegment.FILE_HEADER + ActionLogSegment.RECORD_HEADER + 5);
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> ActionStore.open(config()));
        assertEquals(wal, e.path());
        assertEquals(ActionLogSegment.FILE_HEADER, e.offset());
        assertTrue(e.getMessage().contains("valid record follows"), e.getMessage());
    }

    @Test
    void flippedChunkPayloadByteIsNamedOnRead() throws IOException {
        Path chunk = only("chunks", ".chk");
        flip(chunk, Files.size(chunk) - 20);
        try (ActionStore s = ActionStore.open(config())) {
            ActionColumns c = new ActionColumns();
            CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> {
                for (int u = 0; u < s.userCount(); u++) s.readAll(u, c);
            });
            assertEquals(chunk, e.path());
            assertTrue(e.getMessage().contains("payload checksum"), e.getMessage());
        }
    }

    @Test
    void flippedChunkHeaderIsNamedOnOpen() throws IOException {
        Path chunk = only("chunks", ".chk");
        flip(chunk, StoreState.CHUNK_FILE_HEADER + 9);
        CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> ActionStore.open(config()));
        assertEquals(chunk, e.path());
        assertEquals(StoreState.CHUNK_FILE_HEADER, e.offset());
    }

    @Test
    void truncatedChunkFileIsNamedOnOpen() throws IOException {
        Path chunk = only("chunks", ".chk");
        try (RandomAccessFile f = new RandomAccessFile(chunk.toFile(), "rw")) {
            f.setLength(f.length() - 30);
        }
        CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> ActionStore.open(config()));
        assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());
    }

    @Test
    void damagedCheckpointAndDictionaryAreNamed() throws IOException {
        Path dict = dir.resolve("items.dict");
        flip(dict, DictionaryFile.HEADER + 2);
        CorruptDictionaryException d = assertThrows(CorruptDictionaryException.class, () -> ActionStore.open(config()));
        assertEquals(dict, d.path());
        flip(dict, DictionaryFile.HEADER + 2);
        assertEquals(BATCHES * PER_BATCH, storedActions());

        flip(dir.resolve("CHECKPOINT"), 9);
        CorruptCheckpointException c = assertThrows(CorruptCheckpointException.class, () -> ActionStore.open(config()));
        assertTrue(c.getMessage().contains("checksum"), c.getMessage());
    }
}
