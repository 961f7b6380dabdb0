package dev.actrec.store;

import dev.actrec.store.internal.FileSync;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * What is sealed: the store's single source of truth for which files are valid. Replaced atomically (temporary file,
 * fsync, rename, directory fsync), so a crash leaves either the old or the new checkpoint.
 *
 * <pre>
 * u32 magic 'ACP1' | u32 version (1) | u64 first log segment to replay | u32 chunk files (0..n-1 are valid)
 * | u64 valid length of users.dict | u64 valid length of items.dict | u32 crc32c(previous 36 bytes)
 * </pre>
 */
record Checkpoint(long firstSegment, int chunkFiles, long usersDictLength, long itemsDictLength) {
    static final int MAGIC = 0x31504341; // "ACP1"
    static final int VERSION = 1;
    static final int SIZE = 40;

    void write(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(VERSION).putLong(firstSegment).putInt(chunkFiles)
                .putLong(usersDictLength).putLong(itemsDictLength);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 36);
        b.putInt((int) crc.getValue()).flip();
        FileSync.writeAtomically(file, b);
    }

    static Checkpoint read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != SIZE) {
            throw new CorruptCheckpointException(file, 0, "expected " + SIZE + " bytes, found " + bytes.length);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 36);
        if (b.getInt(36) != (int) crc.getValue()) throw new CorruptCheckpointException(file, 36, "checksum mismatch");
        if (b.getInt(0) != MAGIC) throw new CorruptCheckpointException(file, 0, "bad magic");
        if (b.getInt(4) != VERSION) {
            throw new CorruptCheckpointException(file, 4, "unsupported version " + b.getInt(4) + " (this build reads " + VERSION + ")");
        }
        return new Checkpoint(b.getLong(8), b.getInt(16), b.getLong(20), b.getLong(28));
    }
}
