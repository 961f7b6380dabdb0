package dev.actrec.store;

import dev.actrec.core.ActionType;
import dev.actrec.store.internal.ByteSink;
import dev.actrec.store.internal.ByteSource;
import dev.actrec.store.internal.ChunkCodec;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a store directory: creates it when new, else loads the checkpoint, the dictionaries up to their checkpointed
 * lengths, and the chunk files it names; deletes what a crash left behind (chunk files it does not name, log segments
 * it sealed); replays the log through the {@link HistoryAppender}; and reopens the newest segment for appends, its
 * torn tail cut.
 */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    /** What an open store continues from. */
    /** What an open store continues from; the dictionary sizes are those of the files, before the log's entries. */
    record Result(Checkpoint checkpoint, ActionLogSegment segment, int dictionaryUsers, int dictionaryItems) {}

    private final StoreState s;
    private final HistoryAppender appender;
    private Path replaying;

    Recovery(StoreState s, HistoryAppender appender) {
        this.s = s;
        this.appender = appender;
    }

    Result run() throws IOException {
        Files.createDirectories(s.walDir);
        Files.createDirectories(s.chunkDir);
        Path cpFile = s.dir.resolve("CHECKPOINT");
        if (!Files.exists(cpFile)) initialize(cpFile);
        Checkpoint cp = Checkpoint.read(cpFile);
        DictionaryFile.load(s.dir.resolve("users.dict"), cp.usersDictLength(), s.users);
        DictionaryFile.load(s.dir.resolve("items.dict"), cp.itemsDictLength(), s.items);
        int dictionaryUsers = s.users.size();
        int dictionaryItems = s.items.size();
        int[] live = cp.liveChunkFiles();
        for (int f : live) indexChunkFile(f);
        StoreState.deleteMatching(s.chunkDir, ".chk", n -> Arrays.binarySearch(live, (int) n) < 0,
                "chunk file not in the checkpoint");
        for (int f : s.mappedChunkFiles()) {
            if (s.isDead(f)) { // every chunk superseded by a later compaction
                s.unmapChunkFile(f);
                Files.delete(s.chunkPath(f));
            }
        }
        StoreState.deleteMatching(s.walDir, ".wal", n -> n < cp.firstSegment(), "log segment already sealed");

        long[] segments = StoreState.listNumbers(s.walDir, ".wal");
        long next = cp.firstSegment();
        long replayed = 0;
        ActionLogSegment segment = null;
        for (int i = 0; i < segments.length; i++) {
            long n = segments[i];
            if (n != next) {
                throw new CorruptLogException(ActionLogSegment.pathOf(s.walDir, next), 0,
                        "log segment " + next + " is missing (found " + n + ")");
            }
            boolean last = i == segments.length - 1;
            long before = s.totalActions;
            replaying = ActionLogSegment.pathOf(s.walDir, n);
            long valid = ActionLogSegment.replay(s.walDir, n, last, this::replayRecord);
            replayed += s.totalActions - before;
            if (last) {
                if (valid < 0) {
                    Files.delete(replaying);
                    segment = ActionLogSegment.create(s.walDir, n);
                } else {
                    segment = ActionLogSegment.reopen(s.walDir, n, valid);
                }
            }
            next = n + 1;
        }
        if (segment == null) segment = ActionLogSegment.create(s.walDir, cp.firstSegment());
        if (replayed > 0) LOG.info("{}: replayed {} actions from the log", s.dir, replayed);
        return new Result(cp, segment, dictionaryUsers, dictionaryItems);
    }

    private void initialize(Path cpFile) throws IOException {
        try (Stream<Path> files = Files.list(s.chunkDir)) {
            if (files.findAny().isPresent()) throw new CorruptCheckpointException(cpFile, 0, "missing, but chunk files exist");
        }
        for (String d : new String[] {"users.dict", "items.dict"}) {
            Files.deleteIfExists(s.dir.resolve(d));
            DictionaryFile.create(s.dir.resolve(d));
        }
        new Checkpoint(0, 0, DictionaryFile.HEADER, DictionaryFile.HEADER, new int[0]).write(cpFile);
    }

    /** Maps a chunk file, checks every chunk header, and adds the chunks to their users' histories. */
    private void indexChunkFile(int f) throws IOException {
        Path p = s.chunkPath(f);
        if (!Files.exists(p)) throw new CorruptChunkException(p, 0, "chunk file named by the checkpoint is missing");
        MemorySegment seg = s.mapChunkFile(f);
        if (seg.byteSize() < StoreState.CHUNK_FILE_HEADER
                || seg.get(ValueLayout.JAVA_INT_UNALIGNED, 0) != StoreState.CHUNK_FILE_MAGIC
                || seg.get(ValueLayout.JAVA_INT_UNALIGNED, 4) != StoreState.CHUNK_FILE_VERSION) {
            throw new CorruptChunkException(p, 0, "bad chunk file header (magic 'ACF1', version "
                    + StoreState.CHUNK_FILE_VERSION + ")");
        }
        ChunkCodec codec = new ChunkCodec();
        long pos = StoreState.CHUNK_FILE_HEADER;
        while (pos < seg.byteSize()) {
            String problem = codec.headerProblem(seg, pos);
            if (problem != null) throw new CorruptChunkException(p, pos, problem);
            int user = ChunkCodec.user(seg, pos);
            if (user < 0 || user >= s.users.size()) {
                throw new CorruptChunkException(p, pos, "chunk of unknown user id " + user + " (" + s.users.size() + " users)");
            }
            int count = ChunkCodec.count(seg, pos);
            UserHistory h = s.history(user);
            if ((ChunkCodec.flags(seg, pos) & ChunkCodec.SUPERSEDES) != 0) {
                for (int c = 0; c < h.chunks; c++) s.countChunk(h.chunkFile[c], -1);
                s.totalActions -= h.sealed;
                h.resetChunks();
            }
            h.addChunk(f, pos, count, ChunkCodec.minTs(seg, pos), ChunkCodec.maxTs(seg, pos));
            s.countChunk(f, 1);
            s.totalActions += count;
            pos += ChunkCodec.HEADER + (ChunkCodec.payloadLength(seg, pos) & 0xFFFFFFFFL);
        }
    }

    /** Applies one log record: its new dictionary entries, then its actions (format in {@link CommitPipeline}). */
    private void replayRecord(MemorySegment payload, long offset) throws IOException {
        ByteSource in = new ByteSource(payload, 0);
        try {
            long nu = in.varint();
            for (long i = 0; i < nu; i++) s.users.readEntry(in);
            long ni = in.varint();
            for (long i = 0; i < ni; i++) s.items.readEntry(in);
            long n = in.varint();
            long ts = 0;
            for (long i = 0; i < n; i++) {
                long u = in.varint();
                long it = in.varint();
                int type = in.u8();
                ts += ByteSink.unzigzag(in.varint());
                long watch = in.varint();
                long dur = in.varint();
                if (u >= s.users.size() || it >= s.items.size() || type >= ActionType.COUNT || ts < 0
                        || watch > Integer.MAX_VALUE || dur > Integer.MAX_VALUE) {
                    throw new IllegalStateException("impossible action " + i + ": user " + u + ", item " + it
                            + ", type " + type + ", ts " + ts);
                }
                appender.apply((int) u, (int) it, (byte) type, ts, (int) watch, (int) dur);
            }
            if (in.position() != payload.byteSize()) throw new IllegalStateException("trailing bytes in record");
        } catch (IllegalStateException | IndexOutOfBoundsException e) {
            throw new CorruptLogException(replaying, offset, "record passes its checksum but " + e.getMessage());
        }
    }
}
