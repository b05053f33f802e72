package dev.kiln.engine.cuda;

import dev.kiln.engine.DType;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads each kernel source's module on first use and looks kernels up by name, once each. */
final class CudaKernels implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CudaKernels.class);

    private final CudaContext context;
    private final KernelCompiler compiler;
    private final Map<KernelSource, CUmod_st> modules = new EnumMap<>(KernelSource.class);
    private final Map<String, Function> functions = new HashMap<>();

    /** A kernel's entry point and its name, for error messages. */
    record Function(String name, CUfunc_st handle) {
    }

    CudaKernels(CudaContext context, KernelCompiler compiler) {
        this.context = context;
        this.compiler = compiler;
    }

    /** The entry point of {@code kernel} for elements of {@code type}. */
    Function function(Kernel kernel, DType type) {
        return function(kernel.source(), kernel.name(type));
    }

    /** The conversion kernel from {@code from} to {@code to}. */
    Function conversion(DType from, DType to) {
        return function(KernelSource.MEMORY, Kernel.conversion(from, to));
    }

    private Function function(KernelSource source, String name) {
        Function f = functions.get(name);
        if (f == null) {
            // Module loads and lookups are driver calls: the device's context must be current on this thread,
            // which may not have made a runtime call yet.
            context.bindThread();
            CUfunc_st handle = new CUfunc_st();
            Status.driver(cudart.cuModuleGetFunction(handle, module(source), name), "cuModuleGetFunction(" + name + ")");
            f = new Function(name, handle);
            functions.put(name, f);
        }
        return f;
    }

    /**
     * The module of {@code source}, from the kernel cache when it holds one; a cached image the driver refuses
     * (corrupt, or made by another driver) is compiled afresh once instead of failing every later run.
     */
    private CUmod_st module(KernelSource source) {
        CUmod_st m = modules.get(source);
        if (m == null) {
            m = new CUmod_st();
            int status = load(m, compiler.compile(source));
            if (status != cudart.CUDA_SUCCESS && compiler.forget(source)) {
                LOG.warn("the driver refused the cached {} (CUresult {}); compiling it again", source.file(), status);
                status = load(m, compiler.compile(source));
            }
            Status.driver(status, "cuModuleLoadData(" + source.file() + ")");
            modules.put(source, m);
        }
        return m;
    }

    private static int load(CUmod_st module, byte[] image) {
        try (BytePointer data = new BytePointer(image)) {
            return cudart.cuModuleLoadData(module, data);
        }
    }

    @Override
    public void close() {
        for (CUmod_st m : modules.values()) {
            cudart.cuModuleUnload(m);
        }
        modules.clear();
        functions.clear();
    }
}
