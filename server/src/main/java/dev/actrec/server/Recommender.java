package dev.actrec.server;

import java.io.IOException;

/**
 * What the recommend and rank routes ask of a model. The popularity fallback is one; {@link ModelRecommender}
 * serves a trained model. Ids are the store's internal ids; a user of -1 is unknown (the implementation must still
 * answer). Implementations are thread-safe, and a request uses one instance from start to end, so a response never
 * mixes two models.
 */
public interface Recommender {
    /** The label put in every response: {@code popularity-fallback} or the model's version. */
    String name();

    /**
     * Writes up to {@code k} items, best first, into {@code outItems}/{@code outScores}. With {@code excludeSeen},
     * items in the user's history are left out.
     */
    Answer recommend(int user, int k, boolean excludeSeen, int[] outItems, float[] outScores) throws IOException;

    /**
     * Scores {@code items[i]} into {@code out[i]}. An item of -1 (unknown to the store) gets the lowest score the
     * recommender can give: 0 from the popularity fallback; {@code NaN} from a model, for any item it cannot score,
     * which the API reports as a {@code null} score.
     */
    Answer score(int user, int[] items, float[] out) throws IOException;

    /** Told after every durable append, with the internal item ids of the stored events. */
    default void onAppended(int[] items, int n) {
    }

    /** False while the recommender is still loading; {@code /readyz} reports it. */
    default boolean ready() {
        return true;
    }

    /**
     * How a request was answered: {@code count} items written, and by whom: {@code model} when the model scored the
     * user's history, {@code model+memory} when the user's lifelong memory added to the model's scores,
     * {@code popularity} when the user had no history the model could use.
     */
    record Answer(int count, String source) {
        public static final String MODEL = "model";
        public static final String MODEL_MEMORY = "model+memory";
        public static final String POPULARITY = "popularity";
    }
}
