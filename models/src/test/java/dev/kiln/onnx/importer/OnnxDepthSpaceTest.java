package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DepthToSpace in both modes and SpaceToDepth, on eight channels 0..7 of one pixel (block size 2, two channels out). */
class OnnxDepthSpaceTest {
    private static final float[] CHANNELS = {0, 1, 2, 3, 4, 5, 6, 7};

    /** One {@code op} node on an input of 8 channels (or [1, 2, 2, 2] for SpaceToDepth), block size 2. */
    private static ModelProto node(String op, AttributeProto... more) {
        List<AttributeProto> attributes = new ArrayList<>(List.of(AttributeProto.ofInt("blocksize", 2)));
        attributes.addAll(List.of(more));
        long[] dims = op.equals("SpaceToDepth") ? new long[] {1, 2, 2, 2} : new long[] {1, 8, 1, 1};
        return OnnxGraphs.single(OnnxGraphs.node(op, List.of("x"), "y", attributes.toArray(new AttributeProto[0])),
                List.of(), OnnxGraphs.value("x", dims));
    }

    private static float[] run(ModelProto proto, float[] values, int... dims) {
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            return model.forward(Tensor.fromArray(values, dims)).toFloatArray();
        }
    }

    @Test
    void depthToSpaceInDcrModeTakesTheBlockOffsetsFromTheLeadingChannels() {
        ModelProto proto = node("DepthToSpace");

        assertArrayEquals(new float[] {0, 2, 4, 6, 1, 3, 5, 7}, run(proto, CHANNELS, 1, 8, 1, 1));
    }

    @Test
    void depthToSpaceInCrdModeIsPixelShuffle() {
        ModelProto proto = node("DepthToSpace", AttributeProto.ofString("mode", "CRD"));

        assertArrayEquals(CHANNELS, run(proto, CHANNELS, 1, 8, 1, 1));
    }

    @Test
    void theGradientsOfDepthToSpaceAndSpaceToDepthMatchFiniteDifferencesInF64() {
        for (String op : new String[] {"DepthToSpace", "SpaceToDepth"}) {
            try (OnnxModule model = OnnxImport.load(node(op))) {
                int[] dims = op.equals("SpaceToDepth") ? new int[] {1, 2, 2, 2} : new int[] {1, 8, 1, 1};
                Tensor x = PyTorchParity.values(7, dims).requiresGrad(true);

                GradCheck.check(op, in -> model.forward(in[0]), x);
            }
        }
    }

    @Test
    void spaceToDepthUndoesDepthToSpaceInDcrMode() {
        ModelProto proto = node("SpaceToDepth");

        assertArrayEquals(CHANNELS, run(proto, new float[] {0, 2, 4, 6, 1, 3, 5, 7}, 1, 2, 2, 2));
    }
}
