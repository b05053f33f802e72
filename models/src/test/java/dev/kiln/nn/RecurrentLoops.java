package dev.kiln.nn;

import java.util.Map;

/**
 * Recurrent layers written as plain Java loops over doubles, from PyTorch's documented formulas: the
 * reference the layer tests compare with. Each sequence of the batch is run alone over its own length;
 * the reverse direction reads it from its last real step; outputs at padded steps are zero.
 */
final class RecurrentLoops {
    /** output [B][T][D * H], h and c [L * D][B][H] (c null but for an LSTM). */
    record Result(double[][][] output, double[][][] h, double[][][] c) {
    }

    private final String kind;
    private final int hidden;
    private final int layers;
    private final int directions;
    private final Map<String, double[]> params;

    /**
     * @param kind   "lstm", "gru", "rnn_tanh" or "rnn_relu"
     * @param params the layer's parameters by PyTorch name, row-major
     */
    RecurrentLoops(String kind, int hidden, int layers, boolean bidirectional, Map<String, double[]> params) {
        this.kind = kind;
        this.hidden = hidden;
        this.layers = layers;
        this.directions = bidirectional ? 2 : 1;
        this.params = params;
    }

    private int gates() {
        return switch (kind) {
            case "lstm" -> 4;
            case "gru" -> 3;
            default -> 1;
        };
    }

    /**
     * @param x       [B][T][in]
     * @param lengths real length of each sequence, or null for all T
     * @param h0      [L * D][B][H] or null for zeros; c0 likewise (LSTM)
     */
    Result run(double[][][] x, int[] lengths, double[][][] h0, double[][][] c0) {
        int batch = x.length;
        int steps = x[0].length;
        double[][][] out = new double[batch][steps][directions * hidden];
        double[][][] hN = new double[layers * directions][batch][];
        double[][][] cN = kind.equals("lstm") ? new double[layers * directions][batch][] : null;
        for (int b = 0; b < batch; b++) {
            int length = lengths == null ? steps : lengths[b];
            double[][] input = new double[length][];
            for (int t = 0; t < length; t++) {
                input[t] = x[b][t];
            }
            for (int layer = 0; layer < layers; layer++) {
                double[][] next = new double[length][directions * hidden];
                for (int d = 0; d < directions; d++) {
                    int row = layer * directions + d;
                    double[] h = h0 == null ? new double[hidden] : h0[row][b].clone();
                    double[] c = c0 == null ? new double[hidden] : c0[row][b].clone();
                    String suffix = "_l" + layer + (d == 1 ? "_reverse" : "");
                    for (int k = 0; k < length; k++) {
                        int t = d == 1 ? length - 1 - k : k;
                        double[][] hc = step(suffix, input[t], h, c);
                        h = hc[0];
                        c = hc[1];
                        System.arraycopy(h, 0, next[t], d * hidden, hidden);
                    }
                    hN[row][b] = h;
                    if (cN != null) {
                        cN[row][b] = c;
                    }
                }
                input = next;
            }
            for (int t = 0; t < length; t++) {
                out[b][t] = input[t];
            }
        }
        return new Result(out, hN, cN);
    }

    /** One step: {h', c'}. */
    private double[][] step(String suffix, double[] x, double[] h, double[] c) {
        double[] gi = affine(params.get("weight_ih" + suffix), params.get("bias_ih" + suffix), x, gates() * hidden);
        double[] gh = affine(params.get("weight_hh" + suffix), params.get("bias_hh" + suffix), h, gates() * hidden);
        double[] hNext = new double[hidden];
        double[] cNext = new double[hidden];
        for (int j = 0; j < hidden; j++) {
            switch (kind) {
                case "lstm" -> {
                    double i = sigmoid(gi[j] + gh[j]);
                    double f = sigmoid(gi[hidden + j] + gh[hidden + j]);
                    double g = Math.tanh(gi[2 * hidden + j] + gh[2 * hidden + j]);
                    double o = sigmoid(gi[3 * hidden + j] + gh[3 * hidden + j]);
                    cNext[j] = f * c[j] + i * g;
                    hNext[j] = o * Math.tanh(cNext[j]);
                }
                case "gru" -> {
                    double r = sigmoid(gi[j] + gh[j]);
                    double z = sigmoid(gi[hidden + j] + gh[hidden + j]);
                    double n = Math.tanh(gi[2 * hidden + j] + r * gh[2 * hidden + j]);
                    hNext[j] = (1 - z) * n + z * h[j];
                }
                case "rnn_tanh" -> hNext[j] = Math.tanh(gi[j] + gh[j]);
                case "rnn_relu" -> hNext[j] = Math.max(0, gi[j] + gh[j]);
                default -> throw new IllegalArgumentException(kind);
            }
        }
        return new double[][] {hNext, cNext};
    }

    /** W v + b for W [rows, v.length] (b may be null). */
    private static double[] affine(double[] w, double[] b, double[] v, int rows) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = b == null ? 0 : b[r];
            for (int k = 0; k < v.length; k++) {
                s += w[r * v.length + k] * v[k];
            }
            out[r] = s;
        }
        return out;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
