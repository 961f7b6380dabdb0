package dev.actrec.server;

import java.util.Set;

/**
 * A bearer token from the config: a name (shown in logs and at start-up), the secret (never printed) and its scopes.
 */
public record ApiToken(String name, String secret, Set<Scope> scopes) {
    /** Shortest accepted secret: a guessable token is worse than none. */
    public static final int MIN_SECRET_CHARS = 16;

    public ApiToken {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("token name '" + name + "' must be 1-64 of [A-Za-z0-9_.-]");
        }
        if (secret == null || secret.length() < MIN_SECRET_CHARS || !secret.matches("[\\x21-\\x7e]+")) {
            throw new IllegalArgumentException("token '" + name + "': the secret must be at least " + MIN_SECRET_CHARS
                    + " printable ASCII characters without spaces");
        }
        scopes = Set.copyOf(scopes);
        if (scopes.isEmpty()) throw new IllegalArgumentException("token '" + name + "' has no scope");
    }

    @Override
    public String toString() {
        return name + " (secret redacted, scopes " + scopes.stream().map(Scope::wireName).sorted().toList() + ")";
    }
}
