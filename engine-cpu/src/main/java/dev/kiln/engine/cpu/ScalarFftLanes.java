package dev.kiln.engine.cpu;

/**
 * {@link FftLanes} of one lane, a row's own layout, transformed by the scalar {@link FftPlan} and
 * {@link HalfLengthFft}: the path without the Vector API, and the rows a block of lanes leaves over.
 */
final class ScalarFftLanes implements FftLanes {
    static final ScalarFftLanes INSTANCE = new ScalarFftLanes();

    private ScalarFftLanes() {
    }

    @Override
    public int lanes() {
        return 1;
    }

    @Override
    public void forward(FftPlan plan, double[] a, double[] work, double[] spare) {
        plan.forward(a, work, spare);
    }

    @Override
    public void realForward(HalfLengthFft fft, double[] row, double[] spectrum, double[] work, double[] spare) {
        fft.forward(row, spectrum, work, spare);
    }

    @Override
    public void realInverse(HalfLengthFft fft, double[] spectrum, double[] real, double[] row, double[] work,
                            double[] spare) {
        fft.inverse(spectrum, real, row, work, spare);
    }

    @Override
    public String toString() {
        return "a row at a time";
    }
}
