package dev.actrec.store;

import dev.actrec.store.internal.ByteSink;
import dev.actrec.store.internal.FileSync;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One file of the write-ahead action log: every acknowledged batch is here until a checkpoint has sealed it into
 * chunk files.
 *
 * <pre>
 * file   = u32 magic 'AWL1' | u32 version (1) | u64 segment number | record*
 * record = u32 magic 'ARC1' | u32 payload length | u32 crc32c(payload) | payload
 * </pre>
 *
 * A record is one batch (see {@link ActionStore} for the payload), written whole and fsynced before the batch is
 * acknowledged, so after a crash a batch is either a whole valid record or a torn tail. Recovery keeps every valid
 * record, truncates a torn tail (logging path and offset), and refuses a damaged record that valid records follow:
 * that is corruption, not an interrupted write. Written by one thread; not thread-safe.
 */
final class ActionLogSegment implements AutoCloseable {
    static final int FILE_MAGIC = 0x314C5741;   // "AWL1"
    static final int RECORD_MAGIC = 0x31435241; // "ARC1"
    static final int VERSION = 1;
    static final int FILE_HEADER = 16;
    static final int RECORD_HEADER = 12;
    static final int MAX_RECORD = 1 << 30;
    private static final Logger LOG = LoggerFactory.getLogger(ActionLogSegment.class);

    private final Path path;
    private final long number;
    private final FileChannel channel;

    private ActionLogSegment(Path path, long number, FileChannel channel) {
        this.path = path;
        this.number = number;
        this.channel = channel;
    }

    static Path pathOf(Path walDir, long number) {
        return walDir.resolve(String.format("%016d.wal", number));
    }

    /** Creates a new empty segment, durable (file and directory entry) before it returns. */
    static ActionLogSegment create(Path walDir, long number) throws IOException {
        Path p = pathOf(walDir, number);
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ByteBuffer h = ByteBuffer.allocate(FILE_HEADER).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        h.putInt(FILE_MAGIC).putInt(VERSION).putLong(number).flip();
        FileSync.writeFully(ch, h);
        ch.force(true);
        FileSync.syncDirectory(walDir);
        return new ActionLogSegment(p, number, ch);
    }

    /** Reopens an existing segment for appending after recovery has validated it up to {@code validLength}. */
    static ActionLogSegment reopen(Path walDir, long number, long validLength) throws IOException {
        Path p = pathOf(walDir, number);
        FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE);
        if (ch.size() > validLength) {
            ch.truncate(validLength);
            ch.force(true);
        }
        ch.position(validLength);
        return new ActionLogSegment(p, number, ch);
    }

    long number() { return number; }
    Path path() { return path; }

    /** Frames {@code payload[0, len)} as a record appended to {@code out}. */
    static void frame(ByteSink out, byte[] payload, int len, CRC32C crc) {
        crc.reset();
        crc.update(payload, 0, len);
        out.i32(RECORD_MAGIC);
        out.i32(len);
        out.i32((int) crc.getValue());
        out.bytes(payload, 0, len);
    }

    /** Writes framed records (to the OS; not yet durable). */
    void append(ByteSink framed) throws IOException {
        FileSync.writeFully(channel, framed.asBuffer());
    }

    /** fsyncs everything appended so far: the group commit. Safe to call while another thread appends. */
    void sync() throws IOException {
        channel.force(false);
    }

    long size() throws IOException { return channel.size(); }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Receives each valid record's payload during recovery. */
    interface RecordVisitor {
        void record(MemorySegment payload, long offset) throws IOException;
    }

    /**
     * Reads every valid record of a segment in order. Returns the valid length. A torn tail is tolerated only when
     * {@code last} is true (the newest segment); it is logged, and the caller truncates it by reopening.
     */
    static long replay(Path walDir, long number, boolean last, RecordVisitor visitor) throws IOException {
        Path p = pathOf(walDir, number);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            long size = ch.size();
            if (size < FILE_HEADER) {
                if (last) {
                    LOG.warn("{}: segment header torn ({} bytes); rewriting it", p, size);
                    return -1;
                }
                throw new CorruptLogException(p, 0, "segment shorter than its header (" + size + " bytes)");
            }
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            if (seg.get(ValueLayout.JAVA_INT_UNALIGNED, 0) != FILE_MAGIC
                    || seg.get(ValueLayout.JAVA_INT_UNALIGNED, 4) != VERSION
                    || seg.get(ValueLayout.JAVA_LONG_UNALIGNED, 8) != number) {
                throw new CorruptLogException(p, 0, "bad segment header (magic, version " + VERSION
                        + " or segment number " + number + " expected)");
            }
            CRC32C crc = new CRC32C();
            long pos = FILE_HEADER;
            while (pos < size) {
                String problem = recordProblem(seg, pos, crc);
                if (problem != null) {
                    long next = findValidRecordAfter(seg, pos, crc);
                    if (!last || next >= 0) {
                        throw new CorruptLogException(p, pos, problem + (next >= 0
                                ? "; a valid record follows at offset " + next : "; segment is not the newest"));
                    }
                    LOG.warn("{}: torn tail at offset {} ({}); truncating {} bytes", p, pos, problem, size - pos);
                    return pos;
                }
                int len = seg.get(ValueLayout.JAVA_INT_UNALIGNED, pos + 4);
                visitor.record(seg.asSlice(pos + RECORD_HEADER, len), pos);
                pos += RECORD_HEADER + len;
            }
            return pos;
        }
    }

    private static String recordProblem(MemorySegment seg, long pos, CRC32C crc) {
        long size = seg.byteSize();
        if (size - pos < RECORD_HEADER) return "incomplete record header";
        if (seg.get(ValueLayout.JAVA_INT_UNALIGNED, pos) != RECORD_MAGIC) return "bad record magic";
        int len = seg.get(ValueLayout.JAVA_INT_UNALIGNED, pos + 4);
        if (len < 0 || len > MAX_RECORD) return "impossible record length " + len;
        if (size - pos - RECORD_HEADER < len) return "record of " + len + " bytes runs past the end of the file";
        crc.reset();
        crc.update(seg.asSlice(pos + RECORD_HEADER, len).asByteBuffer());
        if ((int) crc.getValue() != seg.get(ValueLayout.JAVA_INT_UNALIGNED, pos + 8)) return "record checksum mismatch";
        return null;
    }

    /** Offset of the first valid record after a damaged one, or -1: tells a torn tail from damage in the middle. */
    private static long findValidRecordAfter(MemorySegment seg, long pos, CRC32C crc) {
        for (long p = pos + 1; p + RECORD_HEADER <= seg.byteSize(); p++) {
            if (seg.get(ValueLayout.JAVA_INT_UNALIGNED, p) == RECORD_MAGIC && recordProblem(seg, p, crc) == null) {
                return p;
            }
        }
        return -1;
    }
}
