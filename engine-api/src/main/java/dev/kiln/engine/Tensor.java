package dev.kiln.engine;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * An n-dimensional array on one backend, row-major and contiguous, with an element offset into shared
 * storage so that reshaping and narrowing the first axis are free views. Operations are eager; when an
 * input requires gradients and {@link Autograd} is enabled, the result records how to differentiate it.
 *
 * <p>Memory: a tensor made inside a {@link Scope} is closed with the scope; otherwise it lives until
 * {@link #close()}. Using a closed tensor throws {@link IllegalStateException}.
 */
public final class Tensor implements AutoCloseable {
    /** Numbers every tensor in the order of creation, so that a backward pass knows which gradients it made. */
    private static final AtomicLong SERIALS = new AtomicLong();

    private final long serial;
    private final SharedStorage storage;
    private final long offset;
    private final Shape shape;
    private final DType dtype;
    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    /** Null until {@link #registerHook} or {@link #retainGrad} is called. */
    private GradientHooks gradientHooks;
    private boolean closed;
    /** Null until a backward pass reaches this tensor through {@link F#sparseEmbedding}. */
    private SparseRows sparseGrad;

    private Tensor(SharedStorage storage, long offset, Shape shape, DType dtype) {
        this.serial = SERIALS.getAndIncrement();
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        this.dtype = dtype;
        Scope.register(this);
    }

    // ---- Creation -------------------------------------------------------------------------------

    /**
     * An uninitialised tensor on {@code backend}, owned by the current scope: for backends' own
     * temporaries and for code that holds two backends at once (parity tests, benchmarks).
     */
    public static Tensor empty(Shape shape, DType dtype, Backend backend) {
        return new Tensor(new SharedStorage(backend.allocate(dtype, shape.size())), 0, shape, dtype);
    }

    /** A tensor of this one's shape, dtype and backend with every element {@code value} (PyTorch's {@code full_like}). */
    public Tensor fullLike(double value) {
        return fullLike(value, shape);
    }

    /**
     * A tensor of {@code shape} in this one's dtype and on its backend with every element {@code value} (PyTorch's
     * {@code x.new_full(shape, value)}): such as a recurrent cell's zero state [batch, hidden] for an input [batch,
     * features].
     */
    public Tensor fullLike(double value, Shape shape) {
        Checks.open("fullLike", this);
        Tensor t = emptyLike(shape, dtype);
        t.backend().fill(t, value);
        return t;
    }

    /** An uninitialised tensor like this one (same backend), of the given shape and dtype. */
    Tensor emptyLike(Shape s, DType t) {
        return empty(s, t, backend());
    }

    private static Backend defaultBackend() {
        return Engine.get().backend();
    }

    /** Zeros of the given shape, F32. */
    public static Tensor zeros(int... dims) {
        return full(0, DType.F32, dims);
    }

    /** Zeros of the given shape and dtype. */
    public static Tensor zeros(DType dtype, int... dims) {
        return full(0, dtype, dims);
    }

    /** Ones of the given shape, F32. */
    public static Tensor ones(int... dims) {
        return full(1, DType.F32, dims);
    }

    /** Ones of the given shape and dtype. */
    public static Tensor ones(DType dtype, int... dims) {
        return full(1, dtype, dims);
    }

    /** Every element {@code value}. */
    public static Tensor full(double value, DType dtype, int... dims) {
        Tensor t = empty(Shape.of(dims), dtype, defaultBackend());
        t.backend().fill(t, value);
        return t;
    }

    /** A scalar (rank 0) F32 tensor. */
    public static Tensor scalar(double value) {
        return full(value, DType.F32);
    }

    /** The n x n identity matrix, F32 (PyTorch's {@code torch.eye(n)}). */
    public static Tensor eye(int n) {
        return eye(n, n);
    }

    /** An F32 [n, m] matrix of ones on the diagonal and zeros elsewhere (PyTorch's {@code torch.eye(n, m)}). */
    public static Tensor eye(int n, int m) {
        if (n < 0 || m < 0) {
            throw new IllegalArgumentException("eye: sizes must be >= 0, got " + n + " x " + m);
        }
        float[] values = new float[Math.multiplyExact(n, m)];
        for (int i = 0; i < Math.min(n, m); i++) {
            values[i * m + i] = 1;
        }
        return fromArray(values, n, m);
    }

    /** {@code [0, 1, ..., n-1]} as F32. */
    public static Tensor arange(int n) {
        return arange(0, n, 1, DType.F32);
    }

    /** {@code start, start+step, ...} below {@code end} (above it for a negative step). */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0 || Double.isNaN(step)) {
            throw new IllegalArgumentException("arange: step must be non-zero, got " + step);
        }
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = start + i * step;
        }
        return vectorOf(values, dtype);
    }

    /** {@code values} as a 1-D tensor of {@code dtype}; the F64 tensor they are made in is freed once converted. */
    static Tensor vectorOf(double[] values, DType dtype) {
        return consume(fromArray(values, values.length), null, t -> t.to(dtype));
    }

    /** An F32 tensor holding {@code data} in row-major order. */
    public static Tensor fromArray(float[] data, int... dims) {
        return fromBuffer("fromArray", FloatBuffer.wrap(data), data.length, DType.F32, dims);
    }

    /** An F64 tensor holding {@code data}. */
    public static Tensor fromArray(double[] data, int... dims) {
        return fromBuffer("fromArray", DoubleBuffer.wrap(data), data.length, DType.F64, dims);
    }

    /** An I32 tensor holding {@code data}. */
    public static Tensor fromArray(int[] data, int... dims) {
        LongSummaryStatistics values = Arrays.stream(data).asLongStream().summaryStatistics();
        return withHostRange(fromBuffer("fromArray", IntBuffer.wrap(data), data.length, DType.I32, dims), values);
    }

    /** An I64 tensor holding {@code data}. */
    public static Tensor fromArray(long[] data, int... dims) {
        LongSummaryStatistics values = Arrays.stream(data).summaryStatistics();
        return withHostRange(fromBuffer("fromArray", LongBuffer.wrap(data), data.length, DType.I64, dims), values);
    }

    /** Records the range of the values just uploaded (taken before the upload, from the caller's array). */
    private static Tensor withHostRange(Tensor t, LongSummaryStatistics values) {
        return values.getCount() > 0 ? t.withValueRange(values.getMin(), values.getMax()) : t;
    }

    /** Records that this new tensor's values lie in [min, max], as the op that wrote it guarantees; returns this. */
    Tensor withValueRange(long min, long max) {
        storage.recordValueRange(min, max);
        return this;
    }

    /**
     * Records that this new tensor's values are some of {@code sources}' values (a copy, a selection between them),
     * when every source's range is known; returns this.
     */
    Tensor withValueRangeOf(Tensor... sources) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (Tensor source : sources) {
            long[] range = source.knownValueRange();
            if (range == null) {
                return this;
            }
            min = Math.min(min, range[0]);
            max = Math.max(max, range[1]);
        }
        return withValueRange(min, max);
    }

    /**
     * False when this integer tensor's values are known, without reading them, to leave out {@code value} (see
     * {@link #knownValueRange}: a batch's labels made by {@link #fromArray(long[], int...)}); true when they may
     * hold it. Lets a loss skip an ignore index's masking for targets that cannot hold it, without waiting for a
     * device.
     */
    public boolean mayContain(long value) {
        long[] known = knownValueRange();
        return known == null || (value >= known[0] && value <= known[1]);
    }

    /**
     * For an integer tensor whose storage's values are known without reading them and that was not written in place
     * since ({@link #assign}, {@link #addInPlace}, through it or any view of its storage): bounds {min, max} on
     * them, which bound this view's values; otherwise null. Known for tensors made by
     * {@link #fromArray(long[], int...)} or {@link #fromArray(int[], int...)}, by {@link #argmax} ([0, size of the
     * axis)), and by copies, narrowings and {@link #where} selections of such tensors. Index checks use it to avoid
     * reading indices back from a device. Code that writes into such a tensor through its {@link Backend}
     * directly (backends' own temporaries, parity tests) bypasses this; the engine never does.
     */
    long[] knownValueRange() {
        return storage.valueRange();
    }

    private static Tensor fromBuffer(String op, Buffer data, int length, DType dtype, int... dims) {
        Shape s = Shape.of(dims);
        if (s.size() != length) {
            throw new IllegalArgumentException(op + ": " + length + " values do not fill shape " + s + " (" + s.size() + " elements)");
        }
        Tensor t = empty(s, dtype, defaultBackend());
        t.backend().copyFromHost(data, t);
        return t;
    }

    /** Uniform values in [0, 1) from the engine's seeded stream, F32. */
    public static Tensor rand(int... dims) {
        return rand(DType.F32, dims);
    }

    /** Uniform values in [0, 1) of the given dtype. */
    public static Tensor rand(DType dtype, int... dims) {
        return uniform(0, 1, dtype, dims);
    }

    /**
     * I64 integers drawn uniformly from [low, high) (PyTorch's {@code torch.randint(low, high, size)}; Kiln's random
     * stream, not torch's).
     */
    public static Tensor randint(long low, long high, int... dims) {
        if (low >= high) {
            throw new IllegalArgumentException("randint: low must be below high, got low " + low + " and high " + high);
        }
        // Unsigned: high - low overflows a long past 2^63 yet is exact as an unsigned number, since low < high.
        long range = high - low;
        if (Long.compareUnsigned(range, 1L << 53) > 0) {
            throw new IllegalArgumentException("randint: the range [" + low + ", " + high + ") is wider than 2^53");
        }
        // Offsets from low, exact as doubles below 2^53; low itself is added as a long, which a double could round.
        return Composite.untracked(() -> uniform(0, range, DType.F64, dims).floor().clampMax(range - 1)
                .to(DType.I64).add(fromArray(new long[] {low})));
    }

    /** Uniform values in [low, high). */
    public static Tensor uniform(double low, double high, DType dtype, int... dims) {
        Engine engine = Engine.get();
        Tensor t = empty(Shape.of(dims), dtype, engine.backend());
        engine.backend().randomUniform(t, low, high, engine.seed(), engine.nextCounter(t.size()));
        return t;
    }

    /** Standard normal values from the engine's seeded stream, F32. */
    public static Tensor randn(int... dims) {
        return randn(DType.F32, dims);
    }

    /** Standard normal values of the given dtype. */
    public static Tensor randn(DType dtype, int... dims) {
        return normal(0, 1, dtype, dims);
    }

    /** Normal values with the given mean and standard deviation. */
    public static Tensor normal(double mean, double std, DType dtype, int... dims) {
        Engine engine = Engine.get();
        Tensor t = empty(Shape.of(dims), dtype, engine.backend());
        engine.backend().randomNormal(t, mean, std, engine.seed(), engine.nextCounter(t.size()));
        return t;
    }

    /** 1 with probability {@code p}, else 0, in this tensor's shape, dtype and device. */
    public Tensor bernoulliLike(double p) {
        return bernoulliLike(p, shape);
    }

    /**
     * 1 with probability {@code p}, else 0, of {@code shape} in this tensor's dtype and on its device: a mask that
     * broadcasts against this tensor, such as channel dropout's [batch, channels, 1, 1].
     */
    public Tensor bernoulliLike(double p, Shape shape) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("bernoulli: probability must be in [0, 1], got " + p);
        }
        Engine engine = Engine.get();
        Tensor t = emptyLike(shape, dtype);
        backend().bernoulli(t, p, engine.seed(), engine.nextCounter(t.size()));
        return t;
    }

    /**
     * Uniform values in [low, high) from the engine's seeded stream, in this tensor's shape, dtype and device
     * (PyTorch's {@code torch.empty_like(x).uniform_(low, high)}).
     */
    public Tensor uniformLike(double low, double high) {
        return uniformLike(low, high, shape);
    }

    /**
     * Uniform values in [low, high) from the engine's seeded stream, of {@code shape} in this tensor's dtype and on its
     * device: draws for a distribution's sample shape from its parameter's backend, where {@link #uniform} would draw
     * them on the engine's default backend.
     */
    public Tensor uniformLike(double low, double high, Shape shape) {
        Engine engine = Engine.get();
        Tensor t = emptyLike(shape, dtype);
        backend().randomUniform(t, low, high, engine.seed(), engine.nextCounter(t.size()));
        return t;
    }

    /**
     * Normal values of the given mean and standard deviation from the engine's seeded stream, in this tensor's shape,
     * dtype and device (PyTorch's {@code torch.empty_like(x).normal_(mean, std)}).
     */
    public Tensor normalLike(double mean, double std) {
        return normalLike(mean, std, shape);
    }

    /**
     * Normal values of the given mean and standard deviation from the engine's seeded stream, of {@code shape} in this
     * tensor's dtype and on its device (as {@link #uniformLike(double, double, Shape)}).
     */
    public Tensor normalLike(double mean, double std, Shape shape) {
        Engine engine = Engine.get();
        Tensor t = emptyLike(shape, dtype);
        backend().randomNormal(t, mean, std, engine.seed(), engine.nextCounter(t.size()));
        return t;
    }

    /** Zeros in this tensor's shape, dtype and device (PyTorch's {@code torch.zeros_like(x)}). */
    public Tensor zerosLike() {
        return fullLike(0);
    }

    /** Ones in this tensor's shape, dtype and device (PyTorch's {@code torch.ones_like(x)}). */
    public Tensor onesLike() {
        return fullLike(1);
    }

    /**
     * Uniform values in [0, 1) from the engine's seeded stream, in this F32 or F64 tensor's shape, dtype and device
     * (PyTorch's {@code torch.rand_like(x)}).
     *
     * @throws IllegalArgumentException for an integer tensor, as PyTorch refuses one: convert it first, as PyTorch's
     *                                  {@code rand_like(x, dtype=torch.float)} does
     */
    public Tensor randLike() {
        checkFloatingLike("randLike");
        return uniformLike(0, 1);
    }

    /**
     * Standard normal values from the engine's seeded stream, in this F32 or F64 tensor's shape, dtype and device
     * (PyTorch's {@code torch.randn_like(x)}).
     *
     * @throws IllegalArgumentException for an integer tensor, as {@link #randLike()}
     */
    public Tensor randnLike() {
        checkFloatingLike("randnLike");
        return normalLike(0, 1);
    }

    private void checkFloatingLike(String op) {
        Checks.open(op, this);
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException(op + ": needs an F32 or F64 tensor, got " + dtype + " " + shape
                    + "; convert it first, x.to(DType.F32)." + op + "(), as PyTorch's " + op.replace("Like", "_like")
                    + "(x, dtype=torch.float)");
        }
    }

    // ---- Properties -----------------------------------------------------------------------------

    public Shape shape() {
        return shape;
    }

    /** Size of dimension {@code axis}; negative counts from the end. */
    public int dim(int axis) {
        return shape.dim(axis);
    }

    public int rank() {
        return shape.rank();
    }

    public long size() {
        return shape.size();
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return backend().device();
    }

    /** The backend that owns this tensor's memory. */
    public Backend backend() {
        return storage.storage().backend();
    }

    /** For backends: the storage holding this tensor's elements. */
    public Storage storage() {
        return storage.storage();
    }

    /** For backends: index of this tensor's first element within {@link #storage()}. */
    public long offset() {
        return offset;
    }

    public boolean isClosed() {
        return closed;
    }

    // ---- Reading values -------------------------------------------------------------------------

    /** All elements as floats, row-major (converted from other dtypes). */
    public float[] toFloatArray() {
        float[] out = new float[checkedLength("toFloatArray")];
        to(DType.F32, t -> t.backend().copyToHost(t, FloatBuffer.wrap(out)));
        return out;
    }

    /** All elements as doubles, row-major. */
    public double[] toDoubleArray() {
        double[] out = new double[checkedLength("toDoubleArray")];
        to(DType.F64, t -> t.backend().copyToHost(t, DoubleBuffer.wrap(out)));
        return out;
    }

    /** All elements as ints (floats truncated toward zero). */
    public int[] toIntArray() {
        int[] out = new int[checkedLength("toIntArray")];
        to(DType.I32, t -> t.backend().copyToHost(t, IntBuffer.wrap(out)));
        return out;
    }

    /** All elements as longs (floats truncated toward zero). */
    public long[] toLongArray() {
        long[] out = new long[checkedLength("toLongArray")];
        to(DType.I64, t -> t.backend().copyToHost(t, LongBuffer.wrap(out)));
        return out;
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (size() != 1) {
            throw new IllegalArgumentException("item: needs exactly one element, tensor has shape " + shape);
        }
        return switch (dtype) {
            case F32 -> toFloatArray()[0];
            case I32 -> toIntArray()[0];
            case I64 -> toLongArray()[0];
            case F64 -> toDoubleArray()[0];
        };
    }

    /**
     * {@link #item()} without waiting for the device: the value of a one-element tensor, copied to the host behind
     * the work that computes it. Queue more work, then {@link PendingItem#get} it: the device runs that work while
     * the host waits for this value only (on the CPU the value is read at once). Read each value before 64 later
     * ones are queued: CUDA stages the last 64 in turn, and {@link PendingItem#get} on an older one throws there
     * (never on the CPU, so a loop that keeps more pending passes its CPU tests and fails on a GPU).
     */
    public PendingItem itemAsync() {
        Checks.open("itemAsync", this);
        if (size() != 1) {
            throw new IllegalArgumentException("itemAsync: needs exactly one element, tensor has shape " + shape);
        }
        return backend().itemAsync(this);
    }

    private int checkedLength(String op) {
        Checks.open(op, this);
        if (size() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + shape + " has too many elements for a Java array");
        }
        return (int) size();
    }

    private void to(DType target, java.util.function.Consumer<Tensor> reader) {
        if (dtype == target) {
            reader.accept(this);
            return;
        }
        try (Autograd.Guard g = Autograd.noGrad()) {
            Tensor converted = Scope.outside(() -> to(target));
            try {
                reader.accept(converted);
            } finally {
                converted.close();
            }
        }
    }

    /** A copy converted to {@code target} (this tensor itself when the dtype already matches). */
    public Tensor to(DType target) {
        Checks.open("to", this);
        if (target == dtype) {
            return this;
        }
        Tensor out = emptyLike(shape, target);
        backend().copy(this, out);
        if (target.isFloating() && dtype.isFloating()) {
            DType from = dtype;
            out.record("to", new Tensor[] {this}, Node.differentiable(g -> new Tensor[] {g.to(from)}));
        }
        if (dtype == DType.I32 && target == DType.I64) {
            // Widening keeps every value, so a known range stays known (and an index check need not read it).
            out.withValueRangeOf(this);
        }
        return out;
    }

    /**
     * A copy on {@code target} (this tensor itself when it is already there), through host memory; the
     * copy has no graph history. Models never need it: they run on the engine's one backend.
     */
    public Tensor to(Backend target) {
        Checks.open("to", this);
        if (target == backend()) {
            return this;
        }
        Tensor out = empty(shape, dtype, target);
        switch (dtype) {
            case F32 -> target.copyFromHost(FloatBuffer.wrap(toFloatArray()), out);
            case F64 -> target.copyFromHost(DoubleBuffer.wrap(toDoubleArray()), out);
            case I32 -> target.copyFromHost(IntBuffer.wrap(toIntArray()), out);
            case I64 -> target.copyFromHost(LongBuffer.wrap(toLongArray()), out);
        }
        return out.withValueRangeOf(this);
    }

    /** A copy with its own storage and no graph history shared with this one's storage. */
    public Tensor copy() {
        Checks.open("copy", this);
        Tensor out = emptyLike(shape, dtype);
        backend().copy(this, out);
        out.record("copy", new Tensor[] {this}, Node.differentiable(g -> new Tensor[] {g}));
        return out.withValueRangeOf(this);
    }

    // ---- Autograd -------------------------------------------------------------------------------

    /** True if gradients flow to or through this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor (a parameter) as needing a gradient; returns this. */
    public Tensor requiresGrad(boolean required) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: only leaf tensors can be marked; this one was made by " + gradFn.op);
        }
        if (required && !dtype.isFloating()) {
            throw new IllegalArgumentException("requiresGrad: only F32 and F64 tensors can have gradients, got " + dtype);
        }
        this.requiresGrad = required;
        return this;
    }

    /** True if this tensor was not made by a recorded op. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /**
     * The gradient accumulated by {@link #backward()} calls, or null before the first: a leaf's that requires one, or
     * an op's output's after {@link #retainGrad()}.
     */
    public Tensor grad() {
        return grad;
    }

    /**
     * PyTorch's {@code retain_grad()}: a tensor made by an op keeps the gradient each backward pass computes for it
     * in {@link #grad()} (accumulating, as a leaf's does), so that an activation's gradient can be read, as Grad-CAM
     * does. A leaf keeps its gradient anyway. Returns this.
     *
     * @throws IllegalStateException when this tensor does not require a gradient
     */
    public Tensor retainGrad() {
        Checks.open("retainGrad", this);
        if (!requiresGrad) {
            throw new IllegalStateException("retainGrad: tensor " + shape + " does not require a gradient, so no backward"
                    + " pass computes one for it");
        }
        if (gradFn != null) {
            hooks().retainGrad();
        }
        return this;
    }

    /**
     * PyTorch's {@code register_hook}: {@code hook} is called with this tensor's whole gradient each time a backward
     * pass has computed it, before it goes on to the tensors this one was made from (or, for a leaf, into
     * {@link #grad()}). It may return a replacement of the same shape and dtype, which is what goes on, or null to
     * keep the gradient as it is; it runs with gradients off (on in {@link Autograd#grad} with
     * {@link GradOptions#createGraph()}, whose graph then records it). Hooks run in the order registered; an
     * {@link Autograd#grad} pass runs those on its way to an input. In a step recorded as a
     * {@link StepGraph} a hook runs while the step is recorded: the operations it queues replay with the step, what it
     * does on the host does not.
     *
     * @throws IllegalStateException when this tensor does not require a gradient
     */
    public HookHandle registerHook(UnaryOperator<Tensor> hook) {
        Checks.open("registerHook", this);
        if (!requiresGrad) {
            throw new IllegalStateException("registerHook: tensor " + shape + " does not require a gradient, so its hook"
                    + " would never run");
        }
        return hooks().add(hook, false);
    }

    /**
     * {@link #registerHook} for the passes that accumulate into {@link #grad()} ({@link #backward()}) alone, not an
     * {@link Autograd#grad} pass, which hands its gradients back and leaves {@code grad()} alone: where PyTorch's
     * DistributedDataParallel hooks in (its reducer sits on the parameters' gradient accumulators), so that
     * {@code autograd.grad} over a wrapped model's parameters gives each process's own gradients.
     *
     * @throws IllegalStateException when this tensor does not require a gradient
     */
    public HookHandle registerAccumulateGradHook(UnaryOperator<Tensor> hook) {
        Checks.open("registerAccumulateGradHook", this);
        if (!requiresGrad) {
            throw new IllegalStateException("registerAccumulateGradHook: tensor " + shape + " does not require a"
                    + " gradient, so its hook would never run");
        }
        return hooks().add(hook, true);
    }

    private GradientHooks hooks() {
        if (gradientHooks == null) {
            gradientHooks = new GradientHooks();
        }
        return gradientHooks;
    }

    /**
     * Sets the accumulated gradient to zero (keeping its memory); a {@link #sparseGrad()} keeps no entries, as
     * PyTorch's {@code zero_()} leaves a sparse gradient: still there, so that an optimizer still steps it.
     */
    public void zeroGrad() {
        if (grad != null) {
            grad.storage.writtenInPlace();
            grad.backend().fill(grad, 0);
        }
        if (sparseGrad != null) {
            SparseRows emptied = Scope.outside(() -> SparseRows.empty(sparseGrad.rows(), sparseGrad.cols(), dtype,
                    backend()));
            clearSparseGrad();
            sparseGrad = emptied;
        }
    }

    /** Releases and forgets the accumulated gradient, dense and sparse. */
    public void clearGrad() {
        if (grad != null) {
            grad.close();
            grad = null;
        }
        clearSparseGrad();
    }

    private void clearSparseGrad() {
        if (sparseGrad != null) {
            sparseGrad.close();
            sparseGrad = null;
        }
    }

    /** The same values, cut from the graph: a view that never requires a gradient. */
    public Tensor detach() {
        Checks.open("detach", this);
        storage.retain();
        return new Tensor(storage, offset, shape, dtype);
    }

    /**
     * Closes {@code intermediate}, a tensor an op made from {@code input} on the way to {@code result}, unless it is
     * that input or the result itself, or the result was recorded, whose graph may read it (its scope frees it
     * then). Without a scope, nothing else would free it before the garbage collector.
     */
    static void releaseIntermediate(Tensor intermediate, Tensor input, Tensor result) {
        if (intermediate != input && intermediate != result && result.gradFn == null) {
            intermediate.close();
        }
    }

    /** {@code op} applied to {@code intermediate}, which is then released as {@link #releaseIntermediate} says. */
    static Tensor consume(Tensor intermediate, Tensor input, UnaryOperator<Tensor> op) {
        Tensor result = op.apply(intermediate);
        releaseIntermediate(intermediate, input, result);
        return result;
    }

    /** Notes an in-place write made through the backend (an optimizer's update), as {@link #assign} does. */
    void markWrittenInPlace() {
        storage.writtenInPlace();
    }

    /** This tensor's place in the order of creation. */
    long serial() {
        return serial;
    }

    /** The serial the next tensor will get. */
    static long nextSerial() {
        return SERIALS.get();
    }

    /** Name of the op that produced this tensor, or null for a leaf. */
    public String gradFnName() {
        return gradFn == null ? null : gradFn.op;
    }

    /**
     * The inputs of the op that made this tensor, in the op's order, to walk the recorded graph back from a result
     * (PyTorch's {@code grad_fn.next_functions}, by tensor rather than by backward node: a leaf stands where PyTorch
     * puts its {@code AccumulateGrad}, a tensor that needs no gradient where it puts {@code None}); null where the op
     * took no tensor (a layer without bias). Empty for a leaf and for a tensor made without gradients.
     */
    public List<Tensor> gradFnInputs() {
        return gradFn == null ? List.of() : Collections.unmodifiableList(Arrays.asList(gradFn.inputs));
    }

    /** Back-propagates from a scalar: equivalent to {@code backward(ones)}. */
    public void backward() {
        if (size() != 1) {
            throw new IllegalArgumentException("backward: implicit gradient needs a scalar, tensor has shape " + shape
                    + "; pass a gradient of that shape to backward(gradient)");
        }
        Tensor one = emptyLike(shape, dtype);
        backend().fill(one, 1);
        backward(one);
        one.close();
    }

    /**
     * Back-propagates {@code gradient} (this tensor's shape) and adds the result to {@link #grad()} of
     * every leaf that requires a gradient. Gradients accumulate across calls until {@link #zeroGrad()}.
     */
    public void backward(Tensor gradient) {
        Checks.open("backward", this, gradient);
        if (!requiresGrad) {
            throw new IllegalStateException("backward: tensor " + shape + " does not require a gradient and has no graph"
                    + " (was it made under Autograd.noGrad(), or from tensors without requiresGrad(true)?)");
        }
        if (!gradient.shape.equals(shape)) {
            throw new IllegalArgumentException("backward: gradient shape " + gradient.shape + " differs from tensor shape " + shape);
        }
        Checks.compatible("backward", this, gradient);
        BackwardPass.backward(this, gradient);
    }

    /** The node that made this tensor, or null for a leaf. */
    Node gradFn() {
        return gradFn;
    }

    /** This tensor's hooks, or null when none was ever registered. */
    GradientHooks gradientHooks() {
        return gradientHooks;
    }

    /**
     * A leaf's gradient from a backward pass: taken as {@link #grad()} without a copy where it has none yet and
     * {@code pending} hands {@code g} over, else added to it.
     */
    void takeGradient(Tensor g, PendingGradients pending) {
        if (grad == null && pending.handOver(g)) {
            grad = g;
        } else {
            accumulateGrad(g);
        }
    }

    /** Adds {@code g} to {@link #grad()}, into a copy of it where there is none yet. */
    void accumulateGrad(Tensor g) {
        if (grad == null) {
            grad = Scope.outside(() -> {
                Tensor copy = emptyLike(shape, dtype);
                backend().copy(g, copy);
                return copy;
            });
        } else {
            grad.storage.writtenInPlace();
            backend().binary(BinaryOp.ADD, grad, g, grad);
        }
    }

    /**
     * Records the op that made this tensor when gradients are on and any input requires one.
     * Package-private: ops inside the engine call it; users write a {@link Function}. A rule marked
     * {@link Node#differentiable} can be run by a backward pass that records its own graph; any other is refused there.
     */
    void record(String op, Tensor[] inputs, Node.Rule rule) {
        record(op, inputs, rule, false);
    }

    /** {@link #record} for a user's {@link Function}, whose gradients the backward pass leaves to it. */
    void record(String op, Tensor[] inputs, Node.Rule rule, boolean userFunction) {
        if (recordsFrom(inputs)) {
            this.gradFn = new Node(op, inputs, rule, userFunction, this);
            this.requiresGrad = true;
        }
    }

    /**
     * {@link #record}, for an op that made {@code saved} for its backward pass alone: where the op is not recorded
     * (gradients off, or no input needs one), they are freed at once rather than when their scope closes. Null
     * entries are skipped.
     */
    void recordWithSaved(String op, Tensor[] inputs, Node.Rule rule, Tensor... saved) {
        record(op, inputs, rule);
        if (gradFn != null) {
            return;
        }
        for (Tensor t : saved) {
            if (t != null) {
                t.close();
            }
        }
    }

    /**
     * Whether an op on {@code inputs} (null entries allowed) would be recorded: gradients are on and an input
     * requires one. An op may ask before it runs, to skip keeping what only its backward pass reads.
     */
    static boolean recordsFrom(Tensor... inputs) {
        if (!Autograd.isEnabled()) {
            return false;
        }
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad) {
                return true;
            }
        }
        return false;
    }

    // ---- In-place updates (optimizers) -----------------------------------------------------------

    /** Overwrites this tensor's values with {@code values} (same shape and dtype); returns this. */
    public Tensor assign(Tensor values) {
        checkInPlace("assign", values);
        storage.writtenInPlace();
        backend().copy(values, this);
        return this;
    }

    /**
     * Overwrites this F32 tensor with {@code values} from the host (row-major, one per element): a step's input
     * written in place, as a recorded {@link StepGraph} needs; returns this.
     */
    public Tensor copyFrom(float[] values) {
        checkHostCopy("copyFrom", DType.F32, values.length);
        storage.writtenInPlace();
        backend().copyFromHost(FloatBuffer.wrap(values), this);
        return this;
    }

    /**
     * Overwrites this I64 tensor with {@code values} from the host, like {@link #copyFrom(float[])}, and keeps
     * their range for index checks as {@link #fromArray(long[], int...)} does; returns this.
     */
    public Tensor copyFrom(long[] values) {
        checkHostCopy("copyFrom", DType.I64, values.length);
        backend().copyFromHost(LongBuffer.wrap(values), this);
        storage.writtenInPlace();
        // The range is kept per storage: only a tensor that is its storage's sole user records it.
        if (offset == 0 && !storage.shared()) {
            withHostRange(this, Arrays.stream(values).summaryStatistics());
        }
        return this;
    }

    /**
     * Writes this tensor's values, row-major in its own dtype (4 bytes an F32 or I32 element, 8 an F64 or I64 one;
     * convert with {@link #to(DType)} first for another), into {@code dst} from its position on, in {@code dst}'s byte
     * order, through the backend's copy to the host with no Java array between; the position moves past them. A
     * tensor of shape [d0, ..., dn] fills {@code size() * dtype().bytes()} bytes. Returns {@code dst}.
     *
     * @throws IllegalArgumentException if {@code dst} is read-only or has fewer bytes remaining than that
     */
    public ByteBuffer copyTo(ByteBuffer dst) {
        Checks.open("copyTo", this);
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("copyTo: the buffer for " + dtype + " " + shape + " is read-only");
        }
        int bytes = checkedHostBytes("copyTo", dst);
        backend().copyToHost(this, typedView(dst, bytes));
        dst.position(dst.position() + bytes);
        return dst;
    }

    /**
     * Overwrites this tensor in place with {@code size() * dtype().bytes()} bytes of {@code src} from its position on,
     * read as row-major values of this tensor's dtype in {@code src}'s byte order (the mirror of
     * {@link #copyTo(ByteBuffer)}); the position moves past them. Refused, as {@link #assign} is, on a tensor made by
     * an op or one that requires a gradient while gradients are recorded. Returns this.
     *
     * @throws IllegalArgumentException if {@code src} has fewer bytes remaining than that
     */
    public Tensor copyFrom(ByteBuffer src) {
        Checks.open("copyFrom", this);
        checkWritableLeaf("copyFrom");
        int bytes = checkedHostBytes("copyFrom", src);
        storage.writtenInPlace();
        backend().copyFromHost(typedView(src, bytes), this);
        src.position(src.position() + bytes);
        return this;
    }

    /** This tensor's size in bytes, refused with {@code op}'s name where {@code b} has fewer remaining. */
    private int checkedHostBytes(String op, ByteBuffer b) {
        long bytes = size() * dtype.bytes();
        if (bytes > b.remaining()) {
            throw new IllegalArgumentException(op + ": " + dtype + " " + shape + " takes " + bytes + " bytes, the"
                    + " buffer has " + b.remaining() + " remaining (position " + b.position() + ", limit " + b.limit()
                    + ")");
        }
        return (int) bytes;
    }

    /** {@code bytes} of {@code b} from its position on, as a buffer of this tensor's dtype in b's byte order. */
    private Buffer typedView(ByteBuffer b, int bytes) {
        ByteBuffer window = b.slice(b.position(), bytes).order(b.order());
        return switch (dtype) {
            case F32 -> window.asFloatBuffer();
            case F64 -> window.asDoubleBuffer();
            case I32 -> window.asIntBuffer();
            case I64 -> window.asLongBuffer();
        };
    }

    private void checkHostCopy(String op, DType expected, int length) {
        Checks.open(op, this);
        if (dtype != expected || length != size()) {
            throw new IllegalArgumentException(op + ": " + length + " " + expected + " values into " + dtype + " "
                    + shape + "; expected " + size() + " values of the tensor's dtype");
        }
    }

    /** {@code this += alpha * other} in place (same shape and dtype); returns this. */
    public Tensor addInPlace(Tensor other, double alpha) {
        checkInPlace("addInPlace", other);
        storage.writtenInPlace();
        if (alpha == 1) {
            backend().binary(BinaryOp.ADD, this, other, this);
        } else {
            Tensor scaled = emptyLike(shape, dtype);
            backend().affine(other, alpha, 0, scaled);
            backend().binary(BinaryOp.ADD, this, scaled, this);
            scaled.close();
        }
        return this;
    }

    /**
     * {@code this -= other} in place (PyTorch's {@code sub_(other)}, {@code x -= other}; same shape and dtype), a
     * subtraction rounded once, as PyTorch's: the hand-written update {@code a -= learning_rate * a.grad} of
     * "Learning PyTorch with Examples" is {@code a.subInPlace(a.grad().mul(learningRate))}; returns this.
     *
     * @throws IllegalStateException where {@code other} requires a gradient while gradients are recorded: PyTorch
     *     records {@code sub_} then, and a write that records nothing would drop other's gradient silently
     */
    public Tensor subInPlace(Tensor other) {
        checkInPlace("subInPlace", other);
        if (other.requiresGrad() && Autograd.isEnabled()) {
            throw new IllegalStateException("subInPlace: the tensor subtracted, " + other.shape + ", requires a"
                    + " gradient, which an in-place update does not record; use sub(other), or update inside"
                    + " try (var g = Autograd.noGrad()) { ... }");
        }
        storage.writtenInPlace();
        backend().binary(BinaryOp.SUB, this, other, this);
        return this;
    }

    /** {@code this += value} in place (PyTorch's {@code add_(value)}), F32 or F64, as {@link #add(double)}; returns this. */
    public Tensor addInPlace(double value) {
        return affineInPlace("addInPlace", 1, value);
    }

    /** {@code this *= value} in place (PyTorch's {@code mul_(value)}), F32 or F64, as {@link #mul(double)}; returns this. */
    public Tensor mulInPlace(double value) {
        return affineInPlace("mulInPlace", value, 0);
    }

    private Tensor affineInPlace(String op, double scale, double shift) {
        Checks.open(op, this);
        Checks.floating(op, this);
        checkWritableLeaf(op);
        storage.writtenInPlace();
        backend().affine(this, scale, shift, this);
        return this;
    }

    /**
     * In-place writes bypass autograd, so they are refused where they would corrupt a recorded graph:
     * on a tensor made by an op, or on a parameter while gradients are being recorded.
     */
    private void checkInPlace(String op, Tensor source) {
        Checks.compatible(op, this, source);
        if (!source.shape.equals(shape)) {
            throw new IllegalArgumentException(op + ": source " + source.shape + " differs from destination " + shape);
        }
        checkWritableLeaf(op);
    }

    private void checkWritableLeaf(String op) {
        if (gradFn != null) {
            throw new IllegalStateException(op + ": tensor " + shape + " was made by " + gradFn.op
                    + "; in-place updates are for leaves (parameters, buffers)");
        }
        if (requiresGrad && Autograd.isEnabled()) {
            throw new IllegalStateException(op + ": tensor " + shape + " requires a gradient; update it inside"
                    + " try (var g = Autograd.noGrad()) { ... }");
        }
    }

    // ---- Memory ---------------------------------------------------------------------------------

    /** Releases this tensor's hold on its memory; idempotent. Its gradient is released too. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        gradFn = null;
        clearGrad();
        storage.releaseOne();
    }

    /** True while another tensor (a view, or the tensor this one views) shares this one's storage. */
    boolean sharesStorage() {
        return storage.shared();
    }

    /** A view sharing this tensor's storage: same elements, new shape or offset. */
    Tensor view(long elementOffset, Shape viewShape) {
        storage.retain();
        return new Tensor(storage, offset + elementOffset, viewShape, dtype);
    }

    // ---- Shape ops (see ShapeOps) ---------------------------------------------------------------

    /**
     * The same elements in a new shape; one dimension may be -1 (inferred). A view: no copy; this tensor itself
     * when the shape does not change, so closing the result then closes this tensor.
     */
    public Tensor reshape(int... dims) {
        return ShapeOps.reshape(this, dims);
    }

    /** Same as {@link #reshape}. */
    public Tensor view(int... dims) {
        return ShapeOps.reshape(this, dims);
    }

    /** Collapses all dimensions from {@code startAxis} on into one. */
    public Tensor flatten(int startAxis) {
        return ShapeOps.flatten(this, startAxis);
    }

    /** Inserts a dimension of size 1 at {@code axis}. */
    public Tensor unsqueeze(int axis) {
        return ShapeOps.reshape(this, shape.insert(axis, 1).dims());
    }

    /**
     * PyTorch's {@code squeeze()}: removes every dimension of size 1 ([1, 1, 28, 28] to [28, 28]; all ones to a 0-d
     * tensor); this tensor itself where there is none.
     */
    public Tensor squeeze() {
        return ShapeOps.squeeze(this);
    }

    /** Removes dimension {@code axis} if it has size 1; leaves this tensor as it is otherwise, as PyTorch's. */
    public Tensor squeeze(int axis) {
        return ShapeOps.squeeze(this, axis);
    }

    /**
     * Elements {@code [start, start+length)} along {@code axis} (a negative start counts from the end, as PyTorch's): a
     * view when the axis leads, else a copy, so that writing into it leaves this tensor unchanged (PyTorch's narrow
     * is always a view).
     */
    public Tensor narrow(int axis, int start, int length) {
        return ShapeOps.narrow(this, axis, start, length);
    }

    /** Swaps two axes (a copy). */
    public Tensor transpose(int axisA, int axisB) {
        return ShapeOps.transpose(this, axisA, axisB);
    }

    /** Transpose of a 2-D tensor. */
    public Tensor t() {
        if (rank() != 2) {
            throw new IllegalArgumentException("t: needs a 2-D tensor, got shape " + shape + "; use transpose(a, b)");
        }
        return ShapeOps.transpose(this, 0, 1);
    }

    /** Reorders dimensions: result dimension i is this tensor's dimension {@code perm[i]} (a copy). */
    public Tensor permute(int... perm) {
        return ShapeOps.permute(this, perm);
    }

    // ---- Diagonals, products of whole tensors, axis moves, repetition, differences ----------------------------
    // Composed of the ops above (see DiagonalOps, OuterProductOps, CrossOps, AxisMoveOps, RepeatOps, DiffOps), so
    // every backend runs them and they are differentiable to any order.

    /**
     * Diagonal {@code offset} of the matrices in axes ({@code dim1}, {@code dim2}) (PyTorch's {@code diagonal}): those
     * two axes removed and the diagonal appended as the last, of length {@code min(n1, n2 - offset)} for offset
     * &gt;= 0 ({@code min(n1 + offset, n2)} below), 0 beyond the matrix. offset &gt; 0 is above the main diagonal. A
     * copy; any dtype.
     *
     * @throws IllegalArgumentException naming the axes when they are out of range or the same axis
     */
    public Tensor diagonal(int offset, int dim1, int dim2) {
        return DiagonalOps.diagonal(this, offset, dim1, dim2);
    }

    /**
     * PyTorch's {@code diag}: a vector [n] as an [n + |offset|, n + |offset|] matrix holding it on diagonal
     * {@code offset}, zeros elsewhere; or a matrix's diagonal {@code offset} as a vector.
     *
     * @throws IllegalArgumentException for a tensor of another rank
     */
    public Tensor diag(int offset) {
        return DiagonalOps.diag(this, offset);
    }

    /** The sum of a matrix's main diagonal, a scalar (PyTorch's {@code trace}); F32 or F64. */
    public Tensor trace() {
        return DiagonalOps.trace(this);
    }

    /**
     * PyTorch's {@code diag_embed}: the last axis [..., n] written on diagonal {@code offset} of new
     * [n + |offset|, n + |offset|] matrices in axes ({@code dim1}, {@code dim2}) of the result (rank one more than
     * this; PyTorch's defaults are 0, -2, -1), zeros elsewhere; the other axes keep their order. Any dtype.
     */
    public Tensor diagEmbed(int offset, int dim1, int dim2) {
        return DiagonalOps.diagEmbed(this, offset, dim1, dim2);
    }

    /** Outer product of vectors [n] and [m]: [n, m] with element (i, j) {@code this[i] * other[j]}. F32 or F64. */
    public Tensor outer(Tensor other) {
        return OuterProductOps.outer(this, other);
    }

    /**
     * Kronecker product (PyTorch's {@code kron}): both taken to the larger rank with leading 1s, the result
     * [a0 b0, a1 b1, ...] holds blocks {@code this[i] * other}. F32 or F64.
     */
    public Tensor kron(Tensor other) {
        return OuterProductOps.kron(this, other);
    }

    /**
     * Cross product of 3-vectors along {@code axis} (PyTorch's {@code cross(other, dim)}, {@code linalg.cross}): both
     * broadcast to one shape, each of size 3 along the axis. F32 or F64.
     */
    public Tensor cross(Tensor other, int axis) {
        return CrossOps.cross(this, other, axis);
    }

    /**
     * Axes {@code source[i]} moved to positions {@code destination[i]}, the others in their order (PyTorch's
     * {@code movedim}); a copy.
     */
    public Tensor movedim(int[] source, int[] destination) {
        return AxisMoveOps.movedim(this, source, destination);
    }

    /** Axis {@code source} moved to position {@code destination}, the others in their order; a copy. */
    public Tensor movedim(int source, int destination) {
        return AxisMoveOps.movedim(this, new int[] {source}, new int[] {destination});
    }

    /** Same as {@link #transpose} (PyTorch's {@code swapaxes}). */
    public Tensor swapaxes(int axisA, int axisB) {
        return ShapeOps.transpose(this, axisA, axisB);
    }

    /**
     * The matrices in axes {@code dims} (two) turned {@code k} quarter turns from the first axis towards the second
     * (PyTorch's {@code rot90}; k may be negative); shape with those axes swapped for odd k. Any dtype.
     */
    public Tensor rot90(int k, int... dims) {
        return AxisMoveOps.rot90(this, k, dims);
    }

    /**
     * PyTorch's {@code Tensor.repeat}: {@code repeats[k]} copies along each axis, at least one count per axis (extra
     * counts add leading axes): [d0, ...] to [r0 d0, r1 d1, ...]. The gradient sums the copies. Any dtype.
     */
    public Tensor repeat(int... repeats) {
        return RepeatOps.repeat(this, repeats);
    }

    /** PyTorch's {@code tile}: {@link #repeat}, where fewer counts than axes repeat the last axes only. */
    public Tensor tile(int... repeats) {
        return RepeatOps.tile(this, repeats);
    }

    /** Each slice along {@code axis} repeated {@code repeats} times in place: [.., n, ..] to [.., n repeats, ..]. */
    public Tensor repeatInterleave(int repeats, int axis) {
        return RepeatOps.repeatInterleave(this, repeats, axis);
    }

    /**
     * Slice i along {@code axis} repeated {@code repeats[i]} times in place (repeats: I32 or I64, [n] or one count
     * for all; read on the host, since they decide the result's shape).
     */
    public Tensor repeatInterleave(Tensor repeats, int axis) {
        return RepeatOps.repeatInterleave(this, repeats, axis);
    }

    /** The first forward difference along {@code axis}, {@code x[i + 1] - x[i]}: one element fewer along it. */
    public Tensor diff(int axis) {
        return DiffOps.diff(this, 1, axis, null, null);
    }

    /**
     * PyTorch's {@code diff(n, dim, prepend, append)}: {@code prepend} and {@code append} (null for none; this shape
     * but along the axis) joined on, then the forward difference taken {@code n} times, shortening the axis by n (to
     * no less than 0); n = 0 gives this tensor itself. F32 or F64.
     */
    public Tensor diff(int n, int axis, Tensor prepend, Tensor append) {
        return DiffOps.diff(this, n, axis, prepend, append);
    }

    // ---- Selections and reductions of whole tensors (see SelectionOps, LogicalReductionOps, ExtremeOverAxesOps,
    // NanReductionOps) ---------------------------------------------------------------------------------------------

    /**
     * PyTorch's {@code take_along_dim}: the elements at {@code indices} (I32 or I64, this rank) along {@code axis},
     * this tensor and the indices broadcast over the other axes; the result has the broadcast shape with the indices'
     * size along the axis. The gradient scatters back.
     */
    public Tensor takeAlongDim(Tensor indices, int axis) {
        return SelectionOps.takeAlongDim(this, indices, axis);
    }

    /** PyTorch's {@code take_along_dim} without dim: this tensor flattened, taken at {@code indices}, in their shape. */
    public Tensor takeAlongDim(Tensor indices) {
        return SelectionOps.takeAlongDim(this, indices);
    }

    /**
     * PyTorch's {@code masked_select}: the elements where {@code mask} (any dtype, broadcast with this tensor) is
     * non-zero, in row-major order, as a vector. The mask is read on the host, as the result's length depends on it.
     */
    public Tensor maskedSelect(Tensor mask) {
        return SelectionOps.maskedSelect(this, mask);
    }

    /**
     * The indices of the non-zero elements (NaN counts as non-zero), one row each in row-major order: I64
     * [count, rank] (PyTorch's {@code nonzero}); read on the host.
     */
    public Tensor nonzero() {
        return SelectionOps.nonzero(this);
    }

    /** Same as {@link #nonzero} (PyTorch's {@code argwhere}). */
    public Tensor argwhere() {
        return SelectionOps.nonzero(this);
    }

    /** 1 if any element is non-zero (NaN counts), else 0: a scalar in this dtype, as the comparisons give. */
    public Tensor any() {
        return LogicalReductionOps.any(this, new int[0], false);
    }

    /** 1 where any element over {@code axis} is non-zero, else 0, in this dtype; 0 over an empty axis. */
    public Tensor any(int axis, boolean keepDim) {
        return LogicalReductionOps.any(this, new int[] {axis}, keepDim);
    }

    /** 1 if every element is non-zero (NaN counts), else 0: a scalar in this dtype; 1 for no elements. */
    public Tensor all() {
        return LogicalReductionOps.all(this, new int[0], false);
    }

    /** 1 where every element over {@code axis} is non-zero, else 0, in this dtype; 1 over an empty axis. */
    public Tensor all(int axis, boolean keepDim) {
        return LogicalReductionOps.all(this, new int[] {axis}, keepDim);
    }

    /** The number of non-zero elements (NaN counts) over {@code axes}, all when none given: I64 without those axes. */
    public Tensor countNonzero(int... axes) {
        return LogicalReductionOps.countNonzero(this, axes);
    }

    /**
     * Maximum over {@code axes} (all when empty), PyTorch's {@code amax}: NaN where a slice holds one; the gradient is
     * split evenly among the elements equal to the maximum (max(axis) gives it to one). Integer tensors too, exact in
     * their dtype (no gradient).
     */
    public Tensor amax(int[] axes, boolean keepDim) {
        return ExtremeOverAxesOps.amax(this, axes, keepDim);
    }

    /** Minimum over {@code axes} (all when empty), PyTorch's {@code amin}: as {@link #amax}. */
    public Tensor amin(int[] axes, boolean keepDim) {
        return ExtremeOverAxesOps.amin(this, axes, keepDim);
    }

    /** Sum of the elements that are not NaN, a scalar (PyTorch's {@code nansum}); gradient 0 at the NaNs. */
    public Tensor nansum() {
        return NanReductionOps.nansum(this, new int[0], false);
    }

    /** Sum over {@code axes} (all when empty) of the elements that are not NaN. F32 or F64. */
    public Tensor nansum(int[] axes, boolean keepDim) {
        return NanReductionOps.nansum(this, axes, keepDim);
    }

    /** Mean of the elements that are not NaN, a scalar (PyTorch's {@code nanmean}): NaN when all are. */
    public Tensor nanmean() {
        return NanReductionOps.nanmean(this, new int[0], false);
    }

    /** Mean over {@code axes} (all when empty) of the elements that are not NaN; NaN for a slice of NaN only. */
    public Tensor nanmean(int[] axes, boolean keepDim) {
        return NanReductionOps.nanmean(this, axes, keepDim);
    }

    /** A copy with its own storage whose gradient flows back to this tensor (PyTorch's {@code clone}); as {@link #copy}. */
    public Tensor clone() {
        return copy();
    }

    /** This tensor repeated along broadcast dimensions to {@code dims} (NumPy rules; -1 keeps a dimension; a copy). */
    public Tensor expand(int... dims) {
        return ShapeOps.expand(this, dims);
    }

    /** Concatenates along {@code axis}; all other dimensions must match. */
    public static Tensor cat(List<Tensor> tensors, int axis) {
        return ShapeOps.cat(tensors, axis);
    }

    /** Stacks equal-shaped tensors along a new dimension {@code axis}. */
    public static Tensor stack(List<Tensor> tensors, int axis) {
        return ShapeOps.stack(tensors, axis);
    }

    /** Splits along {@code axis} into pieces of the given sizes, which must add up to the dimension. */
    public List<Tensor> split(int axis, int... sizes) {
        return ShapeOps.split(this, axis, sizes);
    }

    /** Splits along {@code axis} into {@code chunks} pieces as equal as possible (the last may be smaller). */
    public List<Tensor> chunk(int chunks, int axis) {
        return ShapeOps.chunk(this, chunks, axis);
    }

    /**
     * The slices along {@code axis}, each without that axis (PyTorch's {@code torch.unbind(x, dim)}, and what
     * {@code for row in x:} iterates over for axis 0): {@code dim(axis)} views of shape x's without {@code axis}, each
     * passing its gradient back to its slice; none for an empty axis.
     */
    public List<Tensor> unbind(int axis) {
        Checks.open("unbind", this);
        int a = Axes.axis("unbind", shape, axis);
        int[] ones = new int[dim(a)];
        Arrays.fill(ones, 1);
        List<Tensor> slices = new ArrayList<>(ones.length);
        for (Tensor piece : ones.length == 0 ? List.<Tensor>of() : split(a, ones)) {
            slices.add(piece.squeeze(a));
        }
        return slices;
    }

    // ---- Matrix multiplication ------------------------------------------------------------------

    /**
     * Matrix product: [m, k] x [k, n] -> [m, n]; batched [b, m, k] x [b, k, n] -> [b, m, n], where one
     * side may be 2-D and is then shared by every batch entry. A vector [k] is a row on the left and a column on the
     * right, that axis then removed, as PyTorch's: [k] x [k, n] -> [n], [m, k] x [k] -> [m], [k] x [k] -> a scalar.
     */
    public Tensor matmul(Tensor other) {
        return MatmulOps.matmul(this, other);
    }

    // ---- Element-wise (see ElementwiseOps) -------------------------------------------------------

    public Tensor neg() {
        return ElementwiseOps.unary(UnaryOp.NEG, 0, this);
    }

    public Tensor abs() {
        return ElementwiseOps.unary(UnaryOp.ABS, 0, this);
    }

    public Tensor exp() {
        return ElementwiseOps.unary(UnaryOp.EXP, 0, this);
    }

    public Tensor log() {
        return ElementwiseOps.unary(UnaryOp.LOG, 0, this);
    }

    public Tensor sqrt() {
        return ElementwiseOps.unary(UnaryOp.SQRT, 0, this);
    }

    /** Each element raised to {@code exponent}. */
    public Tensor pow(double exponent) {
        return ElementwiseOps.unary(UnaryOp.POW, exponent, this);
    }

    /**
     * Each element raised to the matching element of {@code exponent}, broadcast (PyTorch's {@code x.pow(tensor)}):
     * x [2000, 1] to the powers [3] gives [2000, 3]. C's pow, as PyTorch's: 1 where x is 1 or the exponent 0, NaN
     * where a negative x meets an exponent that is not an integer. The result has PyTorch's dtype: an I32 or I64
     * exponent is converted to this tensor's floating dtype, an integer tensor to a floating exponent's, and two
     * integer tensors of one dtype give that dtype, exactly and wrapping, as PyTorch's (2^-1 is 0; 1 and -1 to a
     * negative power are 1 and +-1). Differentiable in both, as PyTorch's: this one's gradient is 0 where the
     * exponent is 0; the exponent's is 0 where this is 0 and the exponent at least 0, NaN where this is negative.
     *
     * @throws IllegalArgumentException where the two are F32 and F64, or I32 and I64
     */
    public Tensor pow(Tensor exponent) {
        return ElementwiseOps.power(this, exponent);
    }

    /** Each element squared. */
    public Tensor square() {
        return ElementwiseOps.unary(UnaryOp.POW, 2, this);
    }

    public Tensor tanh() {
        return ElementwiseOps.unary(UnaryOp.TANH, 0, this);
    }

    public Tensor sigmoid() {
        return ElementwiseOps.unary(UnaryOp.SIGMOID, 0, this);
    }

    public Tensor relu() {
        return ElementwiseOps.unary(UnaryOp.RELU, 0, this);
    }

    /** x for x &gt; 0, else {@code slope * x}. */
    public Tensor leakyRelu(double slope) {
        return ElementwiseOps.unary(UnaryOp.LEAKY_RELU, slope, this);
    }

    /** x for x &gt; 0, else {@code alpha * (exp(x) - 1)}. */
    public Tensor elu(double alpha) {
        return ElementwiseOps.unary(UnaryOp.ELU, alpha, this);
    }

    /** Exact GELU: x * Phi(x). */
    public Tensor gelu() {
        return ElementwiseOps.unary(UnaryOp.GELU, 0, this);
    }

    /** GELU's tanh approximation: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), PyTorch's approximate='tanh'. */
    public Tensor geluTanh() {
        return ElementwiseOps.unary(UnaryOp.GELU_TANH, 0, this);
    }

    /** SiLU (swish): x * sigmoid(x). */
    public Tensor silu() {
        return ElementwiseOps.unary(UnaryOp.SILU, 0, this);
    }

    /** -1, 0 or 1 by the sign of each element; its gradient is zero. */
    public Tensor sign() {
        return ElementwiseOps.unary(UnaryOp.SIGN, 0, this);
    }

    /** Sine, element-wise (radians); same shape. */
    public Tensor sin() {
        return ElementwiseOps.unary(UnaryOp.SIN, 0, this);
    }

    /** Cosine, element-wise (radians); same shape. */
    public Tensor cos() {
        return ElementwiseOps.unary(UnaryOp.COS, 0, this);
    }

    /** Tangent, element-wise (radians); same shape. */
    public Tensor tan() {
        return ElementwiseOps.unary(UnaryOp.TAN, 0, this);
    }

    /** Arcsine; NaN outside [-1, 1]. */
    public Tensor asin() {
        return ElementwiseOps.unary(UnaryOp.ASIN, 0, this);
    }

    /** Arccosine; NaN outside [-1, 1]. */
    public Tensor acos() {
        return ElementwiseOps.unary(UnaryOp.ACOS, 0, this);
    }

    /** Arctangent, element-wise, in (-pi/2, pi/2). */
    public Tensor atan() {
        return ElementwiseOps.unary(UnaryOp.ATAN, 0, this);
    }

    /** Hyperbolic sine, element-wise. */
    public Tensor sinh() {
        return ElementwiseOps.unary(UnaryOp.SINH, 0, this);
    }

    /** Hyperbolic cosine, element-wise. */
    public Tensor cosh() {
        return ElementwiseOps.unary(UnaryOp.COSH, 0, this);
    }

    /** Inverse hyperbolic sine, element-wise. */
    public Tensor asinh() {
        return ElementwiseOps.unary(UnaryOp.ASINH, 0, this);
    }

    /** Inverse hyperbolic cosine; NaN below 1. */
    public Tensor acosh() {
        return ElementwiseOps.unary(UnaryOp.ACOSH, 0, this);
    }

    /** Inverse hyperbolic tangent; NaN outside [-1, 1], infinite at +-1. */
    public Tensor atanh() {
        return ElementwiseOps.unary(UnaryOp.ATANH, 0, this);
    }

    /** log(1 + x), accurate near 0; NaN below -1. */
    public Tensor log1p() {
        return ElementwiseOps.unary(UnaryOp.LOG1P, 0, this);
    }

    /** exp(x) - 1, accurate near 0. */
    public Tensor expm1() {
        return ElementwiseOps.unary(UnaryOp.EXPM1, 0, this);
    }

    /** Base-2 logarithm, element-wise; exact at powers of two. */
    public Tensor log2() {
        return ElementwiseOps.unary(UnaryOp.LOG2, 0, this);
    }

    /** Base-10 logarithm, element-wise. */
    public Tensor log10() {
        return ElementwiseOps.unary(UnaryOp.LOG10, 0, this);
    }

    /** 2 to the power of each element. */
    public Tensor exp2() {
        return ElementwiseOps.unary(UnaryOp.EXP2, 0, this);
    }

    /** The error function. */
    public Tensor erf() {
        return ElementwiseOps.unary(UnaryOp.ERF, 0, this);
    }

    /** The complementary error function 1 - erf(x), accurate in the right tail. */
    public Tensor erfc() {
        return ElementwiseOps.unary(UnaryOp.ERFC, 0, this);
    }

    /** Rounded down to an integer value; its gradient is zero. */
    public Tensor floor() {
        return ElementwiseOps.unary(UnaryOp.FLOOR, 0, this);
    }

    /** Rounded up to an integer value; its gradient is zero. */
    public Tensor ceil() {
        return ElementwiseOps.unary(UnaryOp.CEIL, 0, this);
    }

    /**
     * Rounded to the nearest integer value, halves to even (round(0.5) = 0, round(1.5) = 2) as PyTorch; its gradient
     * is zero.
     */
    public Tensor round() {
        return ElementwiseOps.unary(UnaryOp.ROUND, 0, this);
    }

    /** Rounded toward zero; its gradient is zero. */
    public Tensor trunc() {
        return ElementwiseOps.unary(UnaryOp.TRUNC, 0, this);
    }

    /** x - trunc(x): the fractional part, with the sign of x. */
    public Tensor frac() {
        return ElementwiseOps.unary(UnaryOp.FRAC, 0, this);
    }

    /** 1 / x. */
    public Tensor reciprocal() {
        return ElementwiseOps.unary(UnaryOp.RECIPROCAL, 0, this);
    }

    /** 1 / sqrt(x). */
    public Tensor rsqrt() {
        return ElementwiseOps.unary(UnaryOp.RSQRT, 0, this);
    }

    /** atan2(this, other) with broadcasting: the angle of the point (other, this), in [-pi, pi]. */
    public Tensor atan2(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.ATAN2, this, other);
    }

    /**
     * C's fmod with broadcasting: this - trunc(this / other) * other, with the sign of this; NaN where other is 0.
     * Of integers (I32, I64; both of one dtype) exact in that dtype, without a gradient, as PyTorch's.
     *
     * @throws ArithmeticException on the CPU where an integer divisor holds 0 (PyTorch's ZeroDivisionError)
     */
    public Tensor fmod(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.FMOD, this, other);
    }

    /**
     * Python's % with broadcasting: this - floor(this / other) * other, with the sign of other; NaN where other is 0.
     * Of integers (I32, I64; both of one dtype) exact in that dtype, without a gradient, as PyTorch's.
     *
     * @throws ArithmeticException on the CPU where an integer divisor holds 0 (PyTorch's ZeroDivisionError)
     */
    public Tensor remainder(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.REMAINDER, this, other);
    }

    /**
     * floor(this / other) with broadcasting (PyTorch's floor_divide); no gradient. Of integers (I32, I64; both of one
     * dtype) exact in that dtype; the dtype's minimum divided by -1 wraps to itself (PyTorch 1.13's CPU kernel dies
     * of SIGFPE there).
     *
     * @throws ArithmeticException on the CPU where an integer divisor holds 0 (PyTorch's ZeroDivisionError)
     */
    public Tensor floorDivide(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.FLOOR_DIVIDE, this, other);
    }

    /** 1 where this element is NaN, else 0 (same dtype and shape; no gradient). */
    public Tensor isnan() {
        return NonFiniteOps.isnan(this);
    }

    /** 1 where this element is positive or negative infinity, else 0 (same dtype and shape; no gradient). */
    public Tensor isinf() {
        return NonFiniteOps.isinf(this);
    }

    /** 1 where this element is neither NaN nor infinite, else 0 (same dtype and shape; no gradient). */
    public Tensor isfinite() {
        return NonFiniteOps.isfinite(this);
    }

    /**
     * This tensor with NaN replaced by {@code nan}, +infinity by {@code posinf} and -infinity by {@code neginf}
     * (PyTorch's nan_to_num); the gradient is zero where a value was replaced.
     */
    public Tensor nanToNum(double nan, double posinf, double neginf) {
        return NonFiniteOps.nanToNum(this, nan, posinf, neginf);
    }

    /** {@link #nanToNum(double, double, double)} with PyTorch's defaults: 0, and the dtype's largest finite values. */
    public Tensor nanToNum() {
        double largest = NonFiniteOps.largestFinite(this);
        return NonFiniteOps.nanToNum(this, 0, largest, -largest);
    }

    public Tensor add(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.ADD, this, other);
    }

    public Tensor sub(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.SUB, this, other);
    }

    public Tensor mul(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.MUL, this, other);
    }

    /**
     * this / other with broadcasting. Of integers (I32, I64; both of one dtype) PyTorch's true division: both
     * converted to F32 and divided there, an F32 result without a gradient (+-inf or NaN where other is 0).
     */
    public Tensor div(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.DIV, this, other);
    }

    /**
     * Element-wise maximum, NaN where either is; the gradient as PyTorch's: half to each side where the two are equal,
     * the whole to both where either is NaN.
     */
    public Tensor maximum(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.MAX, this, other);
    }

    /** Element-wise minimum, NaN where either is; the gradient as {@link #maximum}'s. */
    public Tensor minimum(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.MIN, this, other);
    }

    public Tensor add(double value) {
        return ElementwiseOps.affine(this, 1, value);
    }

    public Tensor sub(double value) {
        return ElementwiseOps.affine(this, 1, -value);
    }

    public Tensor mul(double value) {
        return ElementwiseOps.affine(this, value, 0);
    }

    /** this / value, rounded once as PyTorch's (not this * (1 / value), which can be an ulp off: 1.5 / 2.5 is 0.6). */
    public Tensor div(double value) {
        return ElementwiseOps.divideByScalar(this, value);
    }

    /** 1 where equal, else 0 (same dtype; no gradient). */
    public Tensor eq(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.EQ, this, other);
    }

    public Tensor ne(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.NE, this, other);
    }

    /**
     * PyTorch's {@code torch.equal(this, other)}: true when both have one shape and every element is equal (NaN equals
     * nothing; tensors of no elements are equal), false for shapes that differ, broadcastable ones too. Reads one
     * number back to the host.
     *
     * @throws IllegalArgumentException when the dtypes differ (Kiln does not promote; convert one with {@link #to})
     */
    public boolean equal(Tensor other) {
        Checks.open("equal", this, other);
        if (dtype != other.dtype) {
            throw new IllegalArgumentException("equal: " + describe() + " and " + other.describe() + " have different"
                    + " dtypes; convert one with to(DType) first");
        }
        if (!shape.equals(other.shape)) {
            return false;
        }
        try (Autograd.Guard g = Autograd.noGrad()) {
            Tensor same = eq(other);
            Tensor all = same.all();
            boolean equal = all.item() != 0;
            all.close();
            same.close();
            return equal;
        }
    }

    public Tensor lt(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.LT, this, other);
    }

    public Tensor le(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.LE, this, other);
    }

    public Tensor gt(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.GT, this, other);
    }

    public Tensor ge(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.GE, this, other);
    }

    /** 1 where this element is greater than {@code value}, else 0. */
    public Tensor gt(double value) {
        return ElementwiseOps.compareScalar(BinaryOp.GT, this, value);
    }

    /** 1 where this element is less than {@code value}, else 0. */
    public Tensor lt(double value) {
        return ElementwiseOps.compareScalar(BinaryOp.LT, this, value);
    }

    /** 1 where this element is greater than or equal to {@code value}, else 0. */
    public Tensor ge(double value) {
        return ElementwiseOps.compareScalar(BinaryOp.GE, this, value);
    }

    /** 1 where this element is less than or equal to {@code value}, else 0. */
    public Tensor le(double value) {
        return ElementwiseOps.compareScalar(BinaryOp.LE, this, value);
    }

    /** 1 where this element equals {@code value}, else 0. */
    public Tensor eq(double value) {
        return ElementwiseOps.compareScalar(BinaryOp.EQ, this, value);
    }

    /** 1 where this element differs from {@code value}, else 0. */
    public Tensor ne(double value) {
        return ElementwiseOps.compareScalar(BinaryOp.NE, this, value);
    }

    /** {@code cond != 0 ? a : b}, element-wise with broadcasting; gradients flow to a and b. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return ElementwiseOps.where(cond, a, b);
    }

    /** This tensor with {@code value} wherever {@code mask} is non-zero; the two broadcast, as PyTorch's. */
    public Tensor maskedFill(Tensor mask, double value) {
        return ElementwiseOps.maskedFill(this, mask, value);
    }

    // ---- Reductions (see ReductionOps) -----------------------------------------------------------

    /**
     * Sum of all elements, a scalar; of integers (I32, I64) an I64 sum, exact and wrapping past 2^63 as PyTorch's,
     * without a gradient.
     */
    public Tensor sum() {
        return ReductionOps.sumAll(this);
    }

    /**
     * Sum over {@code axis} (negative from the end), keeping it as size 1 when {@code keepDim}; integers as
     * {@link #sum()}. A 0-d tensor takes axis 0 or -1 and gives its value, 0-d, as PyTorch's.
     */
    public Tensor sum(int axis, boolean keepDim) {
        return ReductionOps.sum(this, axis, keepDim);
    }

    /** Sum over {@code axis}, which is removed: PyTorch's {@code x.sum(axis)} ({@code keepdim=False}). */
    public Tensor sum(int axis) {
        return sum(axis, false);
    }

    /** Mean of all elements, a scalar. */
    public Tensor mean() {
        return ReductionOps.meanAll(this);
    }

    /** Mean over {@code axis}, as {@link #sum(int, boolean)}: a 0-d tensor takes axis 0 or -1. */
    public Tensor mean(int axis, boolean keepDim) {
        return ReductionOps.mean(this, axis, keepDim);
    }

    /** Mean over {@code axis}, which is removed: PyTorch's {@code x.mean(axis)} ({@code keepdim=False}). */
    public Tensor mean(int axis) {
        return mean(axis, false);
    }

    /** Maximum over {@code axis}; the gradient goes to the first maximal element. */
    public Tensor max(int axis, boolean keepDim) {
        return ReductionOps.max(this, axis, keepDim);
    }

    /**
     * PyTorch's {@code torch.max(x, axis, keepdim)}, {@code (values, indices)}: the maximum over {@code axis}
     * ({@link #max(int, boolean)}) and the I64 index of the first maximal element ({@link #argmax(int, boolean)}),
     * of the first NaN where a slice holds one; the values' gradient goes to that element. Values and indices have
     * x's shape without {@code axis} (kept as 1 with {@code keepDim}). I32 and I64 tensors give exact values of their
     * dtype, without a gradient; a 0-d tensor (axis 0 or -1) gives itself and index 0, both 0-d, as PyTorch.
     */
    public IndexedValues maxWithIndices(int axis, boolean keepDim) {
        return ExtremeWithIndices.max(this, axis, keepDim);
    }

    /**
     * Maximum of all elements, a scalar; NaN if any is NaN; the gradient is split evenly among the elements equal to
     * it (the NaNs, when it is NaN), as PyTorch's. Of integers (I32, I64) exact in their dtype, without a gradient.
     *
     * @throws IllegalArgumentException for a tensor without elements, as PyTorch's
     */
    public Tensor max() {
        return ReductionOps.maxAll(this);
    }

    /** Index (I64) of the first maximum over {@code axis}. */
    public Tensor argmax(int axis, boolean keepDim) {
        return ReductionOps.argmax(this, axis, keepDim);
    }

    /** Index (I64) of the first maximum over {@code axis}, which is removed (PyTorch's {@code x.argmax(axis)}). */
    public Tensor argmax(int axis) {
        return argmax(axis, false);
    }

    // ---- Indexing (see IndexOps) -----------------------------------------------------------------

    /** Slices {@code index[j]} of {@code axis}, in order: the embedding lookup when axis is 0. */
    public Tensor indexSelect(int axis, Tensor index) {
        return IndexOps.indexSelect(this, axis, index);
    }

    /**
     * PyTorch's gather along {@code axis}; the result has {@code index}'s shape. index has this tensor's rank and is
     * no larger off the axis, as PyTorch's (this tensor's leading block of that extent is read).
     */
    public Tensor gather(int axis, Tensor index) {
        return IndexOps.gather(this, axis, index);
    }

    /**
     * A copy of this tensor with {@code src} added at {@code index} along {@code axis} (gather's mirror); index may be
     * smaller than src on any axis and than this tensor off the axis, as PyTorch's (src's leading block is read).
     */
    public Tensor scatterAdd(int axis, Tensor index, Tensor src) {
        return IndexOps.scatterAdd(this, axis, index, src);
    }

    /** A copy of this tensor with slice j of {@code src} added to slice {@code index[j]} along {@code axis}. */
    public Tensor indexAdd(int axis, Tensor index, Tensor src) {
        return IndexOps.indexAdd(this, axis, index, src);
    }

    // ---- Sorting (see SortOps) -----------------------------------------------------------------------

    /**
     * This tensor sorted along {@code axis} (PyTorch's {@code sort(dim, descending, stable=True)}): values of this
     * shape and dtype, and indices (I64, the same shape) holding where along the axis each value was. NaN sorts above
     * every number (last ascending, first descending), -0.0 and 0.0 are equal, and equal elements keep their order.
     * The values' gradient goes back to where each came from. Any dtype; a non-last axis costs two copies.
     */
    public IndexedValues sort(int axis, boolean descending) {
        return SortOps.sort(this, axis, descending);
    }

    /** The indices (I64) of {@link #sort}: where along {@code axis} each element of the sorted tensor was. */
    public Tensor argsort(int axis, boolean descending) {
        return SortOps.argsort(this, axis, descending);
    }

    /**
     * The {@code k} largest elements along {@code axis}, or the k smallest when not {@code largest} (PyTorch's
     * {@code topk}), and where along the axis each was: this shape with the axis of size k. With {@code sorted} they
     * come largest (smallest) first, else in their order along the axis. Of equal elements the earlier wins (PyTorch
     * leaves ties unspecified); NaN counts as the largest, as in {@link #sort}. The gradient goes back to the positions
     * taken.
     *
     * @throws IllegalArgumentException naming k, the axis and its size when k is outside [0, size]
     */
    public IndexedValues topk(int k, int axis, boolean largest, boolean sorted) {
        return SortOps.topk(this, k, axis, largest, sorted);
    }

    /**
     * The k-th smallest element along {@code axis} (k from 1, PyTorch's {@code kthvalue}) and where along the axis it
     * was; shape as a reduction's over the axis. Ordered as {@link #sort} orders (NaN the largest, equal elements by
     * position; PyTorch's choice among equal ones is unspecified). The gradient goes to that element.
     *
     * @throws IllegalArgumentException naming k, the axis and its size when k is outside [1, size]
     */
    public IndexedValues kthvalue(int k, int axis, boolean keepDim) {
        return SortOps.kthvalue(this, k, axis, keepDim);
    }

    /**
     * The lower median along {@code axis}, the {@code ceil(n / 2)}-th smallest of n (PyTorch's {@code median(dim)}),
     * and where along the axis it was; NaN, at the first NaN's position, where the slice holds one. Shape as a
     * reduction's over the axis; the gradient goes to the element returned.
     *
     * @throws IllegalArgumentException when the axis is empty
     */
    public IndexedValues median(int axis, boolean keepDim) {
        return SortOps.median(this, axis, keepDim);
    }

    // ---- Composites: clamping, minima, statistics, norms, scans, reordering ---------------------------
    // Each is composed of the ops above, so every backend runs it unchanged (see ClampOps, ReductionOps, VarianceOps,
    // LogSumExpOps, NormOps, ProductOps, CumsumOps, CumprodOps, RearrangeOps, TriangleOps).

    /**
     * Each element clamped into [min, max] (PyTorch's {@code clamp}); same shape and dtype. NaN stays NaN; where
     * {@code min > max} every other element is {@code max}. The gradient passes where {@code min <= x <= max}
     * (bounds included), else is 0. An integer tensor takes whole bounds only; a NaN bound is refused.
     */
    public Tensor clamp(double min, double max) {
        return ClampOps.clamp("clamp", this, min, max);
    }

    /** Each element raised to at least {@code min} (PyTorch's {@code clamp_min}), as {@link #clamp} with no maximum. */
    public Tensor clampMin(double min) {
        return ClampOps.clamp("clampMin", this, min, null);
    }

    /** Each element lowered to at most {@code max} (PyTorch's {@code clamp_max}), as {@link #clamp} with no minimum. */
    public Tensor clampMax(double max) {
        return ClampOps.clamp("clampMax", this, null, max);
    }

    /**
     * Minimum of all elements, a scalar; NaN if any is NaN; the gradient is split evenly among the elements equal to
     * it (the NaNs, when it is NaN), as PyTorch's. Of integers (I32, I64) exact in their dtype, without a gradient.
     *
     * @throws IllegalArgumentException for a tensor without elements, as PyTorch's
     */
    public Tensor min() {
        return ReductionOps.minAll(this);
    }

    /** Minimum over {@code axis}; NaN where the slice holds one; the gradient goes to the first minimal element. */
    public Tensor min(int axis, boolean keepDim) {
        return ReductionOps.min(this, axis, keepDim);
    }

    /**
     * PyTorch's {@code torch.min(x, axis, keepdim)}, {@code (values, indices)}: the minimum over {@code axis}
     * ({@link #min(int, boolean)}) and the I64 index of the first minimal element ({@link #argmin(int, boolean)}),
     * of the first NaN where a slice holds one; the values' gradient goes to that element. Shapes, integer dtypes and
     * 0-d tensors as {@link #maxWithIndices}.
     */
    public IndexedValues minWithIndices(int axis, boolean keepDim) {
        return ExtremeWithIndices.min(this, axis, keepDim);
    }

    /** Index (I64) of the first minimum over {@code axis} (of the first NaN, where there is one); any dtype. */
    public Tensor argmin(int axis, boolean keepDim) {
        return ReductionOps.argmin(this, axis, keepDim);
    }

    /** Index (I64) of the first minimum over {@code axis}, which is removed (PyTorch's {@code x.argmin(axis)}). */
    public Tensor argmin(int axis) {
        return argmin(axis, false);
    }

    /** Unbiased variance of all elements (correction 1), a scalar: NaN for one element, as in PyTorch. */
    public Tensor var() {
        return VarianceOps.varAll(this);
    }

    /**
     * Variance over {@code axes} (PyTorch's {@code var(dim, correction=, keepdim=)}): squared deviations from the
     * mean summed and divided by {@code n - correction}, n the elements each result takes in; correction 1 is
     * unbiased, 0 biased, and must be in [0, n]. The shape is this one's without {@code axes}, or with them as
     * size 1 when {@code keepDim}. F32 or F64.
     */
    public Tensor var(int[] axes, int correction, boolean keepDim) {
        return VarianceOps.var(this, axes, correction, keepDim);
    }

    /** Unbiased standard deviation of all elements, a scalar. */
    public Tensor std() {
        return VarianceOps.stdAll(this);
    }

    /**
     * Standard deviation over {@code axes}: the square root of {@link #var(int[], int, boolean)}, whose gradient is
     * 0 where it is 0 (as PyTorch's).
     */
    public Tensor std(int[] axes, int correction, boolean keepDim) {
        return VarianceOps.std(this, axes, correction, keepDim);
    }

    /**
     * {@code log(sum(exp(x)))} over {@code axis} (PyTorch's {@code logsumexp}), shifted by the maximum so that large
     * values do not overflow; -infinity for a slice of all -infinity. F32 or F64.
     */
    public Tensor logsumexp(int axis, boolean keepDim) {
        return LogSumExpOps.logsumexp(this, axis, keepDim);
    }

    /**
     * Vector p-norm of all elements, a scalar (PyTorch's {@code torch.linalg.vector_norm(x, p)}); p is any positive
     * number or {@code Double.POSITIVE_INFINITY}. The gradient at an all-zero tensor is 0, as PyTorch's.
     */
    public Tensor norm(double p) {
        return NormOps.normAll(this, p);
    }

    /** Vector p-norm over {@code axes} (p as in {@link #norm(double)}), without them or with them as size 1. */
    public Tensor norm(double p, int[] axes, boolean keepDim) {
        return NormOps.norm(this, p, axes, keepDim);
    }

    /**
     * Product of all elements, a scalar; its gradient is exact where elements are 0. Of integers (I32, I64) an I64,
     * exact and wrapping past 2^63 as PyTorch's, without a gradient.
     */
    public Tensor prod() {
        return ProductOps.prodAll(this);
    }

    /** Product over {@code axis} (PyTorch's {@code prod}); 1 over an empty axis; integers as {@link #prod()}. */
    public Tensor prod(int axis, boolean keepDim) {
        return ProductOps.prod(this, axis, keepDim);
    }

    /**
     * Running sums along {@code axis} (PyTorch's {@code cumsum}), same shape; O(size log n) work for an axis of n.
     * Of integers (I32, I64) I64 sums, exact and wrapping past 2^63 as PyTorch's, without a gradient.
     */
    public Tensor cumsum(int axis) {
        return CumsumOps.cumsum(this, axis);
    }

    /**
     * Running products along {@code axis} (PyTorch's {@code cumprod}), same shape; O(size log n) work for an axis of
     * n. The gradient divides by nothing, exact where elements are 0 as PyTorch's. Of integers (I32, I64) I64
     * products, exact and wrapping past 2^63 as PyTorch's, without a gradient.
     */
    public Tensor cumprod(int axis) {
        return CumprodOps.cumprod(this, axis);
    }

    // ---- Element-wise math composed of the ops above (see PointwiseMathOps, SpecialFunctionOps) --------------------
    // Operands broadcast with this tensor and share its floating dtype and backend; the gradients are PyTorch 1.13's.

    /**
     * {@code this + weight (end - this)} (PyTorch's {@code lerp}), broadcast to one shape; computed as
     * {@code end - (end - this)(1 - weight)} where |weight| &gt;= 0.5, as PyTorch, so that weight 1 gives end exactly.
     */
    public Tensor lerp(Tensor end, double weight) {
        return PointwiseMathOps.lerp(this, end, weight);
    }

    /** {@link #lerp(Tensor, double)} with a weight per element: this, end and weight broadcast to one shape. */
    public Tensor lerp(Tensor end, Tensor weight) {
        return PointwiseMathOps.lerp(this, end, weight);
    }

    /** {@code this + value * tensor1 * tensor2} (PyTorch's {@code addcmul}), the three broadcast to one shape. */
    public Tensor addcmul(Tensor tensor1, Tensor tensor2, double value) {
        return PointwiseMathOps.addcmul(this, tensor1, tensor2, value);
    }

    /** {@link #addcmul(Tensor, Tensor, double)} with value 1. */
    public Tensor addcmul(Tensor tensor1, Tensor tensor2) {
        return PointwiseMathOps.addcmul(this, tensor1, tensor2, 1);
    }

    /** {@code this + value * tensor1 / tensor2} (PyTorch's {@code addcdiv}), the three broadcast to one shape. */
    public Tensor addcdiv(Tensor tensor1, Tensor tensor2, double value) {
        return PointwiseMathOps.addcdiv(this, tensor1, tensor2, value);
    }

    /** {@link #addcdiv(Tensor, Tensor, double)} with value 1. */
    public Tensor addcdiv(Tensor tensor1, Tensor tensor2) {
        return PointwiseMathOps.addcdiv(this, tensor1, tensor2, 1);
    }

    /**
     * {@code sqrt(this^2 + other^2)} without overflow where the result is finite (PyTorch's {@code hypot}), broadcast;
     * +infinity where either is infinite. The gradient {@code g this / result} is NaN at the origin, as PyTorch's.
     */
    public Tensor hypot(Tensor other) {
        return PointwiseMathOps.hypot(this, other);
    }

    /**
     * {@code log(exp(this) + exp(other))} without overflow (PyTorch's {@code logaddexp}), broadcast; two equal
     * infinities give that infinity.
     */
    public Tensor logaddexp(Tensor other) {
        return PointwiseMathOps.logaddexp(this, other);
    }

    /** {@code log2(2^this + 2^other)} without overflow (PyTorch's {@code logaddexp2}), broadcast. */
    public Tensor logaddexp2(Tensor other) {
        return PointwiseMathOps.logaddexp2(this, other);
    }

    /**
     * {@code this * log(other)}, broadcast, 0 where this is 0 (so xlogy(0, 0) = 0), NaN where other is NaN (PyTorch's
     * {@code xlogy}).
     */
    public Tensor xlogy(Tensor other) {
        return PointwiseMathOps.xlogy(this, other);
    }

    /**
     * The magnitude of this with the sign of {@code other} (PyTorch's {@code copysign}), broadcast; -0.0 counts as
     * negative, a NaN other as positive whatever its sign bit.
     */
    public Tensor copysign(Tensor other) {
        return PointwiseMathOps.copysign(this, other);
    }

    /**
     * The step function (PyTorch's {@code heaviside}): 0 where this is below 0 or NaN, {@code values} where it is 0, 1
     * above; broadcast, any dtype (values of this one's); no gradient, as in PyTorch.
     */
    public Tensor heaviside(Tensor values) {
        return PointwiseMathOps.heaviside(this, values);
    }

    /** The log-odds {@code log(this / (1 - this))} (PyTorch's {@code logit}), same shape; NaN outside [0, 1]. */
    public Tensor logit() {
        return PointwiseMathOps.logit(this, null);
    }

    /**
     * {@link #logit()} of this clamped into [eps, 1 - eps] (PyTorch's {@code logit(eps)}); the gradient is 0 outside.
     *
     * @throws IllegalArgumentException naming eps where it is outside [0, 0.5]
     */
    public Tensor logit(double eps) {
        return PointwiseMathOps.logit(this, eps);
    }

    /** The normalised sinc {@code sin(pi x) / (pi x)}, 1 at 0 (PyTorch's {@code sinc}), same shape. */
    public Tensor sinc() {
        return PointwiseMathOps.sinc(this);
    }

    /**
     * log|Gamma(x)| element-wise (PyTorch's {@code lgamma}), same shape: +infinity at 0, the negative integers and
     * +-infinity. Its gradient is {@link #digamma()}.
     */
    public Tensor lgamma() {
        return SpecialFunctionOps.lgamma(this);
    }

    /**
     * The digamma function d/dx log|Gamma(x)| element-wise (PyTorch's {@code digamma}), same shape: -infinity at +0,
     * +infinity at -0, NaN at the negative integers. Its gradient is {@code polygamma(1)}.
     */
    public Tensor digamma() {
        return SpecialFunctionOps.digamma(this);
    }

    /**
     * The n-th derivative of {@link #digamma()} element-wise (PyTorch's {@code polygamma(n, x)}), same shape; n = 0
     * is digamma, n = 1 the trigamma function; infinite at the poles. Its gradient is {@code polygamma(n + 1)}.
     *
     * @throws IllegalArgumentException naming n where it is negative
     */
    public Tensor polygamma(int n) {
        return SpecialFunctionOps.polygamma(n, this);
    }

    /** The inverse error function on [-1, 1] (PyTorch's {@code erfinv}), same shape: +-infinity at +-1, NaN beyond. */
    public Tensor erfinv() {
        return SpecialFunctionOps.erfinv(this);
    }

    // ---- Scans composed of the ops above (see CumulativeExtremaOps, LogCumSumExpOps) -------------------------------

    /**
     * The running maximum along {@code axis} and where along the axis it was (PyTorch's {@code cummax}): values of
     * this shape and dtype, indices I64 of this shape. Of equal values the later position wins, and NaN beats every
     * number (the latest NaN's position), as PyTorch's. The gradient goes to the positions the indices name.
     */
    public IndexedValues cummax(int axis) {
        return CumulativeExtremaOps.cummax(this, axis);
    }

    /** The running minimum along {@code axis} and where it was (PyTorch's {@code cummin}); ties and NaN as cummax's. */
    public IndexedValues cummin(int axis) {
        return CumulativeExtremaOps.cummin(this, axis);
    }

    /**
     * {@code log(cumsum(exp(x)))} along {@code axis} without overflow (PyTorch's {@code logcumsumexp}), same shape;
     * O(size log n) work for an axis of n. F32 or F64.
     */
    public Tensor logcumsumexp(int axis) {
        return LogCumSumExpOps.logcumsumexp(this, axis);
    }

    // ---- Searching (see SearchSortedOps) ----------------------------------------------------------------------------

    /**
     * Where each of {@code values} would go in {@code sorted} to keep it sorted (PyTorch's {@code searchsorted}): I64
     * of values' shape, the number of entries below the value ({@code right}: not above it), along the last axis of a
     * sorted [..., n] whose leading axes values shares ([..., m]), or in a 1-D sorted [n] for values of any shape. A
     * NaN value goes after every entry. Any dtype, both alike; no gradient.
     *
     * @throws IllegalArgumentException naming both shapes where the leading axes differ, or the dtypes where they do
     */
    public static Tensor searchsorted(Tensor sorted, Tensor values, boolean right) {
        return SearchSortedOps.searchsorted(sorted, values, right);
    }

    /**
     * The bucket of each element among the 1-D sorted {@code boundaries} (PyTorch's {@code bucketize}): I64 of this
     * shape, i with {@code boundaries[i-1] < x <= boundaries[i]}, or {@code boundaries[i-1] <= x < boundaries[i]} when
     * {@code right}; {@link #searchsorted} of this tensor in the boundaries.
     */
    public Tensor bucketize(Tensor boundaries, boolean right) {
        return SearchSortedOps.bucketize(this, boundaries, right);
    }

    // ---- Quantiles (see QuantileOps) -------------------------------------------------------------------------------

    /**
     * The q-th quantile along {@code axis} (PyTorch's {@code quantile(q, dim, keepdim, interpolation)}): this shape
     * without the axis, or with it as size 1 when {@code keepDim}; NaN where the slice holds a NaN. The gradient goes
     * to the one or two elements the quantile is taken from, as PyTorch's.
     *
     * @throws IllegalArgumentException naming q where it is outside [0, 1], or the axis where it is empty
     */
    public Tensor quantile(double q, int axis, boolean keepDim, QuantileInterpolation interpolation) {
        return QuantileOps.quantile("quantile", this, q, axis, keepDim, interpolation, false);
    }

    /** The q-th quantile of all elements, linearly interpolated, a scalar (PyTorch's {@code quantile(q)}). */
    public Tensor quantile(double q) {
        return QuantileOps.quantile("quantile", this, q, null, false, QuantileInterpolation.LINEAR, false);
    }

    /**
     * {@link #quantile(double, int, boolean, QuantileInterpolation)} of the elements that are not NaN (PyTorch's
     * {@code nanquantile}); NaN where a slice holds nothing else.
     */
    public Tensor nanquantile(double q, int axis, boolean keepDim, QuantileInterpolation interpolation) {
        return QuantileOps.quantile("nanquantile", this, q, axis, keepDim, interpolation, true);
    }

    /** {@link #quantile(double)} of the elements that are not NaN (PyTorch's {@code nanquantile(q)}). */
    public Tensor nanquantile(double q) {
        return QuantileOps.quantile("nanquantile", this, q, null, false, QuantileInterpolation.LINEAR, true);
    }

    // ---- Histograms and distinct values (see HistogramOps, UniqueOps) ----------------------------------------------

    /**
     * How often each value 0, 1, ... occurs in this 1-D non-negative I32 or I64 tensor (PyTorch's {@code bincount}):
     * I64 [max(max + 1, minLength)]. Reads the values on the host (the length depends on them); no gradient.
     *
     * @throws IllegalArgumentException naming a negative value, the rank or a negative minLength
     */
    public Tensor bincount(int minLength) {
        return HistogramOps.bincount(this, null, minLength);
    }

    /**
     * {@link #bincount(int)} with each occurrence counting its element of {@code weights} (F32 or F64, this shape):
     * sums of the weights' dtype.
     */
    public Tensor bincount(Tensor weights, int minLength) {
        return HistogramOps.bincount(this, weights, minLength);
    }

    /**
     * The histogram of this tensor's elements in {@code bins} equal bins over [min, max] (PyTorch's {@code histc}):
     * [bins] of this dtype; min = max = 0 takes the data's extent; values outside the range are left out, max goes in
     * the last bin; NaN is left out too (PyTorch 1.13 counts it in the first bin). No gradient.
     *
     * @throws IllegalArgumentException naming bins below 1, or min and max that are not finite with min &lt;= max
     */
    public Tensor histc(int bins, double min, double max) {
        return HistogramOps.histc(this, bins, min, max);
    }

    /**
     * The distinct elements of this tensor, sorted ascending, [k] (PyTorch's {@code unique(sorted=True,
     * return_inverse, return_counts)} with no dim), each NaN one of its own; with {@code returnInverse} the index of
     * each element's value among them (I64, this shape), with {@code returnCounts} how often each occurs (I64 [k]).
     * Reads on the host where the values change (k depends on it); any dtype; no gradient.
     */
    public UniqueValues unique(boolean returnInverse, boolean returnCounts) {
        return UniqueOps.unique(this, returnInverse, returnCounts);
    }

    /**
     * The first element of each run of equal consecutive elements in row-major order (PyTorch's
     * {@code unique_consecutive} with no dim), with the inverse and counts as {@link #unique}'s.
     */
    public UniqueValues uniqueConsecutive(boolean returnInverse, boolean returnCounts) {
        return UniqueOps.uniqueConsecutive(this, returnInverse, returnCounts);
    }

    /** The elements in reverse order along each of {@code axes} (PyTorch's {@code flip}), same shape; any dtype. */
    public Tensor flip(int... axes) {
        return RearrangeOps.flip(this, axes);
    }

    /** The elements in row-major order moved {@code shift} places on, wrapping round (PyTorch's {@code roll}). */
    public Tensor roll(int shift) {
        return RearrangeOps.rollFlat(this, shift);
    }

    /**
     * Element i of axis {@code axes[k]} moved to {@code (i + shifts[k]) mod n}, wrapping round (PyTorch's
     * {@code roll(shifts, dims)}); one shift per axis, same shape; any dtype.
     */
    public Tensor roll(int[] shifts, int[] axes) {
        return RearrangeOps.roll(this, shifts, axes);
    }

    /**
     * The lower triangle of the matrices in the last two axes [..., m, n], elements (i, j) with {@code j - i <= k},
     * the rest 0 (PyTorch's {@code tril}); k = 0 keeps the main diagonal, k &lt; 0 drops diagonals below it too.
     */
    public Tensor tril(int k) {
        return TriangleOps.triangle("tril", this, k, true);
    }

    /** The upper triangle [..., m, n], elements (i, j) with {@code j - i >= k}, the rest 0 (PyTorch's {@code triu}). */
    public Tensor triu(int k) {
        return TriangleOps.triangle("triu", this, k, false);
    }

    /**
     * PyTorch 1.13's {@code print(tensor)}: the values in nested brackets by shape, 4 decimals in common, scientific
     * notation where their range asks, integers without decimals, more than 1000 values summarised by each axis's first
     * and last 3 (only those read, so a huge tensor prints cheaply), then torch's suffixes ({@code dtype=torch.float64},
     * {@code requires_grad=True}, {@code grad_fn=<op>} with Kiln's op name). Error messages name a tensor by
     * {@link #describe()} instead.
     */
    @Override
    public String toString() {
        return closed ? describe() : TensorRepr.of(this);
    }

    /** One line naming this tensor without its values, for messages: {@code Tensor[2, 3] F32 cpu}. */
    public String describe() {
        return "Tensor" + shape + " " + dtype + (closed ? " (closed)" : " " + device());
    }

    // ---- Statistics and renorm (see CovarianceOps, MomentOps, NanMedianOps, ModeOps, RenormOps) ------------------

    /**
     * The covariance matrix of the variables in this tensor's rows [V, N] (a [N] tensor is one variable), observations
     * in columns (PyTorch's {@code cov(correction, fweights, aweights)}): [V, V], a scalar for one variable; the
     * divisor is {@code sum(w) - correction} with w the product of the weights (N with none), or
     * {@code sum(w) - correction sum(w a) / sum(w)} with {@code aweights} a, and 0 (infinities) where not positive.
     *
     * @param fweights I32 or I64 [N] counts of each observation, or null
     * @param aweights [N] weights of each observation of this dtype, or null
     * @throws IllegalArgumentException naming the input above 2-D, weights of the wrong dtype or length, negative
     *     weights or weights that sum to 0
     */
    public Tensor cov(int correction, Tensor fweights, Tensor aweights) {
        return CovarianceOps.cov(this, correction, fweights, aweights);
    }

    /** {@link #cov(int, Tensor, Tensor)} unbiased (correction 1), unweighted: PyTorch's {@code cov()}. */
    public Tensor cov() {
        return CovarianceOps.cov(this, 1, null, null);
    }

    /**
     * The Pearson correlation coefficients of the variables in this tensor's rows [V, N] (PyTorch's
     * {@code corrcoef}): [V, V] clamped to [-1, 1]; for one variable a scalar, 1 (NaN where its variance is 0).
     */
    public Tensor corrcoef() {
        return CovarianceOps.corrcoef(this);
    }

    /**
     * {@link #var(int[], int, boolean)} and the mean over the same {@code axes} (PyTorch's
     * {@code var_mean(dim, correction, keepdim)}), each this shape without the axes (size 1 when {@code keepDim}).
     */
    public VarMean varMean(int[] axes, int correction, boolean keepDim) {
        return MomentOps.varMean(this, axes, correction, keepDim);
    }

    /** The unbiased variance and the mean of all elements, two scalars (PyTorch's {@code var_mean()}). */
    public VarMean varMean() {
        return MomentOps.varMean(this, MomentOps.all(this), 1, false);
    }

    /**
     * {@link #std(int[], int, boolean)} and the mean over the same {@code axes} (PyTorch's
     * {@code std_mean(dim, correction, keepdim)}).
     */
    public StdMean stdMean(int[] axes, int correction, boolean keepDim) {
        return MomentOps.stdMean(this, axes, correction, keepDim);
    }

    /** The unbiased standard deviation and the mean of all elements, two scalars (PyTorch's {@code std_mean()}). */
    public StdMean stdMean() {
        return MomentOps.stdMean(this, MomentOps.all(this), 1, false);
    }

    /**
     * {@link #amin} and {@link #amax} along {@code axis} (PyTorch's {@code aminmax(dim, keepdim)}): NaN where a slice
     * holds one. The gradients are amin's and amax's (split among ties); PyTorch 1.13 has none.
     */
    public MinMax aminmax(int axis, boolean keepDim) {
        return MomentOps.aminmax(this, new int[] {axis}, keepDim);
    }

    /** The smallest and largest of all elements, two scalars (PyTorch's {@code aminmax()}). */
    public MinMax aminmax() {
        return MomentOps.aminmax(this, new int[0], false);
    }

    /**
     * The lower median of the elements along {@code axis} that are not NaN, with its index (I64), PyTorch's
     * {@code nanmedian(dim, keepdim)}: this shape without the axis (size 1 when {@code keepDim}); NaN and index 0
     * where a slice is all NaN (PyTorch's nth_element may pick another index there); among equal values the first
     * position. The gradient goes to the index. F32 or F64.
     *
     * @throws IllegalArgumentException naming the axis where it is out of range or empty
     */
    public IndexedValues nanmedian(int axis, boolean keepDim) {
        return NanMedianOps.nanmedian(this, axis, keepDim);
    }

    /**
     * The lower median of all elements that are not NaN, a scalar (PyTorch's {@code nanmedian()}); the gradient is
     * shared evenly by the elements equal to it, as PyTorch's.
     */
    public Tensor nanmedian() {
        return NanMedianOps.nanmedianAll(this);
    }

    /**
     * The most frequent value along {@code axis} and its index (I64), PyTorch's {@code mode(dim, keepdim)}: the
     * smallest of equally frequent values, at its last position (PyTorch 1.13's CPU choice for slices of up to 16
     * elements); this shape without the axis (size 1 when {@code keepDim}). Any dtype; the gradient goes to the index.
     *
     * @throws IllegalArgumentException naming the axis where it is out of range or empty
     */
    public IndexedValues mode(int axis, boolean keepDim) {
        return ModeOps.mode(this, axis, keepDim);
    }

    /**
     * Each slice along {@code axis} whose p-norm exceeds {@code maxnorm} scaled by {@code maxnorm / (norm + 1e-7)}, the
     * others kept (PyTorch's {@code renorm(p, dim, maxnorm)}): same shape; PyTorch's gradient, differentiable again.
     *
     * @throws IllegalArgumentException naming p unless positive, a negative maxnorm, input below 2-D or the axis
     */
    public Tensor renorm(double p, int axis, double maxnorm) {
        return RenormOps.renorm(this, p, axis, maxnorm);
    }

    // ---- Scatter and index assignment (see ScatterOps) -------------------------------------------------------------
    // Out-of-place; indices are I32 or I64 and a value outside the axis is an IllegalArgumentException naming it.
    // Where entries write one element several times the last along the axis wins and the others get no gradient;
    // scatter and indexCopy read the largest count of entries per element on the host to know whether any do.

    /**
     * PyTorch's {@code scatter(dim, index, src)}: a copy of this tensor with {@code src[..., j, ...]} written at
     * {@code index[..., j, ...]} along {@code axis}. index, src and this tensor have one rank; index is no larger than
     * src on any axis nor than this tensor off the axis (PyTorch's rule: src's leading block of index's shape is read).
     * Gradients: this tensor's where nothing is written, src's gathered back.
     */
    public Tensor scatter(int axis, Tensor index, Tensor src) {
        return ScatterOps.scatter(this, axis, index, src);
    }

    /** PyTorch's {@code scatter(dim, index, value)}: {@link #scatter(int, Tensor, Tensor)} of {@code value} everywhere. */
    public Tensor scatter(int axis, Tensor index, double value) {
        return ScatterOps.scatter(this, axis, index, value);
    }

    /**
     * PyTorch's {@code scatter_reduce(dim, index, src, reduce, include_self)}: each element reduced with the
     * {@code src} entries that {@code index} sends to it along {@code axis} (shapes as {@link #scatter(int, Tensor,
     * Tensor)}'s), by {@code reduce} "sum", "prod", "mean", "amax" or "amin"; {@code includeSelf} false leaves this
     * tensor's value out of the elements written (those not written keep it). PyTorch's gradients: amax and amin split
     * evenly among the tied values, prod's is exact where values are 0. amax, amin and prod read the most entries
     * sent to one element on the host and reduce a dense tensor of that many slots per element. I32 and I64 tensors
     * reduce exactly in their dtype (mean rounds down, as PyTorch's), without gradient.
     */
    public Tensor scatterReduce(int axis, Tensor index, Tensor src, String reduce, boolean includeSelf) {
        return ScatterOps.scatterReduce(this, axis, index, src, reduce, includeSelf);
    }

    /**
     * PyTorch's {@code index_fill}: a copy with slices {@code index} (a vector or scalar; negative values count from the
     * end, as PyTorch's) of {@code axis} all {@code value}.
     */
    public Tensor indexFill(int axis, Tensor index, double value) {
        return ScatterOps.indexFill(this, axis, index, value);
    }

    /**
     * PyTorch's {@code index_copy}: a copy with slice j of {@code source} (this shape with {@code index.size()} along
     * {@code axis}) in slice {@code index[j]} of the axis; index a vector or scalar.
     */
    public Tensor indexCopy(int axis, Tensor index, Tensor source) {
        return ScatterOps.indexCopy(this, axis, index, source);
    }

    /**
     * PyTorch's {@code masked_scatter}: a copy with the first elements of {@code source} (any shape, at least as many
     * elements as the mask's non-zeros) written in row-major order where {@code mask} (broadcast to this shape) is
     * non-zero. The mask is read on the host.
     */
    public Tensor maskedScatter(Tensor mask, Tensor source) {
        return ScatterOps.maskedScatter(this, mask, source);
    }

    /**
     * PyTorch's {@code take}: this tensor's elements in row-major order at {@code index} (any shape; negative values
     * count from the end), in the index's shape. The gradient adds back.
     */
    public Tensor take(Tensor index) {
        return AdvancedIndexOps.take(this, index);
    }

    /**
     * PyTorch's {@code put} (out of place): a copy with {@code source}'s elements written at the row-major positions
     * {@code index} (as many elements as source; negative values count from the end), or added there when
     * {@code accumulate}.
     */
    public Tensor put(Tensor index, Tensor source, boolean accumulate) {
        return AdvancedIndexOps.put(this, index, source, accumulate);
    }

    /**
     * PyTorch's {@code index_put} ({@code x[i, j] = values} on a copy): {@code indices} index this tensor's leading
     * axes, one each (negative values count from the end), and broadcast to one shape B; {@code values} broadcasts to
     * B followed by the axes past the indexed ones, and is written there, or added when {@code accumulate}.
     */
    public Tensor indexPut(List<Tensor> indices, Tensor values, boolean accumulate) {
        return AdvancedIndexOps.indexPut(this, indices, values, accumulate);
    }

    /**
     * PyTorch's advanced indexing {@code x[i, j]}: {@code indices} index the leading axes, one each (negative values
     * count from the end), broadcast to one shape B; the result is [B..., the axes past the indexed ones...].
     */
    public Tensor index(List<Tensor> indices) {
        return AdvancedIndexOps.index(this, indices);
    }

    // ---- Subscripts mixing integers, slices, new axes, an ellipsis, index tensors and masks (see MixedIndexOps) ----

    /**
     * PyTorch's subscript {@code x[...]} with {@link Idx} entries, e.g. {@code x[:, idx]} is
     * {@code x.index(Idx.all(), Idx.tensor(idx))} and {@code x[mask]} is {@code x.index(Idx.mask(mask))}. Integers
     * remove their axis, slices shorten theirs, new axes add one of size 1, the ellipsis stands for the axes left over,
     * and axes past the entries are taken whole. Index tensors (negative values count from the end) and masks (their
     * non-zero positions, {@code [count]} for the axes they cover) broadcast to one shape B, which replaces the indexed
     * axes where they are adjacent and leads the result otherwise. A copy (or this tensor itself for a subscript that
     * selects everything); the gradient scatters back, adding at repeated positions. A mask is read on the host, as
     * the result's length depends on it: a synchronisation on a GPU, as in PyTorch.
     *
     * @throws IllegalArgumentException for an index out of range (naming the axis, index and size), a mask that does
     *     not have the shape of the axes it covers (naming both), or entries for more axes than this tensor has
     */
    public Tensor index(Idx... indices) {
        return MixedIndexOps.index(this, indices);
    }

    /**
     * PyTorch's {@code x[...] = values} on a copy ({@code index_put} with any subscript of {@link #index(Idx...)}):
     * {@code values} broadcasts to the shape {@code index(indices)} has and is written at those elements, or added
     * there when {@code accumulate} (repeated positions then add up; without it the last of them wins, as on
     * PyTorch's CPU). Gradients flow to this tensor (outside the written elements unless accumulating) and to values.
     */
    public Tensor indexPut(Idx[] indices, Tensor values, boolean accumulate) {
        return MixedIndexOps.indexPut(this, indices, values, accumulate);
    }

    /** {@link #indexPut(Idx[], Tensor, boolean)} of one value: {@code x[mask] = value}. */
    public Tensor indexPut(Idx[] indices, double value, boolean accumulate) {
        return MixedIndexOps.indexPut(this, indices, value, accumulate);
    }

    /**
     * How many times this tensor's storage (shared with its views) was written in place (PyTorch's {@code _version}):
     * by {@link #assign}, {@link #copyFrom}, {@link #addInPlace}, an optimizer's update or a gradient's
     * accumulation. A backend may keep something derived from a tensor's values (oneDNN's layout of a convolution's
     * weights) while the storage and its version are unchanged.
     */
    public int version() {
        return storage.version();
    }

    /**
     * The sparse gradient [rows, cols] of a 2-D leaf looked up by {@link F#sparseEmbedding} (PyTorch's {@code grad} of
     * an {@code Embedding(sparse=True)}'s weight, a hybrid COO tensor of one sparse and one dense dimension), or null
     * before the first backward pass that reaches it that way: one row entry per row looked up, coalesced within a pass
     * (PyTorch's one per lookup sums to the same), accumulating across passes by appending entries (uncoalesced then,
     * as PyTorch's) until {@link #zeroGrad()} (which leaves it without entries) or {@link #clearGrad()} (which forgets
     * it). Owned by this tensor: do not close it. {@link #grad()} stays null unless other ops reach the tensor densely.
     */
    public SparseRows sparseGrad() {
        return sparseGrad;
    }

    /** Adds {@code more} (this tensor's shape, owned from now on) to {@link #sparseGrad()}, appending its entries. */
    void accumulateSparseGrad(SparseRows more) {
        if (sparseGrad == null || sparseGrad.nnz() == 0) {
            clearSparseGrad();
            sparseGrad = more;
            return;
        }
        SparseRows before = sparseGrad;
        sparseGrad = Scope.outside(() -> SparseRows.concatenated(before, more));
        before.close();
        more.close();
    }
}
