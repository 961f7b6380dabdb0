package dev.actrec.train;

import dev.actrec.core.dataset.SequenceDataset;

/**
 * The leave-one-out split of a next-item data set, by index arithmetic on the ragged arrays (no copies): for a user
 * with n items, item n-1 is the test target, item n-2 the validation target, items 0..n-3 the training prefix.
 * Training pairs are (prefix[t], prefix[t+1]); validation ranks item n-2 given items 0..n-3; test ranks item n-1
 * given items 0..n-2.
 */
public final class LeaveOneOut {
    public enum Split { VALIDATION, TEST }

    private LeaveOneOut() {}

    /** Number of history items that precede the target of a split, or -1 when the user has no such target. */
    public static int historyLength(SequenceDataset data, int user, Split split) {
        int n = data.length(user);
        int cut = split == Split.TEST ? n - 1 : n - 2;
        return cut >= 1 ? cut : -1;
    }

    /** Number of training items (the prefix before the validation target); fewer than 2 means no training pair. */
    public static int trainLength(SequenceDataset data, int user) {
        return Math.max(0, data.length(user) - 2);
    }
}
