package dev.kiln.optim;

import dev.kiln.engine.Tensor;

/**
 * The line search of {@link LBFGS}, PyTorch 1.13's {@code _strong_wolfe} (a port of Torch7's {@code lswolfe.lua}):
 * from x along a descent direction d, a step t whose loss falls enough (Armijo, c1 = 1e-4) and whose directional
 * derivative shrinks enough (curvature, c2 = 0.9), found by bracketing and then zooming with cubic interpolation,
 * in at most 25 evaluations after the first.
 */
final class StrongWolfe {
    private static final double C1 = 1e-4;
    private static final double C2 = 0.9;
    private static final int MAX_EVALUATIONS = 25;

    private StrongWolfe() {
    }

    /** The loss and the flat gradient [n] at x + t d. */
    record Point(double loss, Tensor gradient) {
    }

    /** Evaluates the loss at x + t d, leaving the parameters at x. */
    @FunctionalInterface
    interface Objective {
        Point at(double t);
    }

    /** The step found, the loss and gradient there, and the evaluations it took. */
    record Result(double loss, Tensor gradient, double t, int evaluations) {
    }

    /**
     * Searches along {@code d} from the point with loss {@code f}, flat gradient {@code g} and directional derivative
     * {@code gtd} (negative), starting with step {@code t}; the zoom stops when the bracket is narrower than
     * {@code toleranceChange} in parameter change. Vectors made here belong to the caller's scope.
     */
    static Result search(Objective objective, double t, Tensor d, double f, Tensor g, double gtd,
                         double toleranceChange) {
        double dNorm = FlatParameters.maxAbs(d);
        Tensor start = g.copy();
        Point next = objective.at(t);
        int evaluations = 1;
        double gtdNew = FlatParameters.dot(next.gradient(), d);

        // Bracketing: an interval that holds a point satisfying the conditions, or that point itself (done).
        double tPrev = 0;
        double fPrev = f;
        Tensor gPrev = start;
        double gtdPrev = gtd;
        boolean done = false;
        int iteration = 0;
        Bracket bracket = null;
        while (iteration < MAX_EVALUATIONS) {
            boolean tooHigh = next.loss() > f + C1 * t * gtd || (iteration > 1 && next.loss() >= fPrev);
            if (!tooHigh && Math.abs(gtdNew) <= -C2 * gtd) {
                bracket = new Bracket(t, next.loss(), next.gradient(), gtdNew, t, next.loss(), next.gradient(), gtdNew);
                done = true;
                break;
            }
            if (tooHigh || gtdNew >= 0) {
                bracket = new Bracket(tPrev, fPrev, gPrev, gtdPrev, t, next.loss(), next.gradient(), gtdNew);
                break;
            }
            double minStep = t + 0.01 * (t - tPrev);
            double maxStep = t * 10;
            double previous = t;
            t = cubicMinimum(tPrev, fPrev, gtdPrev, t, next.loss(), gtdNew, minStep, maxStep);
            tPrev = previous;
            fPrev = next.loss();
            gPrev = next.gradient();
            gtdPrev = gtdNew;
            next = objective.at(t);
            evaluations++;
            gtdNew = FlatParameters.dot(next.gradient(), d);
            iteration++;
        }
        if (iteration == MAX_EVALUATIONS) {
            bracket = new Bracket(0, f, start, gtd, t, next.loss(), next.gradient(), gtdNew);
        }

        // Zoom: shrink the bracket until a point satisfies the conditions or the bracket is too small.
        boolean insufficientProgress = false;
        while (!done && iteration < MAX_EVALUATIONS) {
            if (Math.abs(bracket.t[1] - bracket.t[0]) * dNorm < toleranceChange) {
                break;
            }
            t = cubicMinimum(bracket.t[0], bracket.f[0], bracket.gtd[0], bracket.t[1], bracket.f[1], bracket.gtd[1]);
            double high = Math.max(bracket.t[0], bracket.t[1]);
            double low = Math.min(bracket.t[0], bracket.t[1]);
            double eps = 0.1 * (high - low);
            if (Math.min(high - t, t - low) < eps) {
                // Close to an end: after an earlier close call, or outside, move to a tenth of the width inside.
                if (insufficientProgress || t >= high || t <= low) {
                    t = Math.abs(t - high) < Math.abs(t - low) ? high - eps : low + eps;
                    insufficientProgress = false;
                } else {
                    insufficientProgress = true;
                }
            } else {
                insufficientProgress = false;
            }
            next = objective.at(t);
            evaluations++;
            gtdNew = FlatParameters.dot(next.gradient(), d);
            iteration++;
            if (next.loss() > f + C1 * t * gtd || next.loss() >= bracket.f[bracket.low]) {
                bracket.set(bracket.high(), t, next, gtdNew);
                bracket.sort();
            } else {
                if (Math.abs(gtdNew) <= -C2 * gtd) {
                    done = true;
                } else if (gtdNew * (bracket.t[bracket.high()] - bracket.t[bracket.low]) >= 0) {
                    bracket.copyLowToHigh();
                }
                bracket.set(bracket.low, t, next, gtdNew);
            }
        }
        int low = bracket.low;
        return new Result(bracket.f[low], bracket.g[low], bracket.t[low], evaluations);
    }

    /**
     * Two points of the search: steps t, losses f, gradients g and directional derivatives gtd, with {@code low}
     * the index of the lower loss (the first on a tie). A bracket made of one point holds it twice.
     */
    private static final class Bracket {
        final double[] t;
        final double[] f;
        final Tensor[] g;
        final double[] gtd;
        int low;

        Bracket(double t0, double f0, Tensor g0, double gtd0, double t1, double f1, Tensor g1, double gtd1) {
            t = new double[] {t0, t1};
            f = new double[] {f0, f1};
            g = new Tensor[] {g0, g1};
            gtd = new double[] {gtd0, gtd1};
            sort();
        }

        int high() {
            return 1 - low;
        }

        void sort() {
            low = f[0] <= f[1] ? 0 : 1;
        }

        void set(int i, double step, Point point, double derivative) {
            t[i] = step;
            f[i] = point.loss();
            g[i] = point.gradient();
            gtd[i] = derivative;
        }

        void copyLowToHigh() {
            int high = high();
            t[high] = t[low];
            f[high] = f[low];
            g[high] = g[low];
            gtd[high] = gtd[low];
        }
    }

    /** {@link #cubicMinimum(double, double, double, double, double, double, double, double)} within [x1, x2]. */
    static double cubicMinimum(double x1, double f1, double g1, double x2, double f2, double g2) {
        return cubicMinimum(x1, f1, g1, x2, f2, g2, Math.min(x1, x2), Math.max(x1, x2));
    }

    /**
     * The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to
     * [{@code lo}, {@code hi}]; the middle of that interval when the cubic has no minimum (PyTorch's
     * {@code _cubic_interpolate}).
     */
    static double cubicMinimum(double x1, double f1, double g1, double x2, double f2, double g2, double lo,
                               double hi) {
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (!(d2Square >= 0)) {
            return (lo + hi) / 2;
        }
        double d2 = Math.sqrt(d2Square);
        double minimum = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
        return Math.min(Math.max(minimum, lo), hi);
    }
}
