package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Module#functionalCall} against PyTorch 1.13's {@code torch.nn.utils.stateless.functional_call} (PyTorch 2's
 * {@code torch.func.functional_call}), printed by {@code models/src/test/pytorch/functional_call.py}, in F64 to 1e-10:
 * one step of MAML, whose meta-gradient flows through the fast weights and the inner gradient (second order), and a
 * batch norm in training mode run on substitute running statistics, which it updates in place.
 */
class FunctionalCallPyTorchParityTest {
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
    void mamlMetaGradientFlowsThroughTheFastWeights() {
        Module model = new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 2)).to(DType.F64);
        load(model, key("0.weight", 1, 4, 3), key("0.bias", 2, 4), key("2.weight", 3, 2, 4), key("2.bias", 4, 2));
        MSELoss mse = new MSELoss();
        Tensor inner = mse.compute(model.call(values(11, 5, 3)), values(13, 5, 2));
        List<String> names = new ArrayList<>(model.namedParameters().keySet());
        List<Tensor> params = new ArrayList<>(model.namedParameters().values());
        List<Tensor> grads = Autograd.grad(inner, params, GradOptions.DEFAULT.withCreateGraph());
        Map<String, Tensor> fast = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            fast.put(names.get(i), params.get(i).sub(grads.get(i).mul(0.4)));
        }

        Tensor out = model.functionalCall(fast, values(12, 5, 3));
        Tensor outer = mse.compute(out, values(14, 5, 2));
        outer.backward();

        assertEquals(0.22299094249032345, inner.item(), 1e-12);
        assertEquals(0.13844467513551606, outer.item(), 1e-12);
        assertValues("query output", out, -0.20681336285924995, -0.18690684850902584, -0.15745821424761608,
                -0.20691262158378093, -0.11925481551438688, -0.20365056591807523, -0.2069563604971837,
                -0.18700467714326388, -0.15651692120449745, -0.2073022740356325);
        assertGradient(model, "0.weight", 0.01176737389987019, 0.006917375629357199, -0.0011859724866182127,
                0.020551484865770322, 0.014040717952518256, 0.0009263819939270296, 0.018804290338568338,
                0.01135237378559841, -0.00143874154447194, 0.007293772708453895, 0.0047132050546597,
                -8.405658220141912e-05);
        assertGradient(model, "0.bias", -0.01754419256160496, 0.007656843932966256, 0.006614322568525947,
                0.013862747513558996);
        assertGradient(model, "2.weight", -0.04345629352752646, 0.04613317967510091, 0.012919184053829039,
                -0.0030820641584790795, -0.016290317741194514, 0.026941901497894303, -0.0036618315826731224,
                0.030161806068955438);
        assertGradient(model, "2.bias", -0.07143149575850964, -0.07840482721613307);
        assertSame(params.get(0), model.getParameter("0.weight"), "the module's own weight after the call");
        model.close();
    }

    @Test
    void batchNormInTrainingUpdatesTheSubstituteStatisticsNotItsOwn() {
        Module bn = new BatchNorm1d(3).to(DType.F64);
        Tensor mean = values(21, 3);
        Tensor var = values(22, 3).square().add(1);
        Map<String, Tensor> statistics = Map.of("running_mean", mean, "running_var", var);

        Tensor y = bn.functionalCall(statistics, values(23, 4, 3));

        assertValues("output", y, -0.992813146889707, -0.731602014712139, -0.02288291526740483, 1.1801088806381743,
                1.700290788853984, 1.423190424795905, 0.8018512611618892, -0.25604800427826624, -1.4048344025093265,
                -0.9891469949103565, -0.7126407698635787, 0.004526892980826289);
        assertValues("substitute running_mean", mean, 0.33280956586135607, 0.06989019646830408,
                -0.2258996243882354);
        assertValues("substitute running_var", var, 0.9568905832482228, 1.0984243079348501, 1.123239965695255);
        assertArrayEquals(new double[] {0, 0, 0}, bn.getBuffer("running_mean").toDoubleArray());
        assertArrayEquals(new double[] {1, 1, 1}, bn.getBuffer("running_var").toDoubleArray());
        assertEquals(1, bn.getBuffer("num_batches_tracked").toLongArray()[0], "not substituted, so counted");
        bn.close();
    }
}
