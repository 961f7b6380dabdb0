package dev.actrec.store;

import java.nio.file.Path;

/** Corruption in a sealed chunk file (header or payload checksum mismatch, or an impossible field). */
public final class CorruptChunkException extends CorruptStoreException {
    public CorruptChunkException(Path path, long offset, String problem) {
        super(path, offset, problem);
    }
}
