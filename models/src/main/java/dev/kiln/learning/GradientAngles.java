package dev.kiln.learning;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * How far a learning rule's update points from the true gradient: per layer, the angle in degrees between
 * the rule's weight update and the backpropagation gradient of the same weights on the same batch (0 =
 * the same direction, 90 = orthogonal, the expected value for a random direction).
 */
public final class GradientAngles {
    private GradientAngles() {
    }

    /**
     * Angles [depth] in degrees, one per weighted layer; NaN for a layer the rule does not update (a frozen
     * one). Leaves every parameter's {@code grad()} zeroed and changes no weight.
     */
    public static double[] measure(GradientRule rule, Tensor features, Tensor labels) {
        LayeredMlp model = rule.model();
        model.parameters().forEach(Tensor::zeroGrad);
        rule.computeGradients(features, labels);
        List<Tensor> ruleGrads = new ArrayList<>();
        for (int i = 0; i < model.depth(); i++) {
            Tensor g = model.layer(i).weight().grad();
            ruleGrads.add(g == null ? null : g.copy());
        }
        model.parameters().forEach(Tensor::zeroGrad);
        F.crossEntropy(model.forwardBackprop(features), labels).backward();
        double[] angles = new double[model.depth()];
        for (int i = 0; i < model.depth(); i++) {
            angles[i] = ruleGrads.get(i) == null ? Double.NaN : degrees(ruleGrads.get(i), model.layer(i).weight().grad());
        }
        model.parameters().forEach(Tensor::zeroGrad);
        return angles;
    }

    /** The angle in degrees between a and b seen as flat vectors of the same size. */
    public static double degrees(Tensor a, Tensor b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("GradientAngles: " + a.shape() + " and " + b.shape() + " differ in size");
        }
        double dot = a.mul(b).sum().item();
        double norms = Math.sqrt(a.square().sum().item() * b.square().sum().item());
        if (norms == 0) {
            throw new IllegalArgumentException("GradientAngles: the angle to a zero vector is undefined");
        }
        return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, dot / norms))));
    }
}
