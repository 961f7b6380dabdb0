package dev.actrec.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The serving file, {@code serving.bin} in a training run folder: a {@link TensorFile} with everything the
 * pure-Java forward pass needs and nothing that training alone needs (no optimiser state, no attribute tables).
 *
 * <p>Header, one {@code key = value} per line, in this order (all required):
 * <pre>
 * format         = act-serving
 * format_version = 1
 * kind           = sasrec | act
 * version        = &lt;kind&gt;-&lt;first 12 hex digits of the sha256 of the tensor bytes&gt;  (same weights, same label)
 * dim, heads, layers, max_len, num_items     integers, see {@link ForwardConfig}
 * similarity     = cosine | dot
 * temperature    = a positive decimal
 * </pre>
 * followed by the run's facts (free keys such as {@code dataset_sha256}, {@code seed}, {@code best_epoch}).
 *
 * <p>Tensors, float32, in this order; matrices are stored as training uses them, {@code (in, out)} for {@code x W}:
 * <pre>
 * item_table        (num_items + 1, d)  the output table and the input embedding; act: item_emb + mean of the
 *                                       item's attribute embeddings, already summed; row 0 (padding) all zeros
 * pos_emb           (max_len, d)        row 0 = the newest item's position
 * sasrec, per block l = 0..layers-1, prefix "block&lt;l&gt;.":
 *   ln_attn.g, ln_attn.b (d); wq, wk, wv, wo (d, d) with biases wq.b ... wo.b (d);
 *   ln_ffn.g, ln_ffn.b (d); ffn1, ffn2 (d, d) with ffn1.b, ffn2.b (d)
 * act, per layer l, prefix "layer&lt;l&gt;.":
 *   ln_in.g, ln_in.b (d); w_uvqk (d, 4d), w_uvqk.b (4d) (column blocks u, v, q, k); rel_bias (max_len);
 *   ln_attn.g, ln_attn.b (d); w_out (d, d), w_out.b (d)
 * ln_out.g, ln_out.b (d)
 * </pre>
 * Loading rejects, with a {@link ModelFormatException} naming the file, the key or tensor and the value: a
 * corrupt or truncated file, a missing or malformed header key, a missing, unknown or misshapen tensor (so a
 * {@code num_items} that disagrees with the table), a non-finite weight and a non-zero padding row.
 *
 * <p>The forward passes are {@link SasRecForward} and {@link ActForward}; {@code docs/model-format.md} has the
 * same layout with the formulas. Stateless and thread-safe.
 */
public final class ModelFile {
    /** The serving file's name inside a run folder. */
    public static final String FILE_NAME = "serving.bin";
    public static final String FORMAT = "act-serving";
    public static final int FORMAT_VERSION = 1;

    /** The header keys this class writes and requires, in file order. */
    public static final java.util.List<String> REQUIRED_KEYS = java.util.List.of("format", "format_version", "kind",
            "version", "dim", "heads", "layers", "max_len", "num_items", "similarity", "temperature");

    private ModelFile() {}

    /** A checked serving file: its configuration, its facts and its raw tensors (training layout), by name. */
    public record Contents(ForwardConfig config, ModelInfo info, Map<String, float[]> tensors) {}

    /** {@code fileOrRunDir} itself, or {@code fileOrRunDir/serving.bin} when it is a folder. */
    public static Path resolve(Path fileOrRunDir) {
        return Files.isDirectory(fileOrRunDir) ? fileOrRunDir.resolve(FILE_NAME) : fileOrRunDir;
    }

    /** Loads a serving file (or a run folder's) into the pure-Java forward pass of its kind. */
    public static ServingModel load(Path fileOrRunDir) throws IOException {
        Contents c = read(fileOrRunDir);
        return switch (c.config().kind()) {
            case "sasrec" -> new SasRecForward(c);
            case "act" -> new ActForward(c);
            default -> throw new AssertionError(c.config().kind());
        };
    }

    /** Reads and checks a serving file without building a forward pass (DJL parity, tools). */
    public static Contents read(Path fileOrRunDir) throws IOException {
        Path file = resolve(fileOrRunDir);
        TensorFile.Content content = TensorFile.read(file);
        Map<String, String> header = parseHeader(content.header());
        // The format first: a model.bin or checkpoint.bin lacks most keys, and that is not the useful message.
        if (header.containsKey("format") && !header.get("format").equals(FORMAT)) {
            throw new ModelFormatException(file + ": header 'format' = " + header.get("format") + ", expected "
                    + FORMAT + " (is this a model.bin or checkpoint.bin? run actrec export)");
        }
        for (String key : REQUIRED_KEYS) {
            if (!header.containsKey(key)) throw new ModelFormatException(file + ": header key '" + key + "' is missing");
        }
        int formatVersion = intKey(file, header, "format_version");
        if (formatVersion != FORMAT_VERSION) {
            throw new ModelFormatException(file + ": header 'format_version' = " + formatVersion
                    + ", this build reads " + FORMAT_VERSION);
        }
        double temperature;
        try {
            temperature = Double.parseDouble(header.get("temperature"));
        } catch (NumberFormatException e) {
            throw new ModelFormatException(file + ": header 'temperature' = " + header.get("temperature")
                    + " is not a number");
        }
        ForwardConfig config;
        try {
            config = new ForwardConfig(header.get("kind"), intKey(file, header, "dim"), intKey(file, header, "heads"),
                    intKey(file, header, "layers"), intKey(file, header, "max_len"),
                    intKey(file, header, "num_items"), header.get("similarity"), temperature);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": header " + e.getMessage());
        }
        checkTensors(file, config, content.values(), content.shapes());
        Map<String, String> facts = new LinkedHashMap<>(header);
        for (String k : REQUIRED_KEYS) {
            if (!k.equals("similarity") && !k.equals("temperature")) facts.remove(k);
        }
        ModelInfo info = new ModelInfo(config.kind(), header.get("version"), config.dim(), config.heads(),
                config.layers(), config.maxLen(), config.numItems(), content.sha256(), facts);
        return new Contents(config, info, content.values());
    }

    /**
     * Writes a serving file. {@code tensors} must hold exactly the tensors of {@link #expectedShapes} with those
     * sizes, and row 0 of {@code item_table} must be zeros; {@code facts} must not reuse a required key.
     *
     * @return the facts of the written file, as {@link #load} will report them
     * @throws IllegalArgumentException on a missing, unknown or misshapen tensor or a bad fact
     */
    public static ModelInfo write(Path file, ForwardConfig config, Map<String, String> facts,
                                  Map<String, float[]> tensors) throws IOException {
        Map<String, long[]> shapes = expectedShapes(config);
        Map<String, float[]> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            float[] v = tensors.get(e.getKey());
            if (v == null) throw new IllegalArgumentException("tensor '" + e.getKey() + "' is missing");
            if (v.length != size(e.getValue())) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has " + v.length
                        + " values, expected shape " + Arrays.toString(e.getValue()));
            }
            ordered.put(e.getKey(), v);
        }
        for (String name : tensors.keySet()) {
            if (!shapes.containsKey(name)) throw new IllegalArgumentException("unknown tensor '" + name + "'");
        }
        float[] table = ordered.get("item_table");
        for (int j = 0; j < config.dim(); j++) {
            if (table[j] != 0f) throw new IllegalArgumentException("item_table row 0 (padding) must be zeros");
        }
        StringBuilder header = new StringBuilder();
        Map<String, String> h = new LinkedHashMap<>();
        h.put("format", FORMAT);
        h.put("format_version", Integer.toString(FORMAT_VERSION));
        h.put("kind", config.kind());
        h.put("version", config.kind() + "-" + weightsSha256(ordered).substring(0, 12));
        h.put("dim", Integer.toString(config.dim()));
        h.put("heads", Integer.toString(config.heads()));
        h.put("layers", Integer.toString(config.layers()));
        h.put("max_len", Integer.toString(config.maxLen()));
        h.put("num_items", Integer.toString(config.numItems()));
        h.put("similarity", config.similarity());
        h.put("temperature", Double.toString(config.temperature()));
        for (Map.Entry<String, String> f : facts.entrySet()) {
            String k = f.getKey();
            String v = f.getValue();
            if (h.containsKey(k)) throw new IllegalArgumentException("fact '" + k + "' would replace a header key");
            if (k.isEmpty() || k.contains("=") || k.contains("\n") || !k.strip().equals(k) || v.contains("\n")) {
                throw new IllegalArgumentException("fact '" + k + "' = '" + v + "' cannot be a header line");
            }
            h.put(k, v.strip());
        }
        h.forEach((k, v) -> header.append(k).append(" = ").append(v).append('\n'));
        TensorFile.write(file, header.toString(), ordered, shapes);
        Map<String, String> written = new LinkedHashMap<>(h);
        for (String k : REQUIRED_KEYS) {
            if (!k.equals("similarity") && !k.equals("temperature")) written.remove(k);
        }
        return new ModelInfo(config.kind(), h.get("version"), config.dim(), config.heads(), config.layers(),
                config.maxLen(), config.numItems(), fileSha256(file), written);
    }

    /** Every tensor of a serving file of this configuration with its shape, in file order. */
    public static Map<String, long[]> expectedShapes(ForwardConfig c) {
        long d = c.dim();
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("item_table", new long[] {c.numItems() + 1L, d});
        s.put("pos_emb", new long[] {c.maxLen(), d});
        for (int l = 0; l < c.layers(); l++) {
            if (c.kind().equals("sasrec")) {
                String b = "block" + l + ".";
                s.put(b + "ln_attn.g", new long[] {d});
                s.put(b + "ln_attn.b", new long[] {d});
                for (String m : new String[] {"wq", "wk", "wv", "wo"}) {
                    s.put(b + m, new long[] {d, d});
                    s.put(b + m + ".b", new long[] {d});
                }
                s.put(b + "ln_ffn.g", new long[] {d});
                s.put(b + "ln_ffn.b", new long[] {d});
                s.put(b + "ffn1", new long[] {d, d});
                s.put(b + "ffn1.b", new long[] {d});
                s.put(b + "ffn2", new long[] {d, d});
                s.put(b + "ffn2.b", new long[] {d});
            } else {
                String b = "layer" + l + ".";
                s.put(b + "ln_in.g", new long[] {d});
                s.put(b + "ln_in.b", new long[] {d});
                s.put(b + "w_uvqk", new long[] {d, 4 * d});
                s.put(b + "w_uvqk.b", new long[] {4 * d});
                s.put(b + "rel_bias", new long[] {c.maxLen()});
                s.put(b + "ln_attn.g", new long[] {d});
                s.put(b + "ln_attn.b", new long[] {d});
                s.put(b + "w_out", new long[] {d, d});
                s.put(b + "w_out.b", new long[] {d});
            }
        }
        s.put("ln_out.g", new long[] {d});
        s.put("ln_out.b", new long[] {d});
        return s;
    }

    /** {@code key = value} lines to a map, in order; other lines are ignored. */
    public static Map<String, String> parseHeader(String header) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : header.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return m;
    }

    /** The sha256 of a file's bytes, lowercase hex. */
    public static String fileSha256(Path file) throws IOException {
        MessageDigest sha = TensorFile.sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void checkTensors(Path file, ForwardConfig config, Map<String, float[]> values,
                                     Map<String, long[]> shapes) throws ModelFormatException {
        Map<String, long[]> expected = expectedShapes(config);
        String sizes = String.format(Locale.ROOT, "(kind = %s, dim = %d, heads = %d, layers = %d, max_len = %d, "
                + "num_items = %d)", config.kind(), config.dim(), config.heads(), config.layers(), config.maxLen(),
                config.numItems());
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] actual = shapes.get(e.getKey());
            if (actual == null) {
                throw new ModelFormatException(file + ": tensor '" + e.getKey() + "' is missing " + sizes);
            }
            if (!Arrays.equals(actual, e.getValue())) {
                throw new ModelFormatException(file + ": tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(actual) + ", expected " + Arrays.toString(e.getValue()) + " " + sizes);
            }
            float[] v = values.get(e.getKey());
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new ModelFormatException(file + ": tensor '" + e.getKey() + "' holds " + v[i]
                            + " at index " + i);
                }
            }
        }
        Set<String> unknown = new java.util.TreeSet<>(shapes.keySet());
        unknown.removeAll(expected.keySet());
        if (!unknown.isEmpty()) {
            throw new ModelFormatException(file + ": unknown tensors " + unknown + " for " + sizes);
        }
        float[] table = values.get("item_table");
        for (int j = 0; j < config.dim(); j++) {
            if (table[j] != 0f) {
                throw new ModelFormatException(file + ": tensor 'item_table' row 0 (padding) is not zero: "
                        + table[j] + " at column " + j);
            }
        }
    }

    private static int intKey(Path file, Map<String, String> header, String key) throws ModelFormatException {
        String v = header.get(key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ModelFormatException(file + ": header '" + key + "' = " + v + " is not an integer");
        }
    }

    private static long size(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    /** sha256 over the little-endian bytes of the tensors, in order: the identity of the weights. */
    private static String weightsSha256(Map<String, float[]> ordered) {
        MessageDigest sha = TensorFile.sha256();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        int chunk = buf.capacity() / 4;
        for (float[] v : ordered.values()) {
            for (int from = 0; from < v.length; from += chunk) {
                int n = Math.min(chunk, v.length - from);
                buf.clear();
                buf.asFloatBuffer().put(v, from, n);
                sha.update(buf.array(), 0, n * 4);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
