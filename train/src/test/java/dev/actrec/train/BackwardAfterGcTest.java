package dev.actrec.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.actrec.core.dataset.SequenceDataset;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.ref.Reference;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The gradients of a training step do not depend on what the Java garbage collector does between the forward and the
 * backward pass. DJL's scalar overloads ({@code x.mul(2f)}, {@code div}, {@code maximum}, ...) wrap the scalar in a
 * 0-dim tensor over a Java direct buffer and close it as soon as the operation returns, but PyTorch's autograd keeps
 * that tensor for the backward pass without owning its memory. A collection in between let the buffer's cleaner free
 * it, and the backward pass read whatever reused the block: the rare wrong gradients behind the flaky
 * {@link ResumeTest}. Here a collection is forced after the forward pass and freed 4-byte blocks are taken back and
 * filled with a marker, so a scalar read after its release changes the gradients.
 */
class BackwardAfterGcTest {
    private static final long SEED = 20240611L;
    private static final float MARKER = 12345.0f;

    @ParameterizedTest
    @ValueSource(strings = {"sasrec", "act", "sasrec-bce", "act-dot", "act-ce", "sasrec-pos"})
    void gradientsDoNotDependOnACollectionBeforeBackward(String variant, @TempDir Path dir) throws Exception {
        String model = variant.substring(0, variant.contains("-") ? variant.indexOf('-') : variant.length());
        TrainConfig config = LearnabilityTest.tiny(model);
        if (variant.endsWith("-bce")) {
            config = config.with("loss", "bce").with("similarity", "dot").with("temperature", "1");
        }
        if (variant.endsWith("-dot")) config = config.with("similarity", "dot");
        if (variant.endsWith("-ce")) config = config.with("loss", "ce");
        if (variant.endsWith("-pos")) config = config.with("negative_scope", "position");
        SequenceDataset data = SyntheticSequences.permutationWalks(40, 30, 5, 12, SEED);
        Trainer trainer = new Trainer(data, config, dir, new PrintStream(OutputStream.nullOutputStream()));
        Engine engine = TorchRuntime.start(config.intraThreads(), config.interThreads());
        Trainer.Batch batch = batch(data, config, new SplittableRandom(SEED));

        try (NDManager manager = NDManager.newBaseManager()) {
            Parameters params = new Parameters(manager, config.seed());
            SequenceModel m = SequenceModel.create(config, data.numItems(), null, params);
            Map<String, float[]> plain = gradients(engine, trainer, m, batch, false);
            Map<String, float[]> collected = gradients(engine, trainer, m, batch, true);
            assertEquals(plain.keySet(), collected.keySet());
            for (String k : plain.keySet()) {
                assertArrayEquals(plain.get(k), collected.get(k),
                        variant + " gradient of " + k + " (seed " + SEED + ")");
            }
        }
    }

    /** One forward and backward pass; with {@code collect}, a collection and reuse of freed memory in between. */
    private static Map<String, float[]> gradients(Engine engine, Trainer trainer, SequenceModel model,
                                                  Trainer.Batch batch, boolean collect) throws InterruptedException {
        engine.setRandomSeed(7);  // the same dropout masks in both passes
        Map<String, float[]> grads = new LinkedHashMap<>();
        try (NDManager step = model.parameters().manager().newSubManager()) {
            model.parameters().attachTo(step);
            try (GradientCollector collector = engine.newGradientCollector()) {
                NDArray loss = trainer.loss(model, batch, step);
                List<ByteBuffer> held = collect ? collectAndRefillFreedBlocks() : List.of();
                collector.backward(loss);
                Reference.reachabilityFence(held);  // the refilled blocks stay taken until backward has run
            }
            for (Map.Entry<String, NDArray> e : model.parameters().tensors().entrySet()) {
                NDArray g = e.getValue().getGradient();
                grads.put(e.getKey(), g.toFloatArray());
                g.muli(0f);
            }
        }
        return grads;
    }

    /**
     * Forces a collection, waits until the cleaner has freed unreachable direct buffers (the JVM's count of them
     * drops), then allocates many 4-byte direct buffers, the size of a float scalar, holding {@link #MARKER}.
     */
    private static List<ByteBuffer> collectAndRefillFreedBlocks() throws InterruptedException {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        long before = direct.getCount();
        System.gc();
        for (int i = 0; i < 200 && direct.getCount() >= before; i++) Thread.sleep(10);
        List<ByteBuffer> held = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
            b.putFloat(0, MARKER);
            held.add(b);
        }
        return held;
    }

    /** Whole training prefixes of the first users, left-padded, as {@link Trainer} builds them. */
    static Trainer.Batch batch(SequenceDataset data, TrainConfig config, SplittableRandom rnd) {
        int rows = 16;
        int len = 1;
        for (int u = 0; u < rows; u++) {
            len = Math.max(len, Math.min(config.maxLen(), LeaveOneOut.trainLength(data, u) - 1));
        }
        long[] ids = new long[rows * len];
        long[] targets = new long[rows * len];
        List<Long> positions = new ArrayList<>();
        for (int u = 0; u < rows; u++) {
            int take = Math.min(config.maxLen(), LeaveOneOut.trainLength(data, u) - 1);
            int start = data.start(u) + LeaveOneOut.trainLength(data, u) - 1 - take;
            for (int t = 0; t < take; t++) {
                int at = u * len + len - take + t;
                ids[at] = data.values()[start + t];
                targets[at] = data.values()[start + t + 1];
                positions.add((long) at);
            }
        }
        boolean bce = config.loss().equals("bce");
        boolean perPosition = config.negativeScope().equals("position");
        long[] negatives = new long[bce ? rows * len : (perPosition ? positions.size() : rows) * config.negatives()];
        for (int i = 0; i < negatives.length; i++) negatives[i] = 1 + rnd.nextInt(data.numItems());
        return new Trainer.Batch(ids, rows, len, positions.stream().mapToLong(Long::longValue).toArray(), targets,
                negatives);
    }
}
