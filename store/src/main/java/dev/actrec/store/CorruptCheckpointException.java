package dev.actrec.store;

import java.nio.file.Path;

/** Corruption in the checkpoint file. */
public final class CorruptCheckpointException extends CorruptStoreException {
    public CorruptCheckpointException(Path path, long offset, String problem) {
        super(path, offset, problem);
    }
}
