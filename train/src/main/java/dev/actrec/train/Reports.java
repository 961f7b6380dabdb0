package dev.actrec.train;

import dev.actrec.core.dataset.SequenceDataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON objects printed by {@code actrec eval --json} and written as a run's {@code metrics.json}. */
public final class Reports {
    private Reports() {}

    /** The evaluation report: one split, one masking convention. */
    public static Map<String, Object> evaluation(SequenceDataset data, TrainConfig config, Map<String, String> facts,
                                                 String split, boolean maskSeen, RankingMetrics metrics) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", config.model());
        m.put("dataset", data.source());
        m.put("dataset_sha256", data.sha256());
        m.put("trained_on_sha256", facts.get("dataset_sha256"));
        m.put("protocol", "leave-one-out, full ranking over all " + data.numItems() + " items, ties count against "
                + "the target");
        m.put("split", split);
        m.put("mask_seen", maskSeen);
        m.put("users_evaluated", metrics.users());
        m.put("metrics", metrics.asMap());
        m.put("seed", config.seed());
        m.put("epochs", parseInt(facts.get("epochs")));
        m.put("best_epoch", parseInt(facts.get("best_epoch")));
        m.put("training_wall_seconds", parseDouble(facts.get("wall_seconds")));
        m.put("config", typed(config));
        return m;
    }

    /** The config as JSON values: numbers and booleans typed, the rest strings. */
    static Map<String, Object> typed(TrainConfig config) {
        Map<String, Object> m = new LinkedHashMap<>();
        config.toMap().forEach((k, v) -> {
            Object o = v;
            if (v.equals("true") || v.equals("false")) {
                o = Boolean.valueOf(v);
            } else if (v.matches("-?[0-9]+")) {
                o = Long.valueOf(v);
            } else if (v.matches("-?[0-9]*\\.[0-9]+(E-?[0-9]+)?")) {
                o = Double.valueOf(v);
            }
            m.put(k, o);
        });
        return m;
    }

    /** The end-of-training report: test metrics with and without masking, validation at the best epoch, history. */
    public static Map<String, Object> training(SequenceDataset data, TrainConfig config, Trainer.Result r,
                                               String command) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", config.model());
        m.put("dataset", data.source());
        m.put("dataset_sha256", data.sha256());
        m.put("command", command);
        m.put("protocol", "leave-one-out, full ranking over all " + data.numItems() + " items, ties count against "
                + "the target; model selection on validation NDCG@10 (mask_seen=" + config.maskSeen() + ")");
        m.put("users_evaluated", r.test().masked().users());
        m.put("test_mask_seen", r.test().masked().asMap());
        m.put("test_no_mask", r.test().unmasked().asMap());
        m.put("validation_at_best", r.validation());
        m.put("seed", config.seed());
        m.put("epochs", r.epochsRun());
        m.put("best_epoch", r.bestEpoch());
        m.put("training_wall_seconds", r.wallSeconds());
        m.put("seconds_to_best_epoch", r.secondsToBest());
        double seqs = 0;
        double secs = 0;
        List<Map<String, Object>> hist = new ArrayList<>();
        for (EpochRecord e : r.history()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", e.epoch());
            row.put("loss", e.loss());
            row.put("sequences_per_second", e.sequencesPerSecond());
            row.put("seconds", e.seconds());
            row.put("val_ndcg10", e.valNdcg10());
            row.put("val_hr10", e.valHr10());
            hist.add(row);
            seqs += e.sequencesPerSecond() * e.seconds();
            secs += e.seconds();
        }
        m.put("mean_sequences_per_second", secs > 0 ? seqs / secs : 0.0);
        m.put("config", typed(config));
        m.put("history", hist);
        return m;
    }

    private static Integer parseInt(String s) {
        return s == null ? null : Integer.valueOf(s);
    }

    private static Double parseDouble(String s) {
        return s == null ? null : Double.valueOf(s);
    }
}
