package dev.kiln.onnx.importer;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * MaxPool, with its optional Indices output: I64 of the values' shape, each maximum's position in the whole input
 * tensor ({@code (n C + c) * region} plus its place in the channel's unpadded plane, row-major, or with storage_order
 * 1 column-major), the first maximum of a window where several tie, as ONNX Runtime's. Values and indices come from
 * one pooling; Kiln's pooling ops give the indices for pads alike at both ends of an axis and at most half its kernel,
 * so other pads are refused for the indices by name (the values alone take any pads).
 */
final class MaxPoolConverter implements OnnxConverter {
    @Override
    public OnnxStep compile(OnnxNode node) {
        return ConvolutionConverters.maxPool(node);
    }

    @Override
    public OnnxStep[] compileOutputs(OnnxNode node, int count) {
        if (count > 2) {
            throw node.error("has " + count + " outputs; MaxPool has 2 (Y and Indices)");
        }
        long order = node.intAttr("storage_order", 0);
        if (order != 0 && order != 1) {
            throw node.error("storage_order " + order + "; ONNX's are 0 (row-major) and 1 (column-major)");
        }
        if (count < 2 || node.proto().outputs().get(1).isEmpty()) {
            return count == 1 ? new OnnxStep[] {compile(node)} : new OnnxStep[] {compile(node), null};
        }
        AutoPad.of(node);
        boolean ceil = node.intAttr("ceil_mode", 0) != 0;
        SharedRun shared = new SharedRun(1, ConvolutionConverters.spatialOutputs(node, false,
                (x, w, g) -> withIndices(node, x, g, ceil, order == 1)));
        return new OnnxStep[] {(in, floatType) -> shared.output(0, in, floatType),
                (in, floatType) -> shared.output(1, in, floatType)};
    }

    /** The pooled values of x [N, C, H, W] or [N, C, D, H, W] and ONNX's whole-tensor indices of them. */
    private static Tensor[] withIndices(OnnxNode node, Tensor x, PoolingGeometry g, boolean ceil,
            boolean columnMajor) {
        if (!g.poolable()) {
            throw node.error("Indices with pads " + Arrays.toString(g.padBegin()) + " at the beginning and "
                    + Arrays.toString(g.padEnd()) + " at the end of the axes of kernel " + Arrays.toString(g.kernel())
                    + ": Kiln gives MaxPool's Indices where each axis is padded alike at both ends, by at most half "
                    + "its kernel");
        }
        F.MaxPoolOutput pooled = x.rank() == 5
                ? F.maxPool3dWithIndices(x, g.kernel(), g.stride(), g.padding(), g.dilation(), ceil)
                : F.maxPool2dWithIndices(x, g.kernel(), g.stride(), g.padding(), g.dilation(), ceil);
        int[] sizes = Arrays.copyOfRange(x.shape().dims(), 2, x.rank());
        Tensor inPlane = columnMajor ? PlaneIndices.columnMajor(pooled.indices(), sizes) : pooled.indices();
        long region = Arrays.stream(sizes).asLongStream().reduce(1, (a, b) -> a * b);
        return new Tensor[] {pooled.output(), PlaneIndices.wholeTensor(inPlane, region)};
    }
}
