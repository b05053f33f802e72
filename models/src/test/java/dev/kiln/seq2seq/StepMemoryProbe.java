package dev.kiln.seq2seq;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BytesInUse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Runs another model and notes, as each step begins, the bytes the backend has in use besides those of the state
 * the step reads: what a search holds apart from the state it carries.
 */
final class StepMemoryProbe extends Seq2SeqModel {
    private final Backend backend = Engine.get().backend();
    private final Seq2SeqModel model;
    private final List<Long> bytesBesidesState = new ArrayList<>();

    StepMemoryProbe(Seq2SeqModel model) {
        this.model = registerModule("model", model);
        BytesInUse.settle();
    }

    /** One entry per step taken, in order. */
    List<Long> bytesBesidesState() {
        return bytesBesidesState;
    }

    @Override
    public Tensor logits(SourceBatch source, Tensor decoderInputs, double teacherForcing) {
        return model.logits(source, decoderInputs, teacherForcing);
    }

    @Override
    public DecoderState start(SourceBatch source) {
        return model.start(source);
    }

    @Override
    public Step step(DecoderState state, Tensor previous) {
        bytesBesidesState.add(backend.bytesInUse() - bytesOf(state.tensors()));
        return model.step(state, previous);
    }

    @Override
    public int targetVocabularySize() {
        return model.targetVocabularySize();
    }

    @Override
    public int maxDecodingSteps() {
        return model.maxDecodingSteps();
    }

    private long bytesOf(List<Tensor> tensors) {
        Set<Tensor> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        distinct.addAll(tensors);
        long bytes = 0;
        for (Tensor t : distinct) {
            bytes += BytesInUse.ofOneLike(t);
        }
        return bytes;
    }
}
