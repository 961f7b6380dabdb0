package dev.actrec.store;

import dev.actrec.core.EventBatch;
import dev.actrec.store.internal.ByteSink;
import dev.actrec.store.internal.IdDictionary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * Group commit in two stages, each on its own thread. The commit thread takes every queued batch (up to a bound),
 * assigns ids, encodes one log record per batch and writes them with one write; the sync thread fsyncs everything
 * written so far with one call, applies the groups to the users' tails under the write lock, and completes their
 * futures. So the next group is encoded and written while the previous one is being synced, and a batch is
 * acknowledged only once durable. Checkpoints start on the commit thread once the sync stage is drained.
 *
 * <h2>Log record payload (one batch)</h2>
 * <pre>
 * varint new users | user dictionary entries | varint new items | item dictionary entries
 * | varint n | n × (varint user | varint item | u8 type | varint zigzag(ts - previous ts) | varint watch | varint duration)
 * </pre>
 */
final class CommitPipeline {
    /** A unit of work: an append (batch != null), or a checkpoint / barrier / stop signal. */
    static final class Request {
        final EventBatch batch;
        final CompletableFuture<AppendResult> done = new CompletableFuture<>();
        /** The caller's arrays when it asked for the ids, else our own. */
        int[] userIds;
        int[] itemIds;

        Request(EventBatch batch, int[] itemIds, int[] userIds) {
            this.batch = batch;
            this.itemIds = itemIds;
            this.userIds = userIds;
        }
    }

    private static final Request STOP = new Request(null, null, null);

    private final StoreState s;
    private final HistoryAppender appender;
    private final Checkpointer checkpointer;
    private final BlockingQueue<Request> queue;
    /** Groups written to the log, waiting for the sync thread; a group of one STOP or barrier request is a signal. */
    private final BlockingQueue<List<Request>> toSync = new ArrayBlockingQueue<>(4);
    private final AtomicLong actionsInSyncStage = new AtomicLong();
    private final Thread committer = new Thread(this::commitLoop, "actrec-commit");
    private final Thread syncer = new Thread(this::syncLoop, "actrec-sync");
    private final ByteSink recordSink = new ByteSink(1 << 20);
    private final ByteSink framedSink = new ByteSink(1 << 20);
    private final CRC32C crc = new CRC32C();
    /** The segment being appended to; replaced only by the commit thread, with the sync stage drained. */
    private volatile ActionLogSegment segment;

    CommitPipeline(StoreState s, HistoryAppender appender, Checkpointer checkpointer, ActionLogSegment segment) {
        this.s = s;
        this.appender = appender;
        this.checkpointer = checkpointer;
        this.segment = segment;
        this.queue = new ArrayBlockingQueue<>(s.config.queueCapacity());
        committer.setDaemon(true);
        syncer.setDaemon(true);
    }

    void start() {
        committer.start();
        syncer.start();
    }

    /**
     * Queues an append, to fill {@code itemIds} and {@code userIds} (either may be null) with the internal ids;
     * blocks while the queue is full.
     */
    CompletableFuture<AppendResult> submit(EventBatch batch, int[] itemIds, int[] userIds) throws InterruptedException {
        Request r = new Request(batch, itemIds, userIds);
        queue.put(r);
        return r.done;
    }

    /** Queues a checkpoint; the future completes once it is durable. */
    CompletableFuture<AppendResult> submitCheckpoint() throws InterruptedException {
        Request r = new Request(null, null, null);
        queue.put(r);
        return r.done;
    }

    /** Stops both threads after what is queued, waits for a running seal, closes the log segment. */
    void stop() throws IOException, InterruptedException {
        queue.put(STOP);
        committer.join();
        syncer.join();
        checkpointer.awaitSeal();
        for (Request r; (r = queue.poll()) != null; ) r.done.completeExceptionally(new IOException("store closed"));
        segment.close();
    }

    /** Rolls the log to a new segment and freezes the tails for a background seal (sync stage drained). */
    private CompletableFuture<Void> startCheckpoint() throws IOException {
        checkpointer.awaitSeal();
        if (s.failure != null) throw new IOException("store failed earlier", s.failure);
        if (s.unsealed == 0) return CompletableFuture.completedFuture(null);
        long next = segment.number() + 1;
        ActionLogSegment old = segment;
        segment = ActionLogSegment.create(s.walDir, next);
        old.close();
        return checkpointer.freeze(next, s.users.size(), s.items.size());
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
                while (actions < s.config.maxGroupActions() && (next = queue.peek()) != null && next.batch != null) {
                    group.add(queue.poll());
                    actions += next.batch.size();
                }
                writeGroup(group);
                if (s.failure == null && s.unsealed + actionsInSyncStage.get() >= s.config.sealThreshold()) {
                    drainSyncStage();
                    if (s.failure == null && s.unsealed >= s.config.sealThreshold()) {
                        try {
                            startCheckpoint();
                        } catch (IOException e) {
                            s.fail(e);
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
        Request barrier = new Request(null, null, null);
        toSync.put(List.of(barrier));
        try {
            barrier.done.get();
        } catch (ExecutionException e) {
            // the failure is recorded; callers check it
        }
    }

    private void runCheckpoint(Request r) throws InterruptedException {
        drainSyncStage();
        if (s.failure != null) {
            r.done.completeExceptionally(s.failure);
            return;
        }
        try {
            startCheckpoint().join();
            r.done.complete(AppendResult.EMPTY);
        } catch (IOException e) {
            s.fail(e);
            r.done.completeExceptionally(e);
        } catch (java.util.concurrent.CompletionException e) {
            r.done.completeExceptionally(e.getCause());
        }
    }

    private void writeGroup(List<Request> group) throws InterruptedException {
        if (s.failure != null) {
            for (Request r : group) r.done.completeExceptionally(new IOException("store failed earlier", s.failure));
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
            s.fail(e);
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
        if (s.failure == null) {
            try {
                segment.sync();
            } catch (IOException e) {
                s.fail(e);
            }
        }
        if (s.failure != null) {
            for (List<Request> g : work) for (Request r : g) r.done.completeExceptionally(new IOException("store failed", s.failure));
            return;
        }
        List<AppendResult> results = new ArrayList<>();
        s.rw.writeLock().lock();
        try {
            for (List<Request> g : work) {
                for (Request r : g) {
                    EventBatch b = r.batch;
                    int stored = 0, dup = 0, late = 0;
                    for (int i = 0; i < b.size(); i++) {
                        int outcome = appender.apply(r.userIds[i], r.itemIds[i], b.type(i), b.timestamp(i), b.watchMs(i), b.durationMs(i));
                        if (outcome == HistoryAppender.DUPLICATE) dup++;
                        else {
                            stored++;
                            if (outcome == HistoryAppender.LATE) late++;
                        }
                    }
                    actionsInSyncStage.addAndGet(-b.size());
                    results.add(new AppendResult(stored, dup, late));
                }
            }
        } finally {
            s.rw.writeLock().unlock();
        }
        int k = 0;
        for (List<Request> g : work) for (Request r : g) r.done.complete(results.get(k++));
    }

    /** Resolves ids (assigning new ones) and writes the record payload of {@code r} into {@code recordSink}. */
    private void encodeRecord(Request r) {
        EventBatch b = r.batch;
        int n = b.size();
        if (r.userIds == null) r.userIds = new int[n];
        if (r.itemIds == null) r.itemIds = new int[n];
        IdDictionary users = s.users, items = s.items;
        int u0 = users.size(), i0 = items.size();
        s.dictLock.writeLock().lock();
        try {
            for (int i = 0; i < n; i++) {
                r.userIds[i] = users.findOrAdd(b.userId(i), b.userName(i), 0);
                r.itemIds[i] = items.findOrAdd(b.itemId(i), b.itemName(i), b.durationMs(i));
            }
        } finally {
            s.dictLock.writeLock().unlock();
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

}
