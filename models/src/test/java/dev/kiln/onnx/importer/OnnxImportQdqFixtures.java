package dev.kiln.onnx.importer;

/** Printed by models/src/test/pytorch/onnx_qdq_fixture.py (PyTorch 1.13): resources/onnx/torch_qdq_net.onnx's
 * statically quantised model's output on 3 * parity.pattern(128, 7) (float32) of shape [2, 1, 8, 8], and the output
 * scale of its last layer. */
final class OnnxImportQdqFixtures {
    static final int[] INPUT_SHAPE = {2, 1, 8, 8};
    static final float OUTPUT_SCALE = 0.0033384140115231276f;
    static final float[] OUTPUT = {
            0.050076209008693695f, -0.06342986971139908f, 0.1301981508731842f, 0.12352132052183151f,
            0.0433993823826313f, -0.06342986971139908f, 0.07678352296352386f, 0.09013717621564865f};

    private OnnxImportQdqFixtures() {
    }
}
