package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * An einsum equation as PyTorch reads it ({@code torch.einsum}): comma-separated subscripts of the operands, then
 * optionally {@code ->} and the output's subscripts. Subscripts are letters a-z and A-Z, at most one ellipsis
 * {@code ...} per operand and in the output, and spaces, which count for nothing. Without {@code ->} (implicit mode)
 * the output holds the ellipsis's dimensions, then the letters that appear once in the inputs, in alphabetical order
 * (upper case first, as PyTorch sorts them).
 *
 * <p>Labels are ints: a letter is 0-25 (A-Z) or 26-51 (a-z), so that their order is the alphabet's, and dimension j
 * of the ellipsis is {@code ELLIPSIS_LABELS + j}, its dimensions counted from the left of the widest ellipsis (an
 * operand whose ellipsis covers fewer dimensions has the rightmost ones, as broadcasting aligns them).
 */
final class EinsumEquation {
    /** The label of the ellipsis's first dimension; letters come before it. */
    static final int ELLIPSIS_LABELS = 52;

    /** Where an ellipsis stands in a parsed list of subscripts. */
    private static final int ELLIPSIS = -1;

    private final String text;
    private final List<int[]> inputs;
    private final int[] output;

    private EinsumEquation(String text, List<int[]> inputs, int[] output) {
        this.text = text;
        this.inputs = inputs;
        this.output = output;
    }

    /** Parses and checks {@code equation} on its own, before any operand is looked at. */
    static EinsumEquation parse(String equation) {
        if (equation == null) {
            throw new IllegalArgumentException("einsum: the equation is null");
        }
        String op = name(equation);
        int arrow = equation.indexOf("->");
        if (arrow >= 0 && equation.indexOf("->", arrow + 2) >= 0) {
            throw new IllegalArgumentException(op + ": '->' appears more than once, at positions " + arrow + " and "
                    + equation.indexOf("->", arrow + 2));
        }
        int end = arrow < 0 ? equation.length() : arrow;
        List<int[]> inputs = new ArrayList<>();
        int start = 0;
        for (String operand : equation.substring(0, end).split(",", -1)) {
            inputs.add(subscripts(op, equation, start, start + operand.length(), "operand " + inputs.size()));
            start += operand.length() + 1;
        }
        int[] output = arrow < 0 ? null : subscripts(op, equation, arrow + 2, equation.length(), "the output");
        EinsumEquation parsed = new EinsumEquation(equation, inputs, output);
        if (output != null) {
            parsed.checkOutput();
        }
        return parsed;
    }

    /** The name errors give the op: {@code einsum 'ij,jk->ik'}. */
    private static String name(String equation) {
        return "einsum '" + equation + "'";
    }

    /** The labels of {@code equation[start, stop)}, with {@link #ELLIPSIS} where {@code ...} stands. */
    private static int[] subscripts(String op, String equation, int start, int stop, String what) {
        List<Integer> labels = new ArrayList<>();
        boolean ellipsis = false;
        for (int i = start; i < stop; i++) {
            char c = equation.charAt(i);
            if (c == ' ') {
                continue;
            }
            if (c == '.') {
                if (!ellipsisAt(equation, i, stop)) {
                    throw new IllegalArgumentException(op + ": '.' at position " + i + " in " + what
                            + " is not part of an ellipsis '...' (exactly three dots)");
                }
                if (ellipsis) {
                    throw new IllegalArgumentException(op + ": " + what + " has a second ellipsis '...' at position "
                            + i + "; one at most");
                }
                ellipsis = true;
                labels.add(ELLIPSIS);
                i += 2;
            } else {
                labels.add(letter(op, equation, i));
            }
        }
        return labels.stream().mapToInt(Integer::intValue).toArray();
    }

    /** True where exactly three dots start at {@code at}, before {@code stop}. */
    private static boolean ellipsisAt(String equation, int at, int stop) {
        return at + 3 <= stop && equation.startsWith("...", at) && (at + 3 == stop || equation.charAt(at + 3) != '.');
    }

    private static int letter(String op, String equation, int at) {
        char c = equation.charAt(at);
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return 26 + c - 'a';
        }
        throw new IllegalArgumentException(op + ": invalid character '" + c + "' at position " + at
                + "; subscripts are letters a-z and A-Z, '...', ',' between operands and one '->' before the output");
    }

    /** Each output letter once, and each one an input's. */
    private void checkOutput() {
        boolean[] seen = new boolean[ELLIPSIS_LABELS];
        for (int label : output) {
            if (label == ELLIPSIS) {
                continue;
            }
            if (seen[label]) {
                throw new IllegalArgumentException(this + ": index " + describe(label)
                        + " appears more than once in the output");
            }
            seen[label] = true;
            if (inputs.stream().noneMatch(in -> Arrays.stream(in).anyMatch(l -> l == label))) {
                throw new IllegalArgumentException(this + ": output index " + describe(label)
                        + " appears in no operand's subscripts");
            }
        }
    }

    /** How many operands the equation has subscripts for. */
    int operands() {
        return inputs.size();
    }

    /**
     * The number of dimensions the ellipsis stands for: the most that any operand's covers (0 where none has one),
     * after checking each operand's rank against its subscripts.
     */
    int ellipsisRank(Shape[] shapes) {
        int rank = 0;
        for (int i = 0; i < shapes.length; i++) {
            int[] subscripts = inputs.get(i);
            int letters = letters(subscripts);
            boolean ellipsis = hasEllipsis(subscripts);
            if (ellipsis ? shapes[i].rank() < letters : shapes[i].rank() != letters) {
                throw new IllegalArgumentException(this + ": operand " + i + " has shape " + shapes[i] + " (rank "
                        + shapes[i].rank() + ") but its subscripts '" + subscriptText(subscripts) + "' name "
                        + (ellipsis ? "at least " : "") + letters + " dimension" + (letters == 1 ? "" : "s"));
            }
            if (ellipsis) {
                rank = Math.max(rank, shapes[i].rank() - letters);
            }
        }
        return rank;
    }

    /** One label per dimension of operand {@code i} of rank {@code rank}, the ellipsis's spelled out. */
    int[] inputLabels(int i, int rank, int ellipsisRank) {
        int[] subscripts = inputs.get(i);
        return expand(subscripts, rank - letters(subscripts), ellipsisRank);
    }

    /**
     * The output's labels: as written, the ellipsis spelled out (and its dimensions summed over where the output has
     * none); in implicit mode the ellipsis's dimensions, then the letters that appear once, in alphabetical order.
     */
    int[] outputLabels(int ellipsisRank) {
        if (output != null) {
            return expand(output, hasEllipsis(output) ? ellipsisRank : 0, ellipsisRank);
        }
        int[] count = new int[ELLIPSIS_LABELS];
        for (int[] in : inputs) {
            for (int label : in) {
                if (label != ELLIPSIS) {
                    count[label]++;
                }
            }
        }
        return IntStream.concat(IntStream.range(ELLIPSIS_LABELS, ELLIPSIS_LABELS + ellipsisRank),
                IntStream.range(0, ELLIPSIS_LABELS).filter(l -> count[l] == 1)).toArray();
    }

    /** {@code subscripts} with its ellipsis replaced by the rightmost {@code covered} of the ellipsis's labels. */
    private static int[] expand(int[] subscripts, int covered, int ellipsisRank) {
        int[] labels = new int[letters(subscripts) + covered];
        int at = 0;
        for (int label : subscripts) {
            if (label == ELLIPSIS) {
                for (int j = ellipsisRank - covered; j < ellipsisRank; j++) {
                    labels[at++] = ELLIPSIS_LABELS + j;
                }
            } else {
                labels[at++] = label;
            }
        }
        return labels;
    }

    private static boolean hasEllipsis(int[] subscripts) {
        return Arrays.stream(subscripts).anyMatch(l -> l == ELLIPSIS);
    }

    private static int letters(int[] subscripts) {
        return (int) Arrays.stream(subscripts).filter(l -> l != ELLIPSIS).count();
    }

    private static String subscriptText(int[] subscripts) {
        StringBuilder s = new StringBuilder();
        for (int label : subscripts) {
            s.append(label == ELLIPSIS ? "..." : String.valueOf(letterOf(label)));
        }
        return s.toString();
    }

    private static char letterOf(int label) {
        return (char) (label < 26 ? 'A' + label : 'a' + label - 26);
    }

    /** A label as errors name it: {@code 'j'}, or {@code dimension 0 of '...'}. */
    static String describe(int label) {
        return label < ELLIPSIS_LABELS ? "'" + letterOf(label) + "'"
                : "dimension " + (label - ELLIPSIS_LABELS) + " of '...'";
    }

    @Override
    public String toString() {
        return name(text);
    }
}
