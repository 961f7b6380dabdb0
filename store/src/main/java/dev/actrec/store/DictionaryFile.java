package dev.actrec.store;

import dev.actrec.store.internal.ByteSink;
import dev.actrec.store.internal.ByteSource;
import dev.actrec.store.internal.FileSync;
import dev.actrec.store.internal.IdDictionary;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The durable half of an {@link IdDictionary}: entries in id order, appended at each checkpoint. Entries newer than
 * the last checkpoint live in the write-ahead log records that introduced them.
 *
 * <pre>
 * file  = u32 magic 'ADC1' | u32 version (1) | block*
 * block = varint entries | varint byte length | entries ({@link IdDictionary} encoding) | u32 crc32c(entries)
 * </pre>
 *
 * One block per checkpoint: a checksum per entry would cost more than the entry of a numeric id.
 *
 * The checkpoint names the valid length; bytes past it (a checkpoint that did not complete) are cut on open.
 */
final class DictionaryFile {
    static final int MAGIC = 0x31434441; // "ADC1"
    static final int VERSION = 1;
    static final int HEADER = 8;

    private DictionaryFile() {}

    static void create(Path p) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC).putInt(VERSION).flip();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            FileSync.writeFully(ch, h);
            ch.force(true);
        }
    }

    /** Loads the entries in {@code [0, validLength)} into {@code dict}, cutting anything beyond. */
    static void load(Path p, long validLength, IdDictionary dict) throws IOException {
        if (!Files.exists(p)) throw new CorruptDictionaryException(p, 0, "dictionary file is missing");
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            long size = ch.size();
            if (size < validLength) {
                throw new CorruptDictionaryException(p, size, "file is shorter (" + size
                        + " bytes) than the checkpoint says (" + validLength + ")");
            }
            if (size > validLength) {
                ch.truncate(validLength);
                ch.force(true);
            }
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, validLength, arena);
            if (validLength < HEADER || seg.get(ValueLayout.JAVA_INT_UNALIGNED, 0) != MAGIC
                    || seg.get(ValueLayout.JAVA_INT_UNALIGNED, 4) != VERSION) {
                throw new CorruptDictionaryException(p, 0, "bad header (magic 'ADC1', version " + VERSION + " expected)");
            }
            ByteSource in = new ByteSource(seg, HEADER);
            CRC32C crc = new CRC32C();
            while (in.position() < validLength) {
                long at = in.position();
                try {
                    long entries = in.varint();
                    long len = in.varint();
                    long start = in.position();
                    if (entries <= 0 || len <= 0 || start + len + 4 > validLength) {
                        throw new IllegalStateException("block of " + entries + " entries, " + len + " bytes");
                    }
                    crc.reset();
                    crc.update(seg.asSlice(start, len).asByteBuffer());
                    if ((int) crc.getValue() != seg.get(ValueLayout.JAVA_INT_UNALIGNED, start + len)) {
                        throw new IllegalStateException("block checksum mismatch");
                    }
                    for (long e = 0; e < entries; e++) dict.readEntry(in);
                    if (in.position() != start + len) throw new IllegalStateException("block length does not match its entries");
                    in.position(start + len + 4);
                } catch (IllegalStateException | IndexOutOfBoundsException e) {
                    throw new CorruptDictionaryException(p, at, "block starting at entry " + dict.size() + ": " + e.getMessage());
                }
            }
        }
    }

    /** Appends entries {@code [from, to)} and fsyncs; returns the new length. */
    static long append(Path p, IdDictionary dict, int from, int to) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.position(ch.size());
            if (from < to) {
                ByteSink entries = new ByteSink(16 * (to - from) + 64);
                for (int id = from; id < to; id++) dict.writeEntry(id, entries);
                CRC32C crc = new CRC32C();
                crc.update(entries.array(), 0, entries.position());
                ByteSink out = new ByteSink(entries.position() + 24);
                out.varint(to - from);
                out.varint(entries.position());
                out.bytes(entries.array(), 0, entries.position());
                out.i32((int) crc.getValue());
                FileSync.writeFully(ch, out.asBuffer());
                ch.force(false);
            }
            return ch.size();
        }
    }
}
