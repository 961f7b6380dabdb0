package dev.actrec.model;

import java.io.IOException;

/** A model file that cannot be served: wrong magic or version, truncated, corrupt, or inconsistent shapes. */
public final class ModelFormatException extends IOException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
