package dev.kiln.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's {@code meshgrid} and {@code cartesian_prod}: each vector reshaped to lie along its own axis and expanded to
 * the grid; the Cartesian product flattens those grids and stacks them as columns. Differentiable through the
 * expansions; any dtype.
 */
final class GridOps {
    private GridOps() {
    }

    /**
     * One grid per vector, all of shape [n0, n1, ...] ({@code "ij"}) or [n1, n0, n2, ...] ({@code "xy"}, the first two
     * swapped as NumPy's); grid i holds vector i along its axis. A scalar counts as a vector of one.
     */
    static List<Tensor> meshgrid(List<Tensor> tensors, String indexing) {
        String op = "meshgrid";
        if (!"ij".equals(indexing) && !"xy".equals(indexing)) {
            throw new IllegalArgumentException(op + ": indexing must be \"ij\" or \"xy\", got " + indexing);
        }
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException(op + ": needs at least one tensor, got none");
        }
        Tensor first = tensors.get(0);
        int[] grid = new int[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            Checks.compatible(op, first, t);
            if (t.rank() > 1) {
                throw new IllegalArgumentException(op + ": tensor " + i + " must be a vector or a scalar, got shape "
                        + t.shape());
            }
            grid[i] = (int) t.size();
        }
        boolean swap = "xy".equals(indexing) && tensors.size() > 1;
        if (swap) {
            int n0 = grid[0];
            grid[0] = grid[1];
            grid[1] = n0;
        }
        List<Tensor> grids = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            int axis = swap && i < 2 ? 1 - i : i;
            int[] along = new int[grid.length];
            java.util.Arrays.fill(along, 1);
            along[axis] = grid[axis];
            grids.add(Tensor.consume(tensors.get(i).reshape(along), tensors.get(i), t -> t.expand(grid)));
        }
        return grids;
    }

    /** The Cartesian product of vectors [n0], [n1], ...: [n0 n1 ..., k] in row-major order; one vector as it is. */
    static Tensor cartesianProd(List<Tensor> tensors) {
        String op = "cartesianProd";
        for (int i = 0; i < tensors.size(); i++) {
            Checks.open(op, tensors.get(i));
            if (tensors.get(i).rank() != 1) {
                throw new IllegalArgumentException(op + ": tensor " + i + " must be a vector, got shape "
                        + tensors.get(i).shape());
            }
        }
        if (tensors.size() == 1) {
            return tensors.get(0);
        }
        List<Tensor> grids = meshgrid(tensors, "ij");
        List<Tensor> columns = new ArrayList<>(tensors.size());
        for (Tensor g : grids) {
            columns.add(g.reshape(-1));
        }
        Tensor product = Tensor.stack(columns, 1);
        for (int i = 0; i < grids.size(); i++) {
            Tensor.releaseIntermediate(columns.get(i), tensors.get(i), product);
            Tensor.releaseIntermediate(grids.get(i), tensors.get(i), product);
        }
        return product;
    }
}
