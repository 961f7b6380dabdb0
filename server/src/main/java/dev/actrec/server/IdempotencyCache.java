package dev.actrec.server;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Remembers the response to each {@code Idempotency-Key} for a window, so that a retried request returns the first
 * response instead of appending again. Memory is bounded: at most {@code maxKeys} keys, oldest dropped first, and
 * keys older than the window are dropped as new ones arrive. A key is bound to the SHA-256 of its first body; the
 * same key with a different body is a client error (409).
 *
 * <p>Concurrent requests with one key: the first becomes the owner and does the work; the others wait for its
 * response. When the owner fails without a response worth repeating (a server-side error), the key is forgotten
 * and the waiters fail too, so a later retry does the work afresh. Thread-safe.
 */
final class IdempotencyCache {
    /** A response to repeat. */
    record Response(int status, byte[] body) {
    }

    /** One key's state: the body hash it was first used with and the (possibly pending) response. */
    static final class Entry {
        final String key;
        final byte[] sha256;
        final long createdMs;
        final CompletableFuture<Response> response = new CompletableFuture<>();

        Entry(String key, byte[] sha256, long createdMs) {
            this.key = key;
            this.sha256 = sha256;
            this.createdMs = createdMs;
        }
    }

    /** What {@link #begin} found: either this request owns the key, or an earlier one's response to wait for. */
    record Claim(Entry entry, boolean owner) {
    }

    private final long windowMs;
    private final int maxKeys;
    private final LongSupplier clockMs;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    IdempotencyCache(long windowMs, int maxKeys, LongSupplier clockMs) {
        this.windowMs = windowMs;
        this.maxKeys = maxKeys;
        this.clockMs = clockMs;
    }

    synchronized Claim begin(String key, byte[] sha256) {
        long now = clockMs.getAsLong();
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (now - e.createdMs < windowMs) break; // insertion order: the rest are younger
            it.remove();
        }
        Entry e = entries.get(key);
        if (e != null) {
            if (!Arrays.equals(e.sha256, sha256)) {
                throw ApiException.conflict("Idempotency-Key", "key '" + key
                        + "' was already used with a different request body");
            }
            return new Claim(e, false);
        }
        if (entries.size() >= maxKeys) {
            Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
            it.next();
            it.remove();
        }
        e = new Entry(key, sha256, now);
        entries.put(key, e);
        return new Claim(e, true);
    }

    /** The owner's response, to be repeated for retries within the window. */
    void complete(Entry e, Response r) {
        e.response.complete(r);
    }

    /** The owner failed without a response to repeat: forget the key so that a retry does the work. */
    synchronized void abandon(Entry e, Throwable cause) {
        entries.remove(e.key, e);
        e.response.completeExceptionally(cause);
    }

    synchronized int size() {
        return entries.size();
    }
}
