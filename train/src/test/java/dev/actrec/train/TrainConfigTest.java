package dev.actrec.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class TrainConfigTest {

    @Test
    void fileThenOverridesApplyInOrder(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.toml");
        Files.writeString(f, "# comment\n[train]\nlr = 0.002   # trailing\nloss = \"bce\"\nmax_len = 50\n");
        TrainConfig c = TrainConfig.defaults("act").withFile(f).with("max-len", "30");
        assertEquals(0.002, c.lr());
        assertEquals("bce", c.loss());
        assertEquals(30, c.maxLen());
        assertEquals("act", c.model());
    }

    @Test
    void savedConfigReadsBackEqual(@TempDir Path dir) throws Exception {
        TrainConfig c = TrainConfig.defaults("act").with("attributes", "/x/y z.json").with("seed", "9");
        Path f = dir.resolve("config.toml");
        Files.writeString(f, c.toToml());
        assertEquals(c, TrainConfig.read(f));
    }

    @Test
    void errorsNameKeyValueAndLine(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainConfig.defaults("sasrec").with("heads", "3"));
        assertTrue(e.getMessage().contains("heads"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults("sasrec").with("nope", "1"));
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults("sasrec").with("mask_seen", "yes"));
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults("gru4rec"));
        Path f = dir.resolve("bad.toml");
        Files.writeString(f, "lr = 0.1\nepochs = many\n");
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults("sasrec").withFile(f));
        assertTrue(e.getMessage().startsWith(f + ":2:"), e.getMessage());
    }
}
