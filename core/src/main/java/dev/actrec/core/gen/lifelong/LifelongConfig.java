package dev.actrec.core.gen.lifelong;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.actrec.core.gen.GenConfig;
import dev.actrec.core.gen.ItemCatalog;

import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of the {@link LifelongGenerator}: who, how long, which catalog, which seed, and the behavioural
 * {@link LifelongModel}. The config and the seed determine every event and the whole ground truth, so this record
 * (written as the JSON sidecar by {@link #toJson}) is all that {@link LifelongOracle} needs.
 *
 * <p>History lengths: with {@code lengths} non-empty, user {@code u} (1-based) gets exactly
 * {@code lengths[(u - 1) % lengths.length]} actions (round-robin buckets, e.g. 10^3, 10^4, 10^5, 10^6); otherwise
 * its length is log-uniform in {@code [minLength, maxLength]}, drawn from a hash of the seed and the user.
 *
 * @param users        number of users, ids {@code 1..users}; at least 1
 * @param minLength    shortest history (actions), at least 1; used when {@code lengths} is empty
 * @param maxLength    longest history; at least minLength and at most 2^30
 * @param lengths      per-bucket lengths (each in [1, 2^30]), or empty for the log-uniform range
 * @param items        catalog size (item ids 1..items)
 * @param categories   number of categories, in [1, items]
 * @param zipfExponent item popularity exponent, in (0, 4]
 * @param seed         random seed
 * @param startMs      epoch ms where simulated time starts
 * @param model        the behavioural parameters
 */
public record LifelongConfig(int users, int minLength, int maxLength, int[] lengths, int items, int categories,
                             double zipfExponent, long seed, long startMs, LifelongModel model) {
    /** Version of the sidecar JSON layout. */
    public static final int SIDECAR_VERSION = 1;
    public static final String SIDECAR_FORMAT = "actrec-lifelong";
    private static final int MAX_LENGTH = 1 << 30;

    public LifelongConfig {
        if (users <= 0) throw new IllegalArgumentException("users must be positive, was " + users);
        lengths = lengths == null ? new int[0] : lengths.clone();
        if (lengths.length == 0) {
            if (minLength < 1) throw new IllegalArgumentException("minLength must be positive, was " + minLength);
            if (maxLength < minLength || maxLength > MAX_LENGTH) {
                throw new IllegalArgumentException("maxLength must be in [minLength=" + minLength + ", 2^30], was " + maxLength);
            }
        } else {
            for (int l : lengths) {
                if (l < 1 || l > MAX_LENGTH) throw new IllegalArgumentException("every length must be in [1, 2^30], was " + l);
            }
            minLength = Arrays.stream(lengths).min().orElseThrow();
            maxLength = Arrays.stream(lengths).max().orElseThrow();
        }
        if (items <= 0) throw new IllegalArgumentException("items must be positive, was " + items);
        if (categories < 1 || categories > items) {
            throw new IllegalArgumentException("categories must be in [1, items=" + items + "], was " + categories);
        }
        if (!(zipfExponent > 0 && zipfExponent <= 4)) throw new IllegalArgumentException("zipfExponent must be in (0, 4], was " + zipfExponent);
        if (startMs < 0) throw new IllegalArgumentException("startMs must be non-negative, was " + startMs);
        if (model == null) throw new IllegalArgumentException("model must not be null");
        if (model.longTermInterests() > categories) {
            throw new IllegalArgumentException("model.longTermInterests must be at most categories (" + categories
                    + "), was " + model.longTermInterests());
        }
    }

    /**
     * The default number of categories: {@link GenConfig#defaultCategories(int)} (items/50 within 1..1000), but at
     * least the default number of long-term interests (12), so that every user's niches are distinct; at most items.
     */
    public static int defaultCategories(int items) {
        return Math.min(items, Math.max(LifelongModel.defaults().longTermInterests(), GenConfig.defaultCategories(items)));
    }

    /** Log-uniform lengths in [minLength, maxLength], default model, categories, exponent and start. */
    public static LifelongConfig of(int users, int minLength, int maxLength, int items, long seed) {
        return new LifelongConfig(users, minLength, maxLength, new int[0], items, defaultCategories(items),
                GenConfig.DEFAULT_ZIPF_EXPONENT, seed, GenConfig.DEFAULT_START_MS, LifelongModel.defaults());
    }

    /** Round-robin length buckets, default model, categories, exponent and start. */
    public static LifelongConfig ofBuckets(int users, int[] lengths, int items, long seed) {
        return new LifelongConfig(users, 1, 1, lengths, items, defaultCategories(items),
                GenConfig.DEFAULT_ZIPF_EXPONENT, seed, GenConfig.DEFAULT_START_MS, LifelongModel.defaults());
    }

    public LifelongConfig withCategories(int c) {
        return new LifelongConfig(users, minLength, maxLength, lengths, items, c, zipfExponent, seed, startMs, model);
    }

    public LifelongConfig withSeed(long s) {
        return new LifelongConfig(users, minLength, maxLength, lengths, items, categories, zipfExponent, s, startMs, model);
    }

    public LifelongConfig withModel(LifelongModel m) {
        return new LifelongConfig(users, minLength, maxLength, lengths, items, categories, zipfExponent, seed, startMs, m);
    }

    @Override
    public int[] lengths() {
        return lengths.clone();
    }

    /** Exact number of actions of user {@code user} (1-based). */
    public int userLength(int user) {
        if (user < 1 || user > users) throw new IllegalArgumentException("user must be in [1, " + users + "], was " + user);
        if (lengths.length > 0) return lengths[(user - 1) % lengths.length];
        double u = (ItemCatalog.mix(seed * 0x9E37_79B9_7F4A_7C15L + user * 0xD1B5_4A32_D192_ED03L) >>> 11) * 0x1.0p-53;
        long l = Math.round(minLength * StrictMath.exp(u * StrictMath.log((double) maxLength / minLength)));
        return (int) Math.max(minLength, Math.min(maxLength, l));
    }

    /** Total number of events a run writes. */
    public long totalEvents() {
        long n = 0;
        for (int u = 1; u <= users; u++) n += userLength(u);
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LifelongConfig c && users == c.users && minLength == c.minLength && maxLength == c.maxLength
                && Arrays.equals(lengths, c.lengths) && items == c.items && categories == c.categories
                && Double.compare(zipfExponent, c.zipfExponent) == 0 && seed == c.seed && startMs == c.startMs
                && model.equals(c.model);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(lengths) * 31 + java.util.Objects.hash(users, minLength, maxLength, items, categories,
                zipfExponent, seed, startMs, model);
    }

    @Override
    public String toString() {
        return "LifelongConfig[users=" + users + ", minLength=" + minLength + ", maxLength=" + maxLength + ", lengths="
                + Arrays.toString(lengths) + ", items=" + items + ", categories=" + categories + ", zipfExponent="
                + zipfExponent + ", seed=" + seed + ", startMs=" + startMs + ", model=" + model + "]";
    }

    /**
     * The sidecar: one JSON object {@code {"format": "actrec-lifelong", "version": 1, "config": {...}, "model":
     * {...}, ...extra}} where config holds this record's scalar fields and lengths, and model every
     * {@link LifelongModel} field by name. {@code extra} (e.g. events, data file, sha256) is written after, as
     * strings or numbers.
     */
    public String toJson(Map<String, Object> extra) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("format", SIDECAR_FORMAT);
            g.writeNumberField("version", SIDECAR_VERSION);
            g.writeObjectFieldStart("config");
            g.writeNumberField("users", users);
            g.writeNumberField("minLength", minLength);
            g.writeNumberField("maxLength", maxLength);
            g.writeArrayFieldStart("lengths");
            for (int l : lengths) g.writeNumber(l);
            g.writeEndArray();
            g.writeNumberField("items", items);
            g.writeNumberField("categories", categories);
            g.writeNumberField("zipfExponent", zipfExponent);
            g.writeNumberField("seed", seed);
            g.writeNumberField("startMs", startMs);
            g.writeEndObject();
            g.writeObjectFieldStart("model");
            for (RecordComponent rc : LifelongModel.class.getRecordComponents()) {
                Object v = rc.getAccessor().invoke(model);
                if (v instanceof Integer i) g.writeNumberField(rc.getName(), i);
                else g.writeNumberField(rc.getName(), (Double) v);
            }
            g.writeEndObject();
            for (Map.Entry<String, Object> e : extra.entrySet()) {
                if (e.getValue() instanceof Number n) {
                    if (n instanceof Double d) g.writeNumberField(e.getKey(), d);
                    else g.writeNumberField(e.getKey(), n.longValue());
                } else {
                    g.writeStringField(e.getKey(), String.valueOf(e.getValue()));
                }
            }
            g.writeEndObject();
        } catch (IOException | ReflectiveOperationException e) {
            throw new IllegalStateException("cannot write the sidecar JSON", e);
        }
        return w.toString() + "\n";
    }

    /** Reads a sidecar written by {@link #toJson}; unknown top-level fields are ignored. */
    public static LifelongConfig fromJson(String json) throws IOException {
        Map<String, Object> cfg = new LinkedHashMap<>();
        Map<String, Object> mdl = new LinkedHashMap<>();
        String format = null;
        long version = -1;
        try (JsonParser p = new JsonFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("sidecar: expected a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "format" -> format = p.getText();
                    case "version" -> version = p.getLongValue();
                    case "config" -> readObject(p, cfg);
                    case "model" -> readObject(p, mdl);
                    default -> p.skipChildren();
                }
                assert t != null;
            }
        }
        if (!SIDECAR_FORMAT.equals(format)) throw new IOException("sidecar: format must be " + SIDECAR_FORMAT + ", was " + format);
        if (version != SIDECAR_VERSION) throw new IOException("sidecar: unsupported version " + version + " (this build reads " + SIDECAR_VERSION + ")");
        RecordComponent[] rcs = LifelongModel.class.getRecordComponents();
        Object[] args = new Object[rcs.length];
        Class<?>[] types = new Class<?>[rcs.length];
        for (int i = 0; i < rcs.length; i++) {
            Object v = mdl.get(rcs[i].getName());
            if (!(v instanceof Number n)) throw new IOException("sidecar: model." + rcs[i].getName() + " is missing");
            types[i] = rcs[i].getType();
            args[i] = types[i] == int.class ? (Object) n.intValue() : (Object) n.doubleValue();
        }
        LifelongModel model;
        try {
            model = LifelongModel.class.getDeclaredConstructor(types).newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IOException("sidecar: invalid model: " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        @SuppressWarnings("unchecked")
        List<Number> ls = (List<Number>) cfg.getOrDefault("lengths", List.of());
        try {
            return new LifelongConfig(num(cfg, "users").intValue(), num(cfg, "minLength").intValue(),
                    num(cfg, "maxLength").intValue(), ls.stream().mapToInt(Number::intValue).toArray(),
                    num(cfg, "items").intValue(), num(cfg, "categories").intValue(),
                    num(cfg, "zipfExponent").doubleValue(), num(cfg, "seed").longValue(),
                    num(cfg, "startMs").longValue(), model);
        } catch (IllegalArgumentException e) {
            throw new IOException("sidecar: invalid config: " + e.getMessage(), e);
        }
    }

    private static Number num(Map<String, Object> m, String k) throws IOException {
        if (!(m.get(k) instanceof Number n)) throw new IOException("sidecar: config." + k + " is missing");
        return n;
    }

    private static void readObject(JsonParser p, Map<String, Object> into) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) throw new IOException("sidecar: expected an object at " + p.currentName());
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                List<Number> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) l.add(p.getNumberValue());
                into.put(k, l);
            } else if (t.isNumeric()) {
                into.put(k, p.getNumberValue());
            } else {
                p.skipChildren();
            }
        }
    }
}
