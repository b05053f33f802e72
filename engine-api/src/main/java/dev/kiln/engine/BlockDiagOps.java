package dev.kiln.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's {@code block_diag}: matrices placed corner to corner along the diagonal of one matrix, zeros elsewhere,
 * as each matrix's row band (zeros, the matrix, zeros) concatenated, then the bands stacked: differentiable to any
 * order through cat and narrow, on every backend.
 */
final class BlockDiagOps {
    private BlockDiagOps() {
    }

    static Tensor blockDiag(Tensor... tensors) {
        String op = "blockDiag";
        if (tensors.length == 0) {
            throw new IllegalArgumentException("blockDiag: expected at least one tensor, got none");
        }
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            Checks.open(op, t);
            Checks.sameBackend(op, tensors[0], t);
            if (t.dtype() != tensors[0].dtype()) {
                throw new IllegalArgumentException("blockDiag: tensor " + i + " is " + t.dtype()
                        + "; expected the first tensor's " + tensors[0].dtype());
            }
            if (t.rank() > 2) {
                throw new IllegalArgumentException("blockDiag: tensor " + i + " must have 2 or fewer dimensions, got "
                        + t.shape());
            }
        }
        return Composite.composed(() -> placed(tensors), tensors);
    }

    /** Each matrix's row band (a vector or scalar as one row), stacked. */
    private static Tensor placed(Tensor[] tensors) {
        Tensor[] matrices = new Tensor[tensors.length];
        int columns = 0;
        for (int i = 0; i < tensors.length; i++) {
            matrices[i] = tensors[i].rank() == 2 ? tensors[i] : tensors[i].reshape(1, (int) tensors[i].size());
            columns += matrices[i].dim(1);
        }
        List<Tensor> bands = new ArrayList<>();
        int before = 0;
        for (Tensor m : matrices) {
            int rows = m.dim(0);
            int width = m.dim(1);
            List<Tensor> pieces = new ArrayList<>();
            if (before > 0) {
                pieces.add(m.fullLike(0, Shape.of(rows, before)));
            }
            pieces.add(m);
            if (columns - before - width > 0) {
                pieces.add(m.fullLike(0, Shape.of(rows, columns - before - width)));
            }
            bands.add(pieces.size() == 1 ? m : Tensor.cat(pieces, 1));
            before += width;
        }
        return bands.size() == 1 ? bands.get(0).clone() : Tensor.cat(bands, 0);
    }
}
