package dev.kiln.distributions;

/**
 * What PyTorch 1.13 printed for {@link ExtraDistributionsPyTorchParityTest}
 * (models/src/test/pytorch/distributions_extra.py, in float64): each result, then its inputs' gradients ({@code _D_}
 * and the input's name) for the upstream gradient 1, 2, 3, ... in the result's shape.
 */
final class ExtraDistributionsPyTorchValues {
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double NAN = Double.NaN;

    static final double[] MULTINOMIAL_PROBS_LOG_PROB = {
            -2.1439800628174064, -8.669986760308694};
    static final double[] MULTINOMIAL_PROBS_LOG_PROB_D_PROBS = {
            0.5, 0.0, -1.5, -0.5, 5.0, 21.0, -3.0, -2.3333333333333335};
    static final double[] MULTINOMIAL_LOGITS_LOG_PROB = {
            -10.459752932116832, -4.4957991450504995};
    static final double[] MULTINOMIAL_LOGITS_LOG_PROB_D_LOGITS = {
            1.7878772395475067, 2.0493317429101214, -4.260599537317045, 0.4233905548594168, -2.506132083535611,
            1.078045529607097, -0.3206515411595845, 1.7487380950880986};
    static final double[] MULTINOMIAL_OTHER_TOTALS_LOG_PROB = {
            0.0, -6.01684656861684};
    static final double[] MULTINOMIAL_NEG_INF_LOG_PROB = {
            -INF, -5.0444384050041275};
    static final double[] MULTINOMIAL_ENTROPY = {
            2.7493027844573854, 2.611622562023796};
    static final double[] MULTINOMIAL_ENTROPY_D_LOGITS = {
            0.3006543818972382, 0.26776508106128394, -0.9180221537504449, 0.3496026907919227, 0.3883958755697865,
            0.730458272609679, -1.5996625609422157, 0.48080841276274994};
    static final double[] MULTINOMIAL_ZERO_ENTROPY = {
            0.0, 0.0};
    static final double[] MULTINOMIAL_MEAN = {
            1.5, 3.0, 0.0, 1.5, 0.75, 0.375, 0.375, 4.5};
    static final double[] MULTINOMIAL_MEAN_D_PROBS = {
            -1.875, -0.375, 1.125, 2.625, -3.65625, -2.15625, -0.65625, 0.84375};
    static final double[] MULTINOMIAL_VARIANCE = {
            1.125, 1.5, 0.0, 1.125, 0.65625, 0.3515625, 0.3515625, 1.125};
    static final double[] MULTINOMIAL_VARIANCE_D_PROBS = {
            -0.1875, -0.9375, 3.5625, 2.0625, 8.35546875, 10.60546875, 11.91796875, -3.26953125};

    private ExtraDistributionsPyTorchValues() {
    }
}
