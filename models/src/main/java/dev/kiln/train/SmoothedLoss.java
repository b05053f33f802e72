package dev.kiln.train;

/**
 * The smoothing of a learning-rate range test's losses, as fastai's and Lightning's: an exponential moving average
 * with weight {@value #BETA} on the past, divided by {@code 1 - BETA^n} after n losses so that the first is not pulled
 * towards the average's start at 0 (the first smoothed loss is the first loss). That is fastai's correction;
 * Lightning's callback divides by {@code 1 - BETA^(n+1)}, its step counter having already counted the step, which
 * about halves its first smoothed loss.
 */
final class SmoothedLoss {
    static final double BETA = 0.98;

    private double average;
    private int count;

    /** Takes the next loss; returns the smoothed loss so far. */
    double add(double loss) {
        count++;
        average = BETA * average + (1 - BETA) * loss;
        return average / (1 - Math.pow(BETA, count));
    }
}
