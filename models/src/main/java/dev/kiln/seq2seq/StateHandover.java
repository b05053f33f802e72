package dev.kiln.seq2seq;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Frees a search's tensors as it goes rather than when it ends: the encoding and each step run in a {@link Scope} of
 * their own, out of which only the state's tensors come, and a tensor made there is closed once no later state holds
 * it. Tensors made before (the caller's, parameters) are never closed here.
 */
final class StateHandover implements AutoCloseable {
    /** The tensors of the current state that the encoding or a step made. */
    private final Set<Tensor> made = identitySet();

    /**
     * {@code model.start(source)}, keeping only the state's tensors: the encoder's activations are freed at once
     * instead of when the search ends.
     */
    DecoderState start(Seq2SeqModel model, SourceBatch source) {
        try (Scope encoding = Scope.open()) {
            return handOver(encoding, model.start(source));
        }
    }

    /**
     * Leaves {@code step}, the innermost scope, with the state {@code next} made in it: closes what the step made
     * besides next's tensors, and what earlier steps made that next no longer holds. Returns {@code next}.
     */
    DecoderState handOver(Scope step, DecoderState next) {
        Set<Tensor> held = identitySet();
        held.addAll(next.tensors());
        for (Tensor t : step.detach()) {
            if (held.contains(t)) {
                made.add(t);
            } else {
                t.close();
            }
        }
        made.removeIf(t -> {
            if (held.contains(t)) {
                return false;
            }
            t.close();
            return true;
        });
        return next;
    }

    /** Closes the tensors that steps made for the last state. */
    @Override
    public void close() {
        made.forEach(Tensor::close);
        made.clear();
    }

    private static Set<Tensor> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }
}
