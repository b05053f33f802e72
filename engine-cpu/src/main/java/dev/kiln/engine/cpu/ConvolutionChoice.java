package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.GroupedConv2dGeometry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which kernel runs each CPU convolution: OpenBLAS's (im2col and GEMM, {@link CpuConvolution}; for grouped ones the
 * depthwise kernel or group by group) or oneDNN's ({@link OneDnnConvolution}), chosen as cuDNN's algorithm search
 * chooses. The first call of a (geometry, direction, bias) runs both kernels on the call's own tensors,
 * {@value #ROUNDS} times each in turn, and the one with the shorter best time runs that convolution from then on;
 * the call's result is the chosen kernel's. Neither wins everywhere: on ResNet-18's 3x3 layers (batch 256, 2 threads)
 * oneDNN's forward pass took 0.52-0.6 of OpenBLAS's time, but its weight gradient on 128 channels of 16 x 16 took
 * 1.7-3.2 times as long, and on small planes (64 channels of 7 x 7) its reorders cost more than it saved.
 * <p>oneDNN is considered for F32 only (F64 runs on OpenBLAS, for exact gradient checks), and not at all with
 * {@code -Dkiln.cpu.onednn=false} or where its library does not load (no dnnl or opencl jar, or no natives for this
 * platform), which is logged once at INFO on the first convolution. It loads on that first convolution, not with the
 * backend: 0.4 s and a 90 MB library that a model without convolutions never needs. The choice depends on timings, so
 * two runs may choose differently where the two kernels are close, and their results then differ in the last bits.
 */
final class ConvolutionChoice implements AutoCloseable {
    /** The switch: {@code true} (the default) lets oneDNN run where it is faster, {@code false} keeps OpenBLAS. */
    static final String PROPERTY = "kiln.cpu.onednn";

    /**
     * Runs of each kernel on a convolution's first call; the best counts. The first run of either is slower (oneDNN
     * touches its temporaries and scratchpad for the first time, OpenBLAS its column buffers), so one run alone would
     * compare those costs instead of the kernels'.
     */
    static final int ROUNDS = 2;

    /** Choices kept: far more than a model's convolutions, each entry a few bytes. */
    static final int CHOICES_KEPT = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ConvolutionChoice.class);

    /** A convolution's kernel. */
    enum Kernel {
        OPENBLAS, ONEDNN
    }

    private final CpuBackend backend;
    private final int threads;
    private final boolean enabled;
    private final Map<ConvolutionKey, Kernel> chosen = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ConvolutionKey, Kernel> eldest) {
            return size() > CHOICES_KEPT;
        }
    };
    private boolean opened;
    private OneDnnConvolution oneDnn;

    /** @param enabled whether oneDNN may run at all ({@link #PROPERTY}) */
    ConvolutionChoice(CpuBackend backend, int threads, boolean enabled) {
        this.backend = backend;
        this.threads = threads;
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

    /** Whether every one of {@code keys} has been timed and runs on OpenBLAS. */
    synchronized boolean allOnOpenBlas(ConvolutionKey... keys) {
        for (ConvolutionKey key : keys) {
            if (chosen.get(key) != Kernel.OPENBLAS) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs the convolution {@code key} on its kernel: {@code openBlas}, or {@code onOneDnn} given oneDNN; on its first
     * call, times both first. Only for a key that {@link #considers} accepted.
     */
    void run(ConvolutionKey key, Runnable openBlas, Consumer<OneDnnConvolution> onOneDnn) {
        Kernel kernel;
        synchronized (this) {
            kernel = chosen.get(key);
        }
        if (kernel == null) {
            kernel = choose(key, openBlas, () -> onOneDnn.accept(oneDnn));
            synchronized (this) {
                chosen.put(key, kernel);
            }
        } else if (kernel == Kernel.ONEDNN) {
            onOneDnn.accept(oneDnn);
        } else {
            openBlas.run();
        }
    }

    /** The kernel chosen for {@code key}, or null before its first call. */
    synchronized Kernel chosen(ConvolutionKey key) {
        return chosen.get(key);
    }

    /** Times both kernels ({@link #ROUNDS} runs each, oneDNN first) and leaves the faster one's result. */
    private Kernel choose(ConvolutionKey key, Runnable openBlas, Runnable onOneDnn) {
        if (!oneDnn.supports(key)) {
            LOG.debug("conv2d {}: OpenBLAS (oneDNN has no primitive for it)", key);
            openBlas.run();
            return Kernel.OPENBLAS;
        }
        long oneDnnNanos = Long.MAX_VALUE;
        long openBlasNanos = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            oneDnnNanos = Math.min(oneDnnNanos, nanos(onOneDnn));
            openBlasNanos = Math.min(openBlasNanos, nanos(openBlas));
        }
        Kernel kernel = oneDnnNanos < openBlasNanos ? Kernel.ONEDNN : Kernel.OPENBLAS;
        LOG.debug("conv2d {}: {} (oneDNN {} {} ms, OpenBLAS {} ms)", key, kernel, oneDnn.implementation(key),
                oneDnnNanos / 1e6, openBlasNanos / 1e6);
        if (kernel == Kernel.ONEDNN) {
            onOneDnn.run();
        } else {
            oneDnn.forget(key);
        }
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
            OneDnnConvolution opened = OneDnnConvolution.open(backend, threads);
            LOG.info("CPU convolutions: {} where faster than OpenBLAS, timed per geometry and direction on first use"
                    + " (-D{}=false: OpenBLAS alone)", opened.describe(), PROPERTY);
            return opened;
        } catch (LinkageError | RuntimeException e) {
            LOG.info("CPU convolutions on OpenBLAS alone: oneDNN did not load ({})", e.toString());
            return null;
        }
    }

    @Override
    public synchronized void close() {
        if (oneDnn != null) {
            oneDnn.close();
            oneDnn = null;
        }
    }
}
