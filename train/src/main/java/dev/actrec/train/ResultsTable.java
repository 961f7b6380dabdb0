package dev.actrec.train;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders {@code docs/results.md}'s table from runs' {@code metrics.json} files, next to the published numbers the
 * project compares with (all full ranking, leave-one-out, the user's earlier items masked, as in their sources).
 */
public final class ResultsTable {

    /** A published figure: data file stem, model, source, HR@10, NDCG@10, HR@20, NDCG@20 (NaN = not given). */
    public record Published(String dataset, String model, String source, double hr10, double ndcg10, double hr20,
                            double ndcg20) {}

    public static final List<Published> PUBLISHED = List.of(
            new Published("ml-1m", "SASRec", "HSTU repository table (sampled softmax, 128 negatives)", .2853, .1603,
                    Double.NaN, Double.NaN),
            new Published("ml-1m", "HSTU-large", "HSTU repository table", .3294, .1893, Double.NaN, Double.NaN),
            new Published("ml-1m", "ACT target", "issue 3", .34, .20, Double.NaN, Double.NaN),
            new Published("Beauty", "SASRec", "TIGER paper table", .0605, .0318, Double.NaN, Double.NaN),
            new Published("Beauty", "TIGER", "TIGER paper table", Double.NaN, .0384, Double.NaN, Double.NaN),
            new Published("Beauty", "MCLRec", "MCLRec paper table", Double.NaN, Double.NaN, .1243, .0539),
            new Published("Beauty", "ACT target", "issue 3", Double.NaN, .045, .13, .056));

    private ResultsTable() {}

    /** Markdown: our runs (one row per metrics file) then the published rows of the same data sets. */
    public static String markdown(List<Path> metricsFiles) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("| data | model | source | mask | HR@10 | NDCG@10 | HR@20 | NDCG@20 | epochs (best) | train min "
                + "| seq/s |\n");
        sb.append("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        List<String> datasets = new ArrayList<>();
        for (Path f : metricsFiles) {
            Map<String, Object> m = read(f);
            String ds = stem(String.valueOf(m.get("dataset")));
            if (!datasets.contains(ds)) datasets.add(ds);
            for (boolean mask : new boolean[] {true, false}) {
                @SuppressWarnings("unchecked")
                Map<String, Object> t = (Map<String, Object>) m.get(mask ? "test_mask_seen" : "test_no_mask");
                sb.append(String.format(Locale.ROOT, "| %s | %s | this project (%s) | %s | %s | %s | %s | %s | %s (%s) "
                                + "| %.1f | %,.0f |%n", ds, m.get("model"), f.getParent().getFileName(),
                        mask ? "yes" : "no", num(t.get("HR@10")), num(t.get("NDCG@10")), num(t.get("HR@20")),
                        num(t.get("NDCG@20")), whole(m.get("epochs")), whole(m.get("best_epoch")),
                        ((Number) m.get("training_wall_seconds")).doubleValue() / 60,
                        ((Number) m.get("mean_sequences_per_second")).doubleValue()));
            }
        }
        for (Published p : PUBLISHED) {
            if (!datasets.contains(p.dataset())) continue;
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | yes | %s | %s | %s | %s | | | |%n", p.dataset(),
                    p.model(), p.source(), num(p.hr10()), num(p.ndcg10()), num(p.hr20()), num(p.ndcg20())));
        }
        return sb.toString();
    }

    private static String num(Object o) {
        if (o == null) return "";
        double v = ((Number) o).doubleValue();
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String whole(Object o) {
        return o == null ? "" : Long.toString(Math.round(((Number) o).doubleValue()));
    }

    private static String stem(String path) {
        String n = Path.of(path).getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** Reads a JSON object into maps, lists, strings, doubles, booleans and nulls. */
    public static Map<String, Object> read(Path file) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException(file + ": expected a JSON object");
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) value(p);
            return m;
        }
    }

    private static Object value(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    p.nextToken();
                    m.put(k, value(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) l.add(value(p));
                return l;
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return true;
            }
            case VALUE_FALSE -> {
                return false;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> {
                return p.getText();
            }
        }
    }
}
