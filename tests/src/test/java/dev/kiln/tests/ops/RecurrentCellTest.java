package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused LSTM and GRU cells ({@link F#lstmCell}, {@link F#gruCell}; Backend SPI item 10): forward values against
 * the formulas written out as loops here, the engine backend's fused kernels (the CPU's, or CUDA's on a GPU)
 * against the composite defaults of {@link Backend} (forward and backward, F32 and F64, on views with an element
 * offset), and the shape errors. Sizes cover one block of hidden units, several blocks (600 > 512 per F32 block)
 * and a batch large enough to be split over threads. Gradients are checked in {@code RecurrentGradientCheckTest}.
 */
class RecurrentCellTest {
    private static final Set<String> FUSED = Set.of("lstmCellForward", "lstmCellBackward", "gruCellForward",
            "gruCellBackward");

    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(20250301L);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** {batch, hidden}. */
    static Stream<int[]> sizes() {
        return Stream.of(new int[] {3, 5}, new int[] {2, 600}, new int[] {64, 32});
    }

    private static double tolerance(DType dtype) {
        return dtype == DType.F32 ? 2e-6 : 1e-13;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    // ---- the formulas as loops ----------------------------------------------------------------------

    /** {h', c'} of PyTorch's LSTM cell for gates [batch, 4H] (i, f, g, o) and c [batch, H]. */
    private static double[][] lstmLoops(double[] gates, double[] c, int batch, int hidden) {
        double[] h = new double[batch * hidden];
        double[] cNext = new double[batch * hidden];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hidden; j++) {
                int g0 = b * 4 * hidden + j;
                double i = sigmoid(gates[g0]);
                double f = sigmoid(gates[g0 + hidden]);
                double g = Math.tanh(gates[g0 + 2 * hidden]);
                double o = sigmoid(gates[g0 + 3 * hidden]);
                int k = b * hidden + j;
                cNext[k] = f * c[k] + i * g;
                h[k] = o * Math.tanh(cNext[k]);
            }
        }
        return new double[][] {h, cNext};
    }

    /** h' of PyTorch's GRU cell for input and hidden gates [batch, 3H] (r, z, n) and h [batch, H]. */
    private static double[] gruLoops(double[] in, double[] hid, double[] h, int batch, int hidden) {
        double[] out = new double[batch * hidden];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hidden; j++) {
                int g0 = b * 3 * hidden + j;
                double r = sigmoid(in[g0] + hid[g0]);
                double z = sigmoid(in[g0 + hidden] + hid[g0 + hidden]);
                double n = Math.tanh(in[g0 + 2 * hidden] + r * hid[g0 + 2 * hidden]);
                int k = b * hidden + j;
                out[k] = (1 - z) * n + z * h[k];
            }
        }
        return out;
    }

    // ---- forward values -----------------------------------------------------------------------------

    @ParameterizedTest(name = "batch {0}")
    @MethodSource("sizes")
    void lstmCellMatchesTheFormulas(int[] size) {
        int batch = size[0];
        int hidden = size[1];
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Tensor gates = Tensor.normal(0, 2, dtype, batch, 4 * hidden);
            Tensor c = Tensor.normal(0, 1, dtype, batch, hidden);
            F.LstmState next = F.lstmCell(gates, c);
            double[][] expected = lstmLoops(gates.toDoubleArray(), c.toDoubleArray(), batch, hidden);
            assertArrayEquals(new int[] {batch, hidden}, next.h().shape().dims());
            assertArrayEquals(new int[] {batch, hidden}, next.c().shape().dims());
            assertArrayEquals(expected[0], next.h().toDoubleArray(), tolerance(dtype), dtype + " h'");
            assertArrayEquals(expected[1], next.c().toDoubleArray(), tolerance(dtype), dtype + " c'");
        }
    }

    @ParameterizedTest(name = "batch {0}")
    @MethodSource("sizes")
    void gruCellMatchesTheFormulas(int[] size) {
        int batch = size[0];
        int hidden = size[1];
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Tensor in = Tensor.normal(0, 2, dtype, batch, 3 * hidden);
            Tensor hid = Tensor.normal(0, 2, dtype, batch, 3 * hidden);
            Tensor h = Tensor.normal(0, 1, dtype, batch, hidden);
            Tensor next = F.gruCell(in, hid, h);
            double[] expected = gruLoops(in.toDoubleArray(), hid.toDoubleArray(), h.toDoubleArray(), batch, hidden);
            assertArrayEquals(new int[] {batch, hidden}, next.shape().dims());
            assertArrayEquals(expected, next.toDoubleArray(), tolerance(dtype), dtype + " h'");
        }
    }

    @Test
    void saturatedGatesGiveFiniteStatesAndGradients() {
        Tensor gates = Tensor.fromArray(new float[] {-200, 200, 200, -200, 200, -200, 90, 200}, 2, 4);
        Tensor c = Tensor.fromArray(new float[] {1.5f, -2}, 2, 1);
        gates.requiresGrad(true);
        F.LstmState next = F.lstmCell(gates, c);
        next.h().sum().add(next.c().sum()).backward();
        assertArrayEquals(new float[] {1.5f, 1}, next.c().toFloatArray(), 0);
        assertArrayEquals(new float[] {0, (float) Math.tanh(1)}, next.h().toFloatArray(), 1e-7f);
        for (float g : gates.grad().toFloatArray()) {
            assertTrue(Float.isFinite(g), "gradient " + g);
        }
    }

    // ---- fused kernels against the composites ---------------------------------------------------------

    /** The engine's backend, whose fused overrides these tests compare with the interface's composites. */
    private static Backend backend() {
        return Engine.get().backend();
    }

    /** A Backend whose recurrent cells are the interface's composites, built from the backend's primitives. */
    private static Backend composite(Backend backend) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.isDefault() && FUSED.contains(method.getName())) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            try {
                return method.invoke(backend, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, handler);
    }

    @Test
    void backendOverridesEveryFusedCell() throws NoSuchMethodException {
        for (Method m : Backend.class.getMethods()) {
            if (FUSED.contains(m.getName())) {
                Method own = backend().getClass().getMethod(m.getName(), m.getParameterTypes());
                assertNotEquals(Backend.class, own.getDeclaringClass(), m.getName());
            }
        }
    }

    /**
     * {@code values} placed after {@code pad} rows of other values in a larger tensor and viewed back, so
     * that the kernels see an element offset.
     */
    private static Tensor atOffset(Tensor values, int pad) {
        Tensor padding = Tensor.full(1e6, values.dtype(), pad, values.dim(1));
        return Tensor.cat(List.of(padding, values, padding), 0).narrow(0, pad, values.dim(0));
    }

    private static Tensor empty(DType dtype, int... dims) {
        return Tensor.full(Double.NaN, dtype, dims);
    }

    private static void assertSame(Tensor expected, Tensor actual, DType dtype, String what) {
        double tol = dtype == DType.F32 ? 1e-5 : 1e-12;
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), tol, dtype + " " + what);
    }

    @ParameterizedTest(name = "batch {0}")
    @MethodSource("sizes")
    void fusedLstmMatchesTheComposite(int[] size) {
        int batch = size[0];
        int hidden = size[1];
        Backend fused = backend();
        Backend reference = composite(fused);
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Tensor gates = atOffset(Tensor.normal(0, 2, dtype, batch, 4 * hidden), 1);
            Tensor c = atOffset(Tensor.normal(0, 1, dtype, batch, hidden), 2);
            Tensor gradH = atOffset(Tensor.normal(0, 1, dtype, batch, hidden), 1);
            Tensor gradC = atOffset(Tensor.normal(0, 1, dtype, batch, hidden), 3);
            Tensor[][] results = new Tensor[2][];
            Backend[] backends = {reference, fused};
            for (int k = 0; k < 2; k++) {
                Tensor h = empty(dtype, batch, hidden);
                Tensor cOut = empty(dtype, batch, hidden);
                Tensor act = empty(dtype, batch, 4 * hidden);
                Tensor gradGates = empty(dtype, batch, 4 * hidden);
                Tensor gradCPrev = empty(dtype, batch, hidden);
                backends[k].lstmCellForward(gates, c, h, cOut, act);
                backends[k].lstmCellBackward(act, c, cOut, gradH, gradC, gradGates, gradCPrev);
                results[k] = new Tensor[] {h, cOut, act, gradGates, gradCPrev};
            }
            String[] names = {"h'", "c'", "activations", "gradient of gates", "gradient of c"};
            for (int i = 0; i < names.length; i++) {
                assertSame(results[0][i], results[1][i], dtype, names[i]);
            }
        }
    }

    @ParameterizedTest(name = "batch {0}")
    @MethodSource("sizes")
    void fusedGruMatchesTheComposite(int[] size) {
        int batch = size[0];
        int hidden = size[1];
        Backend fused = backend();
        Backend reference = composite(fused);
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Tensor in = atOffset(Tensor.normal(0, 2, dtype, batch, 3 * hidden), 1);
            Tensor hid = atOffset(Tensor.normal(0, 2, dtype, batch, 3 * hidden), 2);
            Tensor h = atOffset(Tensor.normal(0, 1, dtype, batch, hidden), 1);
            Tensor gradOut = atOffset(Tensor.normal(0, 1, dtype, batch, hidden), 3);
            Tensor[][] results = new Tensor[2][];
            Backend[] backends = {reference, fused};
            for (int k = 0; k < 2; k++) {
                Tensor out = empty(dtype, batch, hidden);
                Tensor act = empty(dtype, batch, 3 * hidden);
                Tensor gradIn = empty(dtype, batch, 3 * hidden);
                Tensor gradHid = empty(dtype, batch, 3 * hidden);
                Tensor gradH = empty(dtype, batch, hidden);
                backends[k].gruCellForward(in, hid, h, out, act);
                backends[k].gruCellBackward(act, hid, h, gradOut, gradIn, gradHid, gradH);
                results[k] = new Tensor[] {out, act, gradIn, gradHid, gradH};
            }
            String[] names = {"h'", "activations", "gradient of input gates", "gradient of hidden gates",
                    "gradient of h"};
            for (int i = 0; i < names.length; i++) {
                assertSame(results[0][i], results[1][i], dtype, names[i]);
            }
        }
    }

    // ---- errors ------------------------------------------------------------------------------------

    @Test
    void lstmCellNamesBothShapesWhenGatesAreNotFourTimesTheState() {
        Tensor gates = Tensor.zeros(2, 12);
        Tensor c = Tensor.zeros(2, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F.lstmCell(gates, c));
        assertTrue(e.getMessage().contains("lstmCell") && e.getMessage().contains("[2, 12]")
                && e.getMessage().contains("[2, 4]") && e.getMessage().contains("[batch, 4 * hidden]"), e.getMessage());
    }

    @Test
    void gruCellNamesTheShapesWhenTheBatchesDiffer() {
        Tensor in = Tensor.zeros(2, 12);
        Tensor hid = Tensor.zeros(2, 12);
        Tensor h = Tensor.zeros(3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F.gruCell(in, hid, h));
        assertTrue(e.getMessage().contains("gruCell") && e.getMessage().contains("[3, 4]")
                && e.getMessage().contains("[2, 12]"), e.getMessage());
    }

    @Test
    void cellsRefuseMixedDtypes() {
        Tensor gates = Tensor.zeros(DType.F64, 2, 16);
        Tensor c = Tensor.zeros(2, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F.lstmCell(gates, c));
        assertTrue(e.getMessage().contains("lstmCell") && e.getMessage().contains("F64")
                && e.getMessage().contains("F32"), e.getMessage());
    }
}
