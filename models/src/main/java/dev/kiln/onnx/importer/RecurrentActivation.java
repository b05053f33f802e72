package dev.kiln.onnx.importer;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import dev.kiln.onnx.AttributeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One of ONNX's recurrent activations (an entry of RNN's, LSTM's or GRU's activations attribute) with its alpha and
 * beta: Relu, Tanh, Sigmoid, Affine ({@code alpha x + beta}), LeakyRelu, ThresholdedRelu ({@code x} where
 * {@code x > alpha}, else 0), ScaledTanh ({@code alpha tanh(beta x)}), HardSigmoid ({@code min(max(alpha x + beta,
 * 0), 1)}), Elu, Softsign and Softplus, composed of Tensor ops (so autograd runs through them).
 */
record RecurrentActivation(Kind kind, double alpha, double beta) {
    /** ONNX's activation names, whether each takes an alpha and a beta, and the defaults of its ONNX operator. */
    enum Kind {
        RELU("Relu"), TANH("Tanh"), SIGMOID("Sigmoid"), AFFINE("Affine", Double.NaN, Double.NaN),
        LEAKY_RELU("LeakyRelu", 0.01), THRESHOLDED_RELU("ThresholdedRelu", 1.0),
        SCALED_TANH("ScaledTanh", Double.NaN, Double.NaN), HARD_SIGMOID("HardSigmoid", 0.2, 0.5), ELU("Elu", 1.0),
        SOFTSIGN("Softsign"), SOFTPLUS("Softplus");

        private final String onnxName;
        private final boolean takesAlpha;
        private final boolean takesBeta;
        /** NaN where ONNX gives no default (Affine and ScaledTanh have no ONNX operator left). */
        private final double defaultAlpha;
        private final double defaultBeta;

        Kind(String onnxName) {
            this(onnxName, false, false, 0, 0);
        }

        Kind(String onnxName, double defaultAlpha) {
            this(onnxName, true, false, defaultAlpha, 0);
        }

        Kind(String onnxName, double defaultAlpha, double defaultBeta) {
            this(onnxName, true, true, defaultAlpha, defaultBeta);
        }

        Kind(String onnxName, boolean takesAlpha, boolean takesBeta, double defaultAlpha, double defaultBeta) {
            this.onnxName = onnxName;
            this.takesAlpha = takesAlpha;
            this.takesBeta = takesBeta;
            this.defaultAlpha = defaultAlpha;
            this.defaultBeta = defaultBeta;
        }
    }

    Tensor apply(Tensor x) {
        return switch (kind) {
            case RELU -> x.relu();
            case TANH -> x.tanh();
            case SIGMOID -> x.sigmoid();
            case AFFINE -> x.mul(alpha).add(beta);
            case LEAKY_RELU -> x.leakyRelu(alpha);
            case THRESHOLDED_RELU -> x.maskedFill(x.le(alpha), 0);
            case SCALED_TANH -> x.mul(beta).tanh().mul(alpha);
            case HARD_SIGMOID -> x.mul(alpha).add(beta).clamp(0, 1);
            case ELU -> x.elu(alpha);
            case SOFTSIGN -> x.div(x.abs().add(1));
            case SOFTPLUS -> F.softplus(x);
        };
    }

    /**
     * The node's activations by name (any case), each taking the next of activation_alpha and of activation_beta
     * where it takes one, as ONNX consumes them in the activations' order, or its ONNX operator's default when they
     * have run out.
     *
     * @throws IllegalArgumentException naming the node for a name ONNX does not list, an Affine or ScaledTanh left
     *     without a value (ONNX gives them no default), or values beyond what the activations take
     */
    static List<RecurrentActivation> of(OnnxNode node, List<String> names) {
        float[] alphas = floats(node, "activation_alpha");
        float[] betas = floats(node, "activation_beta");
        int alphaUsed = 0;
        int betaUsed = 0;
        List<RecurrentActivation> activations = new ArrayList<>();
        for (String name : names) {
            Kind kind = kind(node, names, name);
            double alpha = kind.takesAlpha && alphaUsed < alphas.length ? alphas[alphaUsed++] : kind.defaultAlpha;
            double beta = kind.takesBeta && betaUsed < betas.length ? betas[betaUsed++] : kind.defaultBeta;
            if (Double.isNaN(alpha) || Double.isNaN(beta)) {
                throw node.error("activations " + names + ": " + kind.onnxName + " needs an activation_"
                        + (Double.isNaN(alpha) ? "alpha" : "beta") + ", which ONNX gives no default");
            }
            activations.add(new RecurrentActivation(kind, alpha, beta));
        }
        checkAllUsed(node, names, "activation_alpha", alphas, alphaUsed);
        checkAllUsed(node, names, "activation_beta", betas, betaUsed);
        return activations;
    }

    private static Kind kind(OnnxNode node, List<String> names, String name) {
        for (Kind k : Kind.values()) {
            if (k.onnxName.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        List<String> known = Arrays.stream(Kind.values()).map(k -> k.onnxName).toList();
        throw node.error("activations " + names + ": " + name + " is none of ONNX's recurrent activations "
                + String.join(", ", known));
    }

    private static float[] floats(OnnxNode node, String attribute) {
        return node.attribute(attribute).map(AttributeProto::floats).orElse(new float[0]);
    }

    private static void checkAllUsed(OnnxNode node, List<String> names, String attribute, float[] values, int used) {
        if (used < values.length) {
            throw node.error(attribute + " " + Arrays.toString(values) + " holds " + values.length + " value(s); the "
                    + "activations " + names + " take " + used);
        }
    }
}
