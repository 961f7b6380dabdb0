package dev.actrec.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Named float tensors plus a text header, in one file; used for model weights and training checkpoints.
 *
 * <pre>
 * int32  magic 0x41435454 ("ACTT"), big-endian like every int below
 * int32  version (1)
 * UTF    header (modified UTF-8, length-prefixed): free text, here {@code key = value} lines
 * int32  tensor count
 * per tensor: UTF name, int32 rank, int64 dims[rank], float32 values[prod(dims)] little-endian (row-major)
 * int64  CRC-32 of all float bytes, in order
 * </pre>
 *
 * Writes go to a temporary file in the same folder that is then renamed over the target, so a crash leaves either
 * the old file or the new one. A wrong magic, version, truncation or checksum fails with the path.
 */
public final class TensorFile {
    static final int MAGIC = 0x41435454;
    static final int VERSION = 1;

    /** A decoded file: header text, values and shapes by name. */
    public record Content(String header, Map<String, float[]> values, Map<String, long[]> shapes) {}

    private TensorFile() {}

    public static void write(Path file, String header, Map<String, float[]> values, Map<String, long[]> shapes)
            throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp);
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
                out.writeInt(MAGIC);
                out.writeInt(VERSION);
                out.writeUTF(header);
                out.writeInt(values.size());
                CRC32 crc = new CRC32();
                for (Map.Entry<String, float[]> e : values.entrySet()) {
                    long[] shape = shapes.get(e.getKey());
                    long size = 1;
                    for (long d : shape) size *= d;
                    if (size != e.getValue().length) {
                        throw new IllegalArgumentException("tensor '" + e.getKey() + "': " + e.getValue().length
                                + " values for a shape of " + size);
                    }
                    out.writeUTF(e.getKey());
                    out.writeInt(shape.length);
                    for (long d : shape) out.writeLong(d);
                    ByteBuffer buf = ByteBuffer.allocate(e.getValue().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    buf.asFloatBuffer().put(e.getValue());
                    crc.update(buf.array());
                    out.write(buf.array());
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

    public static Content read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            int magic = in.readInt();
            if (magic != MAGIC) throw new IOException(file + ": not an ACT tensor file (magic " + Integer.toHexString(magic) + ")");
            int version = in.readInt();
            if (version != VERSION) throw new IOException(file + ": unsupported tensor file version " + version);
            String header = in.readUTF();
            int count = in.readInt();
            Map<String, float[]> values = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            CRC32 crc = new CRC32();
            for (int t = 0; t < count; t++) {
                String name = in.readUTF();
                int rank = in.readInt();
                if (rank < 0 || rank > 8) throw new IOException(file + ": tensor '" + name + "' has rank " + rank);
                long[] shape = new long[rank];
                long size = 1;
                for (int i = 0; i < rank; i++) {
                    shape[i] = in.readLong();
                    size *= shape[i];
                }
                if (size < 0 || size > Integer.MAX_VALUE / 4) throw new IOException(file + ": tensor '" + name + "' too large");
                byte[] bytes = new byte[(int) size * 4];
                in.readFully(bytes);
                crc.update(bytes);
                float[] v = new float[(int) size];
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                values.put(name, v);
                shapes.put(name, shape);
            }
            long stored = in.readLong();
            if (stored != crc.getValue()) throw new IOException(file + ": checksum mismatch, the file is corrupt");
            return new Content(header, values, shapes);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated tensor file", e);
        }
    }
}
