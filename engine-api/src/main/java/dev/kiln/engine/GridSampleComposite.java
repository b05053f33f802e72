package dev.kiln.engine;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Backend SPI's default {@link Backend#gridSample2dForward} and {@link Backend#gridSample2dBackward}: the
 * composition of {@link GridSampleOps}, run on the tensors' own backend. The backward pass records the composition
 * from leaves cut from the input and the grid and runs its graph, freed before it returns.
 */
final class GridSampleComposite {
    private GridSampleComposite() {
    }

    static void forward(Tensor input, Tensor grid, GridSampleMode mode, GridSamplePadding padding,
                        boolean alignCorners, Tensor out) {
        try (Scope scope = Scope.open(); Autograd.Guard off = Autograd.noGrad()) {
            out.backend().copy(GridSampleOps.sampled(input, grid, mode, padding, alignCorners), out);
        }
    }

    static void backward(Tensor input, Tensor grid, Tensor gradOut, GridSampleMode mode, GridSamplePadding padding,
                         boolean alignCorners, Tensor gradInput, Tensor gradGrid) {
        try (Scope scope = Scope.open(); Autograd.Guard on = Autograd.enableGrad()) {
            Tensor in = input.detach().requiresGrad(gradInput != null);
            Tensor at = grid.detach().requiresGrad(gradGrid != null);
            Tensor y = GridSampleOps.sampled(in, at, mode, padding, alignCorners);
            Set<Tensor> targets = Collections.newSetFromMap(new IdentityHashMap<>());
            if (gradInput != null) {
                targets.add(in);
            }
            if (gradGrid != null) {
                targets.add(at);
            }
            Map<Tensor, Tensor> grads = y.requiresGrad()
                    ? BackwardPass.gradients(List.of(y), List.of(gradOut), targets, false) : Map.of();
            written(grads.get(in), gradInput);
            written(grads.get(at), gradGrid);
        }
    }

    /** out = grad where out is wanted; zero where the graph never reached its tensor. */
    private static void written(Tensor grad, Tensor out) {
        if (out == null) {
            return;
        }
        if (grad == null) {
            out.backend().fill(out, 0);
        } else {
            out.backend().copy(grad, out);
        }
    }
}
