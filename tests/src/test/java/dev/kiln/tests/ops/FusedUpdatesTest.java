package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Updates;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine backend's fused SGD, Adam/AdamW and AMSGrad updates, and its row-sparse SparseAdam and Adagrad steps
 * (the CPU's, or CUDA's on a GPU) against the
 * composite defaults of {@link Backend} (the reference), over several steps, F32 and F64, with and without weight
 * decay, dampening and Nesterov momentum, on a small tensor, on one large enough to be split over threads, and on
 * views with an element offset. The composite is reached through a {@link Proxy} of {@link Backend} that forwards
 * every primitive to that backend and runs the interface's own default for the fused methods.
 */
class FusedUpdatesTest {
    private static final int STEPS = 5;
    /** Above Parallel's grain for the fused loops, so that they run on several threads. */
    private static final int LARGE = 70_001;

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** The engine's backend, whose fused overrides these tests compare with the interface's composites. */
    private static Backend backend() {
        return Engine.get().backend();
    }

    /** A Backend whose fused updates are the interface's composites, built from the backend's primitives. */
    private static Backend composite(Backend backend) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.isDefault() && List.of("sgdUpdate", "adamUpdate", "amsgradUpdate",
                    "sparseAdamUpdate", "sparseAdagradUpdate").contains(method.getName())) {
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
    void backendOverridesBothFusedUpdates() throws NoSuchMethodException {
        Class<?> c = backend().getClass();
        Method sgd = c.getMethod("sgdUpdate", Tensor.class, Tensor.class, Tensor.class, double.class, double.class,
                double.class, double.class, boolean.class, boolean.class);
        Method adam = c.getMethod("adamUpdate", Tensor.class, Tensor.class, Tensor.class, Tensor.class, double.class,
                double.class, double.class, double.class, double.class, boolean.class, long.class);
        assertNotEquals(Backend.class, sgd.getDeclaringClass());
        assertNotEquals(Backend.class, adam.getDeclaringClass());
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static double[] random(Random r, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * (2 * r.nextDouble() - 1);
        }
        return v;
    }

    /** Values around the views with an offset; the kernels must leave them alone. */
    private static double padding(int i) {
        return 1e6 + i;
    }

    /**
     * A tensor of {@code dtype} holding {@code values} after {@code offset} padding elements and before as
     * many more; {@link #view} narrows it to the values (a view with an element offset).
     */
    private static Tensor padded(double[] values, DType dtype, int offset) {
        double[] all = new double[values.length + 2 * offset];
        for (int i = 0; i < all.length; i++) {
            all[i] = i < offset || i >= offset + values.length ? padding(i) : values[i - offset];
        }
        return Tensor.fromArray(all, all.length).to(dtype);
    }

    private static Tensor view(Tensor padded, int offset) {
        return offset == 0 ? padded : padded.narrow(0, offset, (int) padded.size() - 2 * offset);
    }

    private static Tensor tensor(double[] values, DType dtype, int offset) {
        return view(padded(values, dtype, offset), offset);
    }

    private static void assertPaddingIntact(Tensor padded, int offset) {
        double[] all = padded.toDoubleArray();
        for (int i = 0; i < all.length; i++) {
            if (i < offset || i >= all.length - offset) {
                assertEquals(padding(i), all[i], 1e-9 * padding(i), "padding element " + i);
            }
        }
    }

    private static void assertClose(String what, Tensor expected, Tensor actual) {
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        double tolerance = expected.dtype() == DType.F32 ? 1e-6 : 1e-13;
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            double allowed = tolerance * Math.max(1, Math.abs(e[i]));
            if (!(Math.abs(e[i] - a[i]) <= allowed)) {
                throw new AssertionError(what + "[" + i + "]: composite " + e[i] + ", fused " + a[i]);
            }
        }
    }

    // ---- SGD ------------------------------------------------------------------------------------

    static Stream<Arguments> sgdCases() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            for (int n : new int[] {37, LARGE}) {
                cases.add(Arguments.of(dtype, n, 0, 0.1, 0.0, 0.0, 0.0, false));
                cases.add(Arguments.of(dtype, n, 0, 0.1, 0.0, 0.0, 0.01, false));
                cases.add(Arguments.of(dtype, n, 0, 0.05, 0.9, 0.0, 0.0, false));
                cases.add(Arguments.of(dtype, n, 0, 0.05, 0.9, 0.0, 5e-4, false));
                cases.add(Arguments.of(dtype, n, 0, 0.05, 0.9, 0.0, 0.0, true));
                cases.add(Arguments.of(dtype, n, 0, 0.05, 0.8, 0.0, 1e-2, true));
                cases.add(Arguments.of(dtype, n, 0, 0.05, 0.9, 0.3, 5e-4, false));
            }
            cases.add(Arguments.of(dtype, 29, 3, 0.05, 0.9, 0.0, 1e-2, true));
            cases.add(Arguments.of(dtype, 29, 5, 0.1, 0.0, 0.0, 1e-2, false));
            cases.add(Arguments.of(dtype, 29, 2, 0.05, 0.9, -0.5, 0.0, false));
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0} n={1} offset={2} lr={3} momentum={4} dampening={5} wd={6} nesterov={7}")
    @MethodSource("sgdCases")
    void sgdOverrideMatchesComposite(DType dtype, int n, int offset, double lr, double momentum, double dampening,
                                     double weightDecay, boolean nesterov) {
        Backend backend = backend();
        Backend reference = composite(backend);
        Random r = new Random(11 + n + offset);
        double[] start = random(r, n, 1);
        Tensor pFusedAll = padded(start, dtype, offset);
        Tensor pFused = view(pFusedAll, offset);
        Tensor pRef = tensor(start, dtype, offset);
        Tensor bufFused = momentum == 0 ? null : tensor(new double[n], dtype, offset);
        Tensor bufRef = momentum == 0 ? null : tensor(new double[n], dtype, offset);
        for (int step = 1; step <= STEPS; step++) {
            Tensor grad = tensor(random(r, n, 2), dtype, offset);
            backend.sgdUpdate(pFused, grad, bufFused, lr, momentum, dampening, weightDecay, nesterov, step == 1);
            reference.sgdUpdate(pRef, grad, bufRef, lr, momentum, dampening, weightDecay, nesterov, step == 1);
            assertClose("param after step " + step, pRef, pFused);
            if (momentum != 0) {
                assertClose("momentum buffer after step " + step, bufRef, bufFused);
            }
        }
        assertNotEquals(start[0], pFused.toDoubleArray()[0], "the parameter moved");
        assertPaddingIntact(pFusedAll, offset);
    }

    // ---- Adam / AdamW ---------------------------------------------------------------------------

    static Stream<Arguments> adamCases() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            for (int n : new int[] {41, LARGE}) {
                cases.add(Arguments.of(dtype, n, 0, 1e-3, 0.9, 0.999, 1e-8, 0.0, false));
                cases.add(Arguments.of(dtype, n, 0, 1e-2, 0.9, 0.999, 1e-8, 0.01, false));
                cases.add(Arguments.of(dtype, n, 0, 1e-2, 0.9, 0.999, 1e-8, 0.01, true));
                cases.add(Arguments.of(dtype, n, 0, 5e-2, 0.5, 0.9, 1e-3, 0.1, true));
            }
            cases.add(Arguments.of(dtype, 23, 4, 1e-2, 0.9, 0.999, 1e-8, 0.01, false));
            cases.add(Arguments.of(dtype, 23, 2, 1e-2, 0.9, 0.999, 1e-8, 0.05, true));
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0} n={1} offset={2} lr={3} betas=({4}, {5}) eps={6} wd={7} decoupled={8}")
    @MethodSource("adamCases")
    void adamOverrideMatchesComposite(DType dtype, int n, int offset, double lr, double beta1, double beta2, double eps,
                                      double weightDecay, boolean decoupled) {
        Backend backend = backend();
        Backend reference = composite(backend);
        Random r = new Random(29 + n + offset);
        double[] start = random(r, n, 1);
        Tensor pFusedAll = padded(start, dtype, offset);
        Tensor pFused = view(pFusedAll, offset);
        Tensor pRef = tensor(start, dtype, offset);
        Tensor mFused = tensor(new double[n], dtype, offset);
        Tensor mRef = tensor(new double[n], dtype, offset);
        Tensor vFused = tensor(new double[n], dtype, offset);
        Tensor vRef = tensor(new double[n], dtype, offset);
        for (int step = 1; step <= STEPS; step++) {
            Tensor grad = tensor(random(r, n, 2), dtype, offset);
            backend.adamUpdate(pFused, grad, mFused, vFused, lr, beta1, beta2, eps, weightDecay, decoupled, step);
            reference.adamUpdate(pRef, grad, mRef, vRef, lr, beta1, beta2, eps, weightDecay, decoupled, step);
            assertClose("param after step " + step, pRef, pFused);
            assertClose("exp_avg after step " + step, mRef, mFused);
            assertClose("exp_avg_sq after step " + step, vRef, vFused);
        }
        assertNotEquals(start[0], pFused.toDoubleArray()[0], "the parameter moved");
        assertPaddingIntact(pFusedAll, offset);
    }

    /**
     * AMSGrad's fused update against the composite. The gradients after the first step are a thousand times
     * smaller, so that the second moment falls below its running maximum and the maximum, not the moment, sets
     * the denominator.
     */
    @ParameterizedTest(name = "{0} n={1} offset={2} lr={3} betas=({4}, {5}) eps={6} wd={7} decoupled={8}")
    @MethodSource("adamCases")
    void amsgradOverrideMatchesComposite(DType dtype, int n, int offset, double lr, double beta1, double beta2,
                                         double eps, double weightDecay, boolean decoupled) {
        Backend backend = backend();
        Backend reference = composite(backend);
        Random r = new Random(31 + n + offset);
        double[] start = random(r, n, 1);
        Tensor pFusedAll = padded(start, dtype, offset);
        Tensor pFused = view(pFusedAll, offset);
        Tensor pRef = tensor(start, dtype, offset);
        Tensor[] fused = {tensor(new double[n], dtype, offset), tensor(new double[n], dtype, offset),
            tensor(new double[n], dtype, offset)};
        Tensor[] ref = {tensor(new double[n], dtype, offset), tensor(new double[n], dtype, offset),
            tensor(new double[n], dtype, offset)};
        String[] names = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
        for (int step = 1; step <= STEPS; step++) {
            Tensor grad = tensor(random(r, n, step == 1 ? 2 : 2e-3), dtype, offset);
            backend.amsgradUpdate(pFused, grad, fused[0], fused[1], fused[2], lr, beta1, beta2, eps, weightDecay,
                    decoupled, step);
            reference.amsgradUpdate(pRef, grad, ref[0], ref[1], ref[2], lr, beta1, beta2, eps, weightDecay, decoupled,
                    step);
            assertClose("param after step " + step, pRef, pFused);
            for (int k = 0; k < 3; k++) {
                assertClose(names[k] + " after step " + step, ref[k], fused[k]);
            }
        }
        assertFalse(Arrays.equals(fused[1].toDoubleArray(), fused[2].toDoubleArray()), "the maximum is not the moment");
        assertPaddingIntact(pFusedAll, offset);
    }

    // ---- Updates: the checked entry point -----------------------------------------------------------

    @Test
    void updatesRoutesToTheBackendAndLeavesTheGradient() {
        double[] g = {0.5, -1, 2};
        Tensor p = Tensor.fromArray(new double[] {1, 2, 3}, 3);
        Tensor grad = Tensor.fromArray(g.clone(), 3);
        Tensor buf = Tensor.zeros(DType.F64, 3);
        Updates.sgd(p, grad, buf, 0.1, 0.9, 0, 0, false, true);
        double[] after = p.toDoubleArray();
        for (int i = 0; i < 3; i++) {
            assertEquals((i + 1) - 0.1 * g[i], after[i], 1e-15);
            assertEquals(g[i], grad.toDoubleArray()[i]);
            assertEquals(g[i], buf.toDoubleArray()[i]);
        }
        Tensor m = Tensor.zeros(DType.F64, 3);
        Tensor v = Tensor.zeros(DType.F64, 3);
        Tensor q = Tensor.fromArray(new double[] {1, 2, 3}, 3);
        Updates.adam(q, grad, m, v, 0.01, 0.9, 0.999, 1e-8, 0, false, 1);
        double[] moved = q.toDoubleArray();
        for (int i = 0; i < 3; i++) {
            // First Adam step: m_hat = g, v_hat = g^2, so the step is lr * g / (|g| + eps') = ~lr * sign(g).
            double mHat = 0.1 * g[i] / 0.1;
            double vHat = 0.001 * g[i] * g[i] / 0.001;
            assertEquals((i + 1) - 0.01 * mHat / (Math.sqrt(vHat) + 1e-8), moved[i], 1e-12);
        }
    }

    private static void assertMessage(Class<? extends Throwable> type, Executable call, String... parts) {
        Throwable e = assertThrows(type, call);
        for (String part : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(part),
                    "message should contain '" + part + "': " + e.getMessage());
        }
    }

    @Test
    void updatesRejectMismatchedArguments() {
        Tensor p = Tensor.zeros(DType.F32, 2, 3);
        Tensor g = Tensor.zeros(DType.F32, 3, 2);
        Tensor ok = Tensor.zeros(DType.F32, 2, 3);
        Tensor g64 = Tensor.zeros(DType.F64, 2, 3);
        Tensor m = Tensor.zeros(DType.F32, 2, 3);
        Tensor v = Tensor.zeros(DType.F32, 2, 3);
        Tensor wrong = Tensor.zeros(DType.F32, 6);
        assertMessage(IllegalArgumentException.class, () -> Updates.sgd(p, g, null, 0.1, 0, 0, 0, false, true),
                "sgd", "[3, 2]", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> Updates.sgd(p, g64, null, 0.1, 0, 0, 0, false, true),
                "sgd", "F32", "F64");
        assertMessage(IllegalArgumentException.class, () -> Updates.sgd(p, ok, null, 0.1, 0.9, 0, 0, false, true),
                "sgd", "momentum buffer", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> Updates.sgd(p, ok, wrong, 0.1, 0.9, 0, 0, false, true),
                "sgd", "[6]", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> Updates.sgd(p, ok, null, 0.1, 0, 0, 0, true, true),
                "sgd", "Nesterov");
        assertMessage(IllegalArgumentException.class, () -> Updates.sgd(p, ok, null, -1, 0, 0, 0, false, true),
                "sgd", "lr");
        assertMessage(IllegalArgumentException.class, () -> Updates.sgd(p, ok, m, 0.1, 0.9, 0.1, 0, true, false),
                "sgd", "Nesterov", "dampening 0", "0.1");
        assertMessage(IllegalArgumentException.class,
                () -> Updates.sgd(p, ok, m, 0.1, 0.9, Double.NaN, 0, false, false), "sgd", "dampening", "NaN");
        assertMessage(IllegalArgumentException.class,
                () -> Updates.adam(p, ok, wrong, v, 1e-3, 0.9, 0.999, 1e-8, 0, false, 1), "adam", "exp_avg", "[6]", "[2, 3]");
        assertMessage(IllegalArgumentException.class,
                () -> Updates.adam(p, ok, m, wrong, 1e-3, 0.9, 0.999, 1e-8, 0, true, 1), "adamw", "exp_avg_sq", "[6]");
        assertMessage(IllegalArgumentException.class,
                () -> Updates.adam(p, ok, m, v, 1e-3, 0.9, 0.999, 1e-8, 0, false, 0), "adam", "step");
        assertMessage(IllegalArgumentException.class,
                () -> Updates.adam(p, ok, m, v, 1e-3, 1.0, 0.999, 1e-8, 0, false, 1), "adam", "betas");
        Tensor i64 = Tensor.fromArray(new long[] {1, 2}, 2);
        Tensor i64Grad = Tensor.fromArray(new long[] {3, 4}, 2);
        assertMessage(IllegalArgumentException.class,
                () -> Updates.sgd(i64, i64Grad, null, 0.1, 0, 0, 0, false, true), "sgd", "I64");
    }

    private static float[] uniformValues(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextFloat() * 2 - 1;
        }
        return v;
    }

    @Test
    void adamOfAListEqualsAdamOfEachParameter() {
        int[] sizes = {1, 10, 0, 1000, LARGE};
        Random random = new Random(17);
        List<List<Tensor>> listed = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<List<Tensor>> each = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int size : sizes) {
            float[] start = uniformValues(random, size);
            for (List<List<Tensor>> copy : List.of(listed, each)) {
                Tensor param = Tensor.fromArray(start.clone(), size);
                copy.get(0).add(param);
                copy.get(1).add(Updates.stateLike(param));
                copy.get(2).add(Updates.stateLike(param));
            }
        }
        for (int step = 1; step <= 3; step++) {
            List<Tensor> grads = new ArrayList<>();
            for (int size : sizes) {
                grads.add(Tensor.fromArray(uniformValues(random, size), size));
            }
            Updates.adam(listed.get(0), grads, listed.get(1), listed.get(2), 1e-2, 0.9, 0.999, 1e-8, 0.01, true, step);
            for (int i = 0; i < sizes.length; i++) {
                Updates.adam(each.get(0).get(i), grads.get(i), each.get(1).get(i), each.get(2).get(i), 1e-2, 0.9, 0.999,
                        1e-8, 0.01, true, step);
            }
        }
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < sizes.length; i++) {
                assertArrayEquals(each.get(k).get(i).toFloatArray(), listed.get(k).get(i).toFloatArray(),
                        "tensor " + k + " of parameter " + i);
            }
        }
    }

    @Test
    void adamOfAListNeedsAGradientAndStateForEveryParameter() {
        List<Tensor> params = List.of(Tensor.zeros(DType.F32, 2), Tensor.zeros(DType.F32, 3));
        List<Tensor> one = List.of(Tensor.zeros(DType.F32, 2));
        assertMessage(IllegalArgumentException.class,
                () -> Updates.adam(params, one, params, params, 1e-3, 0.9, 0.999, 1e-8, 0, false, 1),
                "adam", "2 parameters", "1 gradients");
        List<Tensor> mixed = List.of(Tensor.zeros(DType.F32, 2), Tensor.zeros(DType.F64, 3));
        List<Tensor> mixedGrads = List.of(Tensor.zeros(DType.F32, 2), Tensor.zeros(DType.F64, 3));
        List<Tensor> mixedM = List.of(Tensor.zeros(DType.F32, 2), Tensor.zeros(DType.F64, 3));
        List<Tensor> mixedV = List.of(Tensor.zeros(DType.F32, 2), Tensor.zeros(DType.F64, 3));
        assertMessage(IllegalArgumentException.class,
                () -> Updates.adam(mixed, mixedGrads, mixedM, mixedV, 1e-3, 0.9, 0.999, 1e-8, 0, false, 1),
                "adam", "F32", "F64");
    }

    @Test
    void amsgradOfAListNeedsAMaximumForEveryParameterOfItsOwn() {
        List<Tensor> params = List.of(Tensor.zeros(DType.F32, 2), Tensor.zeros(DType.F32, 3));
        List<Tensor> grads = List.of(Tensor.zeros(DType.F32, 2), Tensor.zeros(DType.F32, 3));
        List<Tensor> m = List.of(Tensor.zeros(DType.F32, 2), Tensor.zeros(DType.F32, 3));
        List<Tensor> v = List.of(Tensor.zeros(DType.F32, 2), Tensor.zeros(DType.F32, 3));
        assertMessage(IllegalArgumentException.class,
                () -> Updates.amsgrad(params, grads, m, v, List.of(Tensor.zeros(DType.F32, 2)), 1e-3, 0.9, 0.999, 1e-8,
                        0, false, 1), "amsgrad", "2 parameters", "1 max_exp_avg_sq");
        assertMessage(IllegalArgumentException.class,
                () -> Updates.amsgrad(params, grads, m, v, List.of(Tensor.zeros(DType.F32, 2),
                        Tensor.zeros(DType.F32, 2)), 1e-3, 0.9, 0.999, 1e-8, 0, true, 1), "adamw (amsgrad)",
                "max_exp_avg_sq", "[2]", "[3]");
        assertMessage(IllegalArgumentException.class,
                () -> Updates.amsgrad(params, grads, m, v, v, 1e-3, 0.9, 0.999, 1e-8, 0, false, 1), "amsgrad",
                "max_exp_avg_sq", "exp_avg_sq");
    }

    @Test
    void updatesRefuseAParameterThatRecordsGradients() {
        Tensor p = Tensor.zeros(DType.F64, 3).requiresGrad(true);
        Tensor g = Tensor.ones(DType.F64, 3);
        assertMessage(IllegalStateException.class, () -> Updates.sgd(p, g, null, 0.1, 0, 0, 0, false, true),
                "sgd", "noGrad");
        try (Autograd.Guard guard = Autograd.noGrad()) {
            Updates.sgd(p, g, null, 0.1, 0, 0, 0, false, true);
        }
        assertEquals(-0.1, p.toDoubleArray()[0], 1e-15);
        Tensor made = Tensor.ones(DType.F64, 3).requiresGrad(true).mul(2.0);
        try (Autograd.Guard guard = Autograd.noGrad()) {
            assertMessage(IllegalStateException.class, () -> Updates.sgd(made, g, null, 0.1, 0, 0, 0, false, true),
                    "sgd", "leaves");
        }
    }

    @Test
    void stateLikeOutlivesTheScope() {
        Tensor state;
        try (Scope inner = Scope.open()) {
            Tensor like = Tensor.ones(DType.F32, 4, 2);
            state = Updates.stateLike(like);
        }
        assertTrue(!state.isClosed());
        assertEquals(DType.F32, state.dtype());
        assertEquals(8, state.toFloatArray().length);
        assertEquals(0f, state.toFloatArray()[7]);
        state.close();
    }

    /**
     * The row-sparse SparseAdam and Adagrad steps against their composites: rows in no order, of a table [50, 7] and of
     * one large enough to be split over threads; rows not stepped stay as they were.
     */
    @ParameterizedTest(name = "{0} rows={1}")
    @MethodSource("sparseCases")
    void sparseRowUpdatesMatchTheirComposites(DType dtype, int rows) {
        Backend backend = backend();
        Backend reference = composite(backend);
        Random r = new Random(rows + 11);
        int cols = 7;
        long[] stepped = r.longs(0, rows).distinct().limit(Math.min(rows / 2, 20_000)).toArray();
        double[] start = random(r, rows * cols, 1);
        Tensor pFused = Tensor.fromArray(start, rows, cols).to(dtype);
        Tensor pRef = Tensor.fromArray(start, rows, cols).to(dtype);
        Tensor mFused = Tensor.zeros(dtype, rows, cols);
        Tensor mRef = Tensor.zeros(dtype, rows, cols);
        Tensor vFused = Tensor.zeros(dtype, rows, cols);
        Tensor vRef = Tensor.zeros(dtype, rows, cols);
        Tensor index = Tensor.fromArray(stepped, stepped.length);
        for (int step = 1; step <= STEPS; step++) {
            Tensor grad = Tensor.fromArray(random(r, stepped.length * cols, 2), stepped.length, cols).to(dtype);
            backend.sparseAdamUpdate(pFused, mFused, vFused, index, grad, 0.01 * step, 0.9, 0.999, 1e-8);
            reference.sparseAdamUpdate(pRef, mRef, vRef, index, grad, 0.01 * step, 0.9, 0.999, 1e-8);
            backend.sparseAdagradUpdate(pFused, vFused, index, grad, 0.1 / step, 1e-10);
            reference.sparseAdagradUpdate(pRef, vRef, index, grad, 0.1 / step, 1e-10);
            assertClose("param after step " + step, pRef, pFused);
            assertClose("exp_avg after step " + step, mRef, mFused);
            assertClose("exp_avg_sq and sum after step " + step, vRef, vFused);
        }
        double[] moved = pFused.toDoubleArray();
        double[] before = Tensor.fromArray(start, rows, cols).to(dtype).toDoubleArray();
        long steppedRows = java.util.stream.IntStream.range(0, rows)
                .filter(row -> moved[row * cols] != before[row * cols]).count();
        assertEquals(stepped.length, steppedRows, "only the rows stepped moved");
    }

    static Stream<Arguments> sparseCases() {
        return Stream.of(Arguments.of(DType.F32, 50), Arguments.of(DType.F64, 50), Arguments.of(DType.F32, LARGE),
                Arguments.of(DType.F64, LARGE));
    }
}
