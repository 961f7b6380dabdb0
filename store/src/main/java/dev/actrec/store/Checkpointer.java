package dev.actrec.store;

import dev.actrec.core.ActionColumns;
import dev.actrec.store.internal.ByteSink;
import dev.actrec.store.internal.ChunkCodec;
import dev.actrec.store.internal.FileSync;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals unsealed actions into a new chunk file and moves the checkpoint, in the background. A checkpoint freezes the
 * tails (readers then see them between the chunks and the new tails), writes one chunk per user, fsyncs, appends the
 * dictionary entries, replaces {@code CHECKPOINT}, publishes the chunks and deletes the sealed log segments: data is
 * durable before the checkpoint names it, and the log is deleted only after.
 */
final class Checkpointer {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);

    private final StoreState s;
    /** Dictionary entries already in the dictionary files (the sealing thread owns them). */
    private int checkpointedUsers;
    private int checkpointedItems;
    /** Chunk files named by the checkpoint. */
    private volatile int chunkFileCount;
    /** The seal running in the background, if any. */
    private volatile CompletableFuture<Void> sealInFlight;

    Checkpointer(StoreState s, Checkpoint recovered, int dictionaryUsers, int dictionaryItems) {
        this.s = s;
        this.chunkFileCount = recovered.chunkFiles();
        this.checkpointedUsers = dictionaryUsers;
        this.checkpointedItems = dictionaryItems;
    }

    /** Waits for the running seal, if any; its failure is recorded in the store state. */
    void awaitSeal() {
        CompletableFuture<Void> seal = sealInFlight;
        if (seal != null) seal.exceptionally(e -> null).join();
    }

    /**
     * Freezes every user's unsealed tail (the commit pipeline has drained its sync stage and started log segment
     * {@code newSegment}), then seals the frozen tails on a background thread while appends go on into fresh tails.
     * Returns the seal's completion. The caller waits for the previous seal first ({@link #awaitSeal}).
     */
    CompletableFuture<Void> freeze(long newSegment, int userCount, int itemCount) {
        assert sealInFlight == null || sealInFlight.isDone() : "one seal at a time";
        int[] frozenUsers;
        ActionColumns[] frozenColumns;
        s.rw.writeLock().lock();
        try {
            int k = 0;
            int[] list = new int[userCount];
            ActionColumns[] cols = new ActionColumns[userCount];
            for (int u = 0; u < Math.min(userCount, s.histories.length); u++) {
                UserHistory h = s.histories[u];
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
            s.frozenActions = s.unsealed;
            s.unsealed = 0;
        } finally {
            s.rw.writeLock().unlock();
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        sealInFlight = done;
        Thread t = new Thread(() -> {
            try {
                sealFrozen(frozenUsers, frozenColumns, newSegment, userCount, itemCount);
                done.complete(null);
            } catch (IOException | RuntimeException e) {
                s.fail(e instanceof IOException io ? io : new IOException(e));
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
        Path p = s.chunkPath(fileNo);
        long[] offsets = new long[frozenUsers.length];
        ChunkCodec codec = new ChunkCodec();
        ByteSink out = new ByteSink(1 << 22);
        int[] regDur = s.registeredDurations();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.i32(StoreState.CHUNK_FILE_MAGIC);
            out.i32(StoreState.CHUNK_FILE_VERSION);
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
        FileSync.syncDirectory(s.chunkDir);
        long usersLen, itemsLen;
        s.dictLock.readLock().lock();
        try {
            usersLen = DictionaryFile.append(s.dir.resolve("users.dict"), s.users, checkpointedUsers, userCount);
            itemsLen = DictionaryFile.append(s.dir.resolve("items.dict"), s.items, checkpointedItems, itemCount);
        } finally {
            s.dictLock.readLock().unlock();
        }
        Checkpoint next = new Checkpoint(newSegment, fileNo + 1, usersLen, itemsLen);
        next.write(s.dir.resolve("CHECKPOINT"));
        checkpointedUsers = userCount;
        checkpointedItems = itemCount;

        MemorySegment seg;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), s.arena);
        }
        s.rw.writeLock().lock();
        try {
            s.chunkFiles.add(seg);
            chunkFileCount++;
            for (int k = 0; k < frozenUsers.length; k++) {
                UserHistory h = s.histories[frozenUsers[k]];
                long at = offsets[k];
                h.addChunk(fileNo, at, ChunkCodec.count(seg, at), ChunkCodec.minTs(seg, at), ChunkCodec.maxTs(seg, at));
                h.chunkVerified[h.chunks - 1] = true;
                h.frozen = null;
            }
            s.frozenActions = 0;
        } finally {
            s.rw.writeLock().unlock();
        }
        StoreState.deleteMatching(s.walDir, ".wal", n -> n < newSegment, "sealed by checkpoint");
        LOG.info("{}: checkpoint sealed {} actions of {} users into {} ({} bytes) in {} ms", s.dir,
                Arrays.stream(frozenColumns).mapToLong(ActionColumns::size).sum(), frozenUsers.length, p.getFileName(), seg.byteSize(), (System.nanoTime() - started) / 1_000_000);
    }

}
