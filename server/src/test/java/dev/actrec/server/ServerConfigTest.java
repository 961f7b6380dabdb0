package dev.actrec.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreValidAndOpenOnlyToLoopback() {
        ServerConfig c = ServerConfig.defaults();
        assertEquals("127.0.0.1", c.host());
        assertEquals(8080, c.port());
        assertFalse(c.readAuth());
        assertTrue(c.tokens().isEmpty());
    }

    @Test
    void aFileIsLoadedAndTheCommandLineOverridesIt() throws Exception {
        Path f = dir.resolve("server.properties");
        Files.writeString(f, """
                port=9000
                max_k=50
                read_auth=true
                token.feed=feed-secret-0123456789
                token.feed.scopes=ingest
                token.ops=ops-secret-0123456789ab
                memory.heavy_hitters=8
                """);
        ServerConfig c = ServerConfig.load(f, Map.of("port", "9001"));
        assertEquals(9001, c.port());
        assertEquals(8, c.memory().heavyHitters());
        assertEquals(MemorySettings.defaults().tokens(), c.memory().tokens());
        assertTrue(c.describe().contains("memory.heavy_hitters=8"), c.describe());
        assertEquals(50, c.maxK());
        assertTrue(c.readAuth());
        assertEquals(2, c.tokens().size());
        ApiToken feed = c.tokens().stream().filter(t -> t.name().equals("feed")).findFirst().orElseThrow();
        assertEquals(Set.of(Scope.INGEST), feed.scopes());
        ApiToken ops = c.tokens().stream().filter(t -> t.name().equals("ops")).findFirst().orElseThrow();
        assertEquals(EnumSet.allOf(Scope.class), ops.scopes());
    }

    @Test
    void printingRedactsSecrets() {
        ServerConfig c = ServerConfig.defaults().withTokens(java.util.List.of(
                new ApiToken("feed", "feed-secret-0123456789", EnumSet.of(Scope.INGEST))));
        String text = c.describe() + c.tokens() + c;
        assertFalse(text.contains("feed-secret-0123456789"), text);
        assertTrue(c.describe().contains("token.feed=<redacted>"), c.describe());
    }

    @Test
    void badSettingsAreRefusedWithTheirName() {
        record Bad(String key, String value, String expected) {
        }
        for (Bad b : new Bad[] {
                new Bad("port", "70000", "port"), new Bad("port", "eighty", "port"), new Bad("max_k", "0", "max_k"),
                new Bad("read_auth", "maybe", "read_auth"), new Bad("max_kk", "3", "unknown setting 'max_kk'"),
                new Bad("token.x", "short", "at least 16"), new Bad("token.y.scopes", "read", "without a secret"),
                new Bad("max_in_flight", "-1", "max_in_flight"), new Bad("max_body_bytes", "10", "max_body_bytes"),
                new Bad("memory.heavy_hitters", "65", "memory.heavy_hitters must be in 0..64, got 65"),
                new Bad("memory.heavy_hitters", "many", "memory.heavy_hitters must be an integer, got 'many'")}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ServerConfig.load(null, Map.of(b.key(), b.value())), b.toString());
            assertTrue(e.getMessage().contains(b.expected()), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(null,
                Map.of("token.a", "same-secret-0123456789", "token.b", "same-secret-0123456789")));
        assertTrue(e.getMessage().contains("reuses"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(null,
                Map.of("token.a", "a-secret-0123456789ab", "token.a.scopes", "read,write")));
        assertTrue(e.getMessage().contains("unknown scope 'write'"), e.getMessage());
    }
}
