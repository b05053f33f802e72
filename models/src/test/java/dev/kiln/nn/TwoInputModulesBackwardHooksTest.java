package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.HookHandle;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The modules beside {@link Bilinear}, {@link CosineSimilarity} and {@link PairwiseDistance} whose forward pass takes
 * two tensors and returns one ({@link TwoInputForward}): through {@link Module#call(Tensor, Tensor)} a full backward
 * hook sees both inputs' gradients, those an unhooked {@code forward(x1, x2)} gives the inputs, and a null entry for
 * an input that needs none; the output is forward's. PyTorch's numbers for GRUCell and EmbeddingBag are in
 * {@link BackwardHooksPyTorchParityTest}.
 */
class TwoInputModulesBackwardHooksTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(13);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /**
     * The {@code gradInput} a hook on {@code module} sees when {@code call(x1, x2)} is differentiated (the loss is the
     * sum of the output's squares), after checking the output and each gradient against those of an unhooked
     * {@code forward} on copies of the inputs.
     */
    private static Tensor[] hookedGradInput(Module module, Tensor x1, Tensor x2) {
        Tensor[] inputs = {x1, x2};
        Tensor[] plain = {copy(x1), copy(x2)};
        Tensor expected = ((TwoInputForward) module).forward(plain[0], plain[1]);
        expected.square().sum().backward();

        List<Tensor[]> seen = new ArrayList<>();
        HookHandle hook = module.registerFullBackwardHook((m, gradInput, gradOutput) -> {
            seen.add(gradInput);
            return null;
        });
        Tensor y = module.call(x1, x2);
        assertArrayEquals(expected.toDoubleArray(), y.toDoubleArray(), 0, "the output");
        y.square().sum().backward();
        hook.remove();

        assertEquals(1, seen.size(), "the hook runs once");
        Tensor[] gradInput = seen.get(0);
        assertEquals(2, gradInput.length);
        for (int i = 0; i < 2; i++) {
            if (plain[i].requiresGrad()) {
                assertArrayEquals(plain[i].grad().toDoubleArray(), gradInput[i].toDoubleArray(), 1e-12,
                        "gradInput[" + i + "]");
                assertArrayEquals(plain[i].grad().toDoubleArray(), inputs[i].grad().toDoubleArray(), 1e-12,
                        "gradient of input " + i);
            } else {
                assertNull(gradInput[i], "gradInput[" + i + "] of an input that needs no gradient");
            }
        }
        return gradInput;
    }

    /** A leaf copy of {@code x} that requires a gradient where {@code x} does. */
    private static Tensor copy(Tensor x) {
        return x.requiresGrad() ? x.detach().requiresGrad(true) : x;
    }

    private static Tensor leaf(int... dims) {
        return Tensor.randn(DType.F64, dims).requiresGrad(true);
    }

    private static Tensor[] bothDifferentiable(Tensor[] gradInput) {
        assertNotNull(gradInput[0], "gradInput[0]");
        assertNotNull(gradInput[1], "gradInput[1]");
        return gradInput;
    }

    @Test
    void anRnnCellsHookSeesTheGradientsOfItsInputAndState() {
        try (RNNCell cell = (RNNCell) new RNNCell(3, 4).to(DType.F64)) {
            bothDifferentiable(hookedGradInput(cell, leaf(2, 3), leaf(2, 4)));
        }
    }

    @Test
    void aGruCellsHookSeesTheGradientsOfItsInputAndState() {
        try (GRUCell cell = (GRUCell) new GRUCell(3, 4).to(DType.F64)) {
            bothDifferentiable(hookedGradInput(cell, leaf(2, 3), leaf(2, 4)));
        }
    }

    @Test
    void aMaxUnpool1dsHookSeesItsInputsGradientAndANullForTheIndices() {
        F.MaxPoolOutput pooled = new MaxPool1d(2).forwardWithIndices(Tensor.randn(DType.F64, 1, 2, 6));
        try (MaxUnpool1d unpool = new MaxUnpool1d(2)) {
            assertNotNull(hookedGradInput(unpool, pooled.output().requiresGrad(true), pooled.indices())[0]);
        }
    }

    @Test
    void aMaxUnpool2dsHookSeesItsInputsGradientAndANullForTheIndices() {
        F.MaxPoolOutput pooled = new MaxPool2d(2).forwardWithIndices(Tensor.randn(DType.F64, 1, 2, 4, 4));
        try (MaxUnpool2d unpool = new MaxUnpool2d(2)) {
            assertNotNull(hookedGradInput(unpool, pooled.output().requiresGrad(true), pooled.indices())[0]);
        }
    }

    @Test
    void aMaxUnpool3dsHookSeesItsInputsGradientAndANullForTheIndices() {
        F.MaxPoolOutput pooled = new MaxPool3d(2).forwardWithIndices(Tensor.randn(DType.F64, 1, 2, 4, 4, 4));
        try (MaxUnpool3d unpool = new MaxUnpool3d(2)) {
            assertNotNull(hookedGradInput(unpool, pooled.output().requiresGrad(true), pooled.indices())[0]);
        }
    }

    @Test
    void aFractionalMaxPool2dsHookSeesItsInputsGradientAndANullForTheSamples() {
        try (FractionalMaxPool2d pool = FractionalMaxPool2d.withOutputSize(2, 3)) {
            Tensor samples = Tensor.uniform(0, 1, DType.F64, 1, 2, 2);
            assertNotNull(hookedGradInput(pool, leaf(1, 2, 7, 7), samples)[0]);
        }
    }

    @Test
    void aFractionalMaxPool3dsHookSeesItsInputsGradientAndANullForTheSamples() {
        try (FractionalMaxPool3d pool = FractionalMaxPool3d.withOutputSize(2, 2)) {
            Tensor samples = Tensor.uniform(0, 1, DType.F64, 1, 2, 3);
            assertNotNull(hookedGradInput(pool, leaf(1, 2, 5, 5, 5), samples)[0]);
        }
    }

    @Test
    void anEmbeddingBagsHookGetsNullsForItsIndicesAndOffsets() {
        try (EmbeddingBag bags = (EmbeddingBag) new EmbeddingBag(6, 3).to(DType.F64)) {
            hookedGradInput(bags, Tensor.fromArray(new long[] {1, 4, 4, 0, 5}, 5), Tensor.fromArray(new long[] {0, 2}, 2));
        }
    }

    @Test
    void aTransformerEncoderLayersHookSeesItsInputsGradientAndANullForTheMask() {
        try (TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 6, 0.0)) {
            layer.to(DType.F64);
            Tensor mask = Attention.paddingMask(new int[] {3, 2}, 3, DType.F64);
            assertNotNull(hookedGradInput(layer, leaf(2, 3, 4), mask)[0]);
        }
    }

    @Test
    void aTransformerEncodersHookSeesItsInputsGradientAndANullForTheMask() {
        try (TransformerEncoder encoder = new TransformerEncoder(2, 4, 2, 6, 0.0)) {
            encoder.to(DType.F64);
            Tensor mask = Attention.paddingMask(new int[] {3, 2}, 3, DType.F64);
            assertNotNull(hookedGradInput(encoder, leaf(2, 3, 4), mask)[0]);
        }
    }

    @Test
    void aTransformersHookSeesTheGradientsOfItsSourceAndTarget() {
        try (Transformer transformer = Transformer.builder().dModel(4).nhead(2).numEncoderLayers(1)
                .numDecoderLayers(1).dimFeedforward(6).dropout(0).batchFirst(true).build()) {
            transformer.to(DType.F64);
            bothDifferentiable(hookedGradInput(transformer, leaf(2, 3, 4), leaf(2, 2, 4)));
        }
    }

    @Test
    void aTwoInputCallOfAModuleWithForwardHooksSaysToRemoveThem() {
        try (GRUCell cell = new GRUCell(3, 4)) {
            cell.registerForwardHook((module, input, output) -> null);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> cell.call(Tensor.zeros(2, 3), Tensor.zeros(2, 4)));
            assertTrue(e.getMessage().contains("GRUCell(3, 4)") && e.getMessage().contains("remove them"),
                    e.getMessage());
        }
    }
}
