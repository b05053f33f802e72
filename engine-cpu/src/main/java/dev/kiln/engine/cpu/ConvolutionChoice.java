package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.GroupedConv2dGeometry;
import dev.kiln.engine.cpu.ConvolutionKey.Direction;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which kernel runs each CPU convolution: OpenBLAS's (im2col and GEMM, {@link CpuConvolution}; for grouped ones the
 * depthwise kernel or group by group) or oneDNN's ({@link OneDnnConvolution}). By default ({@code auto}) a fixed rule
 * picks it from the convolution alone, so that two runs with the same seed repeat bit for bit across processes, as
 * PyTorch's CPU convolutions do: oneDNN wherever it has a primitive, except for the input gradient of a strided plain
 * convolution of fewer than {@value #FEW_INPUT_CHANNELS} input channels (the image a transposed convolution writes, as
 * DCGAN's last generator layer; a strided stem's input gradient), which OpenBLAS runs. Measured warm on 2 threads
 * (2026-12-06), oneDNN took 0.15-0.9 of OpenBLAS's time on most plain, strided, dilated, grouped, depthwise,
 * transposed and 1-D convolutions in every direction, at batch 1-4 as at 32-256, but 1.2-3.9 times OpenBLAS's on those
 * input gradients. Its other losses were smaller (up to 1.4 times) and not of one kind, so the rule leaves them to
 * oneDNN: LeNet's second convolution (20 to 50 channels, 5x5 on 12x12), 3x3 convolutions of 64-256 channels at batch
 * 1, DCGAN's first generator layer's forward.
 * <p>{@code -Dkiln.cpu.convolutionKernel=timed} chooses instead as cuDNN's algorithm search (PyTorch's
 * {@code benchmark=True}) does: the first call of a (geometry, direction, bias) runs both kernels in turn, oneDNN
 * first, and the one with the shorter best time runs that convolution from then on. Every call's result is the chosen
 * kernel's (where oneDNN wins, it runs once more at the end of the first call), so a convolution repeats bit for bit
 * within a process. The kernels run at least {@value #MIN_ROUNDS} times each, and again while the first call has
 * taken less than {@value #TRIAL_MILLIS} ms, up to {@value #MAX_ROUNDS} times: in a fresh JVM the first runs of
 * OpenBLAS's path are of its Java code before the JIT has compiled it, which a few milliseconds of runs of a small
 * convolution let it compile, while a large one's runs are long enough for it. Timings differ between processes, so
 * two may choose differently where the kernels are close, and their results then differ in the last bits;
 * {@link #choices} and {@link #use} carry one process's timed choices to another (a resumed run), whose calls of those
 * keys then run the recorded kernel untimed. {@code openblas} or {@code onednn} settles every first call on that
 * kernel (oneDNN where it has a primitive) untimed: for tests that need two choices to differ, and for comparing the
 * kernels. Timed and named choices are recorded in {@link #choices}; the rule's are not, since any process makes
 * them again.
 * <p>oneDNN is a candidate for F32 only (F64 runs on OpenBLAS, for exact gradient checks), and not at all with
 * {@code -Dkiln.cpu.onednn=false} or where its library does not load (no dnnl or opencl jar, or no natives for this
 * platform), which is logged once at INFO on the first convolution. It loads on that first convolution, not with the
 * backend: 0.4 s and a 90 MB library that a model without convolutions never needs.
 */
final class ConvolutionChoice implements AutoCloseable {
    /** The switch: {@code true} (the default) lets oneDNN run where the setting picks it, {@code false} forbids it. */
    static final String PROPERTY = "kiln.cpu.onednn";

    /**
     * How a convolution's first call settles its kernel: {@code auto} (the default) by the rule, {@code timed} by
     * timing both, {@code openblas} or {@code onednn} on that one. Read on each first call, so that a test may change
     * it between them.
     */
    static final String KERNEL_PROPERTY = "kiln.cpu.convolutionKernel";

    /** Input channels from which oneDNN runs a strided convolution's input gradient by the rule. */
    static final int FEW_INPUT_CHANNELS = 16;

    /** Runs of each kernel on a convolution's first call, at least: the first run of either touches fresh memory. */
    static final int MIN_ROUNDS = 2;

    /** Runs of each kernel on a first call, at most. */
    static final int MAX_ROUNDS = 10;

    /** How long a first call keeps timing the kernels, rounds allowing. */
    static final long TRIAL_MILLIS = 50;

    /** Convolutions whose choice is kept: far more than a model has, each entry a few dozen bytes. */
    static final int CHOICES_KEPT = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ConvolutionChoice.class);

    /** A convolution's kernel. */
    enum Kernel {
        OPENBLAS, ONEDNN;

        /**
         * The kernel's name in the backend's tuning choices and in {@link ConvolutionChoice#KERNEL_PROPERTY}:
         * {@code openblas} or {@code onednn}.
         */
        String text() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The kernel whose {@link #text} is {@code text}, or null where neither's is. */
        static Kernel of(String text) {
            for (Kernel k : values()) {
                if (k.text().equals(text)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** How first calls settle their kernel: the values of {@link #KERNEL_PROPERTY}. */
    enum Setting {
        AUTO, TIMED, OPENBLAS, ONEDNN;

        /**
         * The setting {@link #KERNEL_PROPERTY} names, {@link #AUTO} where unset.
         *
         * @throws IllegalArgumentException when it names none of the four
         */
        static Setting configured() {
            String value = System.getProperty(KERNEL_PROPERTY, "").trim();
            if (value.isEmpty()) {
                return AUTO;
            }
            for (Setting s : values()) {
                if (s.name().toLowerCase(Locale.ROOT).equals(value)) {
                    return s;
                }
            }
            throw new IllegalArgumentException(KERNEL_PROPERTY + " must be auto, timed, openblas or onednn, got '"
                    + value + "'");
        }
    }

    /** A convolution's kernel and whether {@link #choices} records it (all but the rule's). */
    private record Settled(Kernel kernel, boolean recorded) {
    }

    private final CpuBackend backend;
    private final Parallel parallel;
    private final boolean enabled;
    private final Map<ConvolutionKey, Settled> chosen = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ConvolutionKey, Settled> eldest) {
            return size() > CHOICES_KEPT;
        }
    };
    /** Choices {@link #use} gave that no call has met yet: the first call of one moves it to {@link #chosen}. */
    private final Map<ConvolutionKey, Kernel> loaded = new HashMap<>();
    private boolean opened;
    private OneDnnConvolution oneDnn;

    /** @param enabled whether oneDNN may run at all ({@link #PROPERTY}) */
    ConvolutionChoice(CpuBackend backend, Parallel parallel, boolean enabled) {
        this.backend = backend;
        this.parallel = parallel;
        this.enabled = enabled;
    }

    /** The switch's value: true unless {@code -Dkiln.cpu.onednn=false}. */
    static boolean configured() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return true;
        }
        if (!value.trim().equalsIgnoreCase("true") && !value.trim().equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(PROPERTY + " must be true or false, got '" + value + "'");
        }
        return Boolean.parseBoolean(value.trim());
    }

    /**
     * Whether oneDNN is a candidate for a convolution of {@code g} in {@code dtype}: F32, with every dimension at
     * least 1, oneDNN enabled and loaded (loading it on the first call that asks).
     */
    boolean considers(DType dtype, GroupedConv2dGeometry g) {
        return dtype == DType.F32 && g.group().batch() > 0 && g.inChannels() > 0 && g.outChannels() > 0
                && oneDnn() != null;
    }

    /** Whether every one of {@code keys} has its kernel chosen (or given by {@link #use}), and it is OpenBLAS. */
    synchronized boolean allOnOpenBlas(ConvolutionKey... keys) {
        for (ConvolutionKey key : keys) {
            Kernel kernel = chosen.containsKey(key) ? chosen.get(key).kernel() : loaded.get(key);
            if (kernel != Kernel.OPENBLAS) {
                return false;
            }
        }
        return true;
    }

    /** The kernel chosen for {@code key}, or null before its first call. */
    synchronized Kernel chosen(ConvolutionKey key) {
        Settled settled = chosen.get(key);
        return settled == null ? null : settled.kernel();
    }

    /**
     * Every kernel timed, named by {@link #KERNEL_PROPERTY} or loaded, by key (not the rule's): what {@link #use} takes
     * in another process.
     */
    synchronized Map<ConvolutionKey, Kernel> choices() {
        Map<ConvolutionKey, Kernel> all = new HashMap<>(loaded);
        chosen.forEach((key, settled) -> {
            if (settled.recorded()) {
                all.put(key, settled.kernel());
            }
        });
        return all;
    }

    /**
     * Forgets every choice and takes {@code choices} instead: the first call of one of their keys runs its kernel
     * untimed (OpenBLAS where oneDNN has no primitive for it here, logged), other keys settle again.
     */
    synchronized void use(Map<ConvolutionKey, Kernel> choices) {
        chosen.clear();
        loaded.clear();
        loaded.putAll(choices);
    }

    /**
     * Runs the convolution {@code key} on its kernel, {@code openBlas}, or {@code onOneDnn} given oneDNN; on its first
     * call, settles its kernel as {@link #KERNEL_PROPERTY} says unless {@link #use} gave it. Only for a key that
     * {@link #considers} accepted.
     */
    void run(ConvolutionKey key, Runnable openBlas, Consumer<OneDnnConvolution> onOneDnn) {
        Kernel kernel = kernelOf(key);
        if (kernel == Kernel.ONEDNN) {
            onOneDnn.accept(oneDnn);
        } else if (kernel == Kernel.OPENBLAS) {
            openBlas.run();
        } else {
            Settled settled = choose(key, openBlas, () -> onOneDnn.accept(oneDnn));
            synchronized (this) {
                chosen.put(key, settled);
            }
        }
    }

    /** The kernel chosen for {@code key}, else the one {@link #use} gave (now chosen), else null. */
    private synchronized Kernel kernelOf(ConvolutionKey key) {
        Kernel kernel = chosen(key);
        if (kernel != null || !loaded.containsKey(key)) {
            return kernel;
        }
        kernel = loaded.remove(key);
        if (kernel == Kernel.ONEDNN && !oneDnn.supports(key)) {
            LOG.warn("conv2d {}: OpenBLAS, not oneDNN as loaded, which has no primitive for it here", key);
            kernel = Kernel.OPENBLAS;
        }
        chosen.put(key, new Settled(kernel, true));
        return kernel;
    }

    /**
     * Runs the kernel that the rule picks or {@link #KERNEL_PROPERTY} names, or times both and leaves the faster one's
     * result (see the class comment); returns the kernel, recorded unless the rule picked it.
     */
    private Settled choose(ConvolutionKey key, Runnable openBlas, Runnable onOneDnn) {
        Setting setting = Setting.configured();
        boolean recorded = setting != Setting.AUTO;
        if (!oneDnn.supports(key)) {
            LOG.debug("conv2d {}: OpenBLAS (oneDNN has no primitive for it)", key);
            openBlas.run();
            return new Settled(Kernel.OPENBLAS, recorded);
        }
        Kernel kernel = switch (setting) {
            case AUTO -> ruled(key);
            case TIMED -> faster(key, openBlas, onOneDnn);
            case OPENBLAS -> Kernel.OPENBLAS;
            case ONEDNN -> Kernel.ONEDNN;
        };
        if (kernel == Kernel.ONEDNN) {
            onOneDnn.run();
        } else {
            oneDnn.forget(key);
            if (setting != Setting.TIMED) {
                openBlas.run();
            }
        }
        return new Settled(kernel, recorded);
    }

    /**
     * The rule's kernel for a convolution oneDNN has a primitive for: OpenBLAS for the input gradient of a strided
     * plain convolution of fewer than {@value #FEW_INPUT_CHANNELS} input channels, else oneDNN.
     */
    static Kernel ruled(ConvolutionKey key) {
        GroupedConv2dGeometry g = key.geometry();
        boolean strided = g.group().strideH() > 1 || g.group().strideW() > 1;
        boolean fewInputChannels = g.groups() == 1 && g.inChannels() < FEW_INPUT_CHANNELS;
        return key.direction() == Direction.BACKWARD_DATA && strided && fewInputChannels ? Kernel.OPENBLAS
                : Kernel.ONEDNN;
    }

    /** Times both kernels in turn, OpenBLAS last in each round (so its result is left), and returns the faster. */
    private Kernel faster(ConvolutionKey key, Runnable openBlas, Runnable onOneDnn) {
        String oneDnnKernel = oneDnn.implementation(key);
        long bestOneDnn = Long.MAX_VALUE;
        long bestOpenBlas = Long.MAX_VALUE;
        long spent = 0;
        int rounds = 0;
        while (rounds < MIN_ROUNDS || rounds < MAX_ROUNDS && spent < TRIAL_MILLIS * 1_000_000) {
            long oneDnnNanos = nanos(onOneDnn);
            long openBlasNanos = nanos(openBlas);
            bestOneDnn = Math.min(bestOneDnn, oneDnnNanos);
            bestOpenBlas = Math.min(bestOpenBlas, openBlasNanos);
            spent += oneDnnNanos + openBlasNanos;
            rounds++;
        }
        Kernel kernel = bestOneDnn < bestOpenBlas ? Kernel.ONEDNN : Kernel.OPENBLAS;
        LOG.debug("conv2d {}: {} (best of {} runs each: oneDNN's {} {} ms, OpenBLAS {} ms)", key, kernel, rounds,
                oneDnnKernel, bestOneDnn / 1e6, bestOpenBlas / 1e6);
        return kernel;
    }

    private static long nanos(Runnable run) {
        long start = System.nanoTime();
        run.run();
        return System.nanoTime() - start;
    }

    /** oneDNN, opened on the first call; null when disabled or where it does not load (logged once). */
    private synchronized OneDnnConvolution oneDnn() {
        if (!opened) {
            opened = true;
            if (!enabled) {
                LOG.info("CPU convolutions on OpenBLAS alone (-D{}=false)", PROPERTY);
            } else {
                oneDnn = open();
            }
        }
        return oneDnn;
    }

    private OneDnnConvolution open() {
        try {
            OneDnnConvolution opened = OneDnnConvolution.open(backend, parallel);
            LOG.info("CPU convolutions: {} {}; -D{}=false: OpenBLAS alone)", opened.describe(),
                    where(Setting.configured()), PROPERTY);
            return opened;
        } catch (LinkageError | RuntimeException e) {
            LOG.info("CPU convolutions on OpenBLAS alone: oneDNN did not load ({})", e.toString());
            return null;
        }
    }

    /** Where oneDNN runs under {@code setting}, for the log: ends in an open parenthesis with the setting. */
    private static String where(Setting setting) {
        return switch (setting) {
            case AUTO -> "except for the input gradients of strided convolutions of fewer than " + FEW_INPUT_CHANNELS
                    + " input channels, which OpenBLAS runs (-D" + KERNEL_PROPERTY + "=timed: the faster of the two,"
                    + " timed per geometry and direction on first use";
            case TIMED -> "where faster than OpenBLAS, timed per geometry and direction on first use (-D"
                    + KERNEL_PROPERTY + "=timed";
            case OPENBLAS -> "loaded but unused: OpenBLAS runs every convolution (-D" + KERNEL_PROPERTY + "=openblas";
            case ONEDNN -> "wherever it has a primitive (-D" + KERNEL_PROPERTY + "=onednn";
        };
    }

    @Override
    public synchronized void close() {
        if (oneDnn != null) {
            oneDnn.close();
            oneDnn = null;
        }
    }
}
