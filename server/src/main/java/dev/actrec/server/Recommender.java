package dev.actrec.server;

import java.io.IOException;

/**
 * What the recommend and rank routes ask of a model. The popularity fallback implements it until a trained model
 * exists; a model-based ranker replaces it without touching the HTTP layer. Ids are the store's internal ids;
 * a user of -1 is unknown (the implementation must still answer). Implementations are thread-safe.
 */
public interface Recommender {
    /** The label put in every response, e.g. {@code popularity-fallback} or a model name and version. */
    String name();

    /**
     * Writes up to {@code k} items, best first, into {@code outItems}/{@code outScores} and returns how many.
     * With {@code excludeSeen}, items in the user's history are left out.
     */
    int recommend(int user, int k, boolean excludeSeen, int[] outItems, float[] outScores) throws IOException;

    /** Scores {@code items[i]} into {@code out[i]}; an item of -1 (unknown to the store) gets the lowest score. */
    void score(int user, int[] items, float[] out) throws IOException;

    /** Told after every durable append, with the internal item ids of the stored events. */
    default void onAppended(int[] items, int n) {
    }

    /** False while the recommender is still loading; {@code /readyz} reports it. */
    default boolean ready() {
        return true;
    }
}
