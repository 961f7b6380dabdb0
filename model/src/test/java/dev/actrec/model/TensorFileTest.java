package dev.actrec.model;

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
    void largeTensorsRoundTripThroughTheChunkBuffer(@TempDir Path dir) throws Exception {
        float[] big = new float[(1 << 14) * 3 + 7]; // several conversion chunks and a partial one
        for (int i = 0; i < big.length; i++) big[i] = i * 0.5f - 1000f;
        Path f = dir.resolve("big.bin");
        TensorFile.write(f, "", Map.of("big", big), Map.of("big", new long[] {big.length}));
        assertArrayEquals(big, TensorFile.read(f).values().get("big"));

        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        IOException e = assertThrows(ModelFormatException.class, () -> TensorFile.read(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

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
        assertEquals(ModelFile.fileSha256(f), c.sha256());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }

        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length - 12] ^= 1;  // flip a bit in the float data
        Files.write(f, bytes);
        IOException e = assertThrows(ModelFormatException.class, () -> TensorFile.read(f));
        assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains(f.toString()), e.getMessage());

        Files.write(f, java.util.Arrays.copyOf(bytes, 20));
        e = assertThrows(ModelFormatException.class, () -> TensorFile.read(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Files.writeString(f, "hello world, not tensors");
        e = assertThrows(ModelFormatException.class, () -> TensorFile.read(f));
        assertTrue(e.getMessage().contains("magic") && e.getMessage().contains(f.toString()), e.getMessage());
    }
}
