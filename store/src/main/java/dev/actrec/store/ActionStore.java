package dev.actrec.store;

import dev.actrec.core.ActionColumns;
import dev.actrec.core.ActionType;
import dev.actrec.core.EventBatch;
import dev.actrec.store.internal.ByteSink;
import dev.actrec.store.internal.ByteSource;
import dev.actrec.store.internal.ChunkCodec;
import dev.actrec.store.internal.FileSync;
import dev.actrec.store.internal.IdDictionary;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * chunks/N.chk    u32 magic 'ACF1' | u32 version (1) | sealed chunks ({@link ChunkCodec}), one per user per seal
 * </pre>
 *
 * <h2>Log record payload (one batch)</h2>
 * <pre>
 * varint new users | user dictionary entries | varint new items | item dictionary entries
 * | varint n | n × (varint user | varint item | u8 type | varint zigzag(ts - previous ts) | varint watch | varint duration)
 * </pre>
 *
 * <h2>Contract</h2>
 * An append returns (or its future completes) only after its record is fsynced: it then survives kill -9 and power
 * loss. One batch is one record, so after a crash a batch is wholly visible or not at all. One commit thread
 * groups queued batches into one write and one fsync (group commit), then applies them to the in-memory tails.
 * Readers run concurrently with appends and see only acknowledged batches, each wholly or not at all.
 *
 * <h2>Order, late events, duplicates</h2>
 * A user's history is ordered by timestamp, ties in arrival order. An event older than the user's newest one is
 * placed by its timestamp among the unsealed actions; an event older than the user's last checkpoint (its sealed
 * part) is kept with its true timestamp at the start of the unsealed part and counted as late. An exact duplicate
 * of a stored action (all six fields equal) is dropped, so retrying a batch after a timeout is harmless.
 */
public final class ActionStore implements AutoCloseable {
    static final int CHUNK_FILE_MAGIC = 0x31464341; // "ACF1"
    static final int CHUNK_FILE_VERSION = 1;
    static final int CHUNK_FILE_HEADER = 8;
    /** Longest string id in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 256;
    private static final Logger LOG = LoggerFactory.getLogger(ActionStore.class);

    private final StoreConfig config;
    private final Path dir;
    private final Path walDir;
    private final Path chunkDir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Arena arena = Arena.ofShared();

    /** Guards histories and chunk files: readers share it, the sync thread takes it to apply and to publish. */
    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    /** Guards the dictionaries: the commit thread takes it to add ids, readers share it to look ids up. */
    private final ReentrantReadWriteLock dictLock = new ReentrantReadWriteLock();
    private final IdDictionary users = new IdDictionary(false);
    private final IdDictionary items = new IdDictionary(true);
    private UserHistory[] histories = new UserHistory[1024];
    private final List<MemorySegment> chunkFiles = new ArrayList<>();
    /** Written by the sync thread (apply) and by the commit thread (seal, while the sync stage is drained). */
    private volatile long unsealed;
    private long totalActions;
    private long lateTotal;
    private long duplicateTotal;

    // Owned by the commit thread (and by open() before it starts).
    private Checkpoint checkpoint;
    private ActionLogSegment segment;
    private final ChunkCodec writerCodec = new ChunkCodec();
    private final ActionColumns probe = new ActionColumns(256);
    private final ByteSink recordSink = new ByteSink(1 << 20);
    private final ByteSink framedSink = new ByteSink(1 << 20);
    private final CRC32C crc = new CRC32C();

    private final BlockingQueue<Request> queue;
    /** Groups written to the log, waiting for the sync thread; a group of one STOP or barrier request is a signal. */
    private final BlockingQueue<List<Request>> toSync = new ArrayBlockingQueue<>(4);
    private final java.util.concurrent.atomic.AtomicLong actionsInSyncStage = new java.util.concurrent.atomic.AtomicLong();
    private final Thread committer;
    private final Thread syncer;
    private volatile IOException failure;
    private volatile boolean closed;

    /** A unit of work for the commit thread: an append (batch != null) or a checkpoint. */
    private static final class Request {
        final EventBatch batch;
        final CompletableFuture<AppendResult> done = new CompletableFuture<>();
        int[] userIds;
        int[] itemIds;

        Request(EventBatch batch) {
            this.batch = batch;
        }
    }

    private static final Request STOP = new Request(null);

    private ActionStore(StoreConfig config, FileChannel lockChannel, FileLock lock) {
        this.config = config;
        this.dir = config.dir();
        this.walDir = dir.resolve("wal");
        this.chunkDir = dir.resolve("chunks");
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.committer = new Thread(this::commitLoop, "actrec-commit");
        this.committer.setDaemon(true);
        this.syncer = new Thread(this::syncLoop, "actrec-sync");
        this.syncer.setDaemon(true);
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
        ActionStore s = new ActionStore(config, lc, fl);
        try {
            s.recover();
        } catch (IOException | RuntimeException e) {
            s.arena.close();
            fl.release();
            lc.close();
            throw e;
        }
        s.committer.start();
        s.syncer.start();
        return s;
    }

    public static ActionStore open(Path dir) throws IOException {
        return open(StoreConfig.defaults(dir));
    }

    // ---------------------------------------------------------------- recovery

    private void recover() throws IOException {
        Files.createDirectories(walDir);
        Files.createDirectories(chunkDir);
        Path cpFile = dir.resolve("CHECKPOINT");
        if (!Files.exists(cpFile)) {
            try (Stream<Path> s = Files.list(chunkDir)) {
                if (s.findAny().isPresent()) {
                    throw new CorruptCheckpointException(cpFile, 0, "missing, but chunk files exist");
                }
            }
            Files.deleteIfExists(dir.resolve("users.dict"));
            Files.deleteIfExists(dir.resolve("items.dict"));
            DictionaryFile.create(dir.resolve("users.dict"));
            DictionaryFile.create(dir.resolve("items.dict"));
            new Checkpoint(0, 0, DictionaryFile.HEADER, DictionaryFile.HEADER).write(cpFile);
        }
        checkpoint = Checkpoint.read(cpFile);
        DictionaryFile.load(dir.resolve("users.dict"), checkpoint.usersDictLength(), users);
        DictionaryFile.load(dir.resolve("items.dict"), checkpoint.itemsDictLength(), items);
        checkpointedUsers = users.size();
        checkpointedItems = items.size();
        for (int f = 0; f < checkpoint.chunkFiles(); f++) {
            indexChunkFile(f);
        }
        chunkFileCount = checkpoint.chunkFiles();
        deleteMatching(chunkDir, ".chk", n -> n >= checkpoint.chunkFiles(), "chunk file not in the checkpoint");
        deleteMatching(walDir, ".wal", n -> n < checkpoint.firstSegment(), "log segment already sealed");

        long[] segments = listNumbers(walDir, ".wal");
        long next = checkpoint.firstSegment();
        long replayed = 0;
        for (int i = 0; i < segments.length; i++) {
            long n = segments[i];
            if (n != next) {
                throw new CorruptLogException(ActionLogSegment.pathOf(walDir, next), 0,
                        "log segment " + next + " is missing (found " + n + ")");
            }
            boolean last = i == segments.length - 1;
            long before = totalActions;
            replayPath = ActionLogSegment.pathOf(walDir, n);
            long valid = ActionLogSegment.replay(walDir, n, last, this::replayRecord);
            replayed += totalActions - before;
            if (last) {
                if (valid < 0) {
                    Files.delete(ActionLogSegment.pathOf(walDir, n));
                    segment = ActionLogSegment.create(walDir, n);
                } else {
                    segment = ActionLogSegment.reopen(walDir, n, valid);
                }
            }
            next = n + 1;
        }
        if (segment == null) {
            segment = ActionLogSegment.create(walDir, checkpoint.firstSegment());
        }
        if (replayed > 0) {
            LOG.info("{}: replayed {} actions from the log", dir, replayed);
        }
    }

    private interface LongPredicate {
        boolean test(long n);
    }

    private static void deleteMatching(Path d, String suffix, LongPredicate which, String why) throws IOException {
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

    private static long[] listNumbers(Path d, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(suffix) && n.length() > suffix.length()
                            && n.substring(0, n.length() - suffix.length()).chars().allMatch(Character::isDigit))
                    .mapToLong(n -> Long.parseLong(n.substring(0, n.length() - suffix.length())))
                    .sorted().toArray();
        }
    }

    private Path chunkPath(int f) {
        return chunkDir.resolve(String.format("%08d.chk", f));
    }

    private void indexChunkFile(int f) throws IOException {
        Path p = chunkPath(f);
        if (!Files.exists(p)) throw new CorruptChunkException(p, 0, "chunk file named by the checkpoint is missing");
        MemorySegment seg;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        }
        if (seg.byteSize() < CHUNK_FILE_HEADER
                || seg.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0) != CHUNK_FILE_MAGIC
                || seg.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 4) != CHUNK_FILE_VERSION) {
            throw new CorruptChunkException(p, 0, "bad chunk file header (magic 'ACF1', version " + CHUNK_FILE_VERSION + ")");
        }
        ChunkCodec codec = new ChunkCodec();
        long pos = CHUNK_FILE_HEADER;
        while (pos < seg.byteSize()) {
            String problem = codec.headerProblem(seg, pos);
            if (problem != null) throw new CorruptChunkException(p, pos, problem);
            int user = ChunkCodec.user(seg, pos);
            if (user < 0 || user >= users.size()) {
                throw new CorruptChunkException(p, pos, "chunk of unknown user id " + user + " (" + users.size() + " users)");
            }
            int count = ChunkCodec.count(seg, pos);
            history(user).addChunk(f, pos, count, ChunkCodec.minTs(seg, pos), ChunkCodec.maxTs(seg, pos));
            totalActions += count;
            pos += ChunkCodec.HEADER + (ChunkCodec.payloadLength(seg, pos) & 0xFFFFFFFFL);
        }
        chunkFiles.add(seg);
    }

    private void replayRecord(MemorySegment payload, long offset) throws IOException {
        ByteSource in = new ByteSource(payload, 0);
        try {
            long nu = in.varint();
            for (long i = 0; i < nu; i++) users.readEntry(in);
            long ni = in.varint();
            for (long i = 0; i < ni; i++) items.readEntry(in);
            long n = in.varint();
            long ts = 0;
            for (long i = 0; i < n; i++) {
                long u = in.varint();
                long it = in.varint();
                int type = in.u8();
                ts += ByteSink.unzigzag(in.varint());
                long watch = in.varint();
                long dur = in.varint();
                if (u >= users.size() || it >= items.size() || type >= ActionType.COUNT || ts < 0
                        || watch > Integer.MAX_VALUE || dur > Integer.MAX_VALUE) {
                    throw new IllegalStateException("impossible action " + i + ": user " + u + ", item " + it
                            + ", type " + type + ", ts " + ts);
                }
                apply((int) u, (int) it, (byte) type, ts, (int) watch, (int) dur);
            }
            if (in.position() != payload.byteSize()) throw new IllegalStateException("trailing bytes in record");
        } catch (IllegalStateException | IndexOutOfBoundsException e) {
            throw new CorruptLogException(segmentPathForMessages(), offset, "record passes its checksum but "
                    + e.getMessage());
        }
    }

    private Path replayPath;

    private Path segmentPathForMessages() {
        return replayPath;
    }

    // ---------------------------------------------------------------- appends

    /** Appends a batch and returns once it is durable. The batch may be reused after this returns. */
    public AppendResult append(EventBatch batch) throws IOException {
        try {
            return appendAsync(batch).get();
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
        validate(batch);
        IOException f = failure;
        if (f != null) return CompletableFuture.failedFuture(new IOException("store failed earlier: " + f.getMessage(), f));
        if (closed) return CompletableFuture.failedFuture(new IOException("store " + dir + " is closed"));
        if (batch.isEmpty()) return CompletableFuture.completedFuture(AppendResult.EMPTY);
        Request r = new Request(batch);
        try {
            queue.put(r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        }
        return r.done;
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
        } else if (name.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
            reject(b, i, field, name, "longer than " + MAX_ID_BYTES + " UTF-8 bytes");
        }
    }

    private static void reject(EventBatch b, int i, String field, String value, String problem) {
        String where = b.sourceLine(i) > 0 ? "event " + i + " (line " + b.sourceLine(i) + ")" : "event " + i;
        throw new IllegalArgumentException(where + ": field '" + field + "' value '" + value + "': " + problem
                + "; batch rejected, nothing stored");
    }

    /** Seals every unsealed action into chunk files and moves the checkpoint; returns once durable. */
    public void checkpoint() throws IOException {
        Request r = new Request(null);
        try {
            queue.put(r);
            r.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the checkpoint", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        }
    }

    /**
     * Stage one of the commit pipeline: resolves ids, encodes and writes a group of batches, then hands it to the
     * sync thread, so that the next group is encoded and written while the previous one is being fsynced.
     * Checkpoints run here, after a barrier has drained the sync stage.
     */
    private void commitLoop() {
        try {
            while (true) {
                Request first = queue.take();
                if (first == STOP) break;
                if (first.batch == null) {
                    runCheckpoint(first);
                    continue;
                }
                List<Request> group = new ArrayList<>();
                group.add(first);
                int actions = first.batch.size();
                Request next;
                while (actions < config.maxGroupActions() && (next = queue.peek()) != null && next.batch != null) {
                    group.add(queue.poll());
                    actions += next.batch.size();
                }
                writeGroup(group);
                if (failure == null && unsealed + actionsInSyncStage.get() >= config.sealThreshold()) {
                    drainSyncStage();
                    if (failure == null && unsealed >= config.sealThreshold()) {
                        try {
                            freeze();
                        } catch (IOException e) {
                            fail(e);
                        }
                    }
                }
            }
            drainSyncStage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            while (!toSync.offer(List.of(STOP))) toSync.poll(); // the sync stage is drained; make room regardless
        }
    }

    /** Waits until the sync thread has applied every group handed to it. */
    private void drainSyncStage() throws InterruptedException {
        Request barrier = new Request(null);
        toSync.put(List.of(barrier));
        try {
            barrier.done.get();
        } catch (ExecutionException e) {
            // the failure is recorded; callers check it
        }
    }

    private void runCheckpoint(Request r) throws InterruptedException {
        drainSyncStage();
        if (failure != null) {
            r.done.completeExceptionally(failure);
            return;
        }
        try {
            freeze().join();
            r.done.complete(AppendResult.EMPTY);
        } catch (IOException e) {
            fail(e);
            r.done.completeExceptionally(e);
        } catch (java.util.concurrent.CompletionException e) {
            r.done.completeExceptionally(e.getCause());
        }
    }

    private void writeGroup(List<Request> group) throws InterruptedException {
        if (failure != null) {
            for (Request r : group) r.done.completeExceptionally(new IOException("store failed earlier", failure));
            return;
        }
        framedSink.reset();
        int actions = 0;
        for (Request r : group) {
            encodeRecord(r);
            ActionLogSegment.frame(framedSink, recordSink.array(), recordSink.position(), crc);
            actions += r.batch.size();
        }
        try {
            segment.append(framedSink);
        } catch (IOException e) {
            // Ids were assigned for records that may not be durable; the store stops here and must be reopened.
            fail(e);
            for (Request r : group) r.done.completeExceptionally(e);
            return;
        }
        actionsInSyncStage.addAndGet(actions);
        toSync.put(group);
    }

    /**
     * Stage two: one fsync for every group written so far, then applies them to the in-memory tails and
     * acknowledges them. Groups written while an fsync runs wait for the next one.
     */
    private void syncLoop() {
        List<List<Request>> groups = new ArrayList<>();
        try {
            while (true) {
                groups.clear();
                groups.add(toSync.take());
                toSync.drainTo(groups);
                boolean stop = false;
                List<Request> barriers = new ArrayList<>();
                List<List<Request>> work = new ArrayList<>();
                for (List<Request> g : groups) {
                    Request head = g.get(0);
                    if (head == STOP) stop = true;
                    else if (head.batch == null) barriers.add(head);
                    else work.add(g);
                }
                if (!work.isEmpty()) syncAndApply(work);
                for (Request b : barriers) b.done.complete(AppendResult.EMPTY);
                if (stop) return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void syncAndApply(List<List<Request>> work) {
        if (failure == null) {
            try {
                segment.sync();
            } catch (IOException e) {
                fail(e);
            }
        }
        if (failure != null) {
            for (List<Request> g : work) for (Request r : g) r.done.completeExceptionally(new IOException("store failed", failure));
            return;
        }
        List<AppendResult> results = new ArrayList<>();
        rw.writeLock().lock();
        try {
            for (List<Request> g : work) {
                for (Request r : g) {
                    EventBatch b = r.batch;
                    int stored = 0, dup = 0, late = 0;
                    for (int i = 0; i < b.size(); i++) {
                        int outcome = apply(r.userIds[i], r.itemIds[i], b.type(i), b.timestamp(i), b.watchMs(i), b.durationMs(i));
                        if (outcome == DUPLICATE) dup++;
                        else {
                            stored++;
                            if (outcome == LATE) late++;
                        }
                    }
                    actionsInSyncStage.addAndGet(-b.size());
                    results.add(new AppendResult(stored, dup, late));
                }
            }
        } finally {
            rw.writeLock().unlock();
        }
        int k = 0;
        for (List<Request> g : work) for (Request r : g) r.done.complete(results.get(k++));
    }

    /** Resolves ids (assigning new ones) and writes the record payload of {@code r} into {@code recordSink}. */
    private void encodeRecord(Request r) {
        EventBatch b = r.batch;
        int n = b.size();
        r.userIds = new int[n];
        r.itemIds = new int[n];
        int u0 = users.size(), i0 = items.size();
        dictLock.writeLock().lock();
        try {
            for (int i = 0; i < n; i++) {
                r.userIds[i] = users.findOrAdd(b.userId(i), b.userName(i), 0);
                r.itemIds[i] = items.findOrAdd(b.itemId(i), b.itemName(i), b.durationMs(i));
            }
        } finally {
            dictLock.writeLock().unlock();
        }
        recordSink.reset();
        recordSink.varint(users.size() - u0);
        for (int id = u0; id < users.size(); id++) users.writeEntry(id, recordSink);
        recordSink.varint(items.size() - i0);
        for (int id = i0; id < items.size(); id++) items.writeEntry(id, recordSink);
        recordSink.varint(n);
        long prev = 0;
        for (int i = 0; i < n; i++) {
            recordSink.varint(r.userIds[i]);
            recordSink.varint(r.itemIds[i]);
            recordSink.u8(b.type(i));
            recordSink.varint(ByteSink.zigzag(b.timestamp(i) - prev));
            prev = b.timestamp(i);
            recordSink.varint(b.watchMs(i));
            recordSink.varint(b.durationMs(i));
        }
    }

    private void fail(IOException e) {
        LOG.error("{}: store stopped after an I/O error; reopen it to recover from the log", dir, e);
        failure = e;
    }

    private static final int STORED = 0;
    private static final int LATE = 1;
    private static final int DUPLICATE = 2;

    private UserHistory history(int user) {
        if (user >= histories.length) histories = Arrays.copyOf(histories, Math.max(user + 1, histories.length * 2));
        UserHistory h = histories[user];
        if (h == null) histories[user] = h = new UserHistory();
        return h;
    }

    /** Adds one action to its user's unsealed tail (commit thread, write lock held, or recovery). */
    private int apply(int user, int item, byte type, long ts, int watch, int dur) {
        UserHistory h = history(user);
        ActionColumns t = h.tail;
        if (t == null) h.tail = t = new ActionColumns(8);
        int n = t.size();
        boolean late = (n > 0 && ts < t.timestamp(n - 1)) || (n == 0 && ts < h.sealedMaxTs);
        if ((n > 0 && ts <= t.timestamp(n - 1)) || ts <= h.sealedMaxTs) {
            if (isDuplicate(h, item, type, ts, watch, dur)) {
                duplicateTotal++;
                return DUPLICATE;
            }
        }
        if (n == 0 || ts >= t.timestamp(n - 1)) {
            t.add(item, type, ts, watch, dur);
        } else {
            t.insert(upperBound(t, ts), item, type, ts, watch, dur);
        }
        unsealed++;
        totalActions++;
        if (late) lateTotal++;
        return late ? LATE : STORED;
    }

    /** First index in the sorted tail whose timestamp is greater than {@code ts}. */
    private static int upperBound(ActionColumns t, long ts) {
        long[] a = t.timestampArray();
        int lo = 0, hi = t.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= ts) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private boolean isDuplicate(UserHistory h, int item, byte type, long ts, int watch, int dur) {
        if (containsAction(h.tail, item, type, ts, watch, dur) || containsAction(h.frozen, item, type, ts, watch, dur)) {
            return true;
        }
        for (int c = 0; c < h.chunks; c++) {
            if (ts < h.chunkMinTs[c] || ts > h.chunkMaxTs[c]) continue;
            MemorySegment seg = chunkFiles.get(h.chunkFile[c]);
            long at = h.chunkOffset[c];
            int blocks = ChunkCodec.blockCount(seg, at);
            // Blocks are in time order: the action can only sit in blocks whose range covers ts.
            for (int blk = 0; blk < blocks; blk++) {
                if (ChunkCodec.blockFirstTs(seg, at, blk) > ts) break;
                if (blk + 1 < blocks && ChunkCodec.blockFirstTs(seg, at, blk + 1) < ts) continue;
                probe.clear();
                writerCodec.decode(seg, at, blk, blk + 1, items.registeredDurations(), probe);
                for (int i = 0; i < probe.size(); i++) {
                    if (probe.timestamp(i) == ts && probe.item(i) == item && probe.type(i) == type
                            && probe.watchMs(i) == watch && probe.durationMs(i) == dur) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Whether the time-sorted columns {@code t} (may be null) hold exactly this action. */
    private static boolean containsAction(ActionColumns t, int item, byte type, long ts, int watch, int dur) {
        if (t == null) return false;
        for (int i = upperBound(t, ts) - 1; i >= 0 && t.timestamp(i) == ts; i--) {
            if (t.item(i) == item && t.type(i) == type && t.watchMs(i) == watch && t.durationMs(i) == dur) return true;
        }
        return false;
    }

    /**
     * Starts a checkpoint (commit thread, sync stage drained): freezes every user's unsealed tail and starts a new log
     * segment, then seals the frozen tails in the background while appends go on into fresh tails. Returns the
     * seal's completion. At most one seal runs at a time; a second waits for the first here (backpressure).
     */
    private CompletableFuture<Void> freeze() throws IOException {
        CompletableFuture<Void> previous = sealInFlight;
        if (previous != null) previous.join();
        if (failure != null) throw new IOException("store failed earlier", failure);
        if (unsealed == 0) return CompletableFuture.completedFuture(null);
        long newSegment = segment.number() + 1;
        ActionLogSegment old = segment;
        segment = ActionLogSegment.create(walDir, newSegment);
        old.close();
        int userCount = users.size();
        int itemCount = items.size();
        int[] frozenUsers;
        ActionColumns[] frozenColumns;
        rw.writeLock().lock();
        try {
            int k = 0;
            int[] list = new int[userCount];
            ActionColumns[] cols = new ActionColumns[userCount];
            for (int u = 0; u < Math.min(userCount, histories.length); u++) {
                UserHistory h = histories[u];
                if (h == null || h.tail == null || h.tail.size() == 0) continue;
                assert h.frozen == null;
                h.frozen = h.tail;
                h.tail = null;
                h.sealedMaxTs = Math.max(h.sealedMaxTs, h.frozen.timestamp(h.frozen.size() - 1));
                cols[k] = h.frozen;
                list[k++] = u;
            }
            frozenUsers = Arrays.copyOf(list, k);
            frozenColumns = Arrays.copyOf(cols, k);
            frozenActions = unsealed;
            unsealed = 0;
        } finally {
            rw.writeLock().unlock();
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        sealInFlight = done;
        Thread t = new Thread(() -> {
            try {
                sealFrozen(frozenUsers, frozenColumns, newSegment, userCount, itemCount);
                done.complete(null);
            } catch (IOException | RuntimeException e) {
                fail(e instanceof IOException io ? io : new IOException(e));
                done.completeExceptionally(e);
            }
        }, "actrec-seal");
        t.setDaemon(true);
        t.start();
        return done;
    }

    /**
     * Writes the frozen tails to a new chunk file, appends the dictionary entries they may use, and moves the
     * checkpoint. Order matters for crash safety: data files are durable before the checkpoint names them, and log
     * segments are deleted only after it does.
     */
    private void sealFrozen(int[] frozenUsers, ActionColumns[] frozenColumns, long newSegment, int userCount,
                            int itemCount) throws IOException {
        long started = System.nanoTime();
        int fileNo = chunkFileCount;
        Path p = chunkPath(fileNo);
        long[] offsets = new long[frozenUsers.length];
        ChunkCodec codec = new ChunkCodec();
        ByteSink out = new ByteSink(1 << 22);
        int[] regDur = registeredDurations();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.i32(CHUNK_FILE_MAGIC);
            out.i32(CHUNK_FILE_VERSION);
            long written = 0;
            for (int k = 0; k < frozenUsers.length; k++) {
                // Frozen tails are immutable until published below, so no lock is needed to read them.
                ActionColumns f = frozenColumns[k];
                offsets[k] = written + out.position();
                codec.encode(frozenUsers[k], f, 0, f.size(), regDur, out);
                if (out.position() > (1 << 22)) {
                    written += out.position();
                    FileSync.writeFully(ch, out.asBuffer());
                    out.reset();
                }
            }
            FileSync.writeFully(ch, out.asBuffer());
            ch.force(true);
        }
        FileSync.syncDirectory(chunkDir);
        long usersLen, itemsLen;
        dictLock.readLock().lock();
        try {
            usersLen = DictionaryFile.append(dir.resolve("users.dict"), users, checkpointedUsers, userCount);
            itemsLen = DictionaryFile.append(dir.resolve("items.dict"), items, checkpointedItems, itemCount);
        } finally {
            dictLock.readLock().unlock();
        }
        Checkpoint next = new Checkpoint(newSegment, fileNo + 1, usersLen, itemsLen);
        next.write(dir.resolve("CHECKPOINT"));
        checkpoint = next;
        checkpointedUsers = userCount;
        checkpointedItems = itemCount;

        MemorySegment seg;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        }
        rw.writeLock().lock();
        try {
            chunkFiles.add(seg);
            chunkFileCount++;
            for (int k = 0; k < frozenUsers.length; k++) {
                UserHistory h = histories[frozenUsers[k]];
                long at = offsets[k];
                h.addChunk(fileNo, at, ChunkCodec.count(seg, at), ChunkCodec.minTs(seg, at), ChunkCodec.maxTs(seg, at));
                h.chunkVerified[h.chunks - 1] = true;
                h.frozen = null;
            }
            frozenActions = 0;
        } finally {
            rw.writeLock().unlock();
        }
        deleteMatching(walDir, ".wal", n -> n < newSegment, "sealed by checkpoint");
        LOG.info("{}: checkpoint sealed {} actions of {} users into {} ({} bytes) in {} ms", dir,
                Arrays.stream(frozenColumns).mapToLong(ActionColumns::size).sum(), frozenUsers.length, p.getFileName(), seg.byteSize(), (System.nanoTime() - started) / 1_000_000);
    }

    /** The seal running in the background, if any. */
    private volatile CompletableFuture<Void> sealInFlight;
    /** Actions frozen for the running seal. */
    private volatile long frozenActions;
    /** Chunk files named by the checkpoint (sealer thread, or recovery). */
    private volatile int chunkFileCount;

    /** Dictionary entries already in the dictionary files. */
    private int checkpointedUsers;
    private int checkpointedItems;

    // ---------------------------------------------------------------- reads

    /** Internal id of a numeric external user id, or -1. */
    public int findUser(long external) {
        dictLock.readLock().lock();
        try {
            return users.find(external);
        } finally {
            dictLock.readLock().unlock();
        }
    }

    /** Internal id of an external user id given as text (digits mean a numeric id), or -1. */
    public int findUser(String external) {
        dictLock.readLock().lock();
        try {
            Long numeric = parseNumericId(external);
            return numeric != null ? users.find(numeric) : users.find(external);
        } finally {
            dictLock.readLock().unlock();
        }
    }

    /** Internal id of an external item id given as text, or -1. */
    public int findItem(String external) {
        dictLock.readLock().lock();
        try {
            Long numeric = parseNumericId(external);
            return numeric != null ? items.find(numeric) : items.find(external);
        } finally {
            dictLock.readLock().unlock();
        }
    }

    /** The numeric value of an all-digit id that fits in a long, else null (it is then a string id). */
    public static Long parseNumericId(String s) {
        if (s.isEmpty() || s.length() > 19) return null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public String userText(int user) {
        dictLock.readLock().lock();
        try {
            return users.text(user);
        } finally {
            dictLock.readLock().unlock();
        }
    }

    public String itemText(int item) {
        dictLock.readLock().lock();
        try {
            return items.text(item);
        } finally {
            dictLock.readLock().unlock();
        }
    }

    public int userCount() {
        dictLock.readLock().lock();
        try {
            return users.size();
        } finally {
            dictLock.readLock().unlock();
        }
    }

    public int itemCount() {
        dictLock.readLock().lock();
        try {
            return items.size();
        } finally {
            dictLock.readLock().unlock();
        }
    }

    /** Number of actions stored for {@code user} (0 for an unknown one). */
    public long historyLength(int user) {
        rw.readLock().lock();
        try {
            UserHistory h = user >= 0 && user < histories.length ? histories[user] : null;
            return h == null ? 0 : h.length();
        } finally {
            rw.readLock().unlock();
        }
    }

    private int[] registeredDurations() {
        dictLock.readLock().lock();
        try {
            return items.registeredDurations();
        } finally {
            dictLock.readLock().unlock();
        }
    }

    /** Per-reader decoding state; readers on different threads never share one. */
    private static final ThreadLocal<ChunkCodec> READ_CODEC = ThreadLocal.withInitial(ChunkCodec::new);

    /** Replaces {@code out} with the user's whole history, oldest first; returns its length. */
    public int readAll(int user, ActionColumns out) throws CorruptChunkException {
        return readLast(user, Integer.MAX_VALUE, out);
    }

    /** Replaces {@code out} with the user's last {@code n} actions, oldest first; returns how many. */
    public int readLast(int user, int n, ActionColumns out) throws CorruptChunkException {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, got " + n);
        out.clear();
        rw.readLock().lock();
        try {
            UserHistory h = user >= 0 && user < histories.length ? histories[user] : null;
            if (h == null || n == 0) return 0;
            int tailSize = h.tail == null ? 0 : h.tail.size();
            int frozenSize = h.frozen == null ? 0 : h.frozen.size();
            long need = Math.max(0, (long) n - tailSize - frozenSize);
            int startChunk = h.chunks;
            long fromStart = 0;
            while (need > 0 && startChunk > 0) {
                startChunk--;
                if (need <= h.chunkCount[startChunk]) {
                    fromStart = h.chunkCount[startChunk] - need;
                    need = 0;
                } else {
                    need -= h.chunkCount[startChunk];
                }
            }
            if (h.length() > Integer.MAX_VALUE && n == Integer.MAX_VALUE) {
                throw new IllegalStateException("history of " + h.length() + " actions does not fit one read; use readLast");
            }
            out.ensureCapacity((int) Math.min(Integer.MAX_VALUE - 8, Math.min(n, h.length()) + 2L * ChunkCodec.HEADER));
            ChunkCodec codec = READ_CODEC.get();
            int[] regDur = registeredDurations();
            decodeChunks(h, startChunk, (int) (fromStart / dev.actrec.store.internal.BlockCodec.BLOCK), regDur, codec, out);
            if (frozenSize > 0) {
                int take = (int) Math.min(frozenSize, Math.max(0, (long) n - tailSize));
                out.addFrom(h.frozen, frozenSize - take, take);
            }
            if (tailSize > 0) {
                int take = (int) Math.min(tailSize, n);
                out.addFrom(h.tail, tailSize - take, take);
            }
            out.keepLast(n);
            return out.size();
        } finally {
            rw.readLock().unlock();
        }
    }

    /** Histories at least this long are decoded by two threads (blocks are independent). */
    static final int PARALLEL_DECODE_ACTIONS = 1 << 17;

    /**
     * Decodes chunks {@code [startChunk, h.chunks)} (the first from block {@code firstBlock}) into the empty
     * {@code out}. Long histories are split at a block boundary near the middle and the second half is decoded on
     * the common pool while this thread decodes the first, straight into disjoint ranges of the same arrays.
     */
    private void decodeChunks(UserHistory h, int startChunk, int firstBlock, int[] regDur, ChunkCodec codec,
                              ActionColumns out) throws CorruptChunkException {
        assert out.size() == 0;
        int pieces = h.chunks - startChunk;
        int[] from = new int[pieces], to = new int[pieces], offset = new int[pieces + 1];
        for (int k = 0; k < pieces; k++) {
            int c = startChunk + k;
            MemorySegment seg = verifiedChunk(h, c, codec);
            from[k] = k == 0 ? firstBlock : 0;
            to[k] = ChunkCodec.blockCount(seg, h.chunkOffset[c]);
            offset[k + 1] = offset[k] + ChunkCodec.actionsIn(seg, h.chunkOffset[c], from[k], to[k]);
        }
        int total = offset[pieces];
        out.ensureCapacity(total + dev.actrec.store.internal.BlockCodec.BLOCK);
        if (total < PARALLEL_DECODE_ACTIONS || java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() < 1) {
            decodePieces(h, startChunk, 0, pieces, from, to, offset, regDur, codec, out, -1, -1);
        } else {
            // Split piece `mid` at block `midBlock`: [0, mid) + [from[mid], midBlock) here, the rest on the pool.
            int half = total / 2, mid = 0;
            while (offset[mid + 1] <= half) mid++;
            int midBlock = from[mid] + (half - offset[mid]) / dev.actrec.store.internal.BlockCodec.BLOCK;
            int last = mid;
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> decodePieces(h, startChunk, last,
                    pieces, from, to, offset, regDur, READ_CODEC.get(), out, midBlock, -1));
            decodePieces(h, startChunk, 0, mid + 1, from, to, offset, regDur, codec, out, -1, midBlock);
            second.join();
        }
        out.markRelativeDurations(total, regDur);
    }

    /** Decodes pieces [p0, p1); the first may start at block {@code startBlock}, the last stop at {@code stopBlock}. */
    private void decodePieces(UserHistory h, int startChunk, int p0, int p1, int[] from, int[] to, int[] offset,
                              int[] regDur, ChunkCodec codec, ActionColumns out, int startBlock, int stopBlock) {
        for (int k = p0; k < p1; k++) {
            int c = startChunk + k;
            MemorySegment seg = chunkFiles.get(h.chunkFile[c]);
            int f = k == p0 && startBlock >= 0 ? startBlock : from[k];
            int t = k == p1 - 1 && stopBlock >= 0 ? stopBlock : to[k];
            int at = offset[k] + (f - from[k]) * dev.actrec.store.internal.BlockCodec.BLOCK;
            codec.decodeInto(seg, h.chunkOffset[c], f, t, regDur, out, at, true);
        }
    }

    /** Replaces {@code out} with the user's actions with {@code from <= ts < to}, in history order. */
    public int readRange(int user, long from, long to, ActionColumns out) throws CorruptChunkException {
        out.clear();
        rw.readLock().lock();
        try {
            UserHistory h = user >= 0 && user < histories.length ? histories[user] : null;
            if (h == null || from >= to) return 0;
            ChunkCodec codec = READ_CODEC.get();
            int[] regDur = registeredDurations();
            for (int c = 0; c < h.chunks; c++) {
                if (h.chunkMaxTs[c] < from || h.chunkMinTs[c] >= to) continue;
                MemorySegment seg = verifiedChunk(h, c, codec);
                long at = h.chunkOffset[c];
                int blocks = ChunkCodec.blockCount(seg, at);
                int lo = 0;
                while (lo + 1 < blocks && ChunkCodec.blockFirstTs(seg, at, lo + 1) < from) lo++;
                int hi = lo;
                while (hi < blocks && ChunkCodec.blockFirstTs(seg, at, hi) < to) hi++;
                int start = out.size();
                codec.decode(seg, at, lo, hi, regDur, out);
                filterRange(out, start, from, to);
            }
            for (ActionColumns unsealedPart : new ActionColumns[] {h.frozen, h.tail}) {
                if (unsealedPart == null) continue;
                int start = out.size();
                out.addFrom(unsealedPart, 0, unsealedPart.size());
                filterRange(out, start, from, to);
            }
            return out.size();
        } finally {
            rw.readLock().unlock();
        }
    }

    private static void filterRange(ActionColumns c, int start, long from, long to) {
        int w = start;
        long[] ts = c.timestampArray();
        int[] it = c.itemArray();
        byte[] ty = c.typeArray();
        int[] wa = c.watchArray();
        int[] du = c.durationArray();
        for (int i = start; i < c.size(); i++) {
            if (ts[i] >= from && ts[i] < to) {
                ts[w] = ts[i];
                it[w] = it[i];
                ty[w] = ty[i];
                wa[w] = wa[i];
                du[w] = du[i];
                w++;
            }
        }
        c.setSize(w);
    }

    private MemorySegment verifiedChunk(UserHistory h, int c, ChunkCodec codec) throws CorruptChunkException {
        MemorySegment seg = chunkFiles.get(h.chunkFile[c]);
        if (!h.chunkVerified[c]) {
            String problem = codec.payloadProblem(seg, h.chunkOffset[c]);
            if (problem != null) throw new CorruptChunkException(chunkPath(h.chunkFile[c]), h.chunkOffset[c], problem);
            h.chunkVerified[c] = true; // benign race: every reader computes the same answer
        }
        return seg;
    }

    /** A snapshot of sizes and counts. */
    public StoreStats stats() throws IOException {
        long userN, itemN, actions, sealedN, longest = 0;
        int longestId = -1;
        dictLock.readLock().lock();
        try {
            userN = users.size();
            itemN = items.size();
        } finally {
            dictLock.readLock().unlock();
        }
        rw.readLock().lock();
        try {
            actions = totalActions;
            sealedN = totalActions - unsealed - frozenActions;
            for (int u = 0; u < Math.min(histories.length, userN); u++) {
                if (histories[u] != null && histories[u].length() > longest) {
                    longest = histories[u].length();
                    longestId = u;
                }
            }
        } finally {
            rw.readLock().unlock();
        }
        String longestUser = longestId >= 0 ? userText(longestId) : null;
        long chunkBytes = dirBytes(chunkDir), logBytes = dirBytes(walDir);
        long dictBytes = Files.size(dir.resolve("users.dict")) + Files.size(dir.resolve("items.dict"));
        long total = chunkBytes + logBytes + dictBytes + Files.size(dir.resolve("CHECKPOINT"));
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
    public long duplicatesDropped() { return duplicateTotal; }
    public long lateActions() { return lateTotal; }

    public Path directory() { return dir; }

    /** Waits for queued appends, seals the tail when so configured, and releases the directory. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        IOException err = null;
        try {
            if (config.checkpointOnClose() && failure == null) checkpoint();
        } catch (IOException e) {
            err = e;
        }
        try {
            queue.put(STOP);
            committer.join();
            syncer.join();
            CompletableFuture<Void> seal = sealInFlight;
            if (seal != null) seal.exceptionally(e -> null).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Request r; (r = queue.poll()) != null; ) r.done.completeExceptionally(new IOException("store closed"));
        try {
            segment.close();
        } catch (IOException e) {
            if (err == null) err = e;
        }
        rw.writeLock().lock();
        try {
            arena.close();
        } finally {
            rw.writeLock().unlock();
        }
        lock.release();
        lockChannel.close();
        if (err != null) throw err;
    }
}
