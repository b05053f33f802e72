package dev.kiln.engine.cpu;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Sizes the OpenMP teams that oneDNN starts from a thread ({@link OneDnnConvolution} holds them at one, so that oneDNN
 * runs on Kiln's threads alone). JavaCPP's oneDNN carries its own libgomp, whose team size a thread sets for the
 * parallel regions it starts with {@code omp_set_num_threads}, a setting of the calling thread alone; unset, it is
 * {@code OMP_NUM_THREADS} or else every core the process may run on, read once when libgomp loads. The presets bind
 * no OpenMP function, and Java 17 calls native functions only through JNI (its foreign-function API is an incubator
 * module), so this calls libgomp's through a JavaCPP function-pointer type that OpenBLAS's presets (already loaded by
 * the CPU backend) do bind, {@code openblas_dojob_callback}, {@code void (int, void *, int)}: its first argument is
 * the int that {@code omp_set_num_threads(int)} takes, and the other two are left in registers it never reads (C
 * calling conventions: the caller passes and removes arguments). A JavaCPP function-pointer object points at a cell
 * whose first word is the function, so the symbol's address is written into such a cell.
 */
final class OpenMpThreads {
    private static final String SET_NUM_THREADS = "omp_set_num_threads";

    private final openblas_nolapack.openblas_dojob_callback setNumThreads;
    private final PointerPointer<Pointer> cell;
    private final int threads;
    private final ThreadLocal<Boolean> applied = ThreadLocal.withInitial(() -> false);

    private OpenMpThreads(Pointer function, int threads) {
        this.cell = new PointerPointer<>(1);
        cell.put(0, function);
        this.setNumThreads = new openblas_nolapack.openblas_dojob_callback(cell);
        this.threads = threads;
    }

    /**
     * Teams of {@code threads} for the OpenMP loaded with oneDNN, or null where no {@code omp_set_num_threads} is loaded
     * (a oneDNN built on another threading runtime): oneDNN must already be loaded.
     */
    static OpenMpThreads of(int threads) {
        Pointer function = Loader.addressof(SET_NUM_THREADS);
        return function == null || function.isNull() ? null : new OpenMpThreads(function, threads);
    }

    /**
     * Gives the calling thread's OpenMP parallel regions {@code threads} threads, once per thread: call it before
     * creating or running a oneDNN primitive, whose kernels split their work for the count they see at creation (with
     * one, oneDNN starts no parallel region at all).
     */
    void applyToCurrentThread() {
        if (!applied.get()) {
            setNumThreads.call(threads, null, 0);
            applied.set(true);
        }
    }
}
