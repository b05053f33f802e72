package dev.kiln.engine.cuda;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProvider;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.Loader;

/**
 * Offers the CUDA backend when the NVIDIA driver, a device and the CUDA 13 libraries (cudart, cuBLAS,
 * cuDNN 9, NVRTC) all load; otherwise says exactly which one did not. The device is
 * {@code -Dkiln.cuda.device} (default 0); TF32 and cuDNN's benchmarked algorithm choice are opt-ins
 * ({@link CudaOptions#fromSystem()}). The answer is computed once per process.
 */
public final class CudaBackendProvider implements BackendProvider {
    private static final String DEBUG_HINT = " (-Dorg.bytedeco.javacpp.logger.debug=true shows each library JavaCPP tries)";
    private static volatile Availability cached;

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Availability probe() {
        Availability a = cached;
        if (a == null) {
            a = check();
            cached = a;
        }
        return a;
    }

    @Override
    public Backend create() {
        return new CudaBackend(CudaOptions.fromSystem());
    }

    private static Availability check() {
        String missing = load(cudart.class, "the CUDA runtime (libcudart.so.13, and the driver's libcuda.so.1)");
        if (missing != null) {
            return Availability.no(missing);
        }
        int[] count = new int[1];
        int status = cudart.cudaGetDeviceCount(count);
        if (status != cudart.cudaSuccess) {
            return Availability.no("no usable CUDA device: cudaGetDeviceCount says " + Status.runtimeError(status)
                    + driverVersions());
        }
        int index = CudaOptions.fromSystem().device();
        if (index < 0 || index >= count[0]) {
            return Availability.no("CUDA device " + index + " was requested (-Dkiln.cuda.device) but "
                    + count[0] + " device(s) are present");
        }
        for (Object[] library : new Object[][] {
            {cublas.class, "cuBLAS (libcublas.so.13)"},
            {cudnn.class, "cuDNN 9 (libcudnn_graph, _ops, _cnn and _adv.so.9)"},
            {nvrtc.class, "NVRTC (libnvrtc.so.13)"}}) {
            missing = load((Class<?>) library[0], (String) library[1]);
            if (missing != null) {
                return Availability.no(missing);
            }
        }
        String compiler = nvrtcCompiles();
        return compiler == null ? Availability.yes() : Availability.no(compiler);
    }

    /**
     * Null when NVRTC compiles an empty kernel; otherwise why not. libnvrtc.so.13 loads without the builtins
     * library it opens at the first compilation, so a machine missing it would otherwise choose CUDA and fail at
     * its first operation instead of falling back with a reason.
     */
    static String nvrtcCompiles() {
        _nvrtcProgram program = new _nvrtcProgram();
        int status = nvrtc.nvrtcCreateProgram(program, new BytePointer("extern \"C\" __global__ void kiln_probe() {}"),
                new BytePointer("kiln_probe.cu"), 0, (PointerPointer<?>) null, (PointerPointer<?>) null);
        if (status == nvrtc.NVRTC_SUCCESS) {
            status = nvrtc.nvrtcCompileProgram(program, 0, (PointerPointer<?>) null);
            nvrtc.nvrtcDestroyProgram(program);
        }
        if (status == nvrtc.NVRTC_SUCCESS) {
            return null;
        }
        BytePointer reason = nvrtc.nvrtcGetErrorString(status);
        return "NVRTC cannot compile a kernel (" + (reason == null ? "status " + status : reason.getString())
                + "): libnvrtc-builtins.so.13.* must be beside libnvrtc.so.13" + DEBUG_HINT;
    }

    /** Null when the preset's JNI library and the system libraries behind it load; otherwise why not. */
    private static String load(Class<?> preset, String what) {
        try {
            Loader.load(preset);
            return null;
        } catch (Throwable t) {
            return what + " did not load: " + rootCause(t) + DEBUG_HINT;
        }
    }

    /** JavaCPP's own message says only "no jnicudart in java.library.path"; its cause names the missing system library. */
    private static String rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    private static String driverVersions() {
        int[] driver = new int[1];
        int[] runtime = new int[1];
        cudart.cudaDriverGetVersion(driver);
        cudart.cudaRuntimeGetVersion(runtime);
        return "; driver supports CUDA " + version(driver[0]) + ", runtime is CUDA " + version(runtime[0]);
    }

    private static String version(int v) {
        return v == 0 ? "none" : v / 1000 + "." + v % 1000 / 10;
    }
}
