package dev.kiln.nn;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;
import java.util.function.Supplier;

/**
 * What {@link QatLinear} and {@link QatConv2d} share: the fake quantisations around a layer in quantisation-aware
 * training, PyTorch's {@code nn.qat} and {@code nn.intrinsic.qat} modules with their {@code activation_post_process}.
 * The weight passes through {@code weight_fake_quant} before each use, the output (after the fused ReLU, if any)
 * through {@code activation_post_process}, and the input through {@code input_fake_quant} where the layer reads the
 * model's input (PyTorch's {@code QuantStub}) rather than another such layer's output grid.
 */
interface QatLayer {
    String WEIGHT_FAKE_QUANT = "weight_fake_quant";
    String OUTPUT_FAKE_QUANT = "activation_post_process";
    String INPUT_FAKE_QUANT = "input_fake_quant";

    /** The weight's per-channel fake quantisation. */
    default FakeQuantize weightFakeQuant() {
        return (FakeQuantize) ((Module) this).module(WEIGHT_FAKE_QUANT);
    }

    /** The output's fake quantisation. */
    default FakeQuantize outputFakeQuant() {
        return (FakeQuantize) ((Module) this).module(OUTPUT_FAKE_QUANT);
    }

    /** The input's own fake quantisation, or null when the input lies on {@link #inputSource()}'s output grid. */
    default FakeQuantize inputFakeQuant() {
        return (FakeQuantize) ((Module) this).module(INPUT_FAKE_QUANT);
    }

    /**
     * The module path of the layer or {@link QatBasicBlock} whose output grid the input lies on (or of the
     * {@link FakeQuantize} that put it on its grid: a block's {@code input_fake_quant}), or null where it has its own.
     */
    String inputSource();

    /** Whether ReLU is fused in. */
    boolean fusedRelu();

    /** The plain layer's fresh parameters are replaced by the trained ones at once: its draws leave no trace. */
    static <M extends Module> M withoutRandomDraws(Supplier<M> make) {
        Engine engine = Engine.get();
        long seed = engine.seed();
        long counter = engine.counter();
        M made = make.get();
        Engine.restoreRandomState(seed, counter);
        return made;
    }

    /** Registers {@code source}'s weight and bias on {@code target} in place of target's own, which are closed. */
    static void takeParameters(Module target, Module source) {
        for (String name : new String[] {"weight", "bias"}) {
            Tensor own = target.removeParameter(name);
            if (own != null) {
                own.close();
            }
            target.registerParameter(name, source.param(name));
        }
    }

    /**
     * Registers {@code layer}'s fake quantisations: the weight's (per channel), the output's, and the input's own where
     * {@code inputSource} is null.
     */
    static void registerFakeQuantizations(Module layer, String inputSource) {
        layer.registerModule(WEIGHT_FAKE_QUANT, FakeQuantize.perChannelWeight(layer.param("weight").dim(0)));
        layer.registerModule(OUTPUT_FAKE_QUANT, FakeQuantize.perTensorActivation());
        if (inputSource == null) {
            layer.registerModule(INPUT_FAKE_QUANT, FakeQuantize.perTensorActivation());
        }
    }

    /** The layer's pre-activation output, then ReLU where fused, then the output fake quantisation. */
    static Tensor activated(Module layer, Tensor preActivation) {
        QatLayer qat = (QatLayer) layer;
        Tensor y = qat.fusedRelu() ? Module.consume(preActivation, Tensor::relu) : preActivation;
        return qat.outputFakeQuant().forward(y);
    }
}
