package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.OneDnnPlan.check;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_destroy;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Int8Quantization;
import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.StaticInt8ConvStage;
import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

/**
 * Static int8 convolutions on oneDNN ({@link dev.kiln.engine.Backend#staticInt8Conv2d}): weights quantised in Java
 * ({@link Int8Quantization#quantizeWeight}, the SPI default's values), the batch split into one slice per Kiln thread,
 * each slice run by single-threaded oneDNN ({@link OneDnnStaticInt8Call}) on the thread that takes it, as
 * {@link OneDnnConvolution} runs F32 convolutions; a chain of them
 * ({@link dev.kiln.engine.Backend#staticInt8Conv2dChain}) likewise, each slice through all of the chain's convolutions
 * (and the max pooling after them, {@link dev.kiln.engine.Backend#staticInt8Conv2dChainMaxPool}).
 */
final class OneDnnStaticInt8Conv implements AutoCloseable {
    /** The fewest multiply-adds a slice of its own is given: some 20 us of int8 work on one core. */
    static final long SLICE_MACS = 1 << 20;
    private final CpuBackend backend;
    private final Parallel parallel;
    private final OpenMpThreads openMp;
    private final dnnl_engine engine;

    private OneDnnStaticInt8Conv(CpuBackend backend, Parallel parallel, OpenMpThreads openMp) {
        this.backend = backend;
        this.parallel = parallel;
        this.openMp = openMp;
        this.engine = new dnnl_engine();
        check(dnnl_engine_create(engine, dnnl_cpu, 0), () -> "dnnl_engine_create");
    }

    /**
     * Loads oneDNN and opens a CPU engine.
     *
     * @throws LinkageError where oneDNN's natives for this platform are missing
     * @throws IllegalStateException where the OpenMP loaded with oneDNN has no {@code omp_set_num_threads}
     */
    static OneDnnStaticInt8Conv open(CpuBackend backend, Parallel parallel) {
        Loader.load(dnnl.class);
        OpenMpThreads openMp = OpenMpThreads.of(1);
        if (openMp == null) {
            throw new IllegalStateException("no omp_set_num_threads to keep oneDNN's OpenMP pool off Kiln's threads");
        }
        return new OneDnnStaticInt8Conv(backend, parallel, openMp);
    }

    /** {@code weight} [out, in, kh, kw] quantised with {@code scales} [out] into plain s8 OIHW. */
    StaticInt8ConvWeights pack(Tensor weight, Tensor scales) {
        int out = weight.dim(0);
        long perChannel = weight.size() / out;
        CpuStorage plain = (CpuStorage) backend.allocate(DType.F32, (weight.size() + Float.BYTES - 1) / Float.BYTES);
        CpuStorage channelScales = (CpuStorage) backend.allocate(DType.F32, out);
        CpuStorage zeros = (CpuStorage) backend.allocate(DType.F32, out);
        FloatBuffer w = ((CpuStorage) weight.storage()).f32;
        FloatBuffer s = ((CpuStorage) scales.storage()).f32;
        int wOffset = Math.toIntExact(weight.offset());
        int sOffset = Math.toIntExact(scales.offset());
        ByteBuffer values = plain.bytes();
        for (int o = 0; o < out; o++) {
            float scale = s.get(sOffset + o);
            channelScales.f32.put(o, scale);
            zeros.f32.put(o, 0f);
            for (long k = o * perChannel; k < (o + 1) * perChannel; k++) {
                values.put((int) k, (byte) Int8Quantization.quantizeWeight(w.get(wOffset + (int) k), scale));
            }
        }
        return new OneDnnStaticInt8Weights(backend, engine, parallel.threads(), weight.shape(), plain, channelScales,
                zeros);
    }

    /** out = the static int8 convolution of input; the slices' calls are kept with the weights. */
    void forward(Tensor input, StaticInt8ConvWeights packed, Tensor bias, Conv2dGeometry g, Uint8Grid in,
                 Uint8Grid outGrid, boolean relu, Tensor out) {
        chain(input, in, List.of(new StaticInt8ConvStage(packed, bias, g, outGrid, relu)), null, out);
    }

    /**
     * out = the chain's last output, max pooled by {@code pool} where not null, the stages' outputs kept in u8 between
     * them and through the pooling; the slices' calls are kept with the first stage's weights.
     */
    void chain(Tensor input, Uint8Grid in, List<StaticInt8ConvStage> stages, Pool2dGeometry pool, Tensor out) {
        chain(input, in, stages, pool, out, null, null);
    }

    /**
     * {@link #chain(Tensor, Uint8Grid, List, Pool2dGeometry, Tensor)} and, where {@code shortcut} is not null, that
     * convolution on the same quantised input into {@code shortcutOut}, in the same slice calls.
     */
    void chain(Tensor input, Uint8Grid in, List<StaticInt8ConvStage> stages, Pool2dGeometry pool, Tensor out,
               StaticInt8ConvStage shortcut, Tensor shortcutOut) {
        List<OneDnnStaticInt8Weights> weights = new ArrayList<>();
        for (StaticInt8ConvStage stage : stages) {
            weights.add(ours(stage));
        }
        OneDnnStaticInt8Weights shortcutWeights = shortcut == null ? null : ours(shortcut);
        Conv2dGeometry g = stages.get(0).geometry();
        int batch = g.batch();
        if (batch == 0) {
            return;
        }
        int slices = slices(batch, stages, shortcut);
        long inImage = (long) g.inChannels() * g.height() * g.width();
        Conv2dGeometry last = stages.get(stages.size() - 1).geometry();
        long outImage = pool == null ? (long) last.outChannels() * last.outH() * last.outW()
                : (long) pool.channels() * pool.outH() * pool.outW();
        OneDnnStaticInt8Weights w = weights.get(0);
        List<OneDnnStaticInt8Weights> later = List.copyOf(weights.subList(1, weights.size()));
        List<Boolean> relus = stages.stream().map(StaticInt8ConvStage::relu).toList();
        List<Boolean> zeroPoints = new ArrayList<>(List.of(in.zeroPoint() != 0));
        stages.forEach(st -> zeroPoints.add(st.outputGrid().zeroPoint() != 0));
        Pointer[] biasValues = new Pointer[stages.size()];
        Uint8Grid[] grids = new Uint8Grid[stages.size()];
        for (int k = 0; k < stages.size(); k++) {
            Tensor bias = stages.get(k).bias();
            biasValues[k] = bias == null ? weights.get(k).zeros().floatPointer(0)
                    : ((CpuStorage) bias.storage()).floatPointer(bias.offset());
            grids[k] = stages.get(k).outputGrid();
        }
        CpuStorage src = (CpuStorage) input.storage();
        CpuStorage dst = (CpuStorage) out.storage();
        Conv2dGeometry besideGeometry = shortcut == null ? null : shortcut.geometry();
        long besideImage = shortcut == null ? 0
                : (long) besideGeometry.outChannels() * besideGeometry.outH() * besideGeometry.outW();
        Pointer besideBias = shortcut == null ? null : shortcut.bias() == null ? shortcutWeights.zeros().floatPointer(0)
                : ((CpuStorage) shortcut.bias().storage()).floatPointer(shortcut.bias().offset());
        // The calls are taken and run where close() cannot run in between: a closed call's primitives are destroyed.
        synchronized (w) {
            openMp.applyToCurrentThread();
            OneDnnStaticInt8Call[] calls = new OneDnnStaticInt8Call[slices];
            for (int slice = 0; slice < slices; slice++) {
                int images = first(batch, slice + 1, slices) - first(batch, slice, slices);
                List<Conv2dGeometry> geometries = stages.stream().map(st -> sliced(st.geometry(), images)).toList();
                OneDnnStaticInt8Weights.Shortcut beside = shortcut == null ? null
                        : new OneDnnStaticInt8Weights.Shortcut(shortcutWeights, sliced(besideGeometry, images),
                                shortcut.relu(), shortcut.outputGrid().zeroPoint() != 0);
                calls[slice] = w.call(slice, geometries, relus, later, zeroPoints,
                        pool == null ? null : sliced(pool, images), beside);
            }
            parallel.forRange(slices, Parallel.GRAIN, (lo, hi) -> {
                openMp.applyToCurrentThread();
                for (int slice = lo; slice < hi; slice++) {
                    int first = first(batch, slice, slices);
                    Pointer besideOut = shortcut == null ? null : ((CpuStorage) shortcutOut.storage())
                            .floatPointer(shortcutOut.offset() + first * besideImage);
                    calls[slice].execute(src.floatPointer(input.offset() + first * inImage), biasValues,
                            dst.floatPointer(out.offset() + first * outImage), in, grids, besideBias, besideOut,
                            shortcut == null ? null : shortcut.outputGrid());
                }
            });
        }
    }

    /**
     * One slice per thread, but none with fewer than {@link #SLICE_MACS} multiply-adds: handing a slice to a worker
     * costs more than a small convolution (a ResNet-18 head's 512 -> 10 on [8, 512, 1, 1]: 0.3 ms on two slices
     * where its primitives run 15 us, the worker woken from its park).
     */
    private int slices(int batch, List<StaticInt8ConvStage> stages, StaticInt8ConvStage shortcut) {
        long macs = shortcut == null ? 0 : macs(shortcut.geometry());
        for (StaticInt8ConvStage stage : stages) {
            macs += macs(stage.geometry());
        }
        return (int) Math.min(Math.min(parallel.threads(), batch), Math.max(1, macs / SLICE_MACS));
    }

    private static long macs(Conv2dGeometry g) {
        return (long) g.batch() * g.outChannels() * g.outH() * g.outW() * g.inChannels() * g.kernelH() * g.kernelW();
    }

    /** The stage's weights, refused unless this backend's oneDNN packed them. */
    private OneDnnStaticInt8Weights ours(StaticInt8ConvStage stage) {
        if (!(stage.weights() instanceof OneDnnStaticInt8Weights w) || w.backend() != backend) {
            throw new IllegalArgumentException("staticInt8Conv2d: these weights were packed by "
                    + stage.weights().backend().name() + " (" + stage.weights().getClass().getSimpleName()
                    + "), not by this CPU backend; pack them here");
        }
        return w;
    }

    /** The first image of slice {@code slice} of {@code slices}. */
    private static int first(int batch, int slice, int slices) {
        return (int) ((long) batch * slice / slices);
    }

    /** {@code g} for {@code batch} images. */
    private static Conv2dGeometry sliced(Conv2dGeometry g, int batch) {
        return new Conv2dGeometry(batch, g.inChannels(), g.height(), g.width(), g.outChannels(), g.kernelH(),
                g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.dilationH(), g.dilationW());
    }

    /** {@code pool} for {@code batch} images. */
    private static Pool2dGeometry sliced(Pool2dGeometry pool, int batch) {
        return new Pool2dGeometry(batch, pool.channels(), pool.height(), pool.width(), pool.kernelH(), pool.kernelW(),
                pool.strideH(), pool.strideW(), pool.padH(), pool.padW(), pool.ceilMode(), pool.countIncludePad());
    }

    @Override
    public void close() {
        dnnl_engine_destroy(engine);
    }
}
