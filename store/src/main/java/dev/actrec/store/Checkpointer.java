package dev.actrec.store;

import dev.actrec.core.ActionColumns;
import dev.actrec.store.internal.ByteSink;
import dev.actrec.store.internal.ChunkCodec;
import dev.actrec.store.internal.FileSync;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals unsealed actions into a new chunk file and moves the checkpoint, in the background. A checkpoint freezes the
 * tails (readers then see them between the chunks and the new tails), writes one chunk per user, fsyncs, appends the
 * dictionary entries, replaces {@code CHECKPOINT}, publishes the chunks and deletes the sealed log segments: data is
 * durable before the checkpoint names it, and the log is deleted only after.
 *
 * <p>Compaction rides along: a user whose sealed history spans {@link StoreConfig#compactAfterChunks()} chunks gets
 * one chunk holding all of it (old chunks, then the frozen tail, sorted by timestamp, so late events also find their
 * place) flagged {@link ChunkCodec#SUPERSEDES}. Chunk files left without a live chunk are dropped from the
 * checkpoint, unmapped under the write lock, and deleted.
 */
final class Checkpointer {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);

    private final StoreState s;
    /** Dictionary entries already in the dictionary files (the sealing thread owns them). */
    private int checkpointedUsers;
    private int checkpointedItems;
    private int nextChunkFile;
    /** The seal running in the background, if any. */
    private volatile CompletableFuture<Void> sealInFlight;

    Checkpointer(StoreState s, Checkpoint recovered, int dictionaryUsers, int dictionaryItems) {
        this.s = s;
        this.nextChunkFile = recovered.nextChunkFile();
        this.checkpointedUsers = dictionaryUsers;
        this.checkpointedItems = dictionaryItems;
    }

    /** Waits for the running seal, if any; its failure is recorded in the store state. */
    void awaitSeal() {
        CompletableFuture<Void> seal = sealInFlight;
        if (seal != null) seal.exceptionally(e -> null).join();
    }

    /** What one checkpoint writes for one user: its frozen tail, and its old chunks when it is compacted. */
    private record Work(int user, ActionColumns frozen, int[] oldFiles, long[] oldOffsets) {
        boolean compacts() {
            return oldFiles != null;
        }
    }

    /**
     * Freezes every user's unsealed tail (the commit pipeline has drained its sync stage and started log segment
     * {@code newSegment}), then seals the frozen tails on a background thread while appends go on into fresh tails.
     * Returns the seal's completion. The caller waits for the previous seal first ({@link #awaitSeal}).
     */
    CompletableFuture<Void> freeze(long newSegment, int userCount, int itemCount) {
        assert sealInFlight == null || sealInFlight.isDone() : "one seal at a time";
        int compactAt = s.config.compactAfterChunks();
        List<Work> work = new ArrayList<>();
        s.rw.writeLock().lock();
        try {
            for (int u = 0; u < Math.min(userCount, s.histories.length); u++) {
                UserHistory h = s.histories[u];
                if (h == null) continue;
                boolean hasTail = h.tail != null && h.tail.size() > 0;
                boolean compact = compactAt > 0 && h.chunks >= compactAt;
                if (!hasTail && !compact) continue;
                assert h.frozen == null;
                if (hasTail) {
                    h.frozen = h.tail;
                    h.tail = null;
                    h.sealedMaxTs = Math.max(h.sealedMaxTs, h.frozen.timestamp(h.frozen.size() - 1));
                }
                work.add(new Work(u, h.frozen, compact ? Arrays.copyOf(h.chunkFile, h.chunks) : null,
                        compact ? Arrays.copyOf(h.chunkOffset, h.chunks) : null));
            }
            s.frozenActions = s.unsealed;
            s.unsealed = 0;
        } finally {
            s.rw.writeLock().unlock();
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        sealInFlight = done;
        Thread t = new Thread(() -> {
            try {
                seal(work, newSegment, userCount, itemCount);
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

    private void seal(List<Work> work, long newSegment, int userCount, int itemCount) throws IOException {
        long started = System.nanoTime();
        int fileNo = nextChunkFile;
        Path p = s.chunkPath(fileNo);
        long[] offsets = new long[work.size()];
        ChunkCodec codec = new ChunkCodec();
        ByteSink out = new ByteSink(1 << 22);
        int[] regDur = s.registeredDurations();
        long actions = 0;
        int compacted = 0;
        // Chunks each file loses to compaction; a file that loses all its live chunks is dropped.
        int[] lost = new int[Math.max(1, fileNo)];
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.i32(StoreState.CHUNK_FILE_MAGIC);
            out.i32(StoreState.CHUNK_FILE_VERSION);
            long written = 0;
            ActionColumns merged = new ActionColumns();
            for (int k = 0; k < work.size(); k++) {
                Work w = work.get(k);
                // Frozen tails and sealed chunks are immutable until published below: no lock is needed to read them.
                ActionColumns src = w.frozen();
                int flags = 0;
                if (w.compacts()) {
                    merged.clear();
                    for (int c = 0; c < w.oldFiles().length; c++) {
                        MemorySegment seg = s.chunkFiles.get(w.oldFiles()[c]);
                        long at = w.oldOffsets()[c];
                        String problem = codec.payloadProblem(seg, at);
                        if (problem != null) throw new CorruptChunkException(s.chunkPath(w.oldFiles()[c]), at, problem);
                        codec.decode(seg, at, 0, ChunkCodec.blockCount(seg, at), regDur, merged);
                        lost[w.oldFiles()[c]]++;
                    }
                    if (src != null) merged.addFrom(src, 0, src.size());
                    merged.sortByTimestamp();
                    src = merged;
                    flags = ChunkCodec.SUPERSEDES;
                    compacted++;
                }
                offsets[k] = written + out.position();
                codec.encode(w.user(), src, 0, src.size(), regDur, flags, out);
                actions += w.frozen() == null ? 0 : w.frozen().size();
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
        int[] mapped = s.mappedChunkFiles();
        int[] live = new int[mapped.length + 1];
        int[] dead = new int[mapped.length];
        int nLive = 0, nDead = 0;
        for (int f : mapped) {
            if (s.liveChunks(f) - lost[f] > 0) live[nLive++] = f;
            else dead[nDead++] = f;
        }
        live[nLive++] = fileNo;
        new Checkpoint(newSegment, fileNo + 1, usersLen, itemsLen, Arrays.copyOf(live, nLive))
                .write(s.dir.resolve("CHECKPOINT"));
        nextChunkFile = fileNo + 1;
        checkpointedUsers = userCount;
        checkpointedItems = itemCount;

        s.rw.writeLock().lock();
        try {
            MemorySegment seg = s.mapChunkFile(fileNo);
            for (int k = 0; k < work.size(); k++) {
                Work w = work.get(k);
                UserHistory h = s.histories[w.user()];
                if (w.compacts()) {
                    for (int f : w.oldFiles()) s.countChunk(f, -1);
                    h.resetChunks();
                }
                long at = offsets[k];
                h.addChunk(fileNo, at, ChunkCodec.count(seg, at), ChunkCodec.minTs(seg, at), ChunkCodec.maxTs(seg, at));
                h.chunkVerified[h.chunks - 1] = true;
                s.countChunk(fileNo, 1);
                h.frozen = null;
            }
            s.frozenActions = 0;
            for (int i = 0; i < nDead; i++) s.unmapChunkFile(dead[i]);
        } finally {
            s.rw.writeLock().unlock();
        }
        for (int i = 0; i < nDead; i++) Files.delete(s.chunkPath(dead[i]));
        StoreState.deleteMatching(s.walDir, ".wal", n -> n < newSegment, "sealed by checkpoint");
        LOG.info("{}: checkpoint sealed {} actions of {} users into {} ({} bytes; {} histories compacted, {} files dropped) in {} ms",
                s.dir, actions, work.size(), p.getFileName(), Files.size(p), compacted, nDead,
                (System.nanoTime() - started) / 1_000_000);
    }
}
