package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's {@code ParametrizationList} for one parametrized tensor of a module ({@link Parametrizations}): the tensor
 * that is trained, {@code original}, and the chain of parametrizations, sub-modules {@code 0}, {@code 1}, ... in the
 * order registered, whose forward passes map it, one after the other, to the tensor the module reads. A first
 * parametrization that is {@link Parametrize.SeveralOriginals} reads several originals instead, {@code original0},
 * {@code original1}, ..., as PyTorch's whose right_inverse returns a sequence.
 */
final class ParametrizationList extends Module {
    static final String ORIGINAL = "original";

    /** Holds {@code original} (a former parameter, keeping its {@code requiresGrad}) and {@code parametrization}. */
    ParametrizationList(Tensor original, Module parametrization) {
        boolean trainable = original.requiresGrad();
        registerParameter(ORIGINAL, original).requiresGrad(trainable);
        registerModule("0", parametrization);
    }

    /** Holds {@code originals} as {@code original0}, {@code original1}, ... and {@code parametrization}. */
    ParametrizationList(List<Tensor> originals, Parametrize.SeveralOriginals parametrization) {
        for (int i = 0; i < originals.size(); i++) {
            registerParameter(ORIGINAL + i, originals.get(i));
        }
        registerModule("0", (Module) parametrization);
    }

    /** The one original; null when the first parametrization reads {@link #originals()}. */
    Tensor original() {
        return param(ORIGINAL);
    }

    /** Whether the first parametrization reads several originals. */
    boolean hasSeveralOriginals() {
        return original() == null;
    }

    /** The originals, {@code original0} first; the one original alone unless {@link #hasSeveralOriginals()}. */
    List<Tensor> originals() {
        if (!hasSeveralOriginals()) {
            return List.of(original());
        }
        List<Tensor> originals = new ArrayList<>();
        for (Tensor t = param(ORIGINAL + 0); t != null; t = param(ORIGINAL + originals.size())) {
            originals.add(t);
        }
        return originals;
    }

    /** Adds {@code parametrization} at the end of the chain. */
    void append(Module parametrization) {
        registerModule(Integer.toString(namedChildren().size()), parametrization);
    }

    /** The chain, first applied first. */
    List<Module> parametrizations() {
        return new ArrayList<>(namedChildren().values());
    }

    /** The chain applied to the original: what the module reads, computed afresh. */
    Tensor value() {
        List<Module> chain = parametrizations();
        List<Tensor> originals = originals();
        Tensor x = chain.get(0) instanceof Parametrize.SeveralOriginals several
                ? several.forward(originals)
                : chain.get(0).forward(originals.get(0));
        for (Module p : chain.subList(1, chain.size())) {
            Tensor next = p.forward(x);
            // Frees each intermediate, never an original, which a parametrization may hand on as it is and which
            // a frozen parameter read without gradients would otherwise let close.
            if (!originals.contains(x)) {
                releaseConsumed(x, next);
            }
            x = next;
        }
        return x;
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("ParametrizationList: its module reads the parametrized tensor through"
                + " its parameters; it has no forward pass");
    }
}
