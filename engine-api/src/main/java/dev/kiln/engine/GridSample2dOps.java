package dev.kiln.engine;

import java.util.Map;

/**
 * Bilinear and nearest {@link F#gridSample} of a 4-D input as one recorded op on the backend's
 * {@link Backend#gridSample2dForward} and {@link Backend#gridSample2dBackward}. A backward pass that records its graph
 * differentiates the composition of {@link GridSampleOps} instead, recomputed from the input and the grid, so that
 * the gradients can be differentiated again. Nearest sampling records the input only: its grid gets no gradient.
 */
final class GridSample2dOps {
    private static final String OP = "gridSample";

    private GridSample2dOps() {
    }

    /** input [N, C, H, W] at grid [N, Ho, Wo, 2], both checked: [N, C, Ho, Wo]. */
    static Tensor gridSample(Tensor input, Tensor grid, GridSampleMode mode, GridSamplePadding padding,
                             boolean alignCorners) {
        Tensor out = input.emptyLike(Shape.of(input.dim(0), input.dim(1), grid.dim(1), grid.dim(2)), input.dtype());
        input.backend().gridSample2dForward(input, grid, mode, padding, alignCorners, out);
        Tensor sampledAt = mode == GridSampleMode.NEAREST ? null : grid;
        out.record(OP, new Tensor[] {input, sampledAt}, Node.differentiable(g -> Node.createsGraph()
                ? recordedGrads(input, sampledAt, grid, mode, padding, alignCorners, g)
                : grads(input, sampledAt, grid, mode, padding, alignCorners, g)));
        return out;
    }

    /** The gradients {input, grid} from the backend's backward pass, null where none is needed. */
    private static Tensor[] grads(Tensor input, Tensor sampledAt, Tensor grid, GridSampleMode mode,
                                  GridSamplePadding padding, boolean alignCorners, Tensor gradOut) {
        Tensor gradInput = input.requiresGrad() ? gradOut.emptyLike(input.shape(), input.dtype()) : null;
        Tensor gradGrid = sampledAt != null && sampledAt.requiresGrad()
                ? gradOut.emptyLike(grid.shape(), grid.dtype()) : null;
        if (gradInput != null || gradGrid != null) {
            gradOut.backend().gridSample2dBackward(input, grid, gradOut, mode, padding, alignCorners, gradInput,
                    gradGrid);
        }
        return new Tensor[] {gradInput, gradGrid};
    }

    /**
     * The gradients through the composition recorded from input and grid, as {@link Checkpoint} recomputes a segment:
     * its graph and what it made stay in the caller's scope.
     */
    private static Tensor[] recordedGrads(Tensor input, Tensor sampledAt, Tensor grid, GridSampleMode mode,
                                          GridSamplePadding padding, boolean alignCorners, Tensor gradOut) {
        long firstSerial = Tensor.nextSerial();
        Tensor y;
        try (Autograd.Guard on = Autograd.enableGrad()) {
            y = GridSampleOps.sampled(input, sampledAt == null ? grid.detach() : grid, mode, padding, alignCorners);
        }
        Map<Tensor, Tensor> arrived = BackwardPass.gradientsOfEarlier(y, gradOut, firstSerial);
        return new Tensor[] {arrived.get(input), sampledAt == null ? null : arrived.get(sampledAt)};
    }
}
