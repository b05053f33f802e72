package dev.kiln.seq2seq;

/**
 * A decoded target sequence: its {@code tokens} (without BOS and EOS), the summed log-probability
 * {@code logProb} of those tokens and of the EOS that ended them (or of the tokens alone when the step limit
 * cut the sequence off, then {@code finished} is false), and, for models with attention and greedy
 * decoding, the {@code attention} weights [tokens + 1][source length] each output step gave the source (the
 * last row for EOS); null otherwise.
 */
public record Hypothesis(int[] tokens, double logProb, boolean finished, float[][] attention) {
}
