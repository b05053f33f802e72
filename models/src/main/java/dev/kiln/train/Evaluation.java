package dev.kiln.train;

/**
 * Loss and accuracy of a model on a data set.
 *
 * @param topK share of samples whose label is among the {@code k} highest scores
 */
public record Evaluation(double loss, double accuracy, double topK, int k, int samples) {
}
