package dev.kiln.nn;

import dev.kiln.engine.FakeQuantization;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;

/**
 * PyTorch's {@code torch.ao.quantization.FakeQuantize}: an observer (child {@code activation_post_process}) and a
 * fake quantisation with the qparams it gives. Each forward call first lets the observer see the input and takes its
 * new qparams, then rounds the input onto that grid ({@link FakeQuantization}, straight-through gradient); either step
 * can be switched off ({@link #disableObserver}, {@link #disableFakeQuant}), as PyTorch's {@code disable_observer} and
 * {@code disable_fake_quant}. As in PyTorch, {@link #eval()} changes neither. Input of any shape (a weight [out, ...]
 * for {@link #perChannelWeight}), output of the same shape.
 *
 * <p>Two kinds, PyTorch's default QAT qconfig ({@code get_default_qat_qconfig('onednn')}):
 * {@link #perTensorActivation} ({@link MovingAverageMinMaxObserver}, quint8 [0, 255]) and {@link #perChannelWeight}
 * ({@link MovingAveragePerChannelMinMaxObserver}, qint8 [-128, 127] symmetric, axis 0). Until the observer has seen a
 * tensor the per-tensor grid is PyTorch's initial scale 1, zero point 0.
 */
public final class FakeQuantize extends Module {
    static final String OBSERVER = "activation_post_process";

    private final boolean perChannel;
    private final int quantMin;
    private final int quantMax;
    private boolean observerEnabled = true;
    private boolean fakeQuantEnabled = true;
    private float scale = 1f;
    private int zeroPoint;
    /** Replaced, never written in place: a copy of this module may share the array. */
    private float[] scales;

    private FakeQuantize(Module observer, boolean perChannel, int quantMin, int quantMax) {
        this.perChannel = perChannel;
        this.quantMin = quantMin;
        this.quantMax = quantMax;
        registerModule(OBSERVER, observer);
    }

    /** PyTorch's {@code default_fake_quant} for activations: a moving-average uint8 grid, q in [0, 255]. */
    public static FakeQuantize perTensorActivation() {
        return new FakeQuantize(new MovingAverageMinMaxObserver(), false, 0, 255);
    }

    /** PyTorch's {@code default_per_channel_weight_fake_quant}: symmetric int8 per output channel, q in [-128, 127]. */
    public static FakeQuantize perChannelWeight() {
        return new FakeQuantize(new MovingAveragePerChannelMinMaxObserver(), true, -128, 127);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (observerEnabled) {
            observer().forward(x);
            takeQParams();
        }
        if (!fakeQuantEnabled) {
            return x;
        }
        if (!perChannel) {
            return FakeQuantization.perTensorAffine(x, scale, zeroPoint, quantMin, quantMax);
        }
        return FakeQuantization.perChannelAffine(x, scales(), new int[x.dim(0)], 0, quantMin, quantMax);
    }

    private void takeQParams() {
        if (observer() instanceof MovingAverageMinMaxObserver activations) {
            Uint8Grid grid = activations.calculateQParams();
            scale = grid.scale();
            zeroPoint = grid.zeroPoint();
        } else {
            scales = ((MovingAveragePerChannelMinMaxObserver) observer()).calculateScales();
        }
    }

    /** The observer, PyTorch's {@code activation_post_process}. */
    public Module observer() {
        return module(OBSERVER);
    }

    /**
     * The per-tensor grid in use: the observer's last qparams.
     *
     * @throws IllegalStateException for a per-channel fake quantisation
     */
    public Uint8Grid grid() {
        if (perChannel) {
            throw new IllegalStateException("FakeQuantize: a per-channel fake quantisation has scales, not one grid");
        }
        return new Uint8Grid(scale, zeroPoint);
    }

    /**
     * The per-channel scales in use (zero points 0), a new array.
     *
     * @throws IllegalStateException for a per-tensor fake quantisation, or before its observer has seen a weight
     */
    public float[] scales() {
        if (!perChannel) {
            throw new IllegalStateException("FakeQuantize: a per-tensor fake quantisation has one grid, not scales");
        }
        if (scales == null) {
            throw new IllegalStateException("FakeQuantize: its observer has seen no weight yet, so it has no scales;"
                    + " enable the observer and run a forward pass");
        }
        return scales.clone();
    }

    /** Whether it is per channel (weights) rather than per tensor (activations). */
    public boolean isPerChannel() {
        return perChannel;
    }

    public FakeQuantize enableObserver() {
        observerEnabled = true;
        return this;
    }

    public FakeQuantize disableObserver() {
        observerEnabled = false;
        return this;
    }

    public FakeQuantize enableFakeQuant() {
        fakeQuantEnabled = true;
        return this;
    }

    public FakeQuantize disableFakeQuant() {
        fakeQuantEnabled = false;
        return this;
    }

    public boolean observerEnabled() {
        return observerEnabled;
    }

    public boolean fakeQuantEnabled() {
        return fakeQuantEnabled;
    }

    @Override
    public String toString() {
        return "FakeQuantize(" + (perChannel ? "qint8, per_channel_symmetric" : "quint8, per_tensor_affine")
                + ", quant_min=" + quantMin + ", quant_max=" + quantMax + ", observer_enabled=" + observerEnabled
                + ", fake_quant_enabled=" + fakeQuantEnabled + ")";
    }
}
