package dev.kiln.seq2seq;

import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * What a {@link Seq2SeqModel} carries from one decoding step to the next, one row per hypothesis (the
 * encoded source, recurrent states, tokens so far). Immutable: a step returns a new state.
 */
public interface DecoderState {
    /** The state of rows {@code rows} ([n], I64, repeats allowed), in that order: how beam search follows its beams. */
    DecoderState select(Tensor rows);

    /**
     * The tensors this state holds, nulls left out: a search frees those a step made once the state after it no
     * longer holds them.
     */
    List<Tensor> tensors();
}
