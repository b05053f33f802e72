package dev.kiln.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Engine;
import dev.kiln.nn.Bidirectional;
import dev.kiln.nn.GRU;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.RNN;
import dev.kiln.nn.Recurrent;
import dev.kiln.nn.Sequential;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RNN (tanh, ReLU), LSTM and GRU with random weights exported and run in ONNX Runtime against Kiln's evaluation-mode
 * forward on sequences of 5 steps, batch 3 and batch 1, |ort - kiln| <= 1e-4 (1 + |kiln|) (see {@link OrtCheck}). A
 * file takes both batches: a batch-first layer's by the default dynamic batch, a time-first layer's by its time and
 * batch axes named.
 */
@Tag("onnxruntime")
class RecurrentOnnxExportTest {
    private static final int STEPS = 5;
    private static final int INPUT = 3;
    private static final int HIDDEN = 4;
    private static final List<String> CELLS = List.of("rnn tanh", "rnn relu", "lstm", "gru");

    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        Engine.seed(17);
    }

    /** Every cell x {1, 2} layers x {uni, bidirectional} x {time-first, batch-first}. */
    static Stream<Arguments> layerOptions() {
        List<Arguments> all = new ArrayList<>();
        for (String cell : CELLS) {
            for (int layers : new int[] {1, 2}) {
                for (boolean bidirectional : new boolean[] {false, true}) {
                    for (boolean batchFirst : new boolean[] {false, true}) {
                        all.add(Arguments.of(cell, layers, bidirectional, batchFirst));
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, {1} layers, bidirectional {2}, batchFirst {3}")
    @MethodSource("layerOptions")
    void aRecurrentLayerRunsInOnnxRuntimeAsInKiln(String cell, int layers, boolean bidirectional, boolean batchFirst)
            throws Exception {
        check(layer(cell, layers, bidirectional, batchFirst, true, 0), batchFirst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rnn tanh", "rnn relu", "lstm", "gru"})
    void aLayerWithoutBiasesHasNoBiasInput(String cell) throws Exception {
        check(layer(cell, 2, true, true, false, 0), true);
    }

    @Test
    void dropoutBetweenLayersIsOffInEvaluation() throws Exception {
        check(layer("lstm", 2, false, true, true, 0.5), true);
    }

    @Test
    void aTimeFirstLayersFileTakesOtherSequenceLengthsAndBatches() throws Exception {
        Recurrent gru = layer("gru", 2, true, false, true, 0);
        Path file = dir.resolve("gru.onnx");
        Map<Integer, String> timeAndBatch = Map.of(0, "time", 1, "batch");
        OnnxExport.export(gru, new int[] {STEPS, 3, INPUT}, file,
                OnnxExportOptions.defaults().withDynamicAxes(timeAndBatch, timeAndBatch));
        OrtCheck.compare(gru, file, new int[] {2, 3, INPUT}, "input");
        OrtCheck.compare(gru, file, new int[] {9, 1, INPUT}, "input");
    }

    @Test
    void aRecurrentLayerInsideAModelFeedsTheNextLayer() throws Exception {
        Module model = new Sequential(layer("lstm", 2, true, true, true, 0), new Linear(2 * HIDDEN, 2));
        OrtCheck.exportAndCompare(model, dir, STEPS, INPUT);
    }

    @Test
    void theWeightsStayInitializersUnderTheirStateDictNames() {
        Module model = new Sequential(layer("lstm", 2, true, true, true, 0));
        List<String> names = OnnxExport.toProto(model, new int[] {3, STEPS, INPUT}, OnnxExportOptions.defaults())
                .graph().initializers().stream().map(TensorProto::name).toList();
        assertTrue(names.containsAll(model.stateDict().keySet()), names.toString());
    }

    @Test
    void eachStackedLayerIsOneNodeWithBothDirections() {
        Module model = new Sequential(layer("gru", 2, true, true, true, 0));
        List<NodeProto> nodes = OnnxExport.toProto(model, new int[] {3, STEPS, INPUT}, OnnxExportOptions.defaults())
                .graph().nodes().stream().filter(n -> n.opType().equals("GRU")).toList();
        assertEquals(2, nodes.size());
        for (NodeProto n : nodes) {
            assertTrue(n.attributes().contains(AttributeProto.ofString("direction", "bidirectional")), n.toString());
            assertTrue(n.attributes().contains(AttributeProto.ofInt("linear_before_reset", 1)), n.toString());
        }
    }

    /** Every cell x {concatenated, summed} x {time-first, batch-first}, two layers in each direction. */
    static Stream<Arguments> wrapperOptions() {
        List<Arguments> all = new ArrayList<>();
        for (String cell : CELLS) {
            for (Bidirectional.Merge merge : Bidirectional.Merge.values()) {
                for (boolean batchFirst : new boolean[] {false, true}) {
                    all.add(Arguments.of(cell, merge, batchFirst));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, {1}, batchFirst {2}")
    @MethodSource("wrapperOptions")
    void theBidirectionalWrapperRunsInOnnxRuntimeAsInKiln(String cell, Bidirectional.Merge merge, boolean batchFirst)
            throws Exception {
        Module wrapper = new Bidirectional(layer(cell, 2, false, batchFirst, true, 0),
                layer(cell, 2, false, batchFirst, true, 0), merge);
        check(wrapper, batchFirst);
    }

    /**
     * One file run at batch 3 and 1: batch-first with the default dynamic batch, time-first with its time and batch
     * axes named (the default would take the time axis for the batch).
     */
    private void check(Module model, boolean batchFirst) throws Exception {
        if (batchFirst) {
            OrtCheck.exportAndCompare(model, dir, STEPS, INPUT);
            return;
        }
        Map<Integer, String> timeAndBatch = Map.of(0, "time", 1, "batch");
        Path file = dir.resolve("time-first.onnx");
        OnnxExport.export(model, new int[] {STEPS, 3, INPUT}, file,
                OnnxExportOptions.defaults().withDynamicAxes(timeAndBatch, timeAndBatch));
        for (int batch : new int[] {3, 1}) {
            OrtCheck.compare(model, file, new int[] {STEPS, batch, INPUT}, "input");
        }
    }

    /** A layer with PyTorch's uniform initialisation everywhere (the LSTM's forget biases drawn too). */
    private static Recurrent layer(String cell, int layers, boolean bidirectional, boolean batchFirst, boolean bias,
            double dropout) {
        return switch (cell) {
            case "rnn tanh" -> options(RNN.builder(INPUT, HIDDEN), layers, bidirectional, batchFirst, bias, dropout);
            case "rnn relu" -> options(RNN.builder(INPUT, HIDDEN).nonlinearity("relu"), layers, bidirectional,
                    batchFirst, bias, dropout);
            case "lstm" -> options(LSTM.builder(INPUT, HIDDEN).forgetBias(Double.NaN), layers, bidirectional,
                    batchFirst, bias, dropout);
            case "gru" -> options(GRU.builder(INPUT, HIDDEN), layers, bidirectional, batchFirst, bias, dropout);
            default -> throw new IllegalArgumentException(cell);
        };
    }

    private static <B extends Recurrent.Builder<B, ?>> Recurrent options(B builder, int layers, boolean bidirectional,
            boolean batchFirst, boolean bias, double dropout) {
        return builder.layers(layers).bidirectional(bidirectional).batchFirst(batchFirst).bias(bias).dropout(dropout)
                .build();
    }
}
