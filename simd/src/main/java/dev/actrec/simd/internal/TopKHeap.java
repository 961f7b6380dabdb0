package dev.actrec.simd.internal;

/**
 * A bounded binary heap of (index, score) pairs kept in two caller-owned parallel arrays, shared by both top-k
 * implementations so that they rank identically.
 *
 * <p>The root {@code [0]} is the <em>worst</em> pair kept, so a new score only has to beat the root to get in.
 * "Worse" means a lower score by {@link Float#compare}, or an equal score with a higher index. Once the scan is
 * over, {@link #sortDescending} heap-sorts the same arrays in place into the final order: best first.
 */
final class TopKHeap {

  private TopKHeap() {}

  /** Is (scoreA, idxA) ranked below (scoreB, idxB)? */
  static boolean worse(float scoreA, int idxA, float scoreB, int idxB) {
    int c = Float.compare(scoreA, scoreB);
    return c < 0 || (c == 0 && idxA > idxB);
  }

  /**
   * Offers one pair to a heap of {@code size} pairs that may grow to {@code k}; returns the new size. The caller
   * guarantees {@code k >= 1} and that both arrays hold at least {@code k} slots.
   */
  static int offer(int[] idx, float[] scores, int size, int k, int i, float s) {
    assert k >= 1 && size <= k;
    if (size < k) {
      siftUp(idx, scores, size, i, s);
      return size + 1;
    }
    if (!worse(scores[0], idx[0], s, i)) {
      return size; // not better than the worst one kept
    }
    siftDown(idx, scores, size, 0, i, s);
    return size;
  }

  /** Turns the heap in {@code [0, size)} into a list sorted best first. */
  static void sortDescending(int[] idx, float[] scores, int size) {
    for (int end = size - 1; end > 0; end--) {
      // Move the worst remaining pair (the root) to the end, then re-heap what is left without it.
      int lastIdx = idx[end];
      float lastScore = scores[end];
      idx[end] = idx[0];
      scores[end] = scores[0];
      siftDown(idx, scores, end, 0, lastIdx, lastScore);
    }
  }

  /** Places (i, s) at slot {@code pos} of a heap of {@code size} and moves it up while it is worse than its parent. */
  private static void siftUp(int[] idx, float[] scores, int pos, int i, float s) {
    while (pos > 0) {
      int parent = (pos - 1) >>> 1;
      if (!worse(s, i, scores[parent], idx[parent])) {
        break;
      }
      idx[pos] = idx[parent];
      scores[pos] = scores[parent];
      pos = parent;
    }
    idx[pos] = i;
    scores[pos] = s;
  }

  /** Places (i, s) at slot {@code pos} of a heap of {@code size} and moves it down while a child is worse. */
  private static void siftDown(int[] idx, float[] scores, int size, int pos, int i, float s) {
    int child;
    while ((child = 2 * pos + 1) < size) {
      int right = child + 1;
      if (right < size && worse(scores[right], idx[right], scores[child], idx[child])) {
        child = right;
      }
      if (!worse(scores[child], idx[child], s, i)) {
        break;
      }
      idx[pos] = idx[child];
      scores[pos] = scores[child];
      pos = child;
    }
    idx[pos] = i;
    scores[pos] = s;
  }
}
