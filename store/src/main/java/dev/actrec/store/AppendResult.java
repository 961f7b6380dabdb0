package dev.actrec.store;

/**
 * What a durable append did.
 *
 * @param stored     actions added to users' histories
 * @param duplicates exact duplicates of an action already stored (same user, item, type, ts, watch, duration),
 *                   dropped so that retrying a batch is harmless
 * @param late       stored actions whose timestamp was older than the user's newest action at the time
 */
public record AppendResult(int stored, int duplicates, int late) {
    public static final AppendResult EMPTY = new AppendResult(0, 0, 0);

    public AppendResult plus(AppendResult o) {
        return new AppendResult(stored + o.stored, duplicates + o.duplicates, late + o.late);
    }
}
