package dev.kiln.onnx.importer;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * BatchNormalization (in the module's mode), LayerNormalization, InstanceNormalization, Softmax, LogSoftmax and
 * GroupNormalization, in the semantics of the opset the model imports.
 */
final class NormalizationConverters {
    private NormalizationConverters() {
    }

    static void register(Map<String, OnnxConverter> ops) {
        ops.put("BatchNormalization", NormalizationConverters::batchNormalization);
        ops.put("LayerNormalization", NormalizationConverters::layerNormalization);
        ops.put("Softmax", n -> softmax(n, F::softmax));
        ops.put("LogSoftmax", n -> softmax(n, F::logSoftmax));
        ops.put("InstanceNormalization", NormalizationConverters::instanceNormalization);
        ops.put("GroupNormalization", NormalizationConverters::groupNormalization);
    }

    /**
     * GroupNormalization (opset 18): x [N, C, ...] normalised over each of num_groups groups of channels (biased
     * variance plus epsilon), then scaled and shifted, per channel from opset 21 (scale and bias [C]), per group before
     * (opset 18's [num_groups], each entry over its group's channels). Runs as {@link F#groupNorm} in the graph's
     * precision, which for an F32 graph is opset 21's default stash_type.
     */
    private static OnnxStep groupNormalization(OnnxNode node) {
        if (!node.has("num_groups")) {
            throw node.error("has no num_groups attribute, which ONNX requires");
        }
        int groups = Math.toIntExact(node.intAttr("num_groups", 0));
        double eps = node.floatAttr("epsilon", 1e-5f);
        boolean perGroup = node.opset() < 21;
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            Tensor scale = in[1].tensor(floatType);
            Tensor bias = in[2].tensor(floatType);
            if (perGroup) {
                scale = perChannel(node, "scale", scale, groups, x);
                bias = perChannel(node, "bias", bias, groups, x);
            }
            return OnnxValue.of(F.groupNorm(x, groups, scale, bias, eps));
        };
    }

    /** Opset 18's per-group {@code t} [num_groups] spread over each group's channels: [C]. */
    private static Tensor perChannel(OnnxNode node, String name, Tensor t, int groups, Tensor x) {
        int channels = x.rank() < 2 ? 0 : x.dim(1);
        if (t.rank() != 1 || t.dim(0) != groups || groups < 1 || channels % groups != 0) {
            throw node.error(name + " " + t.shape() + " must be [num_groups] = [" + groups + "] at opset "
                    + node.opset() + " (per channel from opset 21), num_groups dividing the channels of input "
                    + x.shape());
        }
        return t.unsqueeze(1).expand(groups, channels / groups).reshape(channels);
    }

    /**
     * Softmax or LogSoftmax over {@code axis}; before opset 13 over the axes from {@code axis} on taken as one (the
     * input seen as 2-D [outer, inner]), its default axis 1.
     */
    private static OnnxStep softmax(OnnxNode node, BiFunction<Tensor, Integer, Tensor> op) {
        boolean flattened = node.opset() < 13;
        long axisAttr = node.intAttr("axis", flattened ? 1 : -1);
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            int axis = ShapeConverters.axis(node, axisAttr, x.rank());
            if (!flattened || axis == x.rank() - 1) {
                return OnnxValue.of(op.apply(x, axis));
            }
            int outer = (int) x.shape().outer(axis);
            return OnnxValue.of(op.apply(x.reshape(outer, (int) (x.size() / Math.max(1, outer))), 1)
                    .reshape(x.shape().dims()));
        };
    }

    /**
     * BatchNormalization: inputs X, scale, B, input_mean, input_var; X [N, C, ...] (C channels). The
     * module's mode decides, not the training_mode the file was exported with: in evaluation mode it normalises with
     * the running statistics; in training mode with the batch's mean and biased variance, and it updates input_mean and
     * input_var (the module's buffers) in place as PyTorch's BatchNorm does, {@code running = momentum * running +
     * (1 - momentum) * batch} (ONNX's momentum is 1 minus PyTorch's), the batch's variance entered unbiased (ONNX's
     * reference enters the biased one).
     */
    private static OnnxStep batchNormalization(OnnxNode node) {
        float eps = node.floatAttr("epsilon", 1e-5f);
        double batchWeight = 1 - node.floatAttr("momentum", 0.9f);
        ModalStep step = (in, floatType, training) -> {
            Tensor x = in[0].tensor(floatType);
            // F.batchNorm takes [N, C] or [N, C, H, W]: a sequence or a volume is seen as [N, C, positions, 1].
            boolean images = x.rank() == 2 || x.rank() == 4;
            Tensor y = F.batchNorm(images ? x : x.reshape(x.dim(0), x.dim(1), -1, 1), in[3].tensor(floatType),
                    in[4].tensor(floatType), in[1].tensor(floatType), in[2].tensor(floatType), training, batchWeight,
                    eps);
            return OnnxValue.of(images ? y : y.reshape(x.shape().dims()));
        };
        return step;
    }

    /**
     * LayerNormalization over the axes from {@code axis} to the last: the input's mean and biased variance over them,
     * then Scale and the optional B.
     */
    private static OnnxStep layerNormalization(OnnxNode node) {
        long axisAttr = node.intAttr("axis", -1);
        float eps = node.floatAttr("epsilon", 1e-5f);
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            int[] dims = x.shape().dims();
            int axis = (int) (axisAttr < 0 ? axisAttr + dims.length : axisAttr);
            if (axis < 0 || axis >= dims.length) {
                throw node.error("axis " + axisAttr + " is out of range for input " + x.shape());
            }
            int[] flat = Arrays.copyOf(dims, axis + 1);
            flat[axis] = (int) (x.size() / Math.max(1, x.shape().outer(axis)));
            Tensor y = normalisedRows(x.reshape(flat), eps).reshape(dims).mul(in[1].tensor(floatType));
            return OnnxValue.of(in.length > 2 && in[2] != null ? y.add(in[2].tensor(floatType)) : y);
        };
    }

    /** {@code rows} less their mean over the last axis, divided by sqrt(biased variance + eps). */
    private static Tensor normalisedRows(Tensor rows, float eps) {
        Tensor centred = rows.sub(rows.mean(-1, true));
        return centred.div(centred.square().mean(-1, true).add(eps).sqrt());
    }

    /**
     * InstanceNormalization: each sample's channel normalised over its spatial axes (mean and biased variance), then
     * scale and B per channel; [N, C, ...].
     */
    private static OnnxStep instanceNormalization(OnnxNode node) {
        float eps = node.floatAttr("epsilon", 1e-5f);
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            int[] dims = x.shape().dims();
            Tensor rows = x.reshape(dims[0], dims[1], (int) (x.size() / ((long) dims[0] * dims[1])));
            Tensor normalised = normalisedRows(rows, eps);
            int[] perChannel = new int[dims.length - 1];
            Arrays.fill(perChannel, 1);
            perChannel[0] = dims[1];
            return OnnxValue.of(normalised.reshape(dims).mul(in[1].tensor(floatType).reshape(perChannel))
                    .add(in[2].tensor(floatType).reshape(perChannel)));
        };
    }

}
