package dev.kiln.optim;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.Updates;
import java.util.ArrayList;
import java.util.List;

/**
 * L-BFGS's memory: the last curvature pairs, oldest first, each the change of the flat gradient y [n], the step
 * s [n] that made it, and rho = 1 / (y . s) (PyTorch's {@code old_dirs}, {@code old_stps} and {@code ro}). The
 * vectors live outside every scope until dropped, cleared or closed.
 */
final class CurvatureHistory implements AutoCloseable {
    private final List<Tensor> gradientChanges = new ArrayList<>();
    private final List<Tensor> steps = new ArrayList<>();
    private final List<Double> rhos = new ArrayList<>();

    int size() {
        return rhos.size();
    }

    /** Appends copies of {@code y} and {@code s} with {@code rho}, first dropping the oldest pairs to make room. */
    void add(Tensor y, Tensor s, double rho, int capacity) {
        while (size() >= capacity) {
            gradientChanges.remove(0).close();
            steps.remove(0).close();
            rhos.remove(0);
        }
        gradientChanges.add(Updates.stateLike(y).assign(y));
        steps.add(Updates.stateLike(s).assign(s));
        rhos.add(rho);
    }

    /**
     * The direction -H g for the flat gradient {@code g} by the two-loop recursion, with {@code hDiag} times the
     * identity as the initial inverse Hessian; a new vector in the caller's scope.
     */
    Tensor direction(Tensor g, double hDiag) {
        int k = size();
        double[] alphas = new double[k];
        Tensor q = g.neg();
        for (int i = k - 1; i >= 0; i--) {
            alphas[i] = FlatParameters.dot(steps.get(i), q) * rhos.get(i);
            q.addInPlace(gradientChanges.get(i), -alphas[i]);
        }
        Tensor r = q.mul(hDiag);
        for (int i = 0; i < k; i++) {
            double beta = FlatParameters.dot(gradientChanges.get(i), r) * rhos.get(i);
            r.addInPlace(steps.get(i), alphas[i] - beta);
        }
        return r;
    }

    /** The y vectors, oldest first (live: do not close them). */
    List<Tensor> gradientChanges() {
        return gradientChanges;
    }

    /** The s vectors, oldest first (live: do not close them). */
    List<Tensor> steps() {
        return steps;
    }

    double[] rhos() {
        return rhos.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Drops every pair. */
    void clear() {
        gradientChanges.forEach(Tensor::close);
        steps.forEach(Tensor::close);
        gradientChanges.clear();
        steps.clear();
        rhos.clear();
    }

    @Override
    public void close() {
        clear();
    }
}
