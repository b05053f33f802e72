package dev.kiln.engine;

import java.util.Arrays;
import java.util.BitSet;

/**
 * PyTorch's {@code torch.einsum}, composed of recorded ops, so that autograd differentiates it and every backend runs
 * it. Each operand first loses its size-1 axes that broadcast against another operand's ({@code reshape}), takes the
 * diagonal of an index it repeats ({@code indexSelect}) and sums the indices nothing else has ({@code sum}); then the
 * operands are multiplied left to right, each pair as one GEMM ({@link EinsumContraction}); a last {@code permute}
 * puts the axes in the output's order where they are not.
 */
final class EinsumOps {
    private EinsumOps() {
    }

    static Tensor einsum(String equation, Tensor... operands) {
        EinsumEquation parsed = EinsumEquation.parse(equation);
        Shape[] shapes = check(parsed, operands);
        int ellipsisRank = parsed.ellipsisRank(shapes);
        int[][] labels = new int[operands.length][];
        Arrays.setAll(labels, i -> parsed.inputLabels(i, shapes[i].rank(), ellipsisRank));
        int[] sizes = sizes(parsed, labels, shapes, ellipsisRank);
        int[] output = parsed.outputLabels(ellipsisRank);
        EinsumTerm[] terms = new EinsumTerm[operands.length];
        for (int i = 0; i < operands.length; i++) {
            terms[i] = new EinsumTerm(operands[i], labels[i], operands[i]).withoutBroadcastAxes(sizes).diagonals();
        }
        for (int i = 0; i < terms.length; i++) {
            terms[i] = terms[i].summedOver(neededBesides(terms, i, output));
        }
        EinsumTerm product = terms[0];
        for (int i = 1; i < terms.length; i++) {
            product = EinsumContraction.contract(product, terms[i], neededAfter(terms, i, output),
                    i == terms.length - 1 ? output : null);
        }
        return fresh(product.arranged(output).tensor(), operands);
    }

    /** The operands' shapes, once they fit the equation's count and are open floating tensors alike. */
    private static Shape[] check(EinsumEquation equation, Tensor[] operands) {
        if (operands.length != equation.operands()) {
            throw new IllegalArgumentException(equation + ": the equation has subscripts for " + equation.operands()
                    + " operand" + (equation.operands() == 1 ? "" : "s") + ", got " + operands.length + " tensor"
                    + (operands.length == 1 ? "" : "s"));
        }
        Shape[] shapes = new Shape[operands.length];
        for (int i = 0; i < operands.length; i++) {
            if (operands[i] == null) {
                throw new IllegalArgumentException(equation + ": operand " + i + " is null");
            }
            Checks.compatible(equation.toString(), operands[0], operands[i]);
            Checks.floating(equation.toString(), operands[i]);
            shapes[i] = operands[i].shape();
        }
        return shapes;
    }

    /**
     * Each label's size: the same in every operand, where an operand's 1 broadcasts to another's size (as PyTorch's
     * einsum broadcasts); an index an operand repeats needs the same size at each place, since it takes a diagonal.
     */
    private static int[] sizes(EinsumEquation equation, int[][] labels, Shape[] shapes, int ellipsisRank) {
        int[] sizes = new int[EinsumEquation.ELLIPSIS_LABELS + ellipsisRank];
        int[] from = new int[sizes.length];
        Arrays.fill(sizes, 1);
        Arrays.fill(from, -1);
        for (int i = 0; i < labels.length; i++) {
            for (int axis = 0; axis < labels[i].length; axis++) {
                int label = labels[i][axis];
                int size = shapes[i].dim(axis);
                int repeat = firstAxis(labels[i], label);
                if (shapes[i].dim(repeat) != size) {
                    throw new IllegalArgumentException(equation + ": index " + EinsumEquation.describe(label)
                            + " repeats in operand " + i + " " + shapes[i] + " with sizes " + shapes[i].dim(repeat)
                            + " and " + size + "; a repeated index takes a diagonal, which needs equal sizes");
                }
                if (size != 1 && sizes[label] != 1 && sizes[label] != size) {
                    throw new IllegalArgumentException(equation + ": index " + EinsumEquation.describe(label)
                            + " has size " + sizes[label] + " in operand " + from[label] + " " + shapes[from[label]]
                            + " and " + size + " in operand " + i + " " + shapes[i]
                            + ", which do not broadcast (sizes must be equal, or 1)");
                }
                if (size != 1) {
                    sizes[label] = size;
                    from[label] = i;
                }
            }
        }
        return sizes;
    }

    private static int firstAxis(int[] labels, int label) {
        int axis = 0;
        while (labels[axis] != label) {
            axis++;
        }
        return axis;
    }

    /** The output's labels and those of every term but {@code i}: what term i must not sum over on its own. */
    private static BitSet neededBesides(EinsumTerm[] terms, int i, int[] output) {
        BitSet needed = labelSet(output);
        for (int j = 0; j < terms.length; j++) {
            if (j != i) {
                needed.or(labelSet(terms[j].labels()));
            }
        }
        return needed;
    }

    /** The output's labels and those of the terms after {@code i}: what the product up to term i keeps. */
    private static BitSet neededAfter(EinsumTerm[] terms, int i, int[] output) {
        BitSet needed = labelSet(output);
        for (int j = i + 1; j < terms.length; j++) {
            needed.or(labelSet(terms[j].labels()));
        }
        return needed;
    }

    private static BitSet labelSet(int[] labels) {
        BitSet set = new BitSet();
        Arrays.stream(labels).forEach(set::set);
        return set;
    }

    /** {@code result}, or a copy of it where it shares an operand's storage (an einsum that changes nothing). */
    private static Tensor fresh(Tensor result, Tensor[] operands) {
        for (Tensor operand : operands) {
            if (result.storage() == operand.storage()) {
                Tensor copy = result.copy();
                Tensor.releaseIntermediate(result, operand, copy);
                return copy;
            }
        }
        return result;
    }
}
