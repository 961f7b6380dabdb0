package dev.actrec.model.lifelong;

import dev.actrec.simd.VectorKernels;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * ACT lifelong memory v0: one user's whole history summarised into at most M memory tokens plus the recent window
 * of raw actions, maintained incrementally as actions arrive (nearline), in O(M·d + H) time per action and a fixed
 * number of bytes per user whatever the history length.
 *
 * <h2>What a token holds</h2>
 * An action enters the tokens when it leaves the recent window. It joins the token whose unit centroid is nearest
 * to its item vector (cosine), or opens a new token while fewer than M are used and the best cosine is below
 * {@link MemoryConfig#joinCosine()} (online leader clustering; tokens are never merged or split, so the update is
 * a single pass). A token keeps
 * <ul>
 *   <li>{@code sum}: Σ w·e over its actions (w = the action type's weight, e = the item's unit vector), and the
 *   unit centroid derived from it;</li>
 *   <li>{@code mass} Σ w, {@code count}, and the last time (ms) it absorbed an action;</li>
 *   <li>H heavy hitters: Space-Saving counters (Metwally et al. 2005) over the exact item ids it absorbed, each with
 *   its weighted count and over-estimation error; {@code count - error} is a guaranteed lower bound of that item's
 *   mass, which is what lets the scorer treat re-consumed items exactly and the rest of the mass by the
 *   centroid.</li>
 * </ul>
 * Exact equality of incremental and rebuilt memories holds by construction: the state is a pure function of the
 * sequence of appended (item, type, time), folded in order with the same float operations; serializing and reading
 * back restores the same floats (derived centroids are recomputed by the same code).
 *
 * <h2>Not trained</h2>
 * v0 is a fixed summarisation rule over given item vectors; nothing in it is learned end to end with a ranking model
 * (issue 5 asks for that; it is missing).
 *
 * <h2>Byte layout ({@link #serialize()}, big-endian)</h2>
 * <pre>
 * int magic 'ACLM' | int version (1) | int dim | int M | int H | int window | long embeddings fingerprint
 * long actions appended | int tokens used | int window fill
 * window fill × (int item | byte type | long tsMs)            oldest first
 * used × (float mass | int count | long lastSeenMs | dim × float sum | H × (int item | float count | float error))
 * int CRC32C of every byte before it
 * </pre>
 * Item -1 marks an empty heavy-hitter slot. Not thread-safe: one writer per user (the nearline updater).
 */
public final class LifelongMemory {
    public static final int MAGIC = 0x41434C4D; // "ACLM"
    public static final int VERSION = 1;
    private static final int HEADER_BYTES = 4 * 6 + 8 + 8 + 4 + 4;

    private final MemoryConfig cfg;
    private final ItemEmbeddings emb;
    private final int d, m, h, w;

    private long actions;
    // recent window: a ring of the last `w` actions
    private final int[] winItem;
    private final byte[] winType;
    private final long[] winTs;
    private int winHead; // index of the oldest entry
    private int winFill;

    // tokens, columnar
    private int used;
    private final float[] sum;      // (M, d)
    private final float[] unit;     // (M, d), derived: sum / |sum|
    private final float[] mass;     // (M)
    private final int[] count;      // (M)
    private final long[] lastSeen;  // (M) ms
    private final int[] hhItem;     // (M, H), -1 empty
    private final float[] hhCount;  // (M, H)
    private final float[] hhError;  // (M, H)

    private final float[] scratch;  // (M) cosines
    private final float[] query;    // (d)

    public LifelongMemory(MemoryConfig cfg, ItemEmbeddings emb) {
        this.cfg = cfg;
        this.emb = emb;
        this.d = emb.dim();
        this.m = cfg.tokens();
        this.h = cfg.heavyHitters();
        this.w = cfg.window();
        winItem = new int[w];
        winType = new byte[w];
        winTs = new long[w];
        sum = new float[m * d];
        unit = new float[m * d];
        mass = new float[m];
        count = new int[m];
        lastSeen = new long[m];
        hhItem = new int[m * h];
        Arrays.fill(hhItem, -1);
        hhCount = new float[m * h];
        hhError = new float[m * h];
        scratch = new float[m];
        query = new float[d];
    }

    /** A memory rebuilt from scratch over {@code items[0..n)} (item indices), {@code types}, {@code ts}. */
    public static LifelongMemory rebuild(MemoryConfig cfg, ItemEmbeddings emb, int[] items, byte[] types, long[] ts, int n) {
        LifelongMemory mem = new LifelongMemory(cfg, emb);
        for (int i = 0; i < n; i++) mem.append(items[i], types[i], ts[i]);
        return mem;
    }

    public MemoryConfig config() { return cfg; }

    /** Actions appended so far. */
    public long actions() { return actions; }

    /** Tokens in use (at most M). */
    public int tokensUsed() { return used; }

    /** Actions currently in the recent window. */
    public int windowFill() { return winFill; }

    /**
     * Appends one action (item index in {@code [0, items)}, type code, time): it enters the recent window, and the
     * action it pushes out of the window is folded into the tokens.
     */
    public void append(int item, byte type, long tsMs) {
        if (item < 0 || item >= emb.items()) throw new IllegalArgumentException("item must be in [0, " + emb.items() + "), was " + item);
        if (type < 0 || type >= cfg.typeWeights().length) throw new IllegalArgumentException("type code out of range: " + type);
        if (winFill == w) {
            absorb(winItem[winHead], winType[winHead], winTs[winHead]);
            winItem[winHead] = item;
            winType[winHead] = type;
            winTs[winHead] = tsMs;
            winHead = (winHead + 1) % w;
        } else {
            int slot = (winHead + winFill) % w;
            winItem[slot] = item;
            winType[slot] = type;
            winTs[slot] = tsMs;
            winFill++;
        }
        actions++;
    }

    private void absorb(int item, byte type, long tsMs) {
        float weight = cfg.typeWeight(type);
        int eOff = emb.offset(item);
        float[] rows = emb.rows();
        System.arraycopy(rows, eOff, query, 0, d);
        int k;
        if (used == 0) {
            k = used++;
        } else {
            VectorKernels.dotMany(unit, used, d, query, scratch);
            int best = 0;
            for (int i = 1; i < used; i++) if (scratch[i] > scratch[best]) best = i; // ties: the older token
            boolean known = VectorKernels.dot(query, query) > 0; // an item without a learned vector joins, never opens
            k = known && used < m && scratch[best] < cfg.joinCosine() ? used++ : best;
        }
        VectorKernels.axpy(weight, rows, eOff, sum, k * d, d);
        mass[k] += weight;
        count[k]++;
        lastSeen[k] = tsMs;
        refreshUnit(k);
        countHeavyHitter(k, item, weight);
    }

    /** Space-Saving: add to the item's counter, else take a free slot, else evict the smallest (ties: lowest slot). */
    private void countHeavyHitter(int k, int item, float weight) {
        if (h == 0) return;
        int base = k * h, free = -1, min = base;
        for (int s = base; s < base + h; s++) {
            if (hhItem[s] == item) {
                hhCount[s] += weight;
                return;
            }
            if (hhItem[s] < 0) {
                if (free < 0) free = s;
            } else if (hhCount[s] < hhCount[min] || hhItem[min] < 0) {
                min = s;
            }
        }
        if (free >= 0) {
            hhItem[free] = item;
            hhCount[free] = weight;
            hhError[free] = 0;
        } else {
            hhItem[min] = item;
            hhError[min] = hhCount[min];
            hhCount[min] += weight;
        }
    }

    private void refreshUnit(int k) {
        int off = k * d;
        float n2 = VectorKernels.dot(sum, off, sum, off, d);
        float inv = n2 > 0 ? (float) (1 / Math.sqrt(n2)) : 0f;
        for (int i = 0; i < d; i++) unit[off + i] = sum[off + i] * inv;
    }

    /** Σ mass over tokens: the weight of every action that left the window. */
    public double tokenMass() {
        double s = 0;
        for (int k = 0; k < used; k++) s += mass[k];
        return s;
    }

    /**
     * Writes the long-term keys the scorer attends over into {@code keys} (cleared first): each heavy hitter as its
     * item's vector with weight {@code count - error} (a guaranteed lower bound of its mass), and each token's
     * centroid with the rest of its mass; each key's action count is estimated from its token's actions per unit of
     * weight. The key weights sum to {@link #tokenMass()} up to rounding; the pool's
     * total is set to it.
     */
    public void longTermKeys(KeySet keys) {
        longTermKeys(keys, null, null);
    }

    /**
     * {@link #longTermKeys(KeySet)} that also says where each key comes from: {@code keyToken[i]} is its token and
     * {@code keyItem[i]} the heavy hitter's item, or -1 for a centroid. Both arrays (or neither) must hold
     * {@link MemoryConfig#maxLongTermKeys()} entries.
     */
    public void longTermKeys(KeySet keys, int[] keyToken, int[] keyItem) {
        keys.clear();
        float[] rows = emb.rows();
        for (int k = 0; k < used; k++) {
            float exact = 0;
            float perWeight = count[k] / mass[k]; // actions per unit of weight in this token
            for (int s = k * h; s < k * h + h; s++) {
                if (hhItem[s] < 0) continue;
                float lower = hhCount[s] - hhError[s];
                if (lower <= 0) continue;
                if (keyToken != null) {
                    keyToken[keys.size()] = k;
                    keyItem[keys.size()] = hhItem[s];
                }
                keys.add(rows, emb.offset(hhItem[s]), lower, lower * perWeight);
                exact += lower;
            }
            float rest = mass[k] - exact;
            if (rest > 1e-6f * mass[k]) {
                if (keyToken != null) {
                    keyToken[keys.size()] = k;
                    keyItem[keys.size()] = -1;
                }
                keys.add(unit, k * d, rest, rest * perWeight);
            }
        }
        keys.setTotal(tokenMass());
    }

    /** Actions token {@code k} absorbed. */
    public int tokenCount(int k) { return count[checkToken(k)]; }

    /** Time (ms) of the newest action token {@code k} absorbed. */
    public long tokenLastSeen(int k) { return lastSeen[checkToken(k)]; }

    private int checkToken(int k) {
        if (k < 0 || k >= used) throw new IndexOutOfBoundsException("token " + k + " of " + used + " in use");
        return k;
    }

    /** Item of the newest appended action, or -1 when none was appended. */
    public int newestItem() {
        return winFill == 0 ? -1 : winItem[(winHead + winFill - 1) % w];
    }

    /** Time (ms) of the newest appended action, or -1 when none was appended. */
    public long newestTs() {
        return winFill == 0 ? -1 : winTs[(winHead + winFill - 1) % w];
    }

    /**
     * Copies the recent window's actions, oldest first, into {@code items} and {@code types} (each at least
     * {@link MemoryConfig#window()} long) and returns how many there are.
     */
    public int windowActions(int[] items, byte[] types) {
        for (int i = 0; i < winFill; i++) {
            int s = (winHead + i) % w;
            items[i] = winItem[s];
            types[i] = winType[s];
        }
        return winFill;
    }

    /** Writes the recent window's actions as keys (item vector, type weight) into {@code keys} (cleared first). */
    public void windowKeys(KeySet keys) {
        keys.clear();
        float[] rows = emb.rows();
        double total = 0;
        for (int i = 0; i < winFill; i++) {
            int s = (winHead + i) % w;
            float weight = cfg.typeWeight(winType[s]);
            keys.add(rows, emb.offset(winItem[s]), weight);
            total += weight;
        }
        keys.setTotal(total);
    }

    /** Bytes of {@link #serialize()}: the derived state per user. */
    public int serializedBytes() {
        return HEADER_BYTES + winFill * 13 + used * (4 + 4 + 8 + 4 * d + 12 * h) + 4;
    }

    /** The state in the documented layout, with version and CRC32C. */
    public byte[] serialize() {
        ByteBuffer b = ByteBuffer.allocate(serializedBytes());
        b.putInt(MAGIC).putInt(VERSION).putInt(d).putInt(m).putInt(h).putInt(w).putLong(emb.fingerprint());
        b.putLong(actions).putInt(used).putInt(winFill);
        for (int i = 0; i < winFill; i++) {
            int s = (winHead + i) % w;
            b.putInt(winItem[s]).put(winType[s]).putLong(winTs[s]);
        }
        for (int k = 0; k < used; k++) {
            b.putFloat(mass[k]).putInt(count[k]).putLong(lastSeen[k]);
            for (int i = 0; i < d; i++) b.putFloat(sum[k * d + i]);
            for (int s = k * h; s < k * h + h; s++) b.putInt(hhItem[s]).putFloat(hhCount[s]).putFloat(hhError[s]);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        assert b.position() == b.capacity();
        return b.array();
    }

    /**
     * Reads bytes written by {@link #serialize()} for the same config and embeddings.
     *
     * @throws MemoryFormatException on a bad magic, version, shape, embeddings fingerprint, length or checksum
     */
    public static LifelongMemory deserialize(byte[] bytes, MemoryConfig cfg, ItemEmbeddings emb) throws MemoryFormatException {
        if (bytes.length < HEADER_BYTES + 4) throw new MemoryFormatException("memory is " + bytes.length + " bytes, shorter than its header");
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, bytes.length - 4);
        int magic = b.getInt();
        if (magic != MAGIC) throw new MemoryFormatException(String.format("bad magic 0x%08x, expected 0x%08x", magic, MAGIC));
        int version = b.getInt();
        if (version != VERSION) throw new MemoryFormatException("unsupported memory version " + version + ", expected " + VERSION);
        if (stored != (int) crc.getValue()) {
            throw new MemoryFormatException(String.format("checksum mismatch: stored 0x%08x, computed 0x%08x over %d bytes",
                    stored, (int) crc.getValue(), bytes.length - 4));
        }
        LifelongMemory mem = new LifelongMemory(cfg, emb);
        int dim = b.getInt(), tokens = b.getInt(), heavy = b.getInt(), window = b.getInt();
        if (dim != mem.d || tokens != mem.m || heavy != mem.h || window != mem.w) {
            throw new MemoryFormatException("memory shape (dim " + dim + ", M " + tokens + ", H " + heavy + ", window " + window
                    + ") differs from the config (dim " + mem.d + ", M " + mem.m + ", H " + mem.h + ", window " + mem.w + ")");
        }
        long fp = b.getLong();
        if (fp != emb.fingerprint()) {
            throw new MemoryFormatException(String.format("memory was built over embeddings 0x%016x, not these (0x%016x)", fp, emb.fingerprint()));
        }
        try {
            mem.actions = b.getLong();
            mem.used = b.getInt();
            mem.winFill = b.getInt();
            if (mem.used < 0 || mem.used > mem.m || mem.winFill < 0 || mem.winFill > mem.w || mem.actions < mem.winFill) {
                throw new MemoryFormatException("inconsistent counts: actions " + mem.actions + ", tokens " + mem.used + ", window " + mem.winFill);
            }
            for (int i = 0; i < mem.winFill; i++) {
                mem.winItem[i] = checkItem(b.getInt(), emb);
                mem.winType[i] = b.get();
                mem.winTs[i] = b.getLong();
            }
            for (int k = 0; k < mem.used; k++) {
                mem.mass[k] = b.getFloat();
                mem.count[k] = b.getInt();
                mem.lastSeen[k] = b.getLong();
                for (int i = 0; i < mem.d; i++) mem.sum[k * mem.d + i] = b.getFloat();
                for (int s = k * mem.h; s < k * mem.h + mem.h; s++) {
                    int item = b.getInt();
                    mem.hhItem[s] = item == -1 ? -1 : checkItem(item, emb);
                    mem.hhCount[s] = b.getFloat();
                    mem.hhError[s] = b.getFloat();
                }
                mem.refreshUnit(k);
            }
        } catch (BufferUnderflowException e) {
            throw new MemoryFormatException("memory truncated: " + bytes.length + " bytes");
        }
        if (b.hasRemaining()) throw new MemoryFormatException(b.remaining() + " unexpected bytes before the checksum");
        return mem;
    }

    private static int checkItem(int item, ItemEmbeddings emb) throws MemoryFormatException {
        if (item < 0 || item >= emb.items()) throw new MemoryFormatException("item " + item + " is outside the catalog of " + emb.items());
        return item;
    }

    /** Exact equality of the whole state (floats by bits), for tests. */
    public boolean sameState(LifelongMemory o) {
        return Arrays.equals(serialize(), o.serialize());
    }
}
