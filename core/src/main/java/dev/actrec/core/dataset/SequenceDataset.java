package dev.actrec.core.dataset;

import dev.actrec.core.InputFormatException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A next-item benchmark data set held as one ragged array: every user's chronological item ids, concatenated in
 * {@link #values()}, with user {@code u}'s items at {@code values[offsets[u]] .. values[offsets[u+1]-1]}.
 *
 * <p>File format (the S3-Rec / ICLRec / SASRec convention): plain text, one line per user,
 * {@code user_id item_1 item_2 ... item_n}, tokens separated by spaces or tabs, oldest item first. Item ids are
 * positive integers; 0 is reserved for padding, so the catalogue is {@code 1..numItems} where {@code numItems} is
 * the largest id seen (or the declared catalogue size). Every malformed line fails with the file name and the 1-based
 * line number: empty lines, non-numeric tokens, ids that are zero, negative, out of range or larger than the declared
 * catalogue, a user with no items.
 *
 * <p>Immutable once loaded; safe to share between threads.
 */
public final class SequenceDataset {
    private final String source;
    private final int[] userIds;
    private final int[] offsets;
    private final int[] values;
    private final int numItems;
    private final String sha256;

    private SequenceDataset(String source, int[] userIds, int[] offsets, int[] values, int numItems, String sha256) {
        this.source = source;
        this.userIds = userIds;
        this.offsets = offsets;
        this.values = values;
        this.numItems = numItems;
        this.sha256 = sha256;
    }

    /** Reads a file; the catalogue size is the largest item id in it. */
    public static SequenceDataset load(Path file) throws IOException, InputFormatException {
        return load(file, 0);
    }

    /**
     * Reads a file. With {@code declaredItems > 0} any item id above it is an error ("unknown id"); with 0 the
     * catalogue is {@code 1..max id}.
     */
    public static SequenceDataset load(Path file, int declaredItems) throws IOException, InputFormatException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), declaredItems);
        }
    }

    /** Reads from a stream; {@code source} names it in error messages. The stream is not closed. */
    public static SequenceDataset read(InputStream in, String source, int declaredItems)
            throws IOException, InputFormatException {
        if (declaredItems < 0) {
            throw new IllegalArgumentException("declaredItems must be >= 0, got " + declaredItems);
        }
        MessageDigest digest = sha256Digest();
        DigestInputStream din = new DigestInputStream(in, digest);
        BufferedReader reader = new BufferedReader(new InputStreamReader(din, StandardCharsets.US_ASCII), 1 << 16);
        IntBuffer users = new IntBuffer(1024);
        IntBuffer offs = new IntBuffer(1024);
        IntBuffer vals = new IntBuffer(1 << 16);
        offs.add(0);
        int maxItem = 0;
        long lineNo = 0;
        String line;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            int len = line.length();
            int pos = 0;
            int tokens = 0;
            while (true) {
                while (pos < len && isSpace(line.charAt(pos))) pos++;
                if (pos >= len) break;
                int start = pos;
                while (pos < len && !isSpace(line.charAt(pos))) pos++;
                String field = tokens == 0 ? "user_id" : "item";
                int id = parseId(line, start, pos, source, lineNo, field);
                if (tokens == 0) {
                    users.add(id);
                } else {
                    if (declaredItems > 0 && id > declaredItems) {
                        throw new InputFormatException(source, lineNo, "item", Integer.toString(id),
                                "unknown item id: the catalogue has items 1.." + declaredItems);
                    }
                    maxItem = Math.max(maxItem, id);
                    vals.add(id);
                }
                tokens++;
            }
            if (tokens == 0) {
                throw new InputFormatException(source, lineNo, null, null,
                        "empty line; every line must be 'user_id item_1 ... item_n'");
            }
            if (tokens == 1) {
                throw new InputFormatException(source, lineNo, null, line.strip(), "user has no items");
            }
            offs.add(vals.size());
        }
        // Drain so the checksum covers the whole file even if the reader stopped early.
        while (din.read() >= 0) { /* consume */ }
        if (users.size() == 0) {
            throw new InputFormatException(source, 0, null, null, "no users: the file is empty");
        }
        int catalogue = declaredItems > 0 ? declaredItems : maxItem;
        return new SequenceDataset(source, users.toArray(), offs.toArray(), vals.toArray(), catalogue,
                HexFormat.of().formatHex(digest.digest()));
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    private static int parseId(String line, int from, int to, String source, long lineNo, String field)
            throws InputFormatException {
        long v = 0;
        if (to - from > 10) {
            throw new InputFormatException(source, lineNo, field, line.substring(from, to), "id out of range");
        }
        for (int i = from; i < to; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                throw new InputFormatException(source, lineNo, field, line.substring(from, to),
                        "not a non-negative integer");
            }
            v = v * 10 + (c - '0');
        }
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw new InputFormatException(source, lineNo, field, line.substring(from, to),
                    "ids must be in 1.." + Integer.MAX_VALUE + " (0 is reserved for padding)");
        }
        return (int) v;
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** Builds a data set from in-memory sequences (tests, synthetic data); user ids are 1..n in order. */
    public static SequenceDataset of(String source, int[][] sequences) {
        int total = 0;
        int maxItem = 0;
        for (int[] s : sequences) {
            if (s.length == 0) throw new IllegalArgumentException("empty sequence");
            total += s.length;
            for (int v : s) {
                if (v <= 0) throw new IllegalArgumentException("item ids must be >= 1, got " + v);
                maxItem = Math.max(maxItem, v);
            }
        }
        int[] offsets = new int[sequences.length + 1];
        int[] values = new int[total];
        int[] users = new int[sequences.length];
        for (int u = 0; u < sequences.length; u++) {
            users[u] = u + 1;
            System.arraycopy(sequences[u], 0, values, offsets[u], sequences[u].length);
            offsets[u + 1] = offsets[u] + sequences[u].length;
        }
        return new SequenceDataset(source, users, offsets, values, maxItem, "in-memory");
    }

    /** Where the data came from (file path), for messages. */
    public String source() { return source; }

    /** Number of users (lines). */
    public int users() { return userIds.length; }

    /** Catalogue size: item ids are 1..numItems. */
    public int numItems() { return numItems; }

    /** Total number of interactions. */
    public int interactions() { return values.length; }

    /** The user id written on line {@code u + 1}. */
    public int userId(int u) { return userIds[u]; }

    /** Index of user {@code u}'s first item in {@link #values()}. */
    public int start(int u) { return offsets[u]; }

    /** Number of items of user {@code u}. */
    public int length(int u) { return offsets[u + 1] - offsets[u]; }

    /** The {@code i}-th (0-based, chronological) item of user {@code u}. */
    public int item(int u, int i) {
        assert i >= 0 && i < length(u) : "item index " + i + " outside 0.." + (length(u) - 1);
        return values[offsets[u] + i];
    }

    /** The concatenated item ids (shared, do not modify). */
    public int[] values() { return values; }

    /** Offsets into {@link #values()}, length {@code users() + 1} (shared, do not modify). */
    public int[] offsets() { return offsets; }

    /** Hex SHA-256 of the file's bytes ("in-memory" for data built in code). */
    public String sha256() { return sha256; }

    /** Copy of user {@code u}'s items. */
    public int[] sequence(int u) { return Arrays.copyOfRange(values, offsets[u], offsets[u + 1]); }

    /** Growable int array; avoids boxing while reading millions of ids. */
    private static final class IntBuffer {
        private int[] data;
        private int size;

        IntBuffer(int capacity) { data = new int[capacity]; }

        void add(int v) {
            if (size == data.length) data = Arrays.copyOf(data, data.length * 2);
            data[size++] = v;
        }

        int size() { return size; }

        int[] toArray() { return Arrays.copyOf(data, size); }
    }
}
