package dev.actrec.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TensorFileTest {

    @Test
    void roundTripsAndDetectsCorruption(@TempDir Path dir) throws Exception {
        Map<String, float[]> v = new LinkedHashMap<>();
        Map<String, long[]> s = new LinkedHashMap<>();
        v.put("a", new float[] {1f, -2.5f, 3f, Float.MIN_VALUE, 5f, 6f});
        s.put("a", new long[] {2, 3});
        v.put("b", new float[] {7f});
        s.put("b", new long[] {1});
        Path f = dir.resolve("w.bin");
        TensorFile.write(f, "k = v\n", v, s);
        TensorFile.Content c = TensorFile.read(f);
        assertEquals("k = v\n", c.header());
        assertArrayEquals(v.get("a"), c.values().get("a"));
        assertArrayEquals(new long[] {2, 3}, c.shapes().get("a"));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }

        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length - 12] ^= 1;  // flip a bit in the float data
        Files.write(f, bytes);
        IOException e = assertThrows(IOException.class, () -> TensorFile.read(f));
        assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains(f.toString()), e.getMessage());

        Files.write(f, java.util.Arrays.copyOf(bytes, 20));
        e = assertThrows(IOException.class, () -> TensorFile.read(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Files.writeString(f, "hello world, not tensors");
        assertThrows(IOException.class, () -> TensorFile.read(f));
    }
}
