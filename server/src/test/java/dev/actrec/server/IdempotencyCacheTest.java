package dev.actrec.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdempotencyCacheTest {
    static final byte[] A = {1};
    static final byte[] B = {2};

    @Test
    void aKeyIsRememberedForTheWindowThenForgotten() {
        AtomicLong now = new AtomicLong(1000);
        IdempotencyCache c = new IdempotencyCache(500, 100, now::get);
        IdempotencyCache.Claim first = c.begin("k", A);
        assertTrue(first.owner());
        c.complete(first.entry(), new IdempotencyCache.Response(200, new byte[] {42}));
        now.addAndGet(499);
        IdempotencyCache.Claim retry = c.begin("k", A);
        assertFalse(retry.owner());
        assertSame(first.entry(), retry.entry());
        now.addAndGet(1);
        assertTrue(c.begin("k", A).owner(), "expired after the window");
    }

    @Test
    void memoryIsBoundedOldestFirst() {
        IdempotencyCache c = new IdempotencyCache(1_000_000, 3, () -> 0L);
        for (int i = 0; i < 10; i++) c.begin("k" + i, A);
        assertEquals(3, c.size());
        assertFalse(c.begin("k9", A).owner());
        assertTrue(c.begin("k0", A).owner(), "the oldest key was dropped");
    }

    @Test
    void aDifferentBodyIsAConflictAndAFailedOwnerFreesTheKey() {
        IdempotencyCache c = new IdempotencyCache(1000, 10, () -> 0L);
        IdempotencyCache.Claim first = c.begin("k", A);
        ApiException e = assertThrows(ApiException.class, () -> c.begin("k", B));
        assertEquals(409, e.status());
        IdempotencyCache.Claim waiter = c.begin("k", A);
        c.abandon(first.entry(), new IOException("disk full"));
        assertThrows(ExecutionException.class, () -> waiter.entry().response.get());
        assertTrue(c.begin("k", A).owner(), "a retry after a failure does the work again");
    }
}
