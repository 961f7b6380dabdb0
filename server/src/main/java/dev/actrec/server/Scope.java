package dev.actrec.server;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a bearer token may do. Ingest and admin routes always need a token with their scope; reads only when configured. */
public enum Scope {
    READ, INGEST, ADMIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a comma-separated list such as {@code read,ingest}; {@code what} names the setting in errors. */
    static Set<Scope> parseList(String text, String what) {
        EnumSet<Scope> out = EnumSet.noneOf(Scope.class);
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            try {
                out.add(valueOf(p.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + ": unknown scope '" + p + "' (valid: read, ingest, admin)");
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException(what + ": no scope given (valid: read, ingest, admin)");
        return out;
    }
}
