package dev.actrec.server;

import dev.actrec.core.ActionColumns;
import dev.actrec.model.lifelong.ItemEmbeddings;
import dev.actrec.model.lifelong.KeySet;
import dev.actrec.model.lifelong.LifelongMemory;
import dev.actrec.model.lifelong.MemoryConfig;
import dev.actrec.model.lifelong.MemoryFormatException;
import dev.actrec.store.ActionStore;
import dev.actrec.store.internal.FileSync;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifelong memories ({@link LifelongMemory}) of every user whose history is longer than the model's window (and
 * at least {@code memory.min_actions} long),
 * kept in step with the store by one nearline thread, persisted beside the store and rebuilt from it.
 *
 * <h2>What a memory is here</h2>
 * A user's memory is the left fold of the user's stored history, in the store's order, over the serving model's item
 * vectors ({@link ItemEmbeddings#centred} of its item table); an item the model does not know folds as index 0, a
 * zero vector (it adds mass to the nearest token, never direction). Its window is the model's window, so its tokens
 * summarise exactly the actions the model no longer sees. Because the fold is deterministic, "consistent with the
 * log" has a precise meaning: a memory at position p equals the fold of the store's first p actions of that user.
 *
 * <h2>Keeping up</h2>
 * Ingest marks the touched users dirty ({@link #touched}); the updater thread folds each dirty user's new actions
 * ({@link ActionStore#readFrom}). Before folding it checks that the memory's newest action is still the store's
 * action at that position: a late event can be placed before it (the store orders a history by time), and then the
 * user's memory is rebuilt from the whole history. Requests read a memory under its lock; the updater holds the
 * lock for at most {@value #FOLD_SLICE} actions at a time.
 *
 * <h2>On disk: {@code DATA/memory/memories.bin}</h2>
 * Written every {@code snapshotMillis} when something changed, and on close: to a temporary file, fsynced, renamed
 * over the old one, directory fsynced, so a crash leaves the old snapshot or the new one, never a mix. Layout
 * (big-endian): {@code int magic 'ACMS' | int version | UTF model sha256 | long vectors fingerprint | int tokens |
 * int heavy hitters | int window | float join cosine | int users | users × (int user | int length | memory bytes in
 * LifelongMemory's own format, with its CRC) | int CRC32C of every byte before it}. At start the snapshot is read if
 * it matches this model, these vectors and this memory shape, and every restored user is then caught up from its own
 * position; anything else (no file, another model, another version, a bad checksum) is logged and the memories are
 * rebuilt from the store. A snapshot is only a shortcut: what the store holds is the truth.
 */
final class UserMemories implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UserMemories.class);
    static final String DIR = "memory";
    static final String FILE = "memories.bin";
    private static final int MAGIC = 0x41434D53; // "ACMS"
    private static final int VERSION = 1;
    /** Most actions folded per hold of a user's lock, so requests for that user wait at most a few ms. */
    static final int FOLD_SLICE = 4096;

    private final ActionStore store;
    private final ItemMapping mapping;
    private final ItemEmbeddings vectors;
    private final MemoryConfig cfg;
    private final String modelSha;
    private final Path file;
    private final long snapshotMillis;
    private final long minHistory;  // shortest history that gets a memory
    private final ConcurrentHashMap<Integer, LifelongMemory> memories = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Integer> dirty = new LinkedBlockingQueue<>();
    private final Set<Integer> queued = ConcurrentHashMap.newKeySet();
    private final ActionColumns buffer = new ActionColumns(FOLD_SLICE); // the updater thread's only
    /** Users marked and not yet folded: counted down only after the fold, so 0 means every memory is current. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong folded = new AtomicLong();
    private final AtomicLong rebuilt = new AtomicLong();
    private final AtomicLong snapshots = new AtomicLong();
    private final int restored;
    private final String recovery;
    private volatile boolean changed;
    private volatile boolean stopping;
    private Thread updater;
    private long lastSnapshot = System.nanoTime();

    /**
     * Reads the snapshot when it fits and queues every user that needs folding; call {@link #start} to begin.
     *
     * @param dataDir        the store's directory; the snapshot lives in {@code dataDir/memory}
     * @param snapshotMillis how often a changed state is written; 0 writes after every round of updates
     */
    UserMemories(ActionStore store, ItemMapping mapping, float[] itemTable, int rows, int dim, String modelSha,
                 MemoryConfig cfg, long minActions, Path dataDir, long snapshotMillis) throws IOException {
        this.store = store;
        this.mapping = mapping;
        this.vectors = ItemEmbeddings.centred(rows, dim, itemTable);
        this.cfg = cfg;
        this.modelSha = modelSha;
        this.file = dataDir.resolve(DIR).resolve(FILE);
        this.snapshotMillis = snapshotMillis;
        this.minHistory = Math.max(cfg.window() + 1, minActions);
        Files.createDirectories(file.getParent());
        String why;
        try {
            why = restore();
        } catch (NoSuchFileException e) {
            why = "no snapshot yet";
        } catch (IOException | RuntimeException e) {
            why = "snapshot " + file + " not used (" + e.getMessage() + ")";
        }
        restored = memories.size();
        int users = store.userCount();
        for (int u = 0; u < users; u++) {
            if (memories.containsKey(u) || store.historyLength(u) >= minHistory) mark(u);
        }
        recovery = restored > 0 ? "restored " + restored + " users from " + file
                : (why == null ? "the snapshot held no user" : why) + "; building from the store";
        LOG.info("lifelong memory: {}; {} users to fold", recovery, dirty.size());
    }

    /** Starts the nearline updater. */
    synchronized void start() {
        if (updater != null) return;
        updater = new Thread(this::run, "actrec-memory");
        updater.setDaemon(true);
        updater.start();
    }

    /** The memory vectors: row {@code i} is model item {@code i}'s unit, centred vector (row 0 zero). */
    ItemEmbeddings vectors() {
        return vectors;
    }

    MemoryConfig config() {
        return cfg;
    }

    /** Queues {@code users[0..n)} (store ids of freshly stored events) for folding. */
    void touched(int[] users, int n) {
        for (int i = 0; i < n; i++) {
            if (i == 0 || users[i] != users[i - 1]) mark(users[i]); // batches often hold runs of one user
        }
    }

    private void mark(int user) {
        if (queued.add(user)) {
            waiting.incrementAndGet();
            dirty.add(user);
        }
    }

    /**
     * Writes the user's long-term keys (and, when the arrays are given, each key's token and item) into {@code keys}
     * under the memory's lock; returns the memory's position (actions folded), or -1 when the user has none.
     */
    long readKeys(int user, KeySet keys, int[] keyToken, int[] keyItem) {
        LifelongMemory m = user < 0 ? null : memories.get(user);
        if (m == null) return -1;
        synchronized (m) {
            m.longTermKeys(keys, keyToken, keyItem);
            return m.actions();
        }
    }

    /** Runs {@code reader} on the user's memory under its lock; false when the user has none. */
    boolean withMemory(int user, java.util.function.Consumer<LifelongMemory> reader) {
        LifelongMemory m = user < 0 ? null : memories.get(user);
        if (m == null) return false;
        synchronized (m) {
            reader.accept(m);
        }
        return true;
    }

    int users() {
        return memories.size();
    }

    /** Users queued or being folded now. */
    int pending() {
        return waiting.get();
    }

    long foldedActions() {
        return folded.get();
    }

    long rebuilds() {
        return rebuilt.get();
    }

    long snapshotsWritten() {
        return snapshots.get();
    }

    /** Users whose memory came from the snapshot at start. */
    int restoredUsers() {
        return restored;
    }

    /** What happened at start, for logs and tests. */
    String recovery() {
        return recovery;
    }

    /** Blocks until every queued user is folded (tests, and the final snapshot on close). */
    void drain() throws InterruptedException {
        while (waiting.get() > 0) Thread.sleep(2);
    }

    private void run() {
        while (!stopping) {
            try {
                Integer u = dirty.poll(50, TimeUnit.MILLISECONDS);
                if (u != null) {
                    queued.remove(u);
                    try {
                        catchUp(u);
                    } finally {
                        waiting.decrementAndGet();
                    }
                }
                if (changed && (u == null || dirty.isEmpty()) && System.nanoTime() - lastSnapshot >= snapshotMillis * 1_000_000) {
                    snapshot();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (IOException | RuntimeException e) {
                LOG.error("lifelong memory update failed; will retry with the next append", e);
            }
        }
    }

    /** Brings one user's memory up to the store's history (building or rebuilding it when needed). */
    void catchUp(int user) throws IOException {
        long length = store.historyLength(user);
        LifelongMemory m = memories.get(user);
        if (m == null) {
            if (length < minHistory) return;
            memories.put(user, build(user));
            changed = true;
            return;
        }
        // Only this thread changes memories, so the position read here holds until the fold below.
        long pos = m.actions();
        int n = store.readFrom(user, Math.max(0, pos - 1), buffer);
        boolean continues = pos == 0
                || n > 0 && mapping.modelIndex(buffer.item(0)) == m.newestItem() && buffer.timestamp(0) == m.newestTs();
        if (continues) {
            for (int from = pos == 0 ? 0 : 1; from < n; from += FOLD_SLICE) {
                synchronized (m) {
                    fold(m, buffer, from, Math.min(n, from + FOLD_SLICE));
                }
                changed = true;
            }
            return;
        }
        // A late action landed inside the part already folded (or the store holds fewer actions than the memory):
        // the fold of the store's order starts over.
        memories.put(user, build(user));
        rebuilt.incrementAndGet();
        changed = true;
    }

    /** A memory folded from scratch over the user's whole stored history (not yet visible to requests). */
    LifelongMemory build(int user) throws IOException {
        LifelongMemory m = new LifelongMemory(cfg, vectors);
        int n = store.readFrom(user, 0, buffer);
        fold(m, buffer, 0, n);
        return m;
    }

    private void fold(LifelongMemory m, ActionColumns cols, int from, int to) {
        for (int i = from; i < to; i++) m.append(mapping.modelIndex(cols.item(i)), cols.type(i), cols.timestamp(i));
        folded.addAndGet(to - from);
    }

    /** Writes the snapshot atomically (temporary file, fsync, rename, directory fsync). */
    synchronized void snapshot() throws IOException {
        lastSnapshot = System.nanoTime();
        changed = false;
        Path tmp = file.resolveSibling(FILE + ".tmp");
        List<Integer> users = new ArrayList<>(memories.keySet());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            CRC32C crc = new CRC32C();
            OutputStream raw = Channels.newOutputStream(ch);
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), crc));
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(modelSha);
            out.writeLong(vectors.fingerprint());
            out.writeInt(cfg.tokens());
            out.writeInt(cfg.heavyHitters());
            out.writeInt(cfg.window());
            out.writeFloat(cfg.joinCosine());
            out.writeInt(users.size());
            for (int u : users) {
                LifelongMemory m = memories.get(u);
                byte[] bytes;
                synchronized (m) {
                    bytes = m.serialize();
                }
                out.writeInt(u);
                out.writeInt(bytes.length);
                out.write(bytes);
            }
            out.flush();
            raw.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        FileSync.syncDirectory(file.getParent());
        snapshots.incrementAndGet();
    }

    /** Reads the snapshot into {@link #memories}; returns why nothing was restored, or null. */
    private String restore() throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 8) throw new MemoryFormatException(file + ": " + all.length + " bytes, too short for a snapshot");
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        int stored = ByteBuffer.wrap(all, all.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new MemoryFormatException(file + ": checksum " + Integer.toHexString(stored) + " does not match the content ("
                    + Integer.toHexString((int) crc.getValue()) + "); truncated or corrupt");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all, 0, all.length - 4))) {
            int magic = in.readInt();
            if (magic != MAGIC) throw new MemoryFormatException(file + ": magic " + Integer.toHexString(magic) + " is not a memory snapshot");
            int version = in.readInt();
            if (version != VERSION) return "snapshot format version " + version + ", this server writes " + VERSION;
            String sha = in.readUTF();
            if (!sha.equals(modelSha)) return "snapshot was built for model " + sha + ", serving " + modelSha;
            long fp = in.readLong();
            if (fp != vectors.fingerprint()) return "snapshot was built over other item vectors";
            int tokens = in.readInt(), hh = in.readInt(), window = in.readInt();
            float join = in.readFloat();
            if (tokens != cfg.tokens() || hh != cfg.heavyHitters() || window != cfg.window() || join != cfg.joinCosine()) {
                return "snapshot memory shape (tokens " + tokens + ", heavy hitters " + hh + ", window " + window + ", join "
                        + join + ") differs from the configured one";
            }
            int users = in.readInt();
            for (int i = 0; i < users; i++) {
                int u = in.readInt();
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                memories.put(u, LifelongMemory.deserialize(bytes, cfg, vectors));
            }
            return null;
        } catch (EOFException e) {
            memories.clear();
            throw new MemoryFormatException(file + ": ends inside a record");
        } catch (MemoryFormatException e) {
            memories.clear();
            throw e;
        }
    }

    /**
     * Stops the updater after the user it is folding; with {@code persist}, then writes a last snapshot of what is
     * folded (users still queued are caught up from the store at the next start, so nothing waits for them).
     */
    void stop(boolean persist) throws IOException {
        Thread t;
        synchronized (this) {
            t = updater;
        }
        stopping = true; // no interrupt: it would close a snapshot's channel mid-write
        if (t != null) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (persist && changed) snapshot();
    }

    @Override
    public void close() throws IOException {
        stop(true);
    }
}
