package dev.kiln.engine.cuda;

import dev.kiln.engine.DType;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;

/** Loads each kernel source's module on first use and looks kernels up by name, once each. */
final class CudaKernels implements AutoCloseable {
    private final KernelCompiler compiler;
    private final Map<KernelSource, CUmod_st> modules = new EnumMap<>(KernelSource.class);
    private final Map<String, CUfunc_st> functions = new HashMap<>();

    CudaKernels(KernelCompiler compiler) {
        this.compiler = compiler;
    }

    /** The entry point of {@code kernel} for elements of {@code type}. */
    CUfunc_st function(Kernel kernel, DType type) {
        return function(kernel.source(), kernel.name(type));
    }

    /** The conversion kernel from {@code from} to {@code to}. */
    CUfunc_st conversion(DType from, DType to) {
        return function(KernelSource.MEMORY, Kernel.conversion(from, to));
    }

    private CUfunc_st function(KernelSource source, String name) {
        CUfunc_st f = functions.get(name);
        if (f == null) {
            f = new CUfunc_st();
            Status.driver(cudart.cuModuleGetFunction(f, module(source), name), "cuModuleGetFunction(" + name + ")");
            functions.put(name, f);
        }
        return f;
    }

    private CUmod_st module(KernelSource source) {
        CUmod_st m = modules.get(source);
        if (m == null) {
            byte[] image = compiler.compile(source);
            m = new CUmod_st();
            try (BytePointer data = new BytePointer(image)) {
                Status.driver(cudart.cuModuleLoadData(m, data), "cuModuleLoadData(" + source.file() + ")");
            }
            modules.put(source, m);
        }
        return m;
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
