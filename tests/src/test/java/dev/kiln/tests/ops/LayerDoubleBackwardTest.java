package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.DoubleBackwardTest.checkSecondOrder;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv1d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Conv3d;
import dev.kiln.nn.ConvTranspose1d;
import dev.kiln.nn.GRU;
import dev.kiln.nn.GRUCell;
import dev.kiln.nn.GroupNorm;
import dev.kiln.nn.InstanceNorm2d;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.LSTMCell;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.Module;
import dev.kiln.nn.RNN;
import dev.kiln.nn.Recurrent;
import dev.kiln.nn.RecurrentOutput;
import dev.kiln.nn.RecurrentState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Second derivatives through whole layers built on the convolutions, normalisations, recurrent cells and whole
 * recurrent sequences, checked as {@link DoubleBackwardTest} checks ops: the layer (in F64) squared, with its input and
 * every parameter as the inputs whose recorded gradient is compared with the ordinary one and with finite differences.
 */
class LayerDoubleBackwardTest {
    private Scope scope;

    @BeforeEach
    void seedAndOpenScope() {
        Engine.seed(20240918L);
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** Checks {@code layer.forward(x)^2} for x normal of {@code dims}, over x and the layer's parameters. */
    private static void checkLayer(Module layer, int... dims) {
        Module m = layer.to(DType.F64);
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(Tensor.randn(DType.F64, dims).requiresGrad(true));
        inputs.addAll(m.parameters());
        checkSecondOrder(m + (m.isTraining() ? " in training" : " in evaluation") + ", squared",
                in -> m.forward(in[0]).square(), inputs.toArray(new Tensor[0]));
    }

    @Test
    void conv1dLayersAreDifferentiableTwice() {
        checkLayer(new Conv1d(2, 3, 3, 2, 1, 1, 1, true, PaddingMode.REFLECT), 2, 2, 7);
        checkLayer(new Conv1d(2, 4, 3, 1, 2, 2, 2, true), 1, 2, 6);
        checkLayer(new ConvTranspose1d(2, 3, 3, 2, 1, 1, 1, true), 1, 2, 4);
    }

    @Test
    void conv2dAndConv3dLayersWithPaddingModesAreDifferentiableTwice() {
        checkLayer(new Conv2d(2, 2, new int[] {2, 3}, new int[] {1}, new int[] {1}, new int[] {1}, 1, true,
                PaddingMode.CIRCULAR), 1, 2, 4, 5);
        checkLayer(new Conv3d(2, 2, 2), 1, 2, 3, 3, 3);
    }

    @Test
    void normalisationLayersAreDifferentiableTwice() {
        checkLayer(new GroupNorm(2, 4), 2, 4, 3);
        checkLayer(new InstanceNorm2d(3, 1e-5, 0.1, true, true), 2, 3, 2, 3);
        checkLayer(new InstanceNorm2d(3, 1e-5, 0.1, true, true).eval(), 2, 3, 2, 3);
        checkLayer(new LayerNorm(4), 3, 4);
        checkLayer(new BatchNorm2d(3), 2, 3, 2, 2);
        checkLayer(new BatchNorm2d(3).eval(), 2, 3, 2, 2);
    }

    @Test
    void recurrentCellLayersAreDifferentiableTwiceInTheirInputsStatesAndWeights() {
        LSTMCell lstm = (LSTMCell) new LSTMCell(3, 2).to(DType.F64);
        List<Tensor> inputs = new ArrayList<>(List.of(randn(2, 3), randn(2, 2), randn(2, 2)));
        inputs.addAll(lstm.parameters());
        checkSecondOrder("LSTMCell(3, 2): [h'; c']", in -> {
            F.LstmState state = lstm.forward(in[0], in[1], in[2]);
            return Tensor.cat(List.of(state.h(), state.c()), 0);
        }, inputs.toArray(new Tensor[0]));
        GRUCell gru = (GRUCell) new GRUCell(3, 2).to(DType.F64);
        inputs = new ArrayList<>(List.of(randn(2, 3), randn(2, 2)));
        inputs.addAll(gru.parameters());
        checkSecondOrder("GRUCell(3, 2)", in -> gru.forward(in[0], in[1]), inputs.toArray(new Tensor[0]));
    }

    @Test
    void twoLayerBidirectionalLstmsAreDifferentiableTwiceWithLengthsAndInitialStates() {
        checkRecurrent(LSTM.builder(3, 2).layers(2).bidirectional(true).build(), new int[] {2, 3, 1});
    }

    @Test
    void lstmsWithDropoutBetweenLayersAreDifferentiableTwiceWithTheSameMasks() {
        checkRecurrent(LSTM.builder(3, 2).layers(2).dropout(0.5).build(), null);
    }

    @Test
    void batchFirstGrusAreDifferentiableTwiceWithLengths() {
        checkRecurrent(GRU.builder(3, 2).batchFirst(true).bidirectional(true).build(), new int[] {1, 3, 2});
        checkRecurrent(GRU.builder(3, 2).layers(2).build(), null);
    }

    @Test
    void tanhAndReluRnnsAreDifferentiableTwice() {
        checkRecurrent(RNN.builder(3, 2).layers(2).bidirectional(true).build(), new int[] {3, 2, 3});
        checkRecurrent(RNN.builder(3, 2).nonlinearity("relu").build(), null);
    }

    /**
     * Checks {@code [output; h_n; c_n]} of {@code layer} (in training, F64) over 3 steps of a batch of 3 with the
     * initial states, over its input, those states and its parameters; the engine is reseeded before each run, so
     * that dropout draws the same masks each time.
     */
    private static void checkRecurrent(Recurrent layer, int[] lengths) {
        Recurrent m = (Recurrent) layer.to(DType.F64);
        int states = m.layers() * m.directions();
        List<Tensor> inputs = new ArrayList<>(List.of(randn(3, 3, m.inputSize()), randn(states, 3, m.hiddenSize())));
        if (m.hasCellState()) {
            inputs.add(randn(states, 3, m.hiddenSize()));
        }
        int firstParameter = inputs.size();
        inputs.addAll(m.parameters());
        checkSecondOrder(m + " with lengths " + Arrays.toString(lengths), in -> {
            Engine.seed(11);
            RecurrentState initial = new RecurrentState(in[1], firstParameter == 3 ? in[2] : null);
            RecurrentOutput out = m.forward(in[0], initial, lengths);
            List<Tensor> parts = new ArrayList<>(List.of(out.output().reshape(-1), out.hN().reshape(-1)));
            if (out.cN() != null) {
                parts.add(out.cN().reshape(-1));
            }
            return Tensor.cat(parts, 0);
        }, inputs.toArray(new Tensor[0]));
    }

    private static Tensor randn(int... dims) {
        return Tensor.randn(DType.F64, dims).requiresGrad(true);
    }
}
