package dev.actrec.core.gen.lifelong;

import dev.actrec.core.ActionType;
import dev.actrec.core.gen.ItemCatalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The ground truth of a lifelong data set, recomputed from its config and seed (no truth is stored): for a user and
 * a position (0-based index into that user's actions), the exact distribution of the item of that action given
 * all the ones before it, and of its action type given the item. It replays the user's {@link UserSimulator}, the
 * code that generated the data, so it is exact by construction; it knows the latent state (active interests,
 * session focus, favourites), which is what makes it an upper bound for every method.
 *
 * <p>Costs: a query replays the user up to the position, about 10^6 actions per second; {@link #evaluate} replays
 * each user once. Items are addressed by external id here (1..items); arrays over the catalog are indexed by
 * {@code id - 1}. Immutable and thread-safe (each call replays with its own simulator).
 */
public final class LifelongOracle {
    /** The default positive types of the action head: long_view or stronger. */
    public static final Set<ActionType> ENGAGED = EnumSet.of(ActionType.LONG_VIEW, ActionType.LIKE,
            ActionType.COMMENT, ActionType.SHARE, ActionType.FOLLOW, ActionType.PURCHASE);

    /** Receives each held-out position of {@link #forEachHeldOut}. */
    @FunctionalInterface
    public interface HeldOutVisitor {
        /**
         * @param user          user id
         * @param position      index of the action in the user's history
         * @param itemProbByRank true next-item distribution, indexed by catalog rank (reused; copy to keep)
         * @param actualRank    rank of the item that was generated there
         * @param actualType    code of the type that was generated
         * @param typeProb      true type distribution for the actual item, by type code (reused)
         * @param expectedWatch true expected watch time for the actual item, as a fraction of its duration
         */
        void visit(int user, int position, double[] itemProbByRank, int actualRank, byte actualType, double[] typeProb,
                   double expectedWatch);
    }

    private final LifelongConfig config;
    private final ItemCatalog catalog;

    public LifelongOracle(LifelongConfig config) {
        this.config = config;
        this.catalog = LifelongGenerator.catalogOf(config);
    }

    /** The oracle of a data set from its sidecar JSON (written by {@code actrec gen lifelong}). */
    public static LifelongOracle fromSidecar(Path sidecar) throws IOException {
        return new LifelongOracle(LifelongConfig.fromJson(Files.readString(sidecar)));
    }

    public LifelongConfig config() { return config; }

    public ItemCatalog catalog() { return catalog; }

    /** True probability of each item (index {@code id - 1}) being the item of action {@code position} of {@code user}. */
    public double[] nextItemProbabilities(int user, int position) {
        UserSimulator sim = at(user, position);
        double[] byRank = new double[catalog.size()];
        sim.nextItemProbabilities(byRank);
        double[] byId = new double[byRank.length];
        for (int r = 0; r < byRank.length; r++) byId[catalog.itemId(r) - 1] = byRank[r];
        return byId;
    }

    /** True distribution of the type (index: type code) of action {@code position} if its item is {@code itemId}. */
    public double[] actionProbabilities(int user, int position, int itemId) {
        int rank = catalog.rankOf(itemId);
        double[] out = new double[ActionType.COUNT];
        at(user, position).typeProbabilities(rank, out);
        return out;
    }

    public double actionProbability(int user, int position, int itemId, ActionType type) {
        return actionProbabilities(user, position, itemId)[type.code()];
    }

    /** Visits the last {@code lastK} positions of every user accepted by {@code users} (all of a shorter user). */
    public void forEachHeldOut(int lastK, IntPredicate users, HeldOutVisitor visitor) {
        if (lastK <= 0) throw new IllegalArgumentException("lastK must be positive, was " + lastK);
        double[] byRank = new double[catalog.size()];
        double[] typeProb = new double[ActionType.COUNT];
        for (int u = 1; u <= config.users(); u++) {
            if (!users.test(u)) continue;
            UserSimulator sim = new UserSimulator(config, catalog, u);
            sim.advanceTo(Math.max(0, sim.length() - lastK));
            while (sim.position() < sim.length()) visitNext(sim, byRank, typeProb, visitor);
        }
    }

    /**
     * Visits the given positions of one user, replaying it once; {@code positions} must be strictly increasing and
     * within the user's history.
     */
    public void forEachPosition(int user, int[] positions, HeldOutVisitor visitor) {
        double[] byRank = new double[catalog.size()];
        double[] typeProb = new double[ActionType.COUNT];
        UserSimulator sim = new UserSimulator(config, catalog, user);
        int previous = -1;
        for (int pos : positions) {
            if (pos <= previous || pos >= sim.length()) {
                throw new IllegalArgumentException("positions must increase within [0, " + sim.length() + ") for user "
                        + user + ", got " + pos + " after " + previous);
            }
            sim.advanceTo(pos);
            visitNext(sim, byRank, typeProb, visitor);
            previous = pos;
        }
    }

    /**
     * Up to {@code max} positions in {@code [from, to)} of one user at which
     * {@link UserSimulator#interestReturnedWithin interestReturnedWithin(within)} holds, increasing and spread evenly
     * over all such positions (so over every return of an interest, not only the last): positions chosen by the
     * latent state before each action, never by the action itself.
     */
    public int[] returnPositions(int user, int within, int from, int to, int max) {
        UserSimulator sim = new UserSimulator(config, catalog, user);
        if (from < 0 || from > to || to > sim.length() || max < 0) {
            throw new IllegalArgumentException("need 0 <= from <= to <= " + sim.length() + " and max >= 0 for user " + user
                    + ", got from " + from + ", to " + to + ", max " + max);
        }
        int[] all = new int[64];
        int found = 0;
        sim.advanceTo(from);
        while (sim.position() < to) {
            if (sim.interestReturnedWithin(within)) {
                if (found == all.length) all = Arrays.copyOf(all, 2 * found);
                all[found++] = sim.position();
            }
            sim.step();
        }
        int n = Math.min(found, max);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = all[(int) ((i + 0.5) * found / n)];
        return out;
    }

    private static void visitNext(UserSimulator sim, double[] byRank, double[] typeProb, HeldOutVisitor visitor) {
        int pos = sim.position();
        sim.nextItemProbabilities(byRank);
        sim.step();
        sim.lastTypeProbabilities(typeProb);
        visitor.visit(sim.user(), pos, byRank, sim.lastRank(), sim.lastType(), typeProb, sim.lastExpectedWatchFraction());
    }

    /** {@link #evaluate(int, int, Set, IntPredicate)} at top 10, positive = {@link #ENGAGED}, every user. */
    public OracleMetrics evaluate(int lastK) {
        return evaluate(lastK, 10, ENGAGED, u -> true);
    }

    /** Oracle HR@topK, NDCG@topK and action AUC over the last {@code lastK} actions of the accepted users. */
    public OracleMetrics evaluate(int lastK, int topK, Set<ActionType> positive, IntPredicate users) {
        if (topK <= 0) throw new IllegalArgumentException("topK must be positive, was " + topK);
        boolean[] isPositive = new boolean[ActionType.COUNT];
        for (ActionType t : positive) isPositive[t.code()] = true;
        double[] acc = new double[2]; // hits, ndcg sum
        long[] n = new long[1];
        double[][] scored = {new double[1024]};
        boolean[][] labels = {new boolean[1024]};
        forEachHeldOut(lastK, users, (u, pos, p, actual, type, typeProb, watch) -> {
            int rank = rankOf(p, actual);
            if (rank < topK) {
                acc[0]++;
                acc[1] += 1 / (Math.log(rank + 2) / Math.log(2));
            }
            double score = 0;
            for (int t = 0; t < typeProb.length; t++) if (isPositive[t]) score += typeProb[t];
            int i = (int) n[0]++;
            if (i == scored[0].length) {
                scored[0] = Arrays.copyOf(scored[0], 2 * i);
                labels[0] = Arrays.copyOf(labels[0], 2 * i);
            }
            scored[0][i] = score;
            labels[0][i] = isPositive[type];
        });
        int count = (int) n[0];
        int pos = 0;
        for (int i = 0; i < count; i++) if (labels[0][i]) pos++;
        return new OracleMetrics(count, topK, count == 0 ? 0 : acc[0] / count, count == 0 ? 0 : acc[1] / count,
                auc(scored[0], labels[0], count), count == 0 ? 0 : (double) pos / count);
    }

    /** 0-based rank of {@code target} by descending score: the number of entries strictly above it. */
    public static int rankOf(double[] scores, int target) {
        double s = scores[target];
        int above = 0;
        for (double v : scores) if (v > s) above++;
        return above;
    }

    /** ROC AUC of the first n (score, label) pairs, ties counted one half (Mann-Whitney with mid-ranks); NaN without both classes. */
    public static double auc(double[] score, boolean[] label, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
        double rankSumPos = 0;
        long nPos = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && score[order[j]] == score[order[i]]) j++;
            double midRank = (i + 1 + j) / 2.0; // 1-based ranks i+1 .. j
            for (int k = i; k < j; k++) {
                if (label[order[k]]) {
                    rankSumPos += midRank;
                    nPos++;
                }
            }
            i = j;
        }
        long nNeg = n - nPos;
        if (nPos == 0 || nNeg == 0) return Double.NaN;
        return (rankSumPos - nPos * (nPos + 1) / 2.0) / ((double) nPos * nNeg);
    }

    private UserSimulator at(int user, int position) {
        UserSimulator sim = new UserSimulator(config, catalog, user);
        if (position < 0 || position >= sim.length()) {
            throw new IllegalArgumentException("position must be in [0, " + sim.length() + ") for user " + user + ", was " + position);
        }
        sim.advanceTo(position);
        return sim;
    }
}
