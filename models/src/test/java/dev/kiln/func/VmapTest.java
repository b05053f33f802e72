package dev.kiln.func;

import static dev.kiln.func.Func.dims;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BytesInUse;
import dev.kiln.nn.PyTorchParity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Func#vmap}'s semantics, PyTorch's {@code torch.func.vmap}, against the loop over slices written by hand: Kiln's
 * vmap runs f once per slice, so every result must equal the hand-written loop's exactly.
 */
class VmapTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** f(a, b, c) = b * sum(a) + c: a [4] and b [2] per slice, c [2] the same for all. */
    private static final Fn WEIGHTED = a -> ((Tensor) a[1]).mul(((Tensor) a[0]).sum()).add((Tensor) a[2]);

    @Test
    void inDimsMapEachArgumentAlongItsDimensionAndNullPassesItWhole() {
        Tensor x = PyTorchParity.values(1, 4, 3);
        Tensor y = PyTorchParity.values(2, 3, 2);
        Tensor z = PyTorchParity.values(3, 2);

        Tensor batched = (Tensor) Func.vmap(WEIGHTED, dims(-1, 0, null), dims(0)).apply(x, y, z);

        List<Tensor> loop = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            loop.add((Tensor) WEIGHTED.apply(x.narrow(1, i, 1).squeeze(1), y.narrow(0, i, 1).squeeze(0), z));
        }
        assertArrayEquals(new int[] {3, 2}, batched.shape().dims());
        assertArrayEquals(Tensor.stack(loop, 0).toDoubleArray(), batched.toDoubleArray());
    }

    @Test
    void outDimsPlaceTheBatchDimensionOfEachListElement() {
        Tensor x = PyTorchParity.values(4, 3, 2, 5);
        Fn twoResults = a -> List.of(((Tensor) a[0]).mul(2), ((Tensor) a[0]).sum());

        List<?> out = (List<?>) Func.vmap(twoResults, dims(1), dims(-1, 0)).apply(x);

        Tensor first = (Tensor) out.get(0);
        Tensor second = (Tensor) out.get(1);
        assertArrayEquals(new int[] {3, 5, 2}, first.shape().dims(), "each [3, 5] slice stacked last");
        assertArrayEquals(x.mul(2).movedim(1, 2).toDoubleArray(), first.toDoubleArray());
        List<Tensor> sums = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            sums.add(x.narrow(1, i, 1).sum());
        }
        assertArrayEquals(Tensor.stack(sums, 0).toDoubleArray(), second.toDoubleArray());
    }

    @Test
    void mappedSizesThatDifferAreRefusedNamingEachArgumentAndSize() {
        Tensor x = PyTorchParity.values(1, 2, 4);
        Tensor y = PyTorchParity.values(2, 2, 3);
        Tensor z = PyTorchParity.values(3, 2);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Func.vmap(WEIGHTED, dims(0, 1, null), dims(0)).apply(x, y, z));

        assertTrue(e.getMessage().contains("Expected all tensors to have the same size in the mapped dimension, got"
                + " sizes [2, 3] for the mapped dimension"), e.getMessage());
        assertTrue(e.getMessage().contains("argument 0 along dim 0: 2, argument 1 along dim 1: 3"), e.getMessage());
    }

    @Test
    void aBatchOfSizeZeroIsRefused() {
        Tensor empty = Tensor.zeros(dev.kiln.engine.DType.F64, 0, 3);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Func.vmap(a -> ((Tensor) a[0]).sum()).apply(empty));

        assertTrue(e.getMessage().contains("mapped dimension has size 0"), e.getMessage());
    }

    @Test
    void aRandomOpInsideFIsRefusedByDefaultAndDrawsNothing() {
        Tensor x = PyTorchParity.values(1, 3, 4);
        long counter = Engine.get().counter();

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Func.vmap(a -> ((Tensor) a[0]).add(((Tensor) a[0]).uniformLike(0, 1))).apply(x));

        assertTrue(e.getMessage().contains("randomness error mode"), e.getMessage());
        assertEquals(counter, Engine.get().counter(), "the random stream as before the call");
    }

    @Test
    void randomnessSameGivesEverySliceTheDrawsOfOneCall() {
        Tensor x = Tensor.zeros(dev.kiln.engine.DType.F64, 3, 4);
        Fn noise = a -> ((Tensor) a[0]).add(((Tensor) a[0]).uniformLike(0, 1));
        Engine.seed(7);
        double[] once = ((Tensor) noise.apply(x.narrow(0, 0, 1).squeeze(0))).toDoubleArray();

        Engine.seed(7);
        Tensor batched = (Tensor) Func.vmap(noise).randomness(Randomness.SAME).apply(x);

        for (int i = 0; i < 3; i++) {
            assertArrayEquals(once, batched.narrow(0, i, 1).reshape(-1).toDoubleArray(), "slice " + i);
        }
        assertEquals(4, Engine.get().counter(), "the stream advanced by one slice's draws");
    }

    @Test
    void randomnessDifferentGivesEachSliceItsOwnDrawsAsTheLoop() {
        Tensor x = Tensor.zeros(dev.kiln.engine.DType.F64, 3, 4);
        Fn noise = a -> ((Tensor) a[0]).add(((Tensor) a[0]).uniformLike(0, 1));
        Engine.seed(7);
        List<Tensor> loop = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            loop.add((Tensor) noise.apply(x.narrow(0, i, 1).squeeze(0)));
        }

        Engine.seed(7);
        Tensor batched = (Tensor) Func.vmap(noise).randomness(Randomness.DIFFERENT).apply(x);

        assertArrayEquals(Tensor.stack(loop, 0).toDoubleArray(), batched.toDoubleArray());
        assertFalse(batched.narrow(0, 0, 1).reshape(-1).toDoubleArray()[0]
                == batched.narrow(0, 1, 1).reshape(-1).toDoubleArray()[0], "slices 0 and 1 draw differently");
    }

    @Test
    void nestedVmapEqualsTheDoubleLoop() {
        Tensor x = PyTorchParity.values(5, 2, 3, 4);
        Tensor w = PyTorchParity.values(6, 3);
        Fn dot = a -> ((Tensor) a[0]).mul((Tensor) a[1]).sum();

        Fn inner = Func.vmap(dot, dims(1, null), dims(0));
        Tensor batched = (Tensor) Func.vmap(inner, dims(0, null), dims(0)).apply(x, w);

        assertArrayEquals(new int[] {2, 4}, batched.shape().dims());
        double[] expected = new double[8];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                Tensor column = x.narrow(0, i, 1).squeeze(0).narrow(1, j, 1).squeeze(1);
                expected[i * 4 + j] = ((Tensor) dot.apply(column, w)).item();
            }
        }
        assertArrayEquals(expected, batched.toDoubleArray());
    }

    @Test
    void chunkSizeGivesTheSameResultWithAndWithoutGradients() {
        Tensor x = PyTorchParity.values(1, 5, 4);
        Tensor y = PyTorchParity.values(2, 5, 2);
        Tensor z = PyTorchParity.values(3, 2);
        Vmap whole = Func.vmap(WEIGHTED, dims(0, 0, null), dims(1));
        double[] expected = ((Tensor) whole.apply(x, y, z)).toDoubleArray();

        Tensor chunked = (Tensor) whole.chunkSize(2).apply(x, y, z);
        Tensor chunkedNoGrad;
        try (Autograd.Guard off = Autograd.noGrad()) {
            chunkedNoGrad = (Tensor) whole.chunkSize(2).apply(x, y, z);
        }

        assertArrayEquals(new int[] {2, 5}, chunked.shape().dims());
        assertArrayEquals(expected, chunked.toDoubleArray());
        assertArrayEquals(expected, chunkedNoGrad.toDoubleArray());
    }

    @Test
    void aLossOfTheResultBackpropagatesToTheMappedAndUnmappedArguments() {
        Tensor x = PyTorchParity.values(1, 3, 4).requiresGrad(true);
        Tensor y = PyTorchParity.values(2, 3, 2).requiresGrad(true);
        Tensor z = PyTorchParity.values(3, 2).requiresGrad(true);

        ((Tensor) Func.vmap(WEIGHTED, dims(0, 0, null), dims(0)).apply(x, y, z)).square().sum().backward();

        // loss = sum_i sum_k (y_ik s_i + z_k)^2 with s_i = sum_j x_ij: r_ik = y_ik s_i + z_k
        Tensor r = y.detach().mul(x.detach().sum(1, true)).add(z.detach());
        Tensor s = x.detach().sum(1, true);
        assertArrayEquals(r.mul(y.detach()).mul(2).sum(1, true).expand(3, 4).toDoubleArray(),
                x.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(r.mul(s).mul(2).toDoubleArray(), y.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(r.mul(2).sum(0, false).toDoubleArray(), z.grad().toDoubleArray(), 1e-12);
    }
    @Test
    void aMappedMapIsMappedAlongItsDimensionInEachOfItsTensors() {
        Map<String, Tensor> pair = Map.of("a", PyTorchParity.values(1, 2, 3), "b", PyTorchParity.values(2, 4, 3));
        Fn f = a -> {
            @SuppressWarnings("unchecked")
            Map<String, Tensor> m = (Map<String, Tensor>) a[0];
            return m.get("a").sum().add(m.get("b").sum());
        };

        Tensor batched = (Tensor) Func.vmap(f, dims(1), dims(0)).apply(pair);

        double[] expected = new double[3];
        for (int i = 0; i < 3; i++) {
            expected[i] = pair.get("a").narrow(1, i, 1).sum().item() + pair.get("b").narrow(1, i, 1).sum().item();
        }
        assertArrayEquals(expected, batched.toDoubleArray(), 1e-15);
    }

    @Test
    void aResultThatIsNoTensorIsRefusedAsPyTorchDoes() {
        Tensor x = PyTorchParity.values(1, 3);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Func.vmap(a -> List.of((Tensor) a[0], 3)).apply(x));

        assertTrue(e.getMessage().contains("`f` must only return Tensors, got type java.lang.Integer for return 1"),
                e.getMessage());
    }
    @Test
    void gradientsThroughVmapPassAFiniteDifferenceCheck() {
        Tensor x = PyTorchParity.values(1, 3, 4).requiresGrad(true);
        Tensor y = PyTorchParity.values(2, 2, 3).requiresGrad(true);
        Tensor z = PyTorchParity.values(3, 2).requiresGrad(true);

        GradCheck.check("vmap", in -> ((Tensor) Func.vmap(WEIGHTED, dims(0, 1, null), dims(-1)).apply(in[0], in[1],
                in[2])).tanh(), x, y, z);
    }

    @Test
    void aNullOutDimForAResultThatVariesOverTheBatchIsRefusedAsPyTorchDoes() {
        Tensor x = PyTorchParity.values(1, 3, 2);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Func.vmap(a -> ((Tensor) a[0]).mul(2), dims(0), dims((Integer) null)).apply(x));

        assertTrue(e.getMessage().contains("can not return a BatchedTensor when out_dim is None"), e.getMessage());
    }

    @Test
    void aNullOutDimPassesAResultThatIsTheSameForEverySliceOrNoTensor() {
        Tensor x = PyTorchParity.values(1, 3, 2);
        Tensor w = PyTorchParity.values(2, 2);

        List<?> out = (List<?>) Func.vmap(a -> List.of(((Tensor) a[0]).mul((Tensor) a[1]), ((Tensor) a[1]).exp(),
                "hello"), dims(0, null), dims(0, null, null)).apply(x, w);

        assertArrayEquals(x.mul(w).toDoubleArray(), ((Tensor) out.get(0)).toDoubleArray());
        assertArrayEquals(w.exp().toDoubleArray(), ((Tensor) out.get(1)).toDoubleArray());
        assertEquals("hello", out.get(2));
    }

    @Test
    void vmapWithGradientsOnLeavesOnlyItsResultWhenNothingRecordsAGraph() {
        Tensor x = PyTorchParity.values(1, 8, 64);
        Fn f = a -> ((Tensor) a[0]).tanh().mul(3).sum();
        Func.vmap(f).apply(x);
        long before = Engine.get().backend().bytesInUse();

        Tensor out = (Tensor) Func.vmap(f).apply(x);

        long held = Engine.get().backend().bytesInUse() - before;
        assertEquals(BytesInUse.ofOneLike(out), held, "bytes held after vmap: its result's only");
    }

    @Test
    void vmapInChunksLeavesOnlyItsResultNotEachChunksStack() {
        Tensor x = PyTorchParity.values(1, 9, 64);
        Vmap chunked = Func.vmap(a -> ((Tensor) a[0]).tanh().sum()).chunkSize(4);
        try (Autograd.Guard off = Autograd.noGrad()) {
            chunked.apply(x);
            long before = Engine.get().backend().bytesInUse();

            Tensor out = (Tensor) chunked.apply(x);

            long held = Engine.get().backend().bytesInUse() - before;
            assertEquals(BytesInUse.ofOneLike(out), held, "bytes held after vmap in chunks: its result's only");
        }
    }
}
