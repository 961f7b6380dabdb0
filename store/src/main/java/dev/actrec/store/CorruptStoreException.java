package dev.actrec.store;

import java.io.IOException;
import java.nio.file.Path;

/** A store file whose bytes fail their checks; names the file and the byte offset so an operator can act. */
public class CorruptStoreException extends IOException {
    private final Path path;
    private final long offset;

    public CorruptStoreException(Path path, long offset, String problem) {
        super(path + " at offset " + offset + ": " + problem);
        this.path = path;
        this.offset = offset;
    }

    public Path path() { return path; }
    public long offset() { return offset; }
}
