package dev.actrec.store;

import dev.actrec.store.internal.FileSync;
import dev.actrec.store.internal.IdDictionary;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongPredicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the parts of an open store share: its directories, the id dictionaries, every user's history, the mapped
 * chunk files, the counters, and the two locks that guard them.
 *
 * <p>Locking: {@link #rw} guards histories and chunk files (readers share it; the sync thread takes it to apply a
 * group, the checkpointer to freeze tails and to publish chunks). {@link #dictLock} guards the dictionaries (the
 * commit thread takes it to add ids; readers share it). A thread that holds both took {@code rw} first.
 */
final class StoreState {
    static final int CHUNK_FILE_MAGIC = 0x31464341; // "ACF1"
    static final int CHUNK_FILE_VERSION = 1;
    static final int CHUNK_FILE_HEADER = 8;
    private static final Logger LOG = LoggerFactory.getLogger(StoreState.class);

    final StoreConfig config;
    final Path dir;
    final Path walDir;
    final Path chunkDir;
    final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    final ReentrantReadWriteLock dictLock = new ReentrantReadWriteLock();
    final IdDictionary users = new IdDictionary(false);
    final IdDictionary items = new IdDictionary(true);
    UserHistory[] histories = new UserHistory[1024];
    /** Mapped chunk files by file number; null for a number whose file compaction dropped (or never existed). */
    final List<MemorySegment> chunkFiles = new ArrayList<>();
    /** One arena per chunk file, so a file can be unmapped (under the write lock) once no history refers to it. */
    private final List<Arena> chunkArenas = new ArrayList<>();
    /** Per chunk file, how many chunks histories still refer to. */
    private int[] liveChunks = new int[16];

    /** Actions in tails (not frozen, not sealed): written by the sync thread, reset by a freeze. */
    volatile long unsealed;
    /** Actions frozen for the running checkpoint. */
    volatile long frozenActions;
    long totalActions;
    long lateTotal;
    long duplicateTotal;
    volatile IOException failure;

    StoreState(StoreConfig config) {
        this.config = config;
        this.dir = config.dir();
        this.walDir = dir.resolve("wal");
        this.chunkDir = dir.resolve("chunks");
    }

    Path chunkPath(int file) {
        return chunkDir.resolve(String.format("%08d.chk", file));
    }

    /** Maps chunk file {@code file} (write lock held, or recovery). */
    MemorySegment mapChunkFile(int file) throws IOException {
        Arena arena = Arena.ofShared();
        MemorySegment seg;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(chunkPath(file),
                java.nio.file.StandardOpenOption.READ)) {
            seg = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
        while (chunkFiles.size() <= file) {
            chunkFiles.add(null);
            chunkArenas.add(null);
        }
        chunkFiles.set(file, seg);
        chunkArenas.set(file, arena);
        if (file >= liveChunks.length) liveChunks = Arrays.copyOf(liveChunks, Math.max(file + 1, liveChunks.length * 2));
        return seg;
    }

    /** Counts one more (or, with -1, one fewer) chunk of {@code file} referred to by a history. */
    void countChunk(int file, int delta) {
        liveChunks[file] += delta;
        assert liveChunks[file] >= 0;
    }

    /** How many chunks of {@code file} histories refer to. */
    int liveChunks(int file) {
        return liveChunks[file];
    }

    /** Whether a mapped chunk file has no live chunk left. */
    boolean isDead(int file) {
        return chunkFiles.get(file) != null && liveChunks[file] == 0;
    }

    /** Unmaps a dead chunk file (write lock held: no reader is decoding from it). */
    void unmapChunkFile(int file) {
        assert isDead(file);
        chunkFiles.set(file, null);
        chunkArenas.set(file, null).close();
    }

    /** Numbers of the mapped chunk files, ascending. */
    int[] mappedChunkFiles() {
        return java.util.stream.IntStream.range(0, chunkFiles.size()).filter(f -> chunkFiles.get(f) != null).toArray();
    }

    /** Unmaps every chunk file (store closing, write lock held). */
    void unmapAll() {
        for (int f = 0; f < chunkArenas.size(); f++) {
            if (chunkArenas.get(f) != null) chunkArenas.set(f, null).close();
            chunkFiles.set(f, null);
        }
    }

    /** The user's history, created when missing (write lock held, or recovery). */
    UserHistory history(int user) {
        if (user >= histories.length) histories = Arrays.copyOf(histories, Math.max(user + 1, histories.length * 2));
        UserHistory h = histories[user];
        if (h == null) histories[user] = h = new UserHistory();
        return h;
    }

    /** The user's history or null (read lock held). */
    UserHistory historyOrNull(int user) {
        return user >= 0 && user < histories.length ? histories[user] : null;
    }

    /** Registered item durations, read under the dictionary lock so that a grown array is seen whole. */
    int[] registeredDurations() {
        dictLock.readLock().lock();
        try {
            return items.registeredDurations();
        } finally {
            dictLock.readLock().unlock();
        }
    }

    /** Stops the store after an I/O error: every later append fails until it is reopened (fail-stop). */
    void fail(IOException e) {
        if (failure == null) {
            LOG.error("{}: store stopped after an I/O error; reopen it to recover from the log", dir, e);
            failure = e;
        }
    }

    /** Sorted numbers N of the files {@code N<suffix>} in {@code d}. */
    static long[] listNumbers(Path d, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(suffix) && n.length() > suffix.length()
                            && n.substring(0, n.length() - suffix.length()).chars().allMatch(Character::isDigit))
                    .mapToLong(n -> Long.parseLong(n.substring(0, n.length() - suffix.length())))
                    .sorted().toArray();
        }
    }

    /** Deletes the numbered files that {@code which} selects, then fsyncs the directory. */
    static void deleteMatching(Path d, String suffix, LongPredicate which, String why) throws IOException {
        boolean any = false;
        for (long n : listNumbers(d, suffix)) {
            if (which.test(n)) {
                Path p = d.resolve(String.format(suffix.equals(".wal") ? "%016d%s" : "%08d%s", n, suffix));
                LOG.debug("{}: deleting ({})", p, why);
                Files.delete(p);
                any = true;
            }
        }
        if (any) FileSync.syncDirectory(d);
    }
}
