package dev.kiln.seq2seq;

import dev.kiln.engine.Tensor;

/**
 * One decoding step of a {@link Seq2SeqModel}: {@code logits} [rows, targetVocabulary] for the next token,
 * the {@code attention} weights [rows, S] over the source positions that produced them (null for a model
 * without attention), and the {@code next} state.
 */
public record Step(Tensor logits, Tensor attention, DecoderState next) {
}
