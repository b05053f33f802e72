package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.OneDnnPlan.check;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_destroy;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.GroupedConv2dGeometry;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cpu.ConvolutionKey.Direction;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;

/**
 * 2-D convolutions, grouped or not, on oneDNN's CPU primitives, F32 only, on Kiln's own threads: the batch is split
 * into one slice per thread ({@link Parallel}), and each thread runs oneDNN single-threaded on its slice, in its own
 * {@link OneDnnLane}; the weight gradient sums the slices' gradients. The forward pass of a single ungrouped image
 * splits its output channels instead, so that inference on one image uses every thread. oneDNN's OpenMP pool is held at one thread
 * ({@link OpenMpThreads}) because beside Kiln's pool it oversubscribes the cores: libgomp's idle threads spin for
 * milliseconds after each parallel region while Kiln's threads work, and Kiln's spin while they are descheduled. With
 * its own two threads, oneDNN's forward pass of LeNet's first convolution (batch 64, 2 cores, {@code kiln bench conv})
 * took 14.4 ms in one run and 1.6 in the next; split over Kiln's two threads it runs no slower than OpenBLAS there, and
 * on ResNet-18's layers (batch 256) the split took 0.8-1.2 times oneDNN's own threading's time per layer and direction
 * on a busy machine, with no pattern beyond its noise.
 * <p>One call runs at a time; a slice of a different size than the others (the last, where the threads do not divide
 * the batch) is another geometry, with its own plan. The output and input gradient, whose images are computed apart,
 * are computed a chunk of each slice's images at a time where the slice's temporaries (oneDNN's layouts of the
 * operands and its scratchpad) would exceed {@value #TEMPORARY_BYTES} bytes, so that a large batch does not hold
 * copies of its whole input and output in another layout: LeNet's first convolution on an evaluation batch of 1,000
 * held 70 MiB of them, beside its 44 MiB output.
 * <p>The weights, which the forward pass and the input gradient read in oneDNN's layouts, are laid out once for all the
 * slices and chunks; the forward pass's layout is kept between calls while the weights are unchanged
 * ({@link OneDnnWeights}): in evaluation, once for all calls.
 */
final class OneDnnConvolution implements AutoCloseable {
    /** Gradient elements summed per task: a {@link Parallel#GRAIN} of additions per slice, worth a thread each. */
    static final int SUM_CHUNK = 1 << 16;

    /**
     * Multiply-adds below which a single image's forward pass stays on one thread: handing half the channels to a
     * worker and spinning for it cost more than it saved for LeNet's convolutions of one MNIST image (1.4e5 and 3.2e5
     * multiply-adds): the FGSM tutorial's 7,000 single-image attacks took 7.7-10.3 s on two threads, 4.7-5.3 s on one
     * (2026-12-08, 2 vCPUs). Near the threshold, one image with 150 us of other work between calls, as between a
     * model's layers (the worker parks), 2 vCPUs shared with other jobs: 16 to 32 channels, 3x3 on 32x32 (4.7e6)
     * took 92-106 us on one thread and 57-113 split (10 rounds, one outlier 211); at 1.2e6 to 1.8e6 splitting won in
     * one run and lost in the next (3 to 64 channels, 1.8e6: 53-59 us on one thread, 29-53 split; then 46-62 and
     * 48-179). ResNet-18's convolutions of one 224x224 image, 6.4e6 (its 1x1 downsampling) to 1.2e8, still split.
     */
    static final long MIN_SPLIT_MULTIPLY_ADDS = 1L << 22;

    /** Temporaries a slice of a forward or backward-data call holds at once, at most, unless one image needs more. */
    static final long TEMPORARY_BYTES = 8L << 20;

    private final CpuBackend backend;
    private final Parallel parallel;
    private final OpenMpThreads openMp;
    private final dnnl_engine engine;
    private final OneDnnLane[] lanes;
    private final OneDnnWeights weights;

    private OneDnnConvolution(CpuBackend backend, Parallel parallel, OpenMpThreads openMp) {
        this.backend = backend;
        this.parallel = parallel;
        this.openMp = openMp;
        this.engine = new dnnl_engine();
        check(dnnl_engine_create(engine, dnnl_cpu, 0), () -> "dnnl_engine_create");
        this.lanes = new OneDnnLane[parallel.threads()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new OneDnnLane(engine);
        }
        this.weights = new OneDnnWeights(backend, OneDnnWeights.BUDGET_BYTES);
    }

    /**
     * Loads oneDNN's native library and opens a CPU engine with a lane for each of {@code parallel}'s threads.
     *
     * @throws LinkageError where the dnnl or opencl jars, or their natives for this platform, are missing
     * @throws IllegalStateException where the OpenMP loaded with oneDNN has no {@code omp_set_num_threads}
     */
    static OneDnnConvolution open(CpuBackend backend, Parallel parallel) {
        Loader.load(dnnl.class);
        OpenMpThreads openMp = OpenMpThreads.of(1);
        if (openMp == null) {
            throw new IllegalStateException("no omp_set_num_threads to keep oneDNN's OpenMP pool off Kiln's threads");
        }
        return new OneDnnConvolution(backend, parallel, openMp);
    }

    /** oneDNN's version and how it runs, for the log. */
    String describe() {
        dnnl_version_t v = dnnl.dnnl_version();
        return "oneDNN " + v.major() + "." + v.minor() + "." + v.patch() + " (batch split over Kiln's "
                + lanes.length + " thread" + (lanes.length == 1 ? "" : "s")
                + (lanes.length == 1 ? "" : ", a single image's output channels from 2^22 multiply-adds") + ")";
    }

    /** Whether oneDNN has primitives for {@code key}; creates and keeps the first slice's plan when it has. */
    synchronized boolean supports(ConvolutionKey key) {
        openMp.applyToCurrentThread();
        return lanes[0].plan(slice(key, 0)) != null;
    }

    /** oneDNN's name for the kernel that runs {@code key}'s first slice (for logs), or null where it has none. */
    synchronized String implementation(ConvolutionKey key) {
        OneDnnPlan plan = lanes[0].plan(slice(key, 0));
        return plan == null ? null : plan.implementation();
    }

    /** Closes the plans of {@code key}'s slices and their chunks: for a convolution that OpenBLAS runs faster. */
    synchronized void forget(ConvolutionKey key) {
        int chunks = chunks(key);
        for (int part = 0; part < parts(key.geometry()); part++) {
            for (Slice images : pieces(key, part, chunks)) {
                lanes[part].forget(withBatch(key, images.count()));
            }
            lanes[part].forget(slice(key, part));
        }
        // A single image has one batch slice, but its forward pass ran a share of its channels on every lane.
        if (key.direction() == Direction.FORWARD && splitsChannels(key.geometry())) {
            for (int part = 0; part < lanes.length; part++) {
                lanes[part].forget(channels(key, part));
            }
        }
    }

    /** How many plans the lanes keep together (for tests of forgetting). */
    synchronized int plansKept() {
        int kept = 0;
        for (OneDnnLane lane : lanes) {
            kept += lane.plansKept();
        }
        return kept;
    }

    /** Bytes of weights kept in oneDNN's layouts between calls (for tests of the cache). */
    long weightBytesKept() {
        return weights.bytes();
    }

    /** out [N, outC, outH, outW] = conv(input [N, C, H, W], weight [outC, C / groups, kh, kw]) + bias (nullable). */
    void forward(Tensor input, Tensor weight, Tensor bias, GroupedConv2dGeometry g, Tensor out) {
        ConvolutionKey key = new ConvolutionKey(g, Direction.FORWARD, bias != null);
        if (splitsChannels(g)) {
            forwardByChannels(input, weight, bias, key, out);
            return;
        }
        run(key, weights.source(weight, 0), (part, slice) -> bias == null
                ? new FloatPointer[] {images(input, slice), whole(weight), images(out, slice)}
                : new FloatPointer[] {images(input, slice), whole(weight), whole(bias), images(out, slice)});
    }

    /**
     * Whether the forward pass of {@code g} splits its output channels over the threads instead of its batch: a
     * single image, which the batch split would leave to one thread (ResNet-18 on one 224x224 image: 48 ms, where two
     * images took 59), of at least {@link #MIN_SPLIT_MULTIPLY_ADDS}.
     */
    private boolean splitsChannels(GroupedConv2dGeometry g) {
        return lanes.length > 1 && g.groups() == 1 && g.group().batch() == 1
                && g.group().outChannels() >= lanes.length && multiplyAdds(g) >= MIN_SPLIT_MULTIPLY_ADDS;
    }

    /** The multiply-adds of a forward pass of {@code g}: output elements times the inputs each reads. */
    static long multiplyAdds(GroupedConv2dGeometry g) {
        Conv2dGeometry c = g.group();
        return (long) g.groups() * c.batch() * c.outChannels() * c.outH() * c.outW() * c.inChannels() * c.kernelH()
                * c.kernelW();
    }

    /**
     * The forward pass of one image, its output channels in one run per thread: for a single image, each run's
     * weights, bias and output are contiguous runs of the whole ones.
     */
    private synchronized void forwardByChannels(Tensor input, Tensor weight, Tensor bias, ConvolutionKey key,
                                                Tensor out) {
        int channels = key.geometry().group().outChannels();
        int parts = lanes.length;
        long weightsPerChannel = weight.size() / channels;
        long outputsPerChannel = out.size() / channels;
        try {
            parallel.forRange(parts, Parallel.GRAIN, (first, end) -> {
                openMp.applyToCurrentThread();
                for (int part = first; part < end; part++) {
                    int from = slice(channels, parts, part).start();
                    FloatPointer in = whole(input);
                    FloatPointer w = at(weight, from * weightsPerChannel);
                    FloatPointer o = at(out, from * outputsPerChannel);
                    lanes[part].execute(channels(key, part), backend, weights.source(weight, from * weightsPerChannel),
                            bias == null ? new FloatPointer[] {in, w, o}
                                    : new FloatPointer[] {in, w, at(bias, from), o});
                }
            });
        } finally {
            weights.trim();
        }
    }

    /** gradInput [N, C, H, W] from gradOut [N, outC, outH, outW] and weight. */
    void backwardData(Tensor gradOut, Tensor weight, GroupedConv2dGeometry g, Tensor gradInput) {
        run(new ConvolutionKey(g, Direction.BACKWARD_DATA, false), weights.forOneCall(weight), (part, slice) ->
                new FloatPointer[] {images(gradOut, slice), whole(weight), images(gradInput, slice)});
    }

    /**
     * gradWeight [outC, C / groups, kh, kw] and gradBias [outC] (nullable), summed over the batch: the first slice's
     * gradients go straight into them, the others' into temporaries added to them at the end.
     */
    void backwardFilter(Tensor input, Tensor gradOut, GroupedConv2dGeometry g, Tensor gradWeight, Tensor gradBias) {
        ConvolutionKey key = new ConvolutionKey(g, Direction.BACKWARD_FILTER, gradBias != null);
        int parts = parts(g);
        long weights = gradWeight.size();
        long biases = gradBias == null ? 0 : gradBias.size();
        CpuStorage[] partials = new CpuStorage[parts];
        try {
            for (int part = 1; part < parts; part++) {
                partials[part] = (CpuStorage) backend.allocate(DType.F32, weights + biases);
            }
            run(key, null, (part, slice) -> {
                FloatPointer weight = part == 0 ? whole(gradWeight) : partials[part].floatPointer(0);
                FloatPointer bias = gradBias == null ? null
                        : part == 0 ? whole(gradBias) : partials[part].floatPointer(weights);
                return bias == null ? new FloatPointer[] {images(input, slice), images(gradOut, slice), weight}
                        : new FloatPointer[] {images(input, slice), images(gradOut, slice), weight, bias};
            });
            addPartials(partials, 0, gradWeight, weights);
            if (gradBias != null) {
                addPartials(partials, weights, gradBias, biases);
            }
        } finally {
            for (CpuStorage p : partials) {
                if (p != null) {
                    p.release();
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        weights.close();
        for (OneDnnLane lane : lanes) {
            lane.close();
        }
        dnnl_engine_destroy(engine);
    }

    /** A slice of the batch: images [start, start + count). */
    private record Slice(int start, int count) {
    }

    /** The memory of one slice's operands, in the order of its plan's arguments. */
    @FunctionalInterface
    private interface Operands {
        FloatPointer[] of(int part, Slice slice);
    }

    /**
     * Runs {@code key} slice by slice, each on its lane, the slices split over Kiln's threads, and each slice in
     * {@link #chunks} of its images one after another, all reading the weights of {@code source} (null where the
     * weights are an output) in the layout {@link #weights} keeps.
     */
    private synchronized void run(ConvolutionKey key, OneDnnWeights.Source source, Operands operands) {
        int chunks = chunks(key);
        try {
            parallel.forRange(parts(key.geometry()), Parallel.GRAIN, (first, end) -> {
                openMp.applyToCurrentThread();
                for (int part = first; part < end; part++) {
                    for (Slice images : pieces(key, part, chunks)) {
                        lanes[part].execute(withBatch(key, images.count()), backend, source,
                                operands.of(part, images));
                    }
                }
            });
        } finally {
            weights.trim();
        }
    }

    /** The images of slice {@code part} of {@code key}'s batch in {@code chunks} pieces (fewer for fewer images). */
    private List<Slice> pieces(ConvolutionKey key, int part, int chunks) {
        GroupedConv2dGeometry g = key.geometry();
        Slice slice = slice(g.group().batch(), parts(g), part);
        int pieces = Math.min(chunks, slice.count());
        List<Slice> all = new ArrayList<>(pieces);
        for (int piece = 0; piece < pieces; piece++) {
            Slice chunk = slice(slice.count(), pieces, piece);
            all.add(new Slice(slice.start() + chunk.start(), chunk.count()));
        }
        return all;
    }

    /**
     * Chunks each slice of {@code key} runs in: 1 for a weight gradient (summed over the images, which chunks would
     * have to add up) and where the first slice's temporaries fit in {@link #TEMPORARY_BYTES}, else as many as bring
     * them under it.
     */
    private int chunks(ConvolutionKey key) {
        if (key.direction() == Direction.BACKWARD_FILTER) {
            return 1;
        }
        // Creating a plan may run OpenMP on the calling thread, which starts threads of its own unless held at one.
        openMp.applyToCurrentThread();
        OneDnnPlan plan = lanes[0].plan(slice(key, 0));
        long bytes = plan == null ? 0 : plan.temporaryBytes();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (bytes + TEMPORARY_BYTES - 1) / TEMPORARY_BYTES));
    }

    /** Slices of a batch: one per thread, fewer for a batch smaller than that. */
    private int parts(GroupedConv2dGeometry g) {
        return Math.min(lanes.length, g.group().batch());
    }

    /** Part {@code part} of {@code parts} nearly equal runs of {@code total} images (or channels). */
    private static Slice slice(int total, int parts, int part) {
        int start = (int) ((long) total * part / parts);
        int end = (int) ((long) total * (part + 1) / parts);
        return new Slice(start, end - start);
    }

    /** The convolution of slice {@code part} of {@code key}'s batch. */
    private ConvolutionKey slice(ConvolutionKey key, int part) {
        GroupedConv2dGeometry g = key.geometry();
        return withBatch(key, slice(g.group().batch(), parts(g), part).count());
    }

    /** The convolution of {@code key} on {@code count} of its images. */
    private static ConvolutionKey withBatch(ConvolutionKey key, int count) {
        return resized(key, count, key.geometry().group().outChannels());
    }

    /** The convolution of {@code key} on {@code batch} images, making {@code outChannels} of its output channels. */
    private static ConvolutionKey resized(ConvolutionKey key, int batch, int outChannels) {
        GroupedConv2dGeometry g = key.geometry();
        Conv2dGeometry c = g.group();
        Conv2dGeometry sliced = new Conv2dGeometry(batch, c.inChannels(), c.height(), c.width(), outChannels,
                c.kernelH(), c.kernelW(), c.strideH(), c.strideW(), c.padH(), c.padW(), c.dilationH(), c.dilationW());
        return new ConvolutionKey(new GroupedConv2dGeometry(sliced, g.groups()), key.direction(), key.bias());
    }

    /** The convolution of part {@code part} of {@code key}'s output channels, split over the threads. */
    private ConvolutionKey channels(ConvolutionKey key, int part) {
        Conv2dGeometry c = key.geometry().group();
        return resized(key, c.batch(), slice(c.outChannels(), lanes.length, part).count());
    }

    /** The element {@code elements} on from {@code t}'s first. */
    private static FloatPointer at(Tensor t, long elements) {
        return ((CpuStorage) t.storage()).floatPointer(t.offset() + elements);
    }

    /** The first element of {@code slice}'s images in {@code t} [N, ...]. */
    private static FloatPointer images(Tensor t, Slice slice) {
        long image = t.size() / t.shape().dim(0);
        return ((CpuStorage) t.storage()).floatPointer(t.offset() + slice.start() * image);
    }

    private static FloatPointer whole(Tensor t) {
        return ((CpuStorage) t.storage()).floatPointer(t.offset());
    }

    /**
     * target += the {@code count} elements at {@code from} in each of partials[1..], in chunks of {@link #SUM_CHUNK}
     * elements (the last one shorter) split over Kiln's threads.
     */
    private void addPartials(CpuStorage[] partials, long from, Tensor target, long count) {
        if (partials.length < 2) {
            return;
        }
        CpuStorage storage = (CpuStorage) target.storage();
        long base = target.offset();
        int chunks = Math.toIntExact((count + SUM_CHUNK - 1) / SUM_CHUNK);
        parallel.forRange(chunks, (long) SUM_CHUNK * partials.length, (first, end) -> {
            float[] sum = new float[SUM_CHUNK];
            float[] part = new float[SUM_CHUNK];
            for (int chunk = first; chunk < end; chunk++) {
                long start = (long) chunk * SUM_CHUNK;
                int length = (int) Math.min(SUM_CHUNK, count - start);
                int at = Math.toIntExact(base + start);
                storage.f32.duplicate().position(at).get(sum, 0, length);
                for (int p = 1; p < partials.length; p++) {
                    partials[p].f32.duplicate().position(Math.toIntExact(from + start)).get(part, 0, length);
                    for (int i = 0; i < length; i++) {
                        sum[i] += part[i];
                    }
                }
                storage.f32.duplicate().position(at).put(sum, 0, length);
            }
        });
    }
}
