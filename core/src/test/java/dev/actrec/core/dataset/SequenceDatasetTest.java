package dev.actrec.core.dataset;

import dev.actrec.core.InputFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class SequenceDatasetTest {

    private static SequenceDataset parse(String text, int declared) throws Exception {
        return SequenceDataset.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), "mem.txt",
                declared);
    }

    private static InputFormatException fails(String text, int declared) {
        return assertThrows(InputFormatException.class, () -> parse(text, declared));
    }

    @Test
    void readsRaggedSequences() throws Exception {
        SequenceDataset d = parse("1 3 1 2\n2 5\n7\t4 4 1\n", 0);
        assertEquals(3, d.users());
        assertEquals(5, d.numItems());
        assertEquals(7, d.interactions());
        assertArrayEquals(new int[] {0, 3, 4, 7}, d.offsets());
        assertArrayEquals(new int[] {4, 4, 1}, d.sequence(2));
        assertEquals(7, d.userId(2));
        assertEquals(5, d.item(1, 0));
    }

    @Test
    void sha256CoversTheFileBytes() throws Exception {
        assertEquals(64, parse("1 2\n", 0).sha256().length());
        assertNotEquals(parse("1 2\n", 0).sha256(), parse("1 3\n", 0).sha256());
    }

    @Test
    void emptyLineNamesFileAndLine() {
        InputFormatException e = fails("1 2 3\n\n3 4\n", 0);
        assertEquals("mem.txt", e.source());
        assertEquals(2, e.line());
        assertTrue(e.getMessage().startsWith("mem.txt:2:"), e.getMessage());
    }

    @Test
    void nonNumericTokenNamesTheToken() {
        InputFormatException e = fails("1 2 3\n2 4 x5\n", 0);
        assertEquals(2, e.line());
        assertEquals("x5", e.value());
        assertEquals("item", e.field());
    }

    @Test
    void zeroNegativeAndHugeIdsAreRejected() {
        assertEquals(1, fails("1 0\n", 0).line());
        assertEquals("-3", fails("1 -3\n", 0).value());
        assertEquals(2, fails("1 2\n2 99999999999\n", 0).line());
        assertEquals("user_id", fails("0 2\n", 0).field());
    }

    @Test
    void idAboveDeclaredCatalogueIsUnknown() {
        InputFormatException e = fails("1 2 3\n2 3 11\n", 10);
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("unknown item id"), e.getMessage());
    }

    @Test
    void userWithoutItemsAndEmptyFileFail() {
        assertEquals(2, fails("1 2\n2\n", 0).line());
        fails("", 0);
    }

    @Test
    void loadsFromDiskWithPathInErrors(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.txt");
        Files.writeString(f, "1 2 3\n2 3 4\n3 a\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> SequenceDataset.load(f));
        assertEquals(f.toString(), e.source());
        assertEquals(3, e.line());
        Path ok = dir.resolve("ok.txt");
        Files.writeString(ok, "1 2 3\n2 3 4\n");
        assertEquals(2, SequenceDataset.load(ok).users());
    }

    @Test
    void realBeautyFileMatchesItsReadme() throws Exception {
        Path f = Path.of(System.getProperty("actrec.datasets", "../../shared/datasets"), "Beauty", "Beauty.txt");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(f),
                "skipped: real data not found at " + f.toAbsolutePath() + " (set -Dactrec.datasets=DIR)");
        SequenceDataset d = SequenceDataset.load(f);
        assertEquals(22_363, d.users());
        assertEquals(12_101, d.numItems());
        assertEquals(198_502, d.interactions());
        assertEquals("226cce9c3105299ca0db9615d7d3fb32b3175e90da43100ae352599f0f0107b8", d.sha256());
    }
}
