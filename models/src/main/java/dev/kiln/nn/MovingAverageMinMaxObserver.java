package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;

/**
 * PyTorch's {@code torch.ao.quantization.MovingAverageMinMaxObserver(dtype=torch.quint8,
 * qscheme=torch.per_tensor_affine)}, the activation observer of its default QAT qconfig: the first tensor sets the
 * range to its smallest and largest element, each later one moves it by {@code averagingConstant} towards its own,
 * {@code min += c * (min_now - min)} in F32. Its {@link #calculateQParams} is {@link MinMaxObserver}'s on that range.
 * Input of any shape, handed on unchanged.
 *
 * <p>Its state dict holds PyTorch's buffers: {@code min_val} and {@code max_val} (F32 scalars, +infinity and
 * -infinity before any element) and {@code eps} (F32 [1], float32's epsilon, kept for the names; the grid rule uses
 * its own), so that a checkpoint resumes the averages. The range lives in fields, mirrored into the buffers after each
 * tensor and read back from them after {@link Module#loadStateDict} wrote them.
 */
public final class MovingAverageMinMaxObserver extends Module {
    /** PyTorch's default averaging constant. */
    public static final float DEFAULT_AVERAGING_CONSTANT = 0.01f;

    private final float averagingConstant;
    private final boolean reduceRange;
    private float minVal = Float.POSITIVE_INFINITY;
    private float maxVal = Float.NEGATIVE_INFINITY;
    /** The buffers' {@link BufferVersions} when the fields last matched them. */
    private BufferVersions synced;

    /**
     * @param averagingConstant how far each tensor moves the range towards its own, in (0, 1]
     * @param reduceRange whether the grid spans q in [0, 127] instead of [0, 255], as PyTorch's flag of that name
     * @throws IllegalArgumentException when averagingConstant is outside (0, 1]
     */
    public MovingAverageMinMaxObserver(float averagingConstant, boolean reduceRange) {
        if (!(averagingConstant > 0 && averagingConstant <= 1)) {
            throw new IllegalArgumentException("MovingAverageMinMaxObserver: averagingConstant must lie in (0, 1], got "
                    + averagingConstant);
        }
        this.averagingConstant = averagingConstant;
        this.reduceRange = reduceRange;
        registerEps(this);
        registerBuffer("min_val", unscoped(() -> Tensor.scalar(Float.POSITIVE_INFINITY)));
        registerBuffer("max_val", unscoped(() -> Tensor.scalar(Float.NEGATIVE_INFINITY)));
        synced = BufferVersions.of(stateBuffers());
    }

    /** PyTorch's observer buffer {@code eps} [1], float32's epsilon. */
    static void registerEps(Module observer) {
        observer.registerBuffer("eps", unscoped(() -> Tensor.full(Math.ulp(1f), DType.F32, 1)));
    }

    private Tensor[] stateBuffers() {
        return new Tensor[] {buffer("min_val"), buffer("max_val")};
    }

    /** Reads the range back from the buffers where something else wrote them. */
    private void refresh() {
        if (!synced.matches(stateBuffers())) {
            minVal = buffer("min_val").toFloatArray()[0];
            maxVal = buffer("max_val").toFloatArray()[0];
            synced = BufferVersions.of(stateBuffers());
        }
    }

    /** The observer of {@code get_default_qat_qconfig('onednn')}: constant 0.01, the full range [0, 255]. */
    public MovingAverageMinMaxObserver() {
        this(DEFAULT_AVERAGING_CONSTANT, false);
    }

    /** Moves the recorded range towards x's (sets it, the first time); returns x itself. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.size() == 0) {
            return x;
        }
        refresh();
        float lo;
        float hi;
        try (Autograd.Guard g = Autograd.noGrad(); Tensor min = x.min(); Tensor max = x.max()) {
            lo = (float) min.item();
            hi = (float) max.item();
        }
        if (hasObserved()) {
            lo = minVal + averagingConstant * (lo - minVal);
            hi = maxVal + averagingConstant * (hi - maxVal);
        }
        minVal = lo;
        maxVal = hi;
        BufferVersions.writeFloats(buffer("min_val"), lo);
        BufferVersions.writeFloats(buffer("max_val"), hi);
        synced = BufferVersions.of(stateBuffers());
        return x;
    }

    /** Whether it has seen at least one element. */
    public boolean hasObserved() {
        refresh();
        return minVal <= maxVal;
    }

    /** The averaged minimum; +infinity before any element. */
    public float minVal() {
        refresh();
        return minVal;
    }

    /** The averaged maximum; -infinity before any element. */
    public float maxVal() {
        refresh();
        return maxVal;
    }

    /**
     * The uint8 grid of the averaged range, by {@link MinMaxObserver#calculateQParams}'s rule.
     *
     * @throws IllegalStateException when it has seen nothing
     */
    public Uint8Grid calculateQParams() {
        if (!hasObserved()) {
            throw new IllegalStateException("MovingAverageMinMaxObserver: it has observed no values");
        }
        return MinMaxObserver.grid(minVal, maxVal, reduceRange);
    }

    /** PyTorch's {@code extra_repr}: the range as its buffers hold it, {@code min_val=inf, max_val=-inf} at first. */
    @Override
    protected String extraRepr() {
        return "min_val=" + PythonRepr.number(buffer("min_val").item()) + ", max_val="
                + PythonRepr.number(buffer("max_val").item());
    }
}
