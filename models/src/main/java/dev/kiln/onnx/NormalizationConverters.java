package dev.kiln.onnx;

import dev.kiln.nn.BatchNorm;
import dev.kiln.nn.BatchNorm1d;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.LayerNorm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** BatchNorm1d and BatchNorm2d on their running statistics (BatchNormalization), LayerNorm (LayerNormalization). */
final class NormalizationConverters {
    private NormalizationConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(BatchNorm1d.class, NormalizationConverters::batchNorm);
        c.put(BatchNorm2d.class, NormalizationConverters::batchNorm);
        c.put(LayerNorm.class, NormalizationConverters::layerNorm);
    }

    /**
     * Evaluation mode: (x - running_mean) / sqrt(running_var + eps) * weight + bias per channel (axis 1); the momentum
     * as ONNX's (1 minus Kiln's) for a graph that trains, left at ONNX's default for the cumulative average.
     */
    static String batchNorm(BatchNorm m, String x, OnnxGraph g) {
        if (m.runningMean() == null) {
            throw new IllegalArgumentException("ONNX export: " + m.describe() + " at '" + g.path() + "' keeps no"
                    + " running statistics (track_running_stats=False), so its evaluation uses each batch's own");
        }
        long[] channels = {m.channels()};
        String scale = m.weight() == null ? g.constant(channels, filled(m.channels(), 1))
                : g.parameter("weight", m.weight());
        String shift = m.bias() == null ? g.constant(channels, filled(m.channels(), 0)) : g.parameter("bias", m.bias());
        List<String> inputs = List.of(x, scale, shift, g.parameter("running_mean", m.runningMean()),
                g.parameter("running_var", m.runningVar()));
        AttributeProto eps = AttributeProto.ofFloat("epsilon", (float) m.eps());
        if (m.momentum() == null) {
            return g.node("BatchNormalization", inputs, eps);
        }
        // ONNX weighs the running statistics by its momentum, PyTorch and Kiln the batch's by theirs.
        return g.node("BatchNormalization", inputs, eps,
                AttributeProto.ofFloat("momentum", (float) (1 - m.momentum())));
    }

    /** Over the last axis; without the elementwise affine, a scale of ones and no bias. */
    private static String layerNorm(LayerNorm m, String x, OnnxGraph g) {
        int[] shape = g.inputShape();
        int features = shape[shape.length - 1];
        List<String> inputs = new ArrayList<>(List.of(x));
        if (m.weight() == null) {
            inputs.add(g.constant(new long[] {features}, filled(features, 1)));
        } else {
            inputs.add(g.parameter("weight", m.weight()));
            inputs.add(g.parameter("bias", m.bias()));
        }
        return g.node("LayerNormalization", inputs, AttributeProto.ofInt("axis", -1),
                AttributeProto.ofFloat("epsilon", (float) m.eps()));
    }

    static float[] filled(int n, float value) {
        float[] v = new float[n];
        Arrays.fill(v, value);
        return v;
    }
}
