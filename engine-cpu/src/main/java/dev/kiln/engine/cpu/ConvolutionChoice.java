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
 * depthwise kernel or group by group) or oneDNN's ({@link OneDnnConvolution}), chosen by timing both, as cuDNN's
 * algorithm search chooses. The first {@value #TRIALS} calls of a (geometry, direction, bias) alternate between the
 * kernels, oneDNN first, each timed; from then on the one with the shorter best time runs it. The trials are the
 * calls themselves, each run once (its result is its kernel's), rather than both kernels run again and again on the
 * first call: in a fresh JVM the first calls of OpenBLAS's path run its Java code before the JIT has compiled it, and
 * LeNet's second convolution (batch 64) took 27 ms on OpenBLAS and 53 on oneDNN on its first call, where warm it takes
 * 8.2 and 5.4: a choice made on the first call kept the slower kernel. Neither kernel wins everywhere: oneDNN ran
 * ResNet-18's 3x3 layers (batch 256) in 0.4-0.7 of OpenBLAS's time in each direction, but lost LeNet's first
 * convolution's weight gradient.
 * <p>oneDNN is a candidate for F32 only (F64 runs on OpenBLAS, for exact gradient checks), and not at all with
 * {@code -Dkiln.cpu.onednn=false} or where its library does not load (no dnnl or opencl jar, or no natives for this
 * platform), which is logged once at INFO on the first convolution. It loads on that first convolution, not with the
 * backend: 0.4 s and a 90 MB library that a model without convolutions never needs. The choice depends on timings, so
 * two runs may choose differently where the kernels are close, and their results then differ in the last bits.
 */
final class ConvolutionChoice implements AutoCloseable {
    /** The switch: {@code true} (the default) lets oneDNN run where it is faster, {@code false} keeps OpenBLAS. */
    static final String PROPERTY = "kiln.cpu.onednn";

    /** Timed calls before the choice, alternating between the kernels: three of each, of which the best counts. */
    static final int TRIALS = 6;

    /** Convolutions whose choice is kept: far more than a model has, each entry a few dozen bytes. */
    static final int CHOICES_KEPT = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ConvolutionChoice.class);

    /** A convolution's kernel. */
    enum Kernel {
        OPENBLAS, ONEDNN
    }

    /** A convolution's trials so far, and its kernel once chosen. */
    private static final class Trials {
        int runs;
        long bestOneDnn = Long.MAX_VALUE;
        long bestOpenBlas = Long.MAX_VALUE;
        Kernel chosen;

        Kernel next() {
            return chosen != null ? chosen : runs % 2 == 0 ? Kernel.ONEDNN : Kernel.OPENBLAS;
        }

        /** Records a trial's time; true when that was the last trial and a kernel is chosen. */
        boolean record(Kernel kernel, long nanos) {
            if (kernel == Kernel.ONEDNN) {
                bestOneDnn = Math.min(bestOneDnn, nanos);
            } else {
                bestOpenBlas = Math.min(bestOpenBlas, nanos);
            }
            if (++runs < TRIALS) {
                return false;
            }
            chosen = bestOneDnn < bestOpenBlas ? Kernel.ONEDNN : Kernel.OPENBLAS;
            return true;
        }
    }

    private final CpuBackend backend;
    private final Parallel parallel;
    private final boolean enabled;
    private final Map<ConvolutionKey, Trials> trials = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ConvolutionKey, Trials> eldest) {
            return size() > CHOICES_KEPT;
        }
    };
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

    /** Whether every one of {@code keys} has its kernel chosen, and it is OpenBLAS. */
    synchronized boolean allOnOpenBlas(ConvolutionKey... keys) {
        for (ConvolutionKey key : keys) {
            Trials t = trials.get(key);
            if (t == null || t.chosen != Kernel.OPENBLAS) {
                return false;
            }
        }
        return true;
    }

    /** The kernel chosen for {@code key}, or null while it is on trial. */
    synchronized Kernel chosen(ConvolutionKey key) {
        Trials t = trials.get(key);
        return t == null ? null : t.chosen;
    }

    /**
     * Runs the convolution {@code key} on its kernel, {@code openBlas}, or {@code onOneDnn} given oneDNN, timing it
     * while it is on trial. Only for a key that {@link #considers} accepted.
     */
    void run(ConvolutionKey key, Runnable openBlas, Consumer<OneDnnConvolution> onOneDnn) {
        Trials t;
        Kernel kernel;
        boolean trial;
        synchronized (this) {
            t = trials.computeIfAbsent(key, this::newTrials);
            kernel = t.next();
            trial = t.chosen == null;
        }
        Runnable call = kernel == Kernel.ONEDNN ? () -> onOneDnn.accept(oneDnn) : openBlas;
        if (!trial) {
            call.run();
            return;
        }
        long start = System.nanoTime();
        call.run();
        long nanos = System.nanoTime() - start;
        synchronized (this) {
            if (t.chosen != null || !t.record(kernel, nanos)) {
                return;
            }
        }
        LOG.debug("conv2d {}: {} (best of {} calls each: oneDNN {} ms, OpenBLAS {} ms)", key, t.chosen, TRIALS / 2,
                t.bestOneDnn / 1e6, t.bestOpenBlas / 1e6);
        if (t.chosen == Kernel.OPENBLAS) {
            oneDnn.forget(key);
        }
    }

    /** The trials of a new key: none where oneDNN has no primitive for it, which then runs on OpenBLAS. */
    private Trials newTrials(ConvolutionKey key) {
        Trials t = new Trials();
        if (!oneDnn.supports(key)) {
            LOG.debug("conv2d {}: OpenBLAS (oneDNN has no primitive for it)", key);
            t.chosen = Kernel.OPENBLAS;
        }
        return t;
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
            LOG.info("CPU convolutions: {} where faster than OpenBLAS, timed per geometry and direction over their"
                    + " first {} calls (-D{}=false: OpenBLAS alone)", opened.describe(), TRIALS, PROPERTY);
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
