package dev.actrec.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Checks {@code Authorization: Bearer <secret>} against the configured tokens: 401 when the header is missing,
 * malformed or names no token; 403 when the token lacks the route's scope. Secrets are compared in constant time
 * against every token, so timing does not tell how much of a guess matched.
 */
final class BearerAuth {
    private final List<ApiToken> tokens;
    private final byte[][] secrets;

    BearerAuth(List<ApiToken> tokens) {
        this.tokens = List.copyOf(tokens);
        this.secrets = new byte[tokens.size()][];
        for (int i = 0; i < secrets.length; i++) secrets[i] = tokens.get(i).secret().getBytes(StandardCharsets.UTF_8);
    }

    /** Returns the token used, or null when {@code needed} is null (an open route). */
    ApiToken check(String header, Scope needed) {
        if (needed == null) return null;
        if (header == null) throw ApiException.unauthorized("missing 'Authorization: Bearer <token>' header");
        if (header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("malformed Authorization header: expected 'Bearer <token>'");
        }
        byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        ApiToken found = null;
        for (int i = 0; i < secrets.length; i++) {
            if (MessageDigest.isEqual(secrets[i], given)) found = tokens.get(i);
        }
        if (found == null) throw ApiException.unauthorized("unknown bearer token");
        if (!found.scopes().contains(needed)) {
            throw ApiException.forbidden("token '" + found.name() + "' lacks scope '" + needed.wireName() + "'");
        }
        return found;
    }
}
