package dev.actrec.store;

import dev.actrec.core.ActionColumns;
import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * The durable, embedded store of every user's full action history.
 *
 * <h2>Layout of {@code dir}</h2>
 * <pre>
 * LOCK            held by the one process that has the store open
 * CHECKPOINT      which files are valid ({@link Checkpoint})
 * users.dict      external user ids in internal-id order ({@link DictionaryFile})
 * items.dict      external item ids, with each item's registered duration
 * wal/N.wal       write-ahead log segments ({@link ActionLogSegment}); every batch since the checkpoint
 * chunks/N.chk    u32 magic 'ACF1' | u32 version (1) | sealed chunks ({@link dev.actrec.store.internal.ChunkCodec}), one per user per seal
 * </pre>
 *
 * The parts: {@link Recovery} opens the directory, {@link CommitPipeline} makes appends durable (group commit),
 * {@link HistoryAppender} adds them to users' tails, {@link Checkpointer} seals tails into chunk files in the
 * background, {@link HistoryReader} serves reads; {@link StoreState} is what they share.
 *
 * <h2>Contract</h2>
 * An append returns (or its future completes) only after its record is fsynced: it then survives kill -9 and power
 * loss. One batch is one record, so after a crash a batch is wholly visible or not at all. Queued batches share
 * one write and one fsync (group commit, see {@link CommitPipeline}) before they are applied to the in-memory tails.
 * Readers run concurrently with appends and see only acknowledged batches, each wholly or not at all.
 *
 * <h2>Order, late events, duplicates</h2>
 * A user's history is ordered by timestamp, ties in arrival order. An event older than the user's newest one is
 * placed by its timestamp among the unsealed actions; an event older than the user's last checkpoint (its sealed
 * part) is kept with its true timestamp at the start of the unsealed part and counted as late. An exact duplicate
 * of a stored action (all six fields equal) is dropped, so retrying a batch after a timeout is harmless.
 */
public final class ActionStore implements AutoCloseable {
    /** Longest string id in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 256;

    private final StoreState s;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final CommitPipeline pipeline;
    private final HistoryReader reader;
    private volatile boolean closed;

    private ActionStore(StoreState s, FileChannel lockChannel, FileLock lock, CommitPipeline pipeline) {
        this.s = s;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.pipeline = pipeline;
        this.reader = new HistoryReader(s);
    }

    /** Opens (creating when missing) the store in {@code config.dir()}, recovering from the log. */
    public static ActionStore open(StoreConfig config) throws IOException {
        Path dir = config.dir();
        Files.createDirectories(dir);
        FileChannel lc = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock fl;
        try {
            fl = lc.tryLock();
        } catch (OverlappingFileLockException e) {
            fl = null;
        }
        if (fl == null) {
            lc.close();
            throw new IOException("store " + dir + " is already open by another process (or in this one)");
        }
        StoreState s = new StoreState(config);
        try {
            HistoryAppender appender = new HistoryAppender(s);
            Recovery.Result r = new Recovery(s, appender).run();
            Checkpointer checkpointer = new Checkpointer(s, r.checkpoint(), r.dictionaryUsers(), r.dictionaryItems());
            CommitPipeline pipeline = new CommitPipeline(s, appender, checkpointer, r.segment());
            pipeline.start();
            return new ActionStore(s, lc, fl, pipeline);
        } catch (IOException | RuntimeException e) {
            s.unmapAll();
            fl.release();
            lc.close();
            throw e;
        }
    }

    public static ActionStore open(Path dir) throws IOException {
        return open(StoreConfig.defaults(dir));
    }

    // ---------------------------------------------------------------- appends

    /** Appends a batch and returns once it is durable. The batch may be reused after this returns. */
    public AppendResult append(EventBatch batch) throws IOException {
        return append(batch, null);
    }

    /**
     * Appends a batch and returns once it is durable, with {@code itemIds[i]} set to the internal id of event
     * {@code i}'s item: the id {@link #findItem} answers for it from then on. Saves looking each item up again.
     * When the append fails, {@code itemIds} holds nothing meaningful.
     *
     * @param itemIds at least {@code batch.size()} long, or null when the ids are not wanted
     */
    public AppendResult append(EventBatch batch, int[] itemIds) throws IOException {
        return append(batch, itemIds, null);
    }

    /**
     * {@link #append(EventBatch, int[])} that also sets {@code userIds[i]} to the internal id of event {@code i}'s
     * user, for callers that keep per-user state derived from the histories.
     *
     * @param userIds at least {@code batch.size()} long, or null when the ids are not wanted
     */
    public AppendResult append(EventBatch batch, int[] itemIds, int[] userIds) throws IOException {
        CompletableFuture<AppendResult> done = appendAsync(batch, itemIds, userIds);
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the commit", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof RuntimeException re) throw re;
            throw new IOException(c);
        }
    }

    /**
     * Queues a batch for the next group commit; the future completes once it is durable. The store reads the
     * batch until then, so the caller must not touch it before the future completes. Blocks while the queue is
     * full. Invalid events are rejected here, before anything is written.
     *
     * @throws IllegalArgumentException naming the event, its source line, field and value
     */
    public CompletableFuture<AppendResult> appendAsync(EventBatch batch) {
        return appendAsync(batch, null);
    }

    /**
     * {@link #appendAsync(EventBatch)} that also fills {@code itemIds[0, batch.size())} with the internal item ids,
     * as {@link #append(EventBatch, int[])} does. The store writes the array until the future completes; read it
     * only after, and only when the future completed normally.
     *
     * @param itemIds at least {@code batch.size()} long, or null when the ids are not wanted
     * @throws IllegalArgumentException naming the offending event, or when {@code itemIds} is too short
     */
    public CompletableFuture<AppendResult> appendAsync(EventBatch batch, int[] itemIds) {
        return appendAsync(batch, itemIds, null);
    }

    /** {@link #appendAsync(EventBatch, int[])} that also fills {@code userIds} (may be null) with the user ids. */
    public CompletableFuture<AppendResult> appendAsync(EventBatch batch, int[] itemIds, int[] userIds) {
        checkRoom("itemIds", itemIds, batch);
        checkRoom("userIds", userIds, batch);
        validate(batch);
        IOException f = s.failure;
        if (f != null) return CompletableFuture.failedFuture(new IOException("store failed earlier: " + f.getMessage(), f));
        if (closed) return CompletableFuture.failedFuture(new IOException("store " + s.dir + " is closed"));
        if (batch.isEmpty()) return CompletableFuture.completedFuture(AppendResult.EMPTY);
        try {
            return pipeline.submit(batch, itemIds, userIds);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void checkRoom(String name, int[] ids, EventBatch batch) {
        if (ids != null && ids.length < batch.size()) {
            throw new IllegalArgumentException(name + " has room for " + ids.length + " ids, the batch has "
                    + batch.size() + " events; batch rejected, nothing stored");
        }
    }

    private static void validate(EventBatch b) {
        for (int i = 0; i < b.size(); i++) {
            checkId(b, i, "user", b.userId(i), b.userName(i));
            checkId(b, i, "item", b.itemId(i), b.itemName(i));
            if (b.type(i) < 0 || b.type(i) >= ActionType.COUNT) reject(b, i, "action", Byte.toString(b.type(i)), "unknown action type code");
            if (b.timestamp(i) < 0) reject(b, i, "ts", Long.toString(b.timestamp(i)), "must be >= 0");
            if (b.watchMs(i) < 0) reject(b, i, "watch_ms", Integer.toString(b.watchMs(i)), "must be >= 0");
            if (b.durationMs(i) < 0) reject(b, i, "duration_ms", Integer.toString(b.durationMs(i)), "must be >= 0");
        }
    }

    private static void checkId(EventBatch b, int i, String field, long id, String name) {
        if (name == null) {
            if (id < 0) reject(b, i, field, Long.toString(id), "numeric ids must be >= 0");
        } else if (name.isEmpty()) {
            reject(b, i, field, name, "must not be empty");
        } else if (name.length() > MAX_ID_BYTES / 3 && utf8Length(name) > MAX_ID_BYTES) {
            reject(b, i, field, name, "longer than " + MAX_ID_BYTES + " UTF-8 bytes");
        }
    }

    /** {@code s.getBytes(UTF_8).length} without encoding. A char takes at most 3 bytes, so short ids skip this. */
    private static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) bytes++;
            else if (c < 0x800) bytes += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += Character.isSurrogate(c) ? 1 : 3; // the encoder writes a lone surrogate as '?'
            }
        }
        return bytes;
    }

    private static void reject(EventBatch b, int i, String field, String value, String problem) {
        String where = b.sourceLine(i) > 0 ? "event " + i + " (line " + b.sourceLine(i) + ")" : "event " + i;
        throw new IllegalArgumentException(where + ": field '" + field + "' value '" + value + "': " + problem
                + "; batch rejected, nothing stored");
    }

    /** Seals every unsealed action into chunk files and moves the checkpoint; returns once durable. */
    public void checkpoint() throws IOException {
        try {
            pipeline.submitCheckpoint().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the checkpoint", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        }
    }

    // ---------------------------------------------------------------- reads

    /** Internal id of a numeric external user id, or -1. */
    public int findUser(long external) {
        s.dictLock.readLock().lock();
        try {
            return s.users.find(external);
        } finally {
            s.dictLock.readLock().unlock();
        }
    }

    /** Internal id of an external user id given as text (digits mean a numeric id), or -1. */
    public int findUser(String external) {
        s.dictLock.readLock().lock();
        try {
            Long numeric = parseNumericId(external);
            return numeric != null ? s.users.find(numeric) : s.users.find(external);
        } finally {
            s.dictLock.readLock().unlock();
        }
    }

    /** Internal id of an external item id given as text, or -1. */
    public int findItem(String external) {
        s.dictLock.readLock().lock();
        try {
            Long numeric = parseNumericId(external);
            return numeric != null ? s.items.find(numeric) : s.items.find(external);
        } finally {
            s.dictLock.readLock().unlock();
        }
    }

    /**
     * {@link #findItem} of {@code external[0 .. out.length)} into {@code out}, under one read lock: a rank request's
     * candidates (up to thousands) would otherwise take and release the dictionary lock, and box a Long, for each.
     */
    public void findItems(List<String> external, int[] out) {
        s.dictLock.readLock().lock();
        try {
            for (int i = 0; i < out.length; i++) {
                String e = external.get(i);
                long numeric = numericIdOrMinusOne(e);
                out[i] = numeric >= 0 ? s.items.find(numeric) : s.items.find(e);
            }
        } finally {
            s.dictLock.readLock().unlock();
        }
    }

    /** The numeric value of an all-digit id that fits in a long, else null (it is then a string id). */
    public static Long parseNumericId(String s) {
        long v = numericIdOrMinusOne(s);
        return v < 0 ? null : v;
    }

    /** {@link #parseNumericId} without the box: -1 for a string id (numeric ids are never negative). */
    private static long numericIdOrMinusOne(String s) {
        int n = s.length();
        if (n == 0 || n > 19) return -1;
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
            if (v < 0) return -1; // past Long.MAX_VALUE (only 19-digit ids can get there)
        }
        return v;
    }

    public String userText(int user) {
        s.dictLock.readLock().lock();
        try {
            return s.users.text(user);
        } finally {
            s.dictLock.readLock().unlock();
        }
    }

    public String itemText(int item) {
        s.dictLock.readLock().lock();
        try {
            return s.items.text(item);
        } finally {
            s.dictLock.readLock().unlock();
        }
    }

    public int userCount() {
        s.dictLock.readLock().lock();
        try {
            return s.users.size();
        } finally {
            s.dictLock.readLock().unlock();
        }
    }

    public int itemCount() {
        s.dictLock.readLock().lock();
        try {
            return s.items.size();
        } finally {
            s.dictLock.readLock().unlock();
        }
    }

    /** Number of actions stored for {@code user} (0 for an unknown one). */
    public long historyLength(int user) {
        s.rw.readLock().lock();
        try {
            UserHistory h = s.historyOrNull(user);
            return h == null ? 0 : h.length();
        } finally {
            s.rw.readLock().unlock();
        }
    }

    /** Replaces {@code out} with the user's whole history, oldest first; returns its length. */
    public int readAll(int user, ActionColumns out) throws CorruptChunkException {
        return reader.readAll(user, out);
    }

    /** Replaces {@code out} with the user's last {@code n} actions, oldest first; returns how many. */
    public int readLast(int user, int n, ActionColumns out) throws CorruptChunkException {
        return reader.readLast(user, n, out);
    }

    /**
     * Replaces {@code out} with the user's actions at positions {@code from} (0 = the oldest) to the end, oldest
     * first, all from one consistent view of the history; returns how many. For readers that keep up with a history
     * as it grows.
     */
    public int readFrom(int user, long from, ActionColumns out) throws CorruptChunkException {
        return reader.readFrom(user, from, out);
    }

    /** Replaces {@code out} with the user's actions with {@code from <= ts < to}, in history order. */
    public int readRange(int user, long from, long to, ActionColumns out) throws CorruptChunkException {
        return reader.readRange(user, from, to, out);
    }

    /** A snapshot of sizes and counts. */
    public StoreStats stats() throws IOException {
        long userN, itemN, actions, sealedN, longest = 0;
        int longestId = -1;
        s.dictLock.readLock().lock();
        try {
            userN = s.users.size();
            itemN = s.items.size();
        } finally {
            s.dictLock.readLock().unlock();
        }
        s.rw.readLock().lock();
        try {
            actions = s.totalActions;
            sealedN = s.totalActions - s.unsealed - s.frozenActions;
            for (int u = 0; u < Math.min(s.histories.length, userN); u++) {
                if (s.histories[u] != null && s.histories[u].length() > longest) {
                    longest = s.histories[u].length();
                    longestId = u;
                }
            }
        } finally {
            s.rw.readLock().unlock();
        }
        String longestUser = longestId >= 0 ? userText(longestId) : null;
        long chunkBytes = dirBytes(s.chunkDir), logBytes = dirBytes(s.walDir);
        long dictBytes = Files.size(s.dir.resolve("users.dict")) + Files.size(s.dir.resolve("items.dict"));
        long total = chunkBytes + logBytes + dictBytes + Files.size(s.dir.resolve("CHECKPOINT"));
        return new StoreStats(userN, itemN, actions, sealedN, longest, longestUser, chunkBytes, logBytes, dictBytes, total);
    }

    private static long dirBytes(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            long sum = 0;
            for (Path p : (Iterable<Path>) s::iterator) sum += Files.size(p);
            return sum;
        }
    }

    /** Duplicates dropped and late events stored since this store was opened (including log replay). */
    public long duplicatesDropped() { return s.duplicateTotal; }
    public long lateActions() { return s.lateTotal; }

    public Path directory() { return s.dir; }

    /** Waits for queued appends, seals the tail when so configured, and releases the directory. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        IOException err = null;
        try {
            if (s.config.checkpointOnClose() && s.failure == null) checkpoint();
        } catch (IOException e) {
            err = e;
        }
        try {
            pipeline.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (err == null) err = e;
        }
        s.rw.writeLock().lock();
        try {
            s.unmapAll();
        } finally {
            s.rw.writeLock().unlock();
        }
        lock.release();
        lockChannel.close();
        if (err != null) throw err;
    }
}
