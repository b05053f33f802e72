package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.ConvolutionCases.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.GroupedConv2dGeometry;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Without the dnnl and opencl jars (as the GPU bundle ships the CPU backend) convolutions run on OpenBLAS: in a JVM of
 * its own whose class path is this test's less those jars, a backend that asks for oneDNN convolves exactly as one
 * that does not, and says once why oneDNN is not used.
 */
class ConvolutionWithoutOneDnnTest {
    @Test
    void withoutTheDnnlJarsConvolutionsRunOnOpenBlasAndTheLogSaysWhy() throws Exception {
        String classPath = Arrays.stream(testClassPath().split(File.pathSeparator))
                .filter(entry -> !entry.contains(File.separator + "dnnl") && !entry.contains(File.separator + "opencl"))
                .collect(Collectors.joining(File.pathSeparator));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(List.of(java.toString(), "-cp", classPath, Probe.class.getName()))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the probe JVM finished");
        assertEquals(0, process.exitValue(), "the probe JVM's exit status; its output:\n" + output);
        assertTrue(output.contains("CPU convolutions on OpenBLAS alone: oneDNN did not load"),
                "the probe's log says why oneDNN is not used:\n" + output);
    }

    /** Surefire's class path for the tests (java.class.path holds only its launcher jar). */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null ? surefire : System.getProperty("java.class.path");
    }

    /** Exits 0 when oneDNN's classes are absent and a backend that asks for oneDNN convolves bit for bit as OpenBLAS. */
    public static final class Probe {
        public static void main(String[] args) {
            try {
                Class.forName("org.bytedeco.dnnl.global.dnnl");
                System.out.println("the dnnl classes are on the class path");
                System.exit(2);
            } catch (ClassNotFoundException expected) {
                System.out.println("no dnnl classes");
            }
            GroupedConv2dGeometry g = ConvolutionCases.plain().get(0).geometry();
            try (CpuBackend asking = new CpuBackend(1, true); CpuBackend openBlas = new CpuBackend(1, false);
                 Scope scope = Scope.open()) {
                Tensor input = random(asking, g.inputShape(), 31);
                Tensor weight = random(asking, g.weightShape(), 32);
                Tensor out = Tensor.empty(g.outputShape(), DType.F32, asking);
                Tensor expected = Tensor.empty(g.outputShape(), DType.F32, openBlas);
                asking.conv2dForward(input, weight, null, g.group(), out);
                openBlas.conv2dForward(input, weight, null, g.group(), expected);
                boolean same = Arrays.equals(out.toFloatArray(), expected.toFloatArray());
                System.out.println(same ? "OpenBLAS's result" : "a result other than OpenBLAS's");
                System.exit(same ? 0 : 1);
            }
        }
    }
}
