package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * PyTorch's {@code ParametrizationList} for one parametrized tensor of a module ({@link Parametrizations}): the tensor
 * that is trained, {@code original}, and the parametrization, sub-module {@code 0}, whose forward pass maps it to the
 * tensor the module reads. Kiln holds one parametrization a tensor (PyTorch allows a chain).
 */
final class ParametrizationList extends Module {
    static final String ORIGINAL = "original";

    /** Holds {@code original} (a former parameter, keeping its {@code requiresGrad}) and {@code parametrization}. */
    ParametrizationList(Tensor original, Module parametrization) {
        boolean trainable = original.requiresGrad();
        registerParameter(ORIGINAL, original).requiresGrad(trainable);
        registerModule("0", parametrization);
    }

    Tensor original() {
        return param(ORIGINAL);
    }

    Module parametrization() {
        return module("0");
    }

    /** The parametrization applied to the original: what the module reads, computed afresh. */
    Tensor value() {
        return parametrization().forward(original());
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("ParametrizationList: its module reads the parametrized tensor through"
                + " its parameters; it has no forward pass");
    }
}
