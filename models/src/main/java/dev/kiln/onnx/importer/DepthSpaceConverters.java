package dev.kiln.onnx.importer;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.Map;

/**
 * DepthToSpace and SpaceToDepth on [batch, channels, height, width] with block size {@code b}. DepthToSpace in CRD
 * mode is PyTorch's pixel_shuffle ({@link F#pixelShuffle}, as Kiln's export writes PixelShuffle); in DCR mode (ONNX's
 * default) the block offsets come first in the channels: [n, b, b, c, h, w] permuted to [n, c, h, b, w, b]. SpaceToDepth
 * is DCR's inverse: [n, c, h, b, w, b] permuted to [n, b, b, c, h, w].
 */
final class DepthSpaceConverters {
    private DepthSpaceConverters() {
    }

    static void register(Map<String, OnnxConverter> ops) {
        ops.put("DepthToSpace", DepthSpaceConverters::depthToSpace);
        ops.put("SpaceToDepth", DepthSpaceConverters::spaceToDepth);
    }

    private static int blockSize(OnnxNode node) {
        if (!node.has("blocksize") || node.intAttr("blocksize", 0) < 1) {
            throw node.error("needs a positive blocksize attribute, got " + node.intAttr("blocksize", 0));
        }
        return Math.toIntExact(node.intAttr("blocksize", 0));
    }

    private static OnnxStep depthToSpace(OnnxNode node) {
        int b = blockSize(node);
        String mode = node.stringAttr("mode", "DCR");
        if (!mode.equals("DCR") && !mode.equals("CRD")) {
            throw node.error("mode " + mode + "; ONNX's modes are DCR and CRD");
        }
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            if (mode.equals("CRD")) {
                return OnnxValue.of(F.pixelShuffle(x, b));
            }
            requireImages(node, x, b * b, 1);
            int n = x.dim(0);
            int c = x.dim(1) / (b * b);
            int h = x.dim(2);
            int w = x.dim(3);
            return OnnxValue.of(x.reshape(n, b, b, c, h, w).permute(0, 3, 4, 1, 5, 2).reshape(n, c, h * b, w * b));
        };
    }

    private static OnnxStep spaceToDepth(OnnxNode node) {
        int b = blockSize(node);
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            requireImages(node, x, 1, b);
            int n = x.dim(0);
            int c = x.dim(1);
            int h = x.dim(2) / b;
            int w = x.dim(3) / b;
            return OnnxValue.of(x.reshape(n, c, h, b, w, b).permute(0, 3, 5, 1, 2, 4).reshape(n, c * b * b, h, w));
        };
    }

    /** Refuses other than [n, c, h, w] with c divisible by {@code channels} and h, w by {@code spatial}. */
    private static void requireImages(OnnxNode node, Tensor x, int channels, int spatial) {
        if (x.rank() != 4 || x.dim(1) % channels != 0 || x.dim(2) % spatial != 0 || x.dim(3) % spatial != 0) {
            throw node.error("input must be [batch, channels, height, width] with channels divisible by " + channels
                    + " and height and width by " + spatial + ", got " + x.shape());
        }
    }
}
