package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.SGD;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link LazyLinear} and {@link LazyConv2d}: inference at the first pass, the placeholders before it, the errors. */
class LazyModuleTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void beforeTheFirstPassTheParametersAreEmptyPlaceholders() {
        LazyLinear layer = new LazyLinear(4);
        assertFalse(layer.initialized());
        assertArrayEquals(new int[] {0}, layer.weight().shape().dims());
        assertArrayEquals(new int[] {0}, layer.bias().shape().dims());
        assertEquals("LazyLinear(in_features=0, out_features=4, bias=True)", layer.toString());
    }

    @Test
    void anOptimizerMadeBeforeTheFirstPassIsRefused() {
        Sequential model = new Sequential(new LazyLinear(4), new ReLU(), new Linear(4, 2));
        assertEquals("SGD: parameter [0] is an uninitialized parameter of a lazy module (LazyLinear, LazyConv2d) until"
                + " its first forward pass; run one forward pass before making the optimizer",
                assertThrows(IllegalArgumentException.class, () -> new SGD(model.parameters(), 0.1)).getMessage());
    }

    @Test
    void anOptimizerIsRefusedThePlaceholdersOfAConvertedOrCopiedLazyModuleToo() {
        String refusal = "SGD: parameter [0] is an uninitialized parameter of a lazy module (LazyLinear, LazyConv2d)"
                + " until its first forward pass; run one forward pass before making the optimizer";
        Module converted = new LazyLinear(4).to(DType.F64);
        assertEquals(refusal, assertThrows(IllegalArgumentException.class,
                () -> new SGD(converted.parameters(), 0.1)).getMessage());
        Module copied = new LazyConv2d(2, 3).copy();
        assertEquals(refusal, assertThrows(IllegalArgumentException.class,
                () -> new SGD(copied.parameters(), 0.1)).getMessage());
    }

    @Test
    void anOptimizerMadeAfterTheFirstPassTrainsTheInferredParameters() {
        Sequential model = new Sequential(new LazyLinear(4), new ReLU(), new Linear(4, 2));
        Tensor x = Tensor.randn(3, 5);
        model.forward(x);
        LazyLinear lazy = (LazyLinear) model.module("0");
        double[] before = lazy.weight().toDoubleArray();
        SGD sgd = new SGD(model.parameters(), 0.1);
        model.forward(x).square().sum().backward();
        sgd.step();
        assertNotEquals(before[0], lazy.weight().toDoubleArray()[0]);
    }

    @Test
    void theFirstPassDrawsWhatTheEagerLayerWouldFromTheSameStream() {
        Engine.seed(3);
        Linear eager = new Linear(5, 4);
        Engine.seed(3);
        LazyLinear lazy = new LazyLinear(4);
        lazy.forward(Tensor.zeros(DType.F32, 2, 5));
        assertEquals(5, lazy.inFeatures());
        assertArrayEquals(eager.weight().toDoubleArray(), lazy.weight().toDoubleArray(), 0);
        assertArrayEquals(eager.bias().toDoubleArray(), lazy.bias().toDoubleArray(), 0);
        Engine.seed(4);
        Conv2d eagerConv = new Conv2d(6, 4, new int[] {3, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 2,
                true);
        Engine.seed(4);
        LazyConv2d lazyConv = new LazyConv2d(4, new int[] {3, 2}, new int[] {1}, new int[] {0}, new int[] {1}, 2, true);
        lazyConv.forward(Tensor.zeros(DType.F32, 1, 6, 5, 5));
        assertArrayEquals(eagerConv.weight().toDoubleArray(), lazyConv.weight().toDoubleArray(), 0);
        assertArrayEquals(eagerConv.bias().toDoubleArray(), lazyConv.bias().toDoubleArray(), 0);
    }

    @Test
    void theParametersTakeTheFirstInputsDtypeAndFrozenState() {
        LazyConv2d conv = new LazyConv2d(3, 2);
        conv.freeze();
        conv.forward(Tensor.zeros(DType.F64, 1, 2, 4, 4));
        assertEquals(DType.F64, conv.weight().dtype());
        assertArrayEquals(new int[] {3, 2, 2, 2}, conv.weight().shape().dims());
        assertFalse(conv.weight().requiresGrad() || conv.bias().requiresGrad());
        assertTrue(conv.initialized());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        LazyLinear linear = new LazyLinear(3);
        Tensor x = Tensor.randn(DType.F64, 4, 5).requiresGrad(true);
        linear.forward(x.detach());
        GradCheck.check(linear.toString(), in -> linear.forward(in[0]), x, linear.weight(), linear.bias());
        LazyConv2d conv = new LazyConv2d(4, new int[] {2, 3}, new int[] {2, 1}, new int[] {1}, new int[] {1, 2}, 2,
                true);
        Tensor image = Tensor.randn(DType.F64, 2, 2, 5, 6).requiresGrad(true);
        conv.forward(image.detach());
        GradCheck.check(conv.toString(), in -> conv.forward(in[0]), image, conv.weight(), conv.bias());
    }

    @Test
    void anInputOfAnotherSizeThanTheFirstIsRefused() {
        LazyLinear linear = new LazyLinear(3);
        linear.forward(Tensor.zeros(DType.F64, 2, 5));
        assertEquals("Linear(in_features=5, out_features=3, bias=True): input [2, 6] must end in 5 features, as"
                + " inferred from the first input",
                assertThrows(IllegalArgumentException.class, () -> linear.forward(Tensor.zeros(DType.F64, 2, 6)))
                        .getMessage());
        LazyConv2d conv = new LazyConv2d(4, 3);
        conv.forward(Tensor.zeros(DType.F64, 1, 2, 5, 5));
        assertEquals("Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1)):"
                + " input [1, 3, 5, 5] must have 2 channels, as inferred from the first input",
                assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(DType.F64, 1, 3, 5, 5)))
                        .getMessage());
    }

    @Test
    void channelsTheGroupsDoNotDivideAreRefusedAtTheFirstPass() {
        LazyConv2d conv = new LazyConv2d(4, new int[] {1}, new int[] {1}, new int[] {0}, new int[] {1}, 2, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conv.forward(Tensor.zeros(DType.F64, 1, 3, 2, 2)));
        assertEquals("LazyConv2d(0, 4, kernel_size=(1, 1), stride=(1, 1), groups=2, bias=False):"
                + " in_channels 3 must be divisible by groups 2", e.getMessage());
        assertFalse(conv.initialized());
    }

    @Test
    void anIntegerFirstInputIsRefused() {
        LazyLinear linear = new LazyLinear(3);
        assertEquals("LazyLinear(in_features=0, out_features=3, bias=True): the first input must be F32 or F64, got I64",
                assertThrows(IllegalArgumentException.class,
                        () -> linear.forward(Tensor.fromArray(new long[] {1, 2, 3, 4, 5}, 1, 5))).getMessage());
        assertFalse(linear.initialized());
    }

    @Test
    void aCopyOfAnInitializedLayerComputesAsTheOriginal() {
        LazyLinear linear = new LazyLinear(3);
        Tensor x = Tensor.randn(DType.F64, 2, 4);
        Tensor y = linear.forward(x);
        assertArrayEquals(y.toDoubleArray(), linear.copy().forward(x).toDoubleArray(), 0);
    }
}
