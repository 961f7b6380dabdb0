package dev.actrec.store;

import dev.actrec.store.internal.FileSync;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * What is sealed: the store's single source of truth for which files are valid. Replaced atomically (temporary file,
 * fsync, rename, directory fsync), so a crash leaves either the old or the new checkpoint.
 *
 * <pre>
 * u32 magic 'ACP1' | u32 version (1) | u64 first log segment to replay | u32 next chunk file number
 * | u64 valid length of users.dict | u64 valid length of items.dict | u32 live chunk files n | n × u32 file number
 * | u32 crc32c(everything before)
 * </pre>
 *
 * @param liveChunkFiles chunk files that hold live chunks, ascending; compaction drops files whose chunks were all
 *                       superseded, so the numbers need not be contiguous
 */
record Checkpoint(long firstSegment, int nextChunkFile, long usersDictLength, long itemsDictLength, int[] liveChunkFiles) {
    static final int MAGIC = 0x31504341; // "ACP1"
    static final int VERSION = 1;
    /** Bytes before the file list: magic, version, segment, next file, two lengths, count. */
    private static final int FIXED = 40;

    void write(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(FIXED + 4 * liveChunkFiles.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(VERSION).putLong(firstSegment).putInt(nextChunkFile)
                .putLong(usersDictLength).putLong(itemsDictLength).putInt(liveChunkFiles.length);
        for (int f : liveChunkFiles) b.putInt(f);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue()).flip();
        FileSync.writeAtomically(file, b);
    }

    static Checkpoint read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < FIXED + 4) throw new CorruptCheckpointException(file, 0, "only " + bytes.length + " bytes");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if (b.getInt(bytes.length - 4) != (int) crc.getValue()) {
            throw new CorruptCheckpointException(file, bytes.length - 4, "checksum mismatch");
        }
        if (b.getInt(0) != MAGIC) throw new CorruptCheckpointException(file, 0, "bad magic");
        if (b.getInt(4) != VERSION) {
            throw new CorruptCheckpointException(file, 4, "unsupported version " + b.getInt(4) + " (this build reads " + VERSION + ")");
        }
        int n = b.getInt(36);
        if (n < 0 || bytes.length != FIXED + 4L * n + 4) {
            throw new CorruptCheckpointException(file, 36, n + " live chunk files do not fit " + bytes.length + " bytes");
        }
        int[] live = new int[n];
        for (int i = 0; i < n; i++) live[i] = b.getInt(FIXED + 4 * i);
        int next = b.getInt(16);
        for (int i = 0; i < n; i++) {
            if (live[i] < 0 || live[i] >= next || (i > 0 && live[i] <= live[i - 1])) {
                throw new CorruptCheckpointException(file, FIXED + 4L * i, "live chunk file " + live[i] + " out of order or range");
            }
        }
        return new Checkpoint(b.getLong(8), next, b.getLong(20), b.getLong(28), live);
    }

    @Override
    public String toString() {
        return "Checkpoint[firstSegment=" + firstSegment + ", nextChunkFile=" + nextChunkFile + ", live="
                + Arrays.toString(liveChunkFiles) + "]";
    }
}
