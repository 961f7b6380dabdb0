package dev.actrec.store;

import java.nio.file.Path;

/** Corruption in an id dictionary file. */
public final class CorruptDictionaryException extends CorruptStoreException {
    public CorruptDictionaryException(Path path, long offset, String problem) {
        super(path, offset, problem);
    }
}
