package dev.actrec.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.actrec.core.gen.lifelong.LifelongConfig;
import dev.actrec.core.gen.lifelong.LifelongModel;
import dev.actrec.model.lifelong.AttentionConfig;
import dev.actrec.model.lifelong.ItemEmbeddings;
import dev.actrec.model.lifelong.LifelongScorer;
import dev.actrec.model.lifelong.MemoryConfig;
import dev.actrec.train.ReadoutTrainer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lifelong benchmark runs end to end on a tiny setup; its figures are not checked, their presence is. */
class LifelongBenchmarkSmokeTest {
    /** Every method of the family and the oracle. */
    private static final List<String> LABELS = Stream.concat(Arrays.stream(LifelongScorer.Method.values())
            .map(LifelongScorer.Method::label), Stream.of("oracle")).toList();

    @TempDir
    Path dir;

    @Test
    void everyMethodHasItsMetricsAndActionHeads() throws Exception {
        ItemEmbeddings.Config d = ItemEmbeddings.Config.defaults(3);
        ItemEmbeddings.Config e = new ItemEmbeddings.Config(16, d.window(), d.negatives(), 1, d.learningRate(), 3);
        int items = 300;
        LifelongBenchmark.Config cfg = new LifelongBenchmark.Config(dir, new int[] {400}, new int[] {8}, items,
                LifelongConfig.defaultCategories(items), 3, 10, 60, 10, 10, 50, 3, 10_000, e,
                MemoryConfig.defaults().withTokens(32), new AttentionConfig(0.03f, 1, 0.03f, 1, 0.5f, 200, 100),
                // phases short enough for interests to go dormant and come back within 400 actions
                LifelongModel.defaults().withPhases(40, 80, 60, 120).withFavourites(0.3, 20),
                20, new ReadoutTrainer.Settings(2, 0, 16, 31, 16, 0.01, 0.01, 3));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            new LifelongBenchmark(cfg, m -> { }).run(g);
        }
        String json = out.toString(StandardCharsets.UTF_8);
        for (String method : LABELS) {
            assertTrue(json.contains("\"" + method + "\":{\"hr10\":"), method + " missing from " + json);
        }
        // every method and the oracle: one head per type; skips are common, so every skip head is fitted and scored
        Matcher heads = Pattern.compile("\"typeHeads\":\\{\"skip\":\\{\"auc\":[0-9.]+,\"testPositives\":[1-9][0-9]*},"
                + "\"long_view\":\\{\"auc\":(null|[0-9.]+),\"testPositives\":[0-9]+},"
                + "\"like\":\\{\"auc\":(null|[0-9.]+),\"testPositives\":[0-9]+},"
                + "\"comment\":\\{\"auc\":(null|[0-9.]+),\"testPositives\":[0-9]+},"
                + "\"share\":\\{\"auc\":(null|[0-9.]+),\"testPositives\":[0-9]+},"
                + "\"follow\":\\{\"auc\":(null|[0-9.]+),\"testPositives\":[0-9]+},"
                + "\"purchase\":\\{\"auc\":(null|[0-9.]+),\"testPositives\":[0-9]+}}").matcher(json);
        int found = 0;
        while (heads.find()) found++;
        assertEquals(LABELS.size(), found, json);
        // every method and the oracle: a watch-time head with a finite R² and an RMSE within [0, 1]; and the floor
        Matcher watch = Pattern.compile("\"watchTime\":\\{\"r2\":-?[0-9.]+(E-?[0-9]+)?,\"rmse\":0\\.[0-9]+}").matcher(json);
        found = 0;
        while (watch.find()) found++;
        assertEquals(LABELS.size(), found, json);
        assertTrue(json.contains("\"watchTimeFloor\":{\"r2\":"), json);
        String shares = "\\{\"window\":[0-9.]+,\"older\":[0-9.]+,\"never\":[0-9.]+}";
        assertTrue(Pattern.compile("\"testRecurrence\":" + shares).matcher(json).find(), json);
        // the returning-interest slice, with positions and every method and the oracle scored on them
        String slice = objectAfter(json, "\"returningInterest\":");
        Matcher m = Pattern.compile("^\\{\"users\":([0-9]+),\"positions\":([0-9]+),\"recurrence\":" + shares
                + ",\"methods\":\\{").matcher(slice);
        assertTrue(m.find(), slice);
        assertTrue(Integer.parseInt(m.group(1)) > 0 && Integer.parseInt(m.group(2)) >= Integer.parseInt(m.group(1)), slice);
        for (String method : LABELS) {
            String scored = member(objectAfter(slice, "\"methods\":"), method);
            assertTrue(scored.startsWith("{\"hr10\":{\"mean\":"), method + " in " + slice);
            assertTrue(Pattern.compile("\"hr10ByRecurrence\":\\{\"window\":(null|[0-9.]+),\"older\":(null|[0-9.]+),"
                    + "\"never\":(null|[0-9.]+)}").matcher(scored).find(), method + " by recurrence in " + scored);
        }
        for (String memory : List.of("act_memory", "act_trained")) {
            assertPairedDifferences(objectAfter(slice, "\"methods\":"), memory, "hr10MinusOthers", "hr10");
        }
        int afterSlice = json.indexOf("\"returningInterest\":" + slice) + "\"returningInterest\":".length() + slice.length();
        String methods = objectAfter(json.substring(afterSlice), "\"methods\":");
        for (String memory : List.of("act_memory", "act_trained")) {
            assertPairedDifferences(methods, memory, "hr10MinusOthers", "hr10");
            assertPairedDifferences(methods, memory, "gaucMinusOthers", "gauc");
        }
        // how act_trained's readout was trained: losses per epoch (the start first) and the epoch kept
        String readout = member(json, "actTrainedReadout");
        Matcher r = Pattern.compile("\"bestEpoch\":([0-2]),.*\"validationLoss\":\\[([0-9.]+),([0-9.]+),([0-9.]+)]").matcher(readout);
        assertTrue(r.find(), readout);
        int best = Integer.parseInt(r.group(1));
        for (int epoch = 0; epoch <= 2; epoch++) {
            assertTrue(Double.parseDouble(r.group(2 + best)) <= Double.parseDouble(r.group(2 + epoch)), "kept the lowest loss: " + readout);
        }
    }

    /**
     * act_memory's paired differences of {@code metric} name every other row, and each mean is the difference of the
     * two means (every row is averaged over the same users).
     */
    private static void assertPairedDifferences(String methods, String self, String field, String metric) {
        String act = member(methods, self);
        String paired = member(act, field);
        double own = mean(member(act, metric));
        for (String other : LABELS) {
            if (other.equals(self)) continue;
            String diff = member(paired, other);
            double expected = own - mean(member(member(methods, other), metric));
            assertEquals(expected, mean(diff), 2e-4, other + " in " + paired);
            assertTrue(diff.contains("\"ci95\":["), diff);
        }
    }

    private static double mean(String metric) {
        Matcher m = Pattern.compile("^\\{\"mean\":(-?[0-9.]+(E-?[0-9]+)?)").matcher(metric);
        assertTrue(m.find(), metric);
        return Double.parseDouble(m.group(1));
    }

    /** The object value of {@code key} among the direct members of the JSON object {@code object}. */
    private static String member(String object, String key) {
        String quoted = "\"" + key + "\":";
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < object.length(); i++) {
            char c = object.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            } else if (c == '"') {
                if (depth == 1 && object.startsWith(quoted + "{", i)) return objectAfter(object.substring(i), quoted);
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            }
        }
        throw new AssertionError(key + " is not a member of " + object);
    }

    /** The JSON object that first follows {@code key} in {@code json} (a string value is skipped), braces matched. */
    private static String objectAfter(String json, String key) {
        int start = json.indexOf(key);
        while (start >= 0 && !json.startsWith("{", start + key.length())) start = json.indexOf(key, start + 1);
        assertTrue(start >= 0, key + " missing from " + json);
        start += key.length();
        int depth = 0;
        for (int i = start; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '{') depth++;
            if (c == '}' && --depth == 0) return json.substring(start, i + 1);
        }
        throw new AssertionError("unbalanced object after " + key);
    }
}
