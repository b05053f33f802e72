package dev.kiln.nn;

import dev.kiln.engine.DType;
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
 *
 * <p>Its state dict holds PyTorch's {@code FakeQuantize} buffers, so that a QAT checkpoint resumes without restarting
 * the observers: {@code fake_quant_enabled} and {@code observer_enabled} (I32 [1], 1 or 0, where PyTorch's are uint8),
 * {@code scale} (F32 [1], or per channel [channels] once a weight is seen: before, PyTorch's placeholder scale 1 of
 * [1], which a checkpoint's shape replaces on loading) and {@code zero_point} (I32 of the same shape), then its
 * observer's {@code activation_post_process.eps}, {@code .min_val} and {@code .max_val}: a model saved before the
 * first batch saves what PyTorch's does. The state lives in fields, mirrored
 * into the buffers when it changes and read back from them after {@link Module#loadStateDict} wrote them.
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
    /** The buffers' {@link BufferVersions} when the fields last matched them. */
    private BufferVersions synced;

    private FakeQuantize(Module observer, boolean perChannel, int quantMin, int quantMax) {
        this.perChannel = perChannel;
        this.quantMin = quantMin;
        this.quantMax = quantMax;
        registerBuffer("fake_quant_enabled", unscoped(() -> Tensor.ones(DType.I32, 1)));
        registerBuffer("observer_enabled", unscoped(() -> Tensor.ones(DType.I32, 1)));
        registerBuffer("scale", unscoped(() -> Tensor.ones(DType.F32, 1)));
        registerBuffer("zero_point", unscoped(() -> Tensor.zeros(DType.I32, 1)));
        registerModule(OBSERVER, observer);
        synced = BufferVersions.of(stateBuffers());
    }

    /** PyTorch's {@code default_fake_quant} for activations: a moving-average uint8 grid, q in [0, 255]. */
    public static FakeQuantize perTensorActivation() {
        return new FakeQuantize(new MovingAverageMinMaxObserver(), false, 0, 255);
    }

    /**
     * PyTorch's {@code default_per_channel_weight_fake_quant}: symmetric int8 per output channel, q in [-128, 127],
     * for a weight [channels, ...] (its scale and zero point buffers grow from [1] to [channels] at the first weight,
     * as PyTorch's).
     */
    public static FakeQuantize perChannelWeight(int channels) {
        return new FakeQuantize(new MovingAveragePerChannelMinMaxObserver(channels), true, -128, 127);
    }

    /** A per-channel fake quantisation's qparams take a checkpoint's shape: [1] before any weight, [channels] after. */
    @Override
    protected boolean resizesOnLoad(String name) {
        return perChannel && (name.equals("scale") || name.equals("zero_point"));
    }

    private Tensor[] stateBuffers() {
        return new Tensor[] {buffer("fake_quant_enabled"), buffer("observer_enabled"), buffer("scale"),
                buffer("zero_point")};
    }

    /** Reads the flags and qparams back from the buffers where something else wrote them. */
    private void refresh() {
        if (synced.matches(stateBuffers())) {
            return;
        }
        fakeQuantEnabled = buffer("fake_quant_enabled").toIntArray()[0] != 0;
        observerEnabled = buffer("observer_enabled").toIntArray()[0] != 0;
        if (perChannel) {
            scales = ((MovingAveragePerChannelMinMaxObserver) observer()).hasObserved()
                    ? buffer("scale").toFloatArray() : null;
        } else {
            scale = buffer("scale").toFloatArray()[0];
            zeroPoint = buffer("zero_point").toIntArray()[0];
        }
        synced = BufferVersions.of(stateBuffers());
    }

    private void publishFlags() {
        BufferVersions.writeInts(buffer("fake_quant_enabled"), fakeQuantEnabled ? 1 : 0);
        BufferVersions.writeInts(buffer("observer_enabled"), observerEnabled ? 1 : 0);
        synced = BufferVersions.of(stateBuffers());
    }

    @Override
    public Tensor forward(Tensor x) {
        refresh();
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
            BufferVersions.writeFloats(buffer("scale"), scale);
            BufferVersions.writeInts(buffer("zero_point"), zeroPoint);
        } else {
            scales = ((MovingAveragePerChannelMinMaxObserver) observer()).calculateScales();
            sizeQParamsTo(scales.length);
            BufferVersions.writeFloats(buffer("scale"), scales);
        }
        synced = BufferVersions.of(stateBuffers());
    }

    /**
     * Gives per-channel qparams of another size (the [1] placeholders before the first weight) {@code channels}
     * each, in their dtypes: the zero points 0, the scales written next.
     */
    private void sizeQParamsTo(int channels) {
        for (String name : new String[] {"scale", "zero_point"}) {
            DType dtype = buffer(name).dtype();
            if (buffer(name).size() != channels) {
                replaceBuffer(name, unscoped(() -> Tensor.zeros(dtype, channels)));
            }
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
        refresh();
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
        refresh();
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
        refresh();
        observerEnabled = true;
        publishFlags();
        return this;
    }

    public FakeQuantize disableObserver() {
        refresh();
        observerEnabled = false;
        publishFlags();
        return this;
    }

    public FakeQuantize enableFakeQuant() {
        refresh();
        fakeQuantEnabled = true;
        publishFlags();
        return this;
    }

    public FakeQuantize disableFakeQuant() {
        refresh();
        fakeQuantEnabled = false;
        publishFlags();
        return this;
    }

    public boolean observerEnabled() {
        refresh();
        return observerEnabled;
    }

    public boolean fakeQuantEnabled() {
        refresh();
        return fakeQuantEnabled;
    }

    /**
     * PyTorch's {@code extra_repr}: the switches (uint8 [1] tensors in PyTorch), the grid, and the qparams as its
     * buffers hold them, e.g. {@code fake_quant_enabled=tensor([1], dtype=torch.uint8), observer_enabled=tensor([1],
     * dtype=torch.uint8), quant_min=0, quant_max=255, dtype=torch.quint8, qscheme=torch.per_tensor_affine, ch_axis=-1,
     * scale=tensor([1.]), zero_point=tensor([0], dtype=torch.int32)}.
     */
    @Override
    protected String extraRepr() {
        return "fake_quant_enabled=" + flag("fake_quant_enabled") + ", observer_enabled=" + flag("observer_enabled")
                + ", quant_min=" + quantMin + ", quant_max=" + quantMax
                + (perChannel ? ", dtype=torch.qint8, qscheme=torch.per_channel_symmetric, ch_axis=0"
                        : ", dtype=torch.quint8, qscheme=torch.per_tensor_affine, ch_axis=-1")
                + ", scale=" + buffer("scale") + ", zero_point=" + buffer("zero_point");
    }

    /** A switch buffer as PyTorch prints its uint8 one: {@code tensor([1], dtype=torch.uint8)}. */
    private String flag(String name) {
        return "tensor([" + (long) buffer(name).item() + "], dtype=torch.uint8)";
    }
}
