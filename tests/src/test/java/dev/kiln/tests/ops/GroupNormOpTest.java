package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link F#groupNorm}: its values against the definition, its gradients against finite differences, its checks. */
class GroupNormOpTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(7);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void normalisesEachSamplesGroupThenAppliesEachChannelsWeightAndBias() {
        Tensor x = Tensor.randn(DType.F64, 3, 4, 2, 5);
        Tensor w = Tensor.randn(DType.F64, 4);
        Tensor b = Tensor.randn(DType.F64, 4);
        Tensor byGroup = x.reshape(3, 2, -1);
        Tensor centred = byGroup.sub(byGroup.mean(2, true));
        Tensor normalised = centred.mul(centred.square().mean(2, true).add(1e-5).rsqrt()).reshape(3, 4, 2, 5);
        Tensor expected = normalised.mul(w.reshape(1, 4, 1, 1)).add(b.reshape(1, 4, 1, 1));
        assertArrayEquals(expected.toDoubleArray(), F.groupNorm(x, 2, w, b, 1e-5).toDoubleArray(), 1e-12);
        assertArrayEquals(normalised.toDoubleArray(), F.groupNorm(x, 2, null, null, 1e-5).toDoubleArray(), 1e-12);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        for (int groups : new int[] {1, 2, 4}) {
            GradCheck.check("groupNorm, " + groups + " groups", in -> F.groupNorm(in[0], groups, in[1], in[2], 1e-5),
                    Tensor.randn(DType.F64, 3, 4, 3, 2).requiresGrad(true),
                    Tensor.randn(DType.F64, 4).requiresGrad(true), Tensor.randn(DType.F64, 4).requiresGrad(true));
        }
        GradCheck.check("groupNorm without affine, [N, C, L]", in -> F.groupNorm(in[0], 3, null, null, 1e-5),
                Tensor.randn(DType.F64, 2, 6, 3).requiresGrad(true));
    }

    /** As PyTorch 1.13's F.group_norm: an empty output, and zero weight and bias gradients. */
    @Test
    void anEmptyBatchGivesAnEmptyOutputAndZeroParameterGradients() {
        Tensor x = Tensor.randn(DType.F64, 0, 4, 3).requiresGrad(true);
        Tensor w = Tensor.randn(DType.F64, 4).requiresGrad(true);
        Tensor b = Tensor.randn(DType.F64, 4).requiresGrad(true);
        Tensor y = F.groupNorm(x, 2, w, b, 1e-5);
        assertArrayEquals(new int[] {0, 4, 3}, y.shape().dims());
        y.sum().backward();
        assertArrayEquals(new double[4], w.grad().toDoubleArray());
        assertArrayEquals(new double[4], b.grad().toDoubleArray());
        assertArrayEquals(new int[] {0, 4, 3}, x.grad().shape().dims());
    }

    @Test
    void refusesGroupsThatDoNotDivideTheChannels() {
        Tensor x = Tensor.randn(2, 6, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.groupNorm(x, 4, null, null, 1e-5));
        assertTrue(e.getMessage().contains("groups 4") && e.getMessage().contains("[2, 6, 3]"), e.getMessage());
    }

    @Test
    void refusesAWeightThatIsNotOneValuePerChannel() {
        Tensor x = Tensor.randn(2, 6, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.groupNorm(x, 2, Tensor.ones(5), null, 1e-5));
        assertTrue(e.getMessage().contains("weight [5]") && e.getMessage().contains("[6]"), e.getMessage());
    }

    @Test
    void refusesOneValuePerSamplesGroup() {
        Tensor x = Tensor.randn(2, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.groupNorm(x, 6, null, null, 1e-5));
        assertTrue(e.getMessage().contains("more than 1 value"), e.getMessage());
    }
}
