package dev.actrec.model.lifelong;

import java.io.IOException;

/** Serialized {@link LifelongMemory} bytes that cannot be read: bad magic, unknown version, wrong shape or checksum. */
public final class MemoryFormatException extends IOException {
    public MemoryFormatException(String message) {
        super(message);
    }
}
