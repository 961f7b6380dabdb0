package dev.actrec.train;

import ai.djl.engine.Engine;

/**
 * Starts DJL's PyTorch engine offline. The native libraries come from the {@code pytorch-native-cpu} jar on the class
 * path (DJL extracts them to its cache directory once); {@code ai.djl.offline=true} forbids any download. Thread
 * counts are system properties that DJL reads once, when the engine starts, so the first call decides them for the
 * whole JVM.
 */
public final class TorchRuntime {
    private static Engine engine;
    private static int intra;
    private static int inter;

    private TorchRuntime() {}

    /** The PyTorch engine, started with the given intra-/inter-op thread counts if not started yet. */
    public static synchronized Engine start(int intraThreads, int interThreads) {
        if (engine == null) {
            if (intraThreads == 0) intraThreads = automaticThreads();
            System.setProperty("ai.djl.offline", "true");
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(intraThreads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(interThreads));
            // The TorchScript graph optimiser only matters for traced models, which we do not use.
            System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
            engine = Engine.getEngine("PyTorch");
            intra = intraThreads;
            inter = interThreads;
        }
        return engine;
    }

    /**
     * All cores when the machine is otherwise idle, else 1: on a shared machine two OpenMP threads that wait for
     * each other ran 7x slower than one thread (see {@link TrainConfig}).
     */
    static int automaticThreads() {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load >= 0 && load < 0.5 ? cores : 1;
    }

    /** Threads the running engine was started with, as "intra/inter". */
    public static synchronized String threads() {
        return engine == null ? "not started" : intra + "/" + inter;
    }
}
