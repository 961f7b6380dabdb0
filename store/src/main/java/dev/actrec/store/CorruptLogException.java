package dev.actrec.store;

import java.nio.file.Path;

/** Corruption in the write-ahead log (a damaged record followed by valid ones: not a torn tail, so it is not truncated). */
public final class CorruptLogException extends CorruptStoreException {
    public CorruptLogException(Path path, long offset, String problem) {
        super(path, offset, problem);
    }
}
