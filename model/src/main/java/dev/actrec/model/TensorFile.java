package dev.actrec.model;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Named float tensors plus a text header, in one file; used for training weights and checkpoints
 * ({@code model.bin}, {@code checkpoint.bin}) and for the serving file ({@link ModelFile}).
 *
 * <pre>
 * int32  magic 0x41435454 ("ACTT"), big-endian like every int below
 * int32  version (1)
 * UTF    header (modified UTF-8, uint16 length prefix, so at most 65535 bytes): {@code key = value} lines
 * int32  tensor count
 * per tensor: UTF name, int32 rank, int64 dims[rank], float32 values[prod(dims)] little-endian (row-major)
 * int64  CRC-32 of all float bytes, in order
 * </pre>
 *
 * Writes go to a temporary file in the same folder that is then renamed over the target, so a crash leaves either
 * the old file or the new one. Values are converted through a 64 KiB buffer in both directions, so a 256 MB item
 * table costs its own array and nothing more. A wrong magic or version, a truncated file or a checksum mismatch
 * fails with a {@link ModelFormatException} that names the path and the fault.
 *
 * <p>Stateless; safe to use from any thread (concurrent writers of one path race on the final rename only).
 */
public final class TensorFile {
    static final int MAGIC = 0x41435454;
    static final int VERSION = 1;
    private static final int CHUNK_FLOATS = 1 << 14; // 64 KiB of bytes per conversion step

    /**
     * A decoded file: header text, values and shapes by name in file order, and the sha256 of the whole file
     * (lowercase hex).
     */
    public record Content(String header, Map<String, float[]> values, Map<String, long[]> shapes, String sha256) {}

    private TensorFile() {}

    /**
     * Writes {@code values} (each with its shape in {@code shapes}) in the iteration order of {@code values}.
     *
     * @throws IllegalArgumentException if a tensor has no shape or a shape does not match its value count
     */
    public static void write(Path file, String header, Map<String, float[]> values, Map<String, long[]> shapes)
            throws IOException {
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            long[] shape = shapes.get(e.getKey());
            if (shape == null) throw new IllegalArgumentException("tensor '" + e.getKey() + "' has no shape");
            long size = 1;
            for (long d : shape) size *= d;
            if (size != e.getValue().length) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "': " + e.getValue().length
                        + " values for a shape of " + size);
            }
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp);
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
                out.writeInt(MAGIC);
                out.writeInt(VERSION);
                try {
                    out.writeUTF(header);
                } catch (UTFDataFormatException e) {
                    throw new IllegalArgumentException("header of " + file + " exceeds 65535 bytes", e);
                }
                out.writeInt(values.size());
                CRC32 crc = new CRC32();
                ByteBuffer buf = ByteBuffer.allocate(CHUNK_FLOATS * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (Map.Entry<String, float[]> e : values.entrySet()) {
                    long[] shape = shapes.get(e.getKey());
                    out.writeUTF(e.getKey());
                    out.writeInt(shape.length);
                    for (long d : shape) out.writeLong(d);
                    float[] v = e.getValue();
                    for (int from = 0; from < v.length; from += CHUNK_FLOATS) {
                        int n = Math.min(CHUNK_FLOATS, v.length - from);
                        buf.clear();
                        buf.asFloatBuffer().put(v, from, n);
                        crc.update(buf.array(), 0, n * 4);
                        out.write(buf.array(), 0, n * 4);
                    }
                }
                out.writeLong(crc.getValue());
                out.flush();
            }
            try (FileChannel fc = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                fc.force(true); // the bytes are on disk before the rename publishes them
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads and checks a whole file. */
    public static Content read(Path file) throws IOException {
        long fileSize = Files.size(file);
        MessageDigest sha = sha256();
        try (CountingStream counted = new CountingStream(new BufferedInputStream(
                new DigestInputStream(Files.newInputStream(file), sha), 1 << 16));
             DataInputStream in = new DataInputStream(counted)) {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new ModelFormatException(file + ": not an ACT tensor file (magic 0x"
                        + Integer.toHexString(magic) + ", expected 0x" + Integer.toHexString(MAGIC) + ")");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new ModelFormatException(file + ": unsupported tensor file version " + version
                        + " (this build reads version " + VERSION + ")");
            }
            String header = in.readUTF();
            int count = in.readInt();
            if (count < 0) throw new ModelFormatException(file + ": negative tensor count " + count);
            Map<String, float[]> values = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            CRC32 crc = new CRC32();
            byte[] chunk = new byte[CHUNK_FLOATS * 4];
            for (int t = 0; t < count; t++) {
                String name = in.readUTF();
                int rank = in.readInt();
                if (rank < 0 || rank > 8) {
                    throw new ModelFormatException(file + ": tensor '" + name + "' has rank " + rank);
                }
                long[] shape = new long[rank];
                long size = 1;
                for (int i = 0; i < rank; i++) {
                    shape[i] = in.readLong();
                    if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
                        throw new ModelFormatException(file + ": tensor '" + name + "' has dimension " + shape[i]);
                    }
                    size = Math.multiplyHigh(size, shape[i]) != 0 ? Long.MAX_VALUE : size * shape[i];
                }
                // Checked against the bytes left so that a corrupt size fails here, not as an out-of-memory error.
                if (size > Integer.MAX_VALUE - 8 || size * 4 > fileSize - counted.count) {
                    throw new ModelFormatException(file + ": truncated tensor file (tensor '" + name + "' needs "
                            + size * 4 + " bytes, " + (fileSize - counted.count) + " left)");
                }
                if (values.containsKey(name)) {
                    throw new ModelFormatException(file + ": tensor '" + name + "' appears twice");
                }
                float[] v = new float[(int) size];
                for (int from = 0; from < v.length; from += CHUNK_FLOATS) {
                    int n = Math.min(CHUNK_FLOATS, v.length - from);
                    in.readFully(chunk, 0, n * 4);
                    crc.update(chunk, 0, n * 4);
                    ByteBuffer.wrap(chunk, 0, n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v, from, n);
                }
                values.put(name, v);
                shapes.put(name, shape);
            }
            long stored = in.readLong();
            if (stored != crc.getValue()) {
                throw new ModelFormatException(file + ": checksum mismatch (stored " + Long.toHexString(stored)
                        + ", computed " + Long.toHexString(crc.getValue()) + "), the file is corrupt");
            }
            if (in.read() != -1) throw new ModelFormatException(file + ": trailing bytes after the checksum");
            return new Content(header, values, shapes, HexFormat.of().formatHex(sha.digest()));
        } catch (EOFException e) {
            throw new ModelFormatException(file + ": truncated tensor file", e);
        } catch (UTFDataFormatException e) {
            throw new ModelFormatException(file + ": malformed text (header or tensor name)", e);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Counts the bytes handed to the reader above it (not those buffered ahead below it). */
    private static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }
    }
}
