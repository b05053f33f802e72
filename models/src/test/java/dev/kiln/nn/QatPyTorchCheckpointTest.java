package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State dicts that PyTorch 1.13 saved from an eager-mode QAT model ({@code prepare_qat} of
 * {@code quantize_qat.py}'s model), written by {@code models/src/test/pytorch/qat_checkpoint.py} into
 * {@code resources/qat/}, load into Kiln's {@link QuantizationAwareTraining#prepareQat} of the same model, under
 * PyTorch's keys with its QuantStub's {@code quant.activation_post_process.*} as Kiln's {@code 0.input_fake_quant.*}
 * and {@code model.} dropped: the uint8 flags, and straight after {@code prepare_qat} the weight fake quantisations'
 * scale and zero point of size [1] and their observers' empty ranges. Each loaded model then trains on one more batch
 * as PyTorch's did: the same outputs and qparams to float tolerance.
 */
class QatPyTorchCheckpointTest {
    /** The fake-quantised layers of the model, whose output grids PyTorch recorded. */
    private static final String[] LAYERS = {"0", "3", "5", "7"};
    private Scope scope;
    private SafeTensors.Loaded reference;

    @TempDir
    Path dir;

    @BeforeEach
    void open() throws IOException {
        scope = Scope.open();
        reference = SafeTensors.read(resource("reference.safetensors"));
    }

    @AfterEach
    void close() {
        reference.close();
        scope.close();
    }

    /** The test resource {@code /qat/FILE} copied to a file, as SafeTensors reads files. */
    private Path resource(String file) {
        try (InputStream in = getClass().getResourceAsStream("/qat/" + file)) {
            if (in == null) {
                throw new IllegalStateException("no test resource /qat/" + file);
            }
            Path copy = dir.resolve(file);
            Files.copy(in, copy);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** quantize_qat.py's model, prepared for QAT, with the PyTorch checkpoint {@code file} loaded strictly. */
    private Module loaded(String file) throws IOException {
        Module qat = QuantizationAwareTraining.prepareQat(new Sequential(Conv2d.builder(2, 4, 3).padding(1).build(),
                new ReLU(), new MaxPool2d(2), Conv2d.builder(4, 6, 3).stride(2).build(), new Flatten(),
                new Linear(24, 8), new ReLU(), new Linear(8, 5)));
        try (SafeTensors.Loaded checkpoint = SafeTensors.read(resource(file))) {
            qat.loadStateDict(kilnKeys(checkpoint.tensors()), true);
        }
        return qat;
    }

    /** PyTorch's keys as Kiln's: the QuantStub's fake quantisation is the first layer's input one. */
    private static Map<String, Tensor> kilnKeys(Map<String, Tensor> pytorch) {
        Map<String, Tensor> kiln = new LinkedHashMap<>();
        pytorch.forEach((key, t) -> kiln.put(key.startsWith("quant.activation_post_process.")
                ? "0.input_fake_quant." + key.substring("quant.activation_post_process.".length())
                : key.substring("model.".length()), t));
        return kiln;
    }

    private static QatLayer layer(Module qat, String path) {
        return (QatLayer) qat.getSubmodule(path);
    }

    /** Trains {@code qat} on the reference batch and checks its output and qparams against PyTorch's, {@code label}. */
    private void assertNextBatchAsPyTorch(Module qat, String label) {
        Map<String, Tensor> r = reference.tensors();
        float[] output;
        try (var g = Autograd.noGrad()) {
            output = qat.forward(r.get("input")).toFloatArray();
        }
        assertArrayEquals(r.get(label + "_output").toFloatArray(), output, 1e-5f, label + " output");
        assertGrid(label + " input", r, label + "_input", layer(qat, "0").inputFakeQuant());
        for (String path : LAYERS) {
            assertGrid(label + " layer " + path, r, label + "_" + path, layer(qat, path).outputFakeQuant());
        }
        float[] scales = r.get(label + "_0_weight_scales").toFloatArray();
        assertArrayEquals(scales, layer(qat, "0").weightFakeQuant().scales(), 2e-6f * scales[0],
                label + " layer 0 weight scales");
    }

    private static void assertGrid(String what, Map<String, Tensor> r, String key, FakeQuantize fq) {
        float scale = r.get(key + "_scale").toFloatArray()[0];
        assertEquals(scale, fq.grid().scale(), 2e-6f * scale, what + " scale");
        assertEquals(r.get(key + "_zero_point").toIntArray()[0], fq.grid().zeroPoint(), what + " zero point");
    }

    /** Straight after prepare_qat: weight qparams of size [1] and empty weight ranges, which no batch has set. */
    @Test
    void aCheckpointSavedBeforeAnyBatchLoadsAndTrainsAsPyTorchs() throws IOException {
        Module qat = loaded("prepared.safetensors");
        assertFalse(((MovingAveragePerChannelMinMaxObserver) layer(qat, "3").weightFakeQuant().observer())
                .hasObserved(), "an empty PyTorch range is one that has seen no weight");
        assertNextBatchAsPyTorch(qat, "prepared");
        qat.close();
    }

    /** After two SGD steps, with layer 7's output fake quantisation and layer 3's weight observer switched off. */
    @Test
    void aTrainedCheckpointResumesItsFlagsAndRangesAsPyTorchs() throws IOException {
        Module qat = loaded("trained.safetensors");
        assertFalse(layer(qat, "7").outputFakeQuant().fakeQuantEnabled(), "uint8 0 is off");
        assertTrue(layer(qat, "7").outputFakeQuant().observerEnabled(), "uint8 1 is on");
        assertFalse(layer(qat, "3").weightFakeQuant().observerEnabled());
        assertNextBatchAsPyTorch(qat, "trained");
        qat.close();
    }

    /**
     * A model straight out of prepareQat saves what PyTorch's prepared model saves, so that a checkpoint taken before
     * the first batch trains on in PyTorch: every key, each buffer of the same shape and values (before the first
     * weight, the per-channel weight fake quantisations' scale 1 and zero point 0 of size [1] and their observers'
     * empty ranges, not ranges of infinities, from which PyTorch's moving average would give NaN), each parameter of
     * the same shape. The flags alone keep Kiln's I32 where PyTorch's are uint8; PyTorch copies them into its own.
     */
    @Test
    void aModelSavedBeforeAnyBatchSavesPyTorchsFreshState() throws IOException {
        Module qat = QuantizationAwareTraining.prepareQat(new Sequential(Conv2d.builder(2, 4, 3).padding(1).build(),
                new ReLU(), new MaxPool2d(2), Conv2d.builder(4, 6, 3).stride(2).build(), new Flatten(),
                new Linear(24, 8), new ReLU(), new Linear(8, 5)));
        Map<String, Tensor> saved = qat.stateDict();
        try (SafeTensors.Loaded checkpoint = SafeTensors.read(resource("prepared.safetensors"))) {
            Map<String, Tensor> pytorch = kilnKeys(checkpoint.tensors());
            assertEquals(pytorch.keySet(), saved.keySet());
            Map<String, Tensor> parameters = qat.namedParameters();
            for (Map.Entry<String, Tensor> e : pytorch.entrySet()) {
                Tensor kiln = saved.get(e.getKey());
                assertEquals(e.getValue().shape(), kiln.shape(), e.getKey());
                if (!parameters.containsKey(e.getKey())) {
                    assertArrayEquals(e.getValue().to(DType.F64).toDoubleArray(), kiln.to(DType.F64).toDoubleArray(),
                            e.getKey());
                }
            }
        }
        qat.close();
    }
}
