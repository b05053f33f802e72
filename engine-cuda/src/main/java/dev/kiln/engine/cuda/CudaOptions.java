package dev.kiln.engine.cuda;

/**
 * How a {@link CudaBackend} opens its device.
 *
 * @param device         the CUDA device index ({@code -Dkiln.cuda.device}, default 0)
 * @param tf32           F32 GEMM and convolution may round their inputs to TF32 on tensor cores: faster, and no
 *                       longer at F32 parity with the CPU ({@code -Dkiln.cuda.tf32=true} or {@code KILN_CUDA_TF32=1})
 * @param cudnnBenchmark each convolution shape's algorithm is chosen by running every candidate once on the first
 *                       call and keeping the fastest, as PyTorch's {@code torch.backends.cudnn.benchmark = True};
 *                       without it, by cuDNN's heuristics, which cost nothing to ask but may rank a slower
 *                       algorithm first ({@code -Dkiln.cuda.cudnnBenchmark=true} or {@code KILN_CUDNN_BENCHMARK=1})
 */
public record CudaOptions(int device, boolean tf32, boolean cudnnBenchmark) {
    /** Device {@code device} in strict FP32 arithmetic, convolution algorithms by cuDNN's heuristics. */
    public static CudaOptions strict(int device) {
        return new CudaOptions(device, false, false);
    }

    /** What the system properties, else the environment, ask for (see the components). */
    public static CudaOptions fromSystem() {
        return new CudaOptions(Integer.getInteger("kiln.cuda.device", 0), requested("kiln.cuda.tf32", "KILN_CUDA_TF32"),
                requested("kiln.cuda.cudnnBenchmark", "KILN_CUDNN_BENCHMARK"));
    }

    /** This with {@code tf32} as given. */
    public CudaOptions withTf32(boolean tf32) {
        return new CudaOptions(device, tf32, cudnnBenchmark);
    }

    /** This with {@code cudnnBenchmark} as given. */
    public CudaOptions withCudnnBenchmark(boolean cudnnBenchmark) {
        return new CudaOptions(device, tf32, cudnnBenchmark);
    }

    /** Whether the property, else the environment variable, is {@code 1} or {@code true}. */
    private static boolean requested(String property, String variable) {
        String value = System.getProperty(property);
        if (value == null) {
            value = System.getenv(variable);
        }
        return value != null && (value.equals("1") || value.equalsIgnoreCase("true"));
    }
}
