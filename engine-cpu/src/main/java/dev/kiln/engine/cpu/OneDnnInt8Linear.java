package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.OneDnnPlan.check;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_destroy;

import dev.kiln.engine.DType;
import dev.kiln.engine.InputQuantization;
import dev.kiln.engine.Int8LinearWeights;
import dev.kiln.engine.Int8Quantization;
import dev.kiln.engine.Tensor;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;

/**
 * Dynamically quantised linear layers on oneDNN's int8 matmul ({@link dev.kiln.engine.Backend#int8Linear}): weights
 * quantised in Java and laid out once per block of output columns, one block per Kiln thread, each block run by
 * single-threaded oneDNN on the thread that takes it, as {@link OneDnnConvolution} runs convolutions (oneDNN's OpenMP
 * pool beside Kiln's oversubscribes the cores). Each call finds the input's range and quantises it to u8 in Java
 * ({@link Int8Quantization}, the same values as the SPI's default), then the blocks multiply it.
 */
final class OneDnnInt8Linear implements AutoCloseable {
    /** Output columns a block holds at least: below this a block's call costs more than its arithmetic saves. */
    static final int MIN_BLOCK_COLUMNS = 64;
    /** Elements the input's loops copy between the buffers and arrays at a time: arrays are what the JIT vectorises. */
    private static final int CHUNK = 4096;

    private final CpuBackend backend;
    private final Parallel parallel;
    private final OpenMpThreads openMp;
    private final dnnl_engine engine;

    private OneDnnInt8Linear(CpuBackend backend, Parallel parallel, OpenMpThreads openMp) {
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
    static OneDnnInt8Linear open(CpuBackend backend, Parallel parallel) {
        Loader.load(dnnl.class);
        OpenMpThreads openMp = OpenMpThreads.of(1);
        if (openMp == null) {
            throw new IllegalStateException("no omp_set_num_threads to keep oneDNN's OpenMP pool off Kiln's threads");
        }
        return new OneDnnInt8Linear(backend, parallel, openMp);
    }

    /** {@code weight} [out, in] F32 quantised per row and laid out for the blocks' primitives. */
    OneDnnInt8Weights pack(Tensor weight) {
        int out = weight.dim(0);
        int in = weight.dim(1);
        CpuStorage scales = (CpuStorage) backend.allocate(DType.F32, out);
        CpuStorage plain = (CpuStorage) backend.allocate(DType.F32, ((long) out * in + Float.BYTES - 1) / Float.BYTES);
        List<OneDnnInt8Part> parts = new ArrayList<>();
        try {
            quantise(weight, scales.f32, plain.bytes());
            openMp.applyToCurrentThread();
            int blocks = blocks(out);
            for (int b = 0; b < blocks; b++) {
                int first = (int) ((long) out * b / blocks);
                int end = (int) ((long) out * (b + 1) / blocks);
                parts.add(new OneDnnInt8Part(backend, engine, first, end - first, in, out, plain, scales));
            }
            return new OneDnnInt8Weights(backend, out, in, scales, parts);
        } catch (RuntimeException | Error e) {
            parts.forEach(OneDnnInt8Part::close);
            scales.release();
            throw e;
        } finally {
            plain.release();
        }
    }

    /** out [batch, out] = the int8 product of input [batch, in] and the packed weights, plus bias (or none). */
    void forward(Tensor input, Int8LinearWeights packed, Tensor bias, Tensor out) {
        if (!(packed instanceof OneDnnInt8Weights w) || w.backend() != backend) {
            throw new IllegalArgumentException("int8Linear: these weights were packed by " + packed.backend().name()
                    + " (" + packed.getClass().getSimpleName() + "), not by this CPU backend; pack them here");
        }
        int batch = input.dim(0);
        if (batch == 0) {
            return; // nothing to quantise or write, as PyTorch's empty [0, out]; the empty range has no quantisation
        }
        int in = w.inFeatures();
        FloatBuffer x = ((CpuStorage) input.storage()).f32;
        int offset = Math.toIntExact(input.offset());
        float[] range = range(x, offset, batch, in);
        InputQuantization q = Int8Quantization.input(range[0], range[1]);
        long elements = (long) batch * in;
        CpuStorage quantised = (CpuStorage) backend.allocate(DType.F32, (elements + Float.BYTES - 1) / Float.BYTES);
        try {
            ByteBuffer bytes = quantised.bytes();
            parallel.forRange(batch, in, (lo, hi) -> quantise(x, offset + lo * in, (hi - lo) * in, q, bytes, lo * in));
            BytePointer src = quantised.bytePointer(0);
            FloatPointer dst = ((CpuStorage) out.storage()).floatPointer(out.offset());
            List<OneDnnInt8Part> parts = w.parts();
            // Checked where close() cannot run in between: a closed part's primitive and memory are destroyed.
            synchronized (w) {
                if (w.isClosed()) {
                    throw new IllegalArgumentException("int8Linear: the packed weights [" + w.outFeatures() + ", "
                            + in + "] are closed");
                }
                FloatPointer biasValues = bias == null ? w.zeros().floatPointer(0)
                        : ((CpuStorage) bias.storage()).floatPointer(bias.offset());
                parallel.forRange(parts.size(), Parallel.GRAIN, (lo, hi) -> {
                    openMp.applyToCurrentThread();
                    for (int p = lo; p < hi; p++) {
                        parts.get(p).execute(batch, src, q, biasValues, dst);
                    }
                });
            }
        } finally {
            quantised.release();
        }
    }

    /** Blocks of output columns for a layer of {@code out}: one per thread, each of at least MIN_BLOCK_COLUMNS. */
    private int blocks(int out) {
        return Math.max(1, Math.min(parallel.threads(), out / MIN_BLOCK_COLUMNS));
    }

    /** Scales [out] and s8 values [out, in] of {@code weight}, by {@link Int8Quantization}'s rules. */
    private static void quantise(Tensor weight, FloatBuffer scales, ByteBuffer values) {
        int out = weight.dim(0);
        int in = weight.dim(1);
        FloatBuffer w = ((CpuStorage) weight.storage()).f32;
        int offset = Math.toIntExact(weight.offset());
        for (int r = 0; r < out; r++) {
            int row = offset + r * in;
            float absMax = 0;
            for (int c = 0; c < in; c++) {
                absMax = Math.max(absMax, Math.abs(w.get(row + c)));
            }
            float scale = Int8Quantization.weightScale(absMax);
            scales.put(r, scale);
            for (int c = 0; c < in; c++) {
                values.put(r * in + c, (byte) Int8Quantization.quantizeWeight(w.get(row + c), scale));
            }
        }
    }

    /**
     * {min, max} of the {@code rows x in} elements of x from {@code offset}, split over the threads; NaN where one is
     * NaN (Math.min and max keep it), which {@link Int8Quantization#input} refuses.
     */
    private float[] range(FloatBuffer x, int offset, int rows, int in) {
        float[] range = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        parallel.forRange(rows, in, (lo, hi) -> {
            float[] part = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
            float[] chunk = new float[CHUNK];
            for (int start = lo * in, end = hi * in; start < end; start += CHUNK) {
                int n = Math.min(CHUNK, end - start);
                x.get(offset + start, chunk, 0, n);
                for (int k = 0; k < n; k++) {
                    part[0] = Math.min(part[0], chunk[k]);
                    part[1] = Math.max(part[1], chunk[k]);
                }
            }
            synchronized (range) {
                range[0] = Math.min(range[0], part[0]);
                range[1] = Math.max(range[1], part[1]);
            }
        });
        return range;
    }

    /** {@code count} elements of x from {@code from} quantised by q into bytes from {@code to}, through arrays. */
    private static void quantise(FloatBuffer x, int from, int count, InputQuantization q, ByteBuffer bytes, int to) {
        float[] chunk = new float[CHUNK];
        byte[] codes = new byte[CHUNK];
        for (int done = 0; done < count; done += CHUNK) {
            int n = Math.min(CHUNK, count - done);
            x.get(from + done, chunk, 0, n);
            for (int k = 0; k < n; k++) {
                codes[k] = (byte) q.quantize(chunk[k]);
            }
            bytes.put(to + done, codes, 0, n);
        }
    }

    @Override
    public void close() {
        dnnl_engine_destroy(engine);
    }
}
