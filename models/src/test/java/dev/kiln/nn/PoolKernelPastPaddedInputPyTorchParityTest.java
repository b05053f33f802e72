package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Poolings in ceil mode whose kernel reaches past the padded input by less than the stride, which PyTorch accepts
 * (its pooling_output_shape gives one window there) and whose windows it clips: {@link F#maxPool1dWithIndices},
 * {@link F#avgPool1d}, {@link F#maxPool2dWithIndices(Tensor, int[], int[], int[], int[], boolean)} (dilated too),
 * {@link F#avgPool2d(Tensor, int[], int[], int[], boolean, boolean)}, {@link F#maxPool3dWithIndices} (dilated too),
 * {@link LPPool1d} and {@link LPPool2d}, and {@link AvgPool3d}'s last windows past the padded input (PyTorch's
 * avg_pool3d asks the unpadded input to hold the kernel), against PyTorch 1.13's numbers (printed by
 * {@code models/src/test/pytorch/pool_ceil_overhang.py}): outputs, indices, and the input gradient of a weighted sum
 * of the outputs (see {@link PyTorchParity}), in F64 to 1e-12. Average pooling divides by the window clipped to the
 * padded input, or with {@code count_include_pad=False} to the input.
 */
class PoolKernelPastPaddedInputPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static void assertValues(String what, Tensor actual, int[] shape, double... expected) {
        assertArrayEquals(shape, actual.shape().dims(), what + " shape");
        double[] values = actual.toDoubleArray();
        assertEquals(expected.length, values.length, what + " size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], values[i], 1e-12, what + " at " + i);
        }
    }

    private static void assertIndices(long[] expected, Tensor indices) {
        assertArrayEquals(expected, indices.toLongArray(), "indices " + indices.shape());
    }

    // ---- 1-D ----

    @Test
    void maxPool1dWindowPastThePaddedLengthKeepsItsInputPart() {
        // F.max_pool1d(x, 6, 3, 1, ceil_mode=True, return_indices=True): length 3 padded to 5, PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 2, 2, 3);
        F.MaxPoolOutput pooled = F.maxPool1dWithIndices(x, 6, 3, 1, 1, true);
        Tensor y = pooled.output();
        backward(200, y);

        assertValues("output", y, new int[] {2, 2, 1},
                -0.2160821764611921, 0.4983071306418082, 0.35464275030375275, -0.2084702857747436);
        assertIndices(new long[] {2, 2, 0, 2}, pooled.indices());
        assertValues("input gradient", x.grad(), new int[] {2, 2, 3},
                0.0, 0.0, 0.30346428682833904, 0.0, 0.0, -0.023895770213402317, -0.3400172731420717, 0.0, 0.0, 0.0,
                0.0, -0.49622333959558507);
    }

    @Test
    void dilatedMaxPool1dWindowPastThePaddedLengthReadsTheTapsInside() {
        // F.max_pool1d(x, 4, 3, 1, dilation=2, ceil_mode=True, return_indices=True): span 7 over length 3 padded to 5, PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 2, 2, 3);
        F.MaxPoolOutput pooled = F.maxPool1dWithIndices(x, 4, 3, 1, 2, true);
        Tensor y = pooled.output();
        backward(200, y);

        assertValues("output", y, new int[] {2, 2, 1},
                -0.45574486446755513, 0.4076098811753303, 0.04418434305200072, -0.45222246812354255);
        assertIndices(new long[] {1, 1, 1, 1}, pooled.indices());
        assertValues("input gradient", x.grad(), new int[] {2, 2, 3},
                0.0, 0.30346428682833904, 0.0, 0.0, -0.023895770213402317, 0.0, 0.0, -0.3400172731420717, 0.0, 0.0,
                -0.49622333959558507, 0.0);
    }

    @Test
    void avgPool1dWindowPastThePaddedLengthDividesByThePaddedLength() {
        // F.avg_pool1d(x, 7, 3, 2, ceil_mode=True): length 2 padded to 6, PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 2, 2, 2);
        Tensor y = F.avgPool1d(x, 7, 3, 2, true, true);
        backward(200, y);

        assertValues("output", y, new int[] {2, 2, 1},
                -0.15613474766207203, -0.015145806824864652, 0.15098616863618974, 0.06647118222595891);
        assertValues("input gradient", x.grad(), new int[] {2, 2, 2},
                0.05057738113805651, 0.05057738113805651, -0.003982628368900386, -0.003982628368900386,
                -0.056669545523678616, -0.056669545523678616, -0.08270388993259752, -0.08270388993259752);
        GradCheck.check("avgPool1dWindowPastThePaddedLengthDividesByThePaddedLength",
                in -> F.avgPool1d(in[0], 7, 3, 2, true, true),
                tensor(DType.F64, 100, 2, 2, 2));
    }

    @Test
    void avgPool1dWindowPastThePaddedLengthWithoutPaddingCountedDividesByTheLength() {
        // F.avg_pool1d(x, 7, 3, 2, ceil_mode=True, count_include_pad=False), PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 2, 2, 2);
        Tensor y = F.avgPool1d(x, 7, 3, 2, true, false);
        backward(200, y);

        assertValues("output", y, new int[] {2, 2, 1},
                -0.4684042429862161, -0.045437420474593954, 0.45295850590856923, 0.19941354667787672);
        assertValues("input gradient", x.grad(), new int[] {2, 2, 2},
                0.15173214341416952, 0.15173214341416952, -0.011947885106701158, -0.011947885106701158,
                -0.17000863657103585, -0.17000863657103585, -0.24811166979779253, -0.24811166979779253);
    }

    @Test
    void lpPool1dWindowPastTheLengthScalesTheClippedMeanByTheKernel() {
        // nn.LPPool1d(2, 3, 2, ceil_mode=True)(x) on length 2, PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 2, 2, 2);
        Tensor y = new LPPool1d(2, 3, 2, true).forward(x);
        backward(200, y);

        assertValues("output", y, new int[] {2, 2, 1},
                0.8115961952448437, 0.3058636555318922, 0.78846922420622, 0.43770492888579654);
        assertValues("input gradient", x.grad(), new int[] {2, 2, 2},
                -0.2698120623427657, -0.2556116411368859, 0.025322312454626246, -0.014672840321078556,
                -0.2636648255533263, -0.3223328695904117, -0.6030844010612257, -0.0751372699511732);
    }

    // ---- 2-D ----

    @Test
    void maxPool2dWindowPastThePaddedInputOnBothAxesKeepsItsInputPart() {
        // F.max_pool2d(x, (5, 4), (2, 3), (1, 0), ceil_mode=True, return_indices=True): 2 x 3 padded to 4 x 3, PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 1, 2, 2, 3);
        F.MaxPoolOutput pooled = F.maxPool2dWithIndices(x, new int[] {5, 4}, new int[] {2, 3}, new int[] {1, 0}, true);
        Tensor y = pooled.output();
        backward(200, y);

        assertValues("output", y, new int[] {1, 2, 1, 1},
                0.4983071306418082, 0.35464275030375275);
        assertIndices(new long[] {5, 0}, pooled.indices());
        assertValues("input gradient", x.grad(), new int[] {1, 2, 2, 3},
                0.0, 0.0, 0.0, 0.0, 0.0, 0.30346428682833904, -0.023895770213402317, 0.0, 0.0, 0.0, 0.0, 0.0);
        GradCheck.check("maxPool2dWindowPastThePaddedInputOnBothAxesKeepsItsInputPart",
                in -> F.maxPool2d(in[0], new int[] {5, 4}, new int[] {2, 3}, new int[] {1, 0}, true),
                tensor(DType.F64, 100, 1, 2, 2, 3));
    }

    @Test
    void squeezeNetsLastPoolingOfATwoByTwoInputIsItsMaximum() {
        // F.max_pool2d(x, 3, 2, ceil_mode=True, return_indices=True) on 2 x 2, SqueezeNet's smallest input, PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 1, 3, 2, 2);
        F.MaxPoolOutput pooled = F.maxPool2dWithIndices(x, new int[] {3}, new int[] {2}, new int[] {0}, true);
        Tensor y = pooled.output();
        backward(200, y);

        assertValues("output", y, new int[] {1, 3, 1, 1},
                0.1252073355120042, 0.4983071306418082, -0.2084702857747436);
        assertIndices(new long[] {3, 1, 3}, pooled.indices());
        assertValues("input gradient", x.grad(), new int[] {1, 3, 2, 2},
                0.0, 0.0, 0.0, 0.30346428682833904, 0.0, -0.023895770213402317, 0.0, 0.0, 0.0, 0.0, 0.0,
                -0.3400172731420717);
    }

    @Test
    void dilatedMaxPool2dWindowPastTheInputReadsTheTapsInside() {
        // F.max_pool2d(x, 3, 3, 0, dilation=2, ceil_mode=True, return_indices=True): span 5 over 3 x 4, PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 1, 2, 3, 4);
        F.MaxPoolOutput pooled = F.maxPool2dWithIndices(x, new int[] {3}, new int[] {3}, new int[] {0},
                new int[] {2}, true);
        Tensor y = pooled.output();
        backward(200, y);

        assertValues("output", y, new int[] {1, 2, 1, 1},
                -0.2160821764611921, 0.49754547453289455);
        assertIndices(new long[] {2, 2}, pooled.indices());
        assertValues("input gradient", x.grad(), new int[] {1, 2, 3, 4},
                0.0, 0.0, 0.30346428682833904, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                -0.023895770213402317, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    }

    @Test
    void avgPool2dWindowPastThePaddedInputDividesByThePaddedInput() {
        // F.avg_pool2d(x, (5, 6), 2, 1, ceil_mode=True): 2 x 3 padded to 4 x 5, PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 1, 2, 2, 3);
        Tensor y = F.avgPool2d(x, new int[] {5, 6}, new int[] {2}, new int[] {1}, true, true);
        backward(200, y);

        assertValues("output", y, new int[] {1, 2, 1, 1},
                -0.006088315755224066, -0.051610383461094866);
        assertValues("input gradient", x.grad(), new int[] {1, 2, 2, 3},
                0.015173214341416951, 0.015173214341416951, 0.015173214341416951, 0.015173214341416951,
                0.015173214341416951, 0.015173214341416951, -0.0011947885106701158, -0.0011947885106701158,
                -0.0011947885106701158, -0.0011947885106701158, -0.0011947885106701158, -0.0011947885106701158);
        GradCheck.check("avgPool2dWindowPastThePaddedInputDividesByThePaddedInput",
                in -> F.avgPool2d(in[0], new int[] {5, 6}, new int[] {2}, new int[] {1}, true, true),
                tensor(DType.F64, 100, 1, 2, 2, 3));
    }

    @Test
    void avgPool2dWindowPastThePaddedInputWithoutPaddingCountedDividesByTheInput() {
        // F.avg_pool2d(x, (5, 6), 2, 1, ceil_mode=True, count_include_pad=False), PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 1, 2, 2, 3);
        Tensor y = F.avgPool2d(x, new int[] {5, 6}, new int[] {2}, new int[] {1}, true, false);
        backward(200, y);

        assertValues("output", y, new int[] {1, 2, 1, 1},
                -0.020294385850746888, -0.17203461153698288);
        assertValues("input gradient", x.grad(), new int[] {1, 2, 2, 3},
                0.05057738113805651, 0.05057738113805651, 0.05057738113805651, 0.05057738113805651,
                0.05057738113805651, 0.05057738113805651, -0.003982628368900386, -0.003982628368900386,
                -0.003982628368900386, -0.003982628368900386, -0.003982628368900386, -0.003982628368900386);
    }

    @Test
    void avgPool2dWindowPastTheInputAlongOneAxisOnlyClipsThatAxis() {
        // F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=True) on 2 x 7: height padded to 4, PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 1, 2, 2, 7);
        Tensor y = F.avgPool2d(x, new int[] {5, 3}, new int[] {2}, new int[] {1}, true, true);
        backward(200, y);

        assertValues("output", y, new int[] {1, 2, 1, 4},
                -0.09830656617141105, -0.14743201518497084, 0.04198002690357128, 0.11655831418291347,
                0.11706167634843656, 0.11224361032605162, -0.0965413669179343, -0.11977943819030372);
        assertValues("input gradient", x.grad(), new int[] {1, 2, 2, 7},
                0.025288690569028254, 0.023297376384578062, -0.001991314184450193, -0.0303260869462895,
                -0.028334772761839308, -0.06968671772813806, -0.04135194496629876, 0.025288690569028254,
                0.023297376384578062, -0.001991314184450193, -0.0303260869462895, -0.028334772761839308,
                -0.06968671772813806, -0.04135194496629876, -0.034920651311143025, -0.04698628100527192,
                -0.012065629694128895, 0.0043984164045695225, 0.016464046098698417, 0.05371446985218985,
                0.03725042375349143, -0.034920651311143025, -0.04698628100527192, -0.012065629694128895,
                0.0043984164045695225, 0.016464046098698417, 0.05371446985218985, 0.03725042375349143);
    }

    @Test
    void lpPool2dWindowPastTheInputScalesTheClippedMeanByTheKernel() {
        // nn.LPPool2d(2, 3, 2, ceil_mode=True)(x) on 2 x 2, PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 1, 2, 2, 2);
        Tensor y = new LPPool2d(2, 3, 2, true).forward(x);
        backward(200, y);

        assertValues("output", y, new int[] {1, 2, 1, 1},
                1.062243587821013, 1.1044926362076473);
        assertValues("input gradient", x.grad(), new int[] {1, 2, 2, 2},
                -0.3092206614460415, -0.29294613465147507, -0.13889446332069552, 0.08048144439565749,
                -0.019841999313026812, -0.024257041353759837, -0.017263617819093465, -0.0021508450726375567);
    }

    // ---- 3-D ----

    @Test
    void maxPool3dWindowPastThePaddedInputOnEveryAxisKeepsItsInputPart() {
        // F.max_pool3d(x, (3, 6, 5), (2, 3, 2), (0, 1, 1), ceil_mode=True, return_indices=True): 2 x 3 x 2, PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 1, 2, 2, 3, 2);
        F.MaxPoolOutput pooled = F.maxPool3dWithIndices(x, new int[] {3, 6, 5}, new int[] {2, 3, 2},
                new int[] {0, 1, 1}, null, true);
        Tensor y = pooled.output();
        backward(200, y);

        assertValues("output", y, new int[] {1, 2, 1, 1, 1},
                0.4983071306418082, 0.49754547453289455);
        assertIndices(new long[] {5, 2}, pooled.indices());
        assertValues("input gradient", x.grad(), new int[] {1, 2, 2, 3, 2},
                0.0, 0.0, 0.0, 0.0, 0.0, 0.30346428682833904, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                -0.023895770213402317, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    }

    @Test
    void dilatedMaxPool3dWindowPastTheInputReadsTheTapsInside() {
        // F.max_pool3d(x, 2, 3, 0, dilation=(3, 2, 3), ceil_mode=True, return_indices=True) on 2 x 2 x 3, PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 1, 2, 2, 2, 3);
        F.MaxPoolOutput pooled = F.maxPool3dWithIndices(x, new int[] {2}, new int[] {3}, new int[] {0},
                new int[] {3, 2, 3}, true);
        Tensor y = pooled.output();
        backward(200, y);

        assertValues("output", y, new int[] {1, 2, 1, 1, 1},
                -0.48106362150487697, 0.1333287294119987);
        assertIndices(new long[] {0, 0}, pooled.indices());
        assertValues("input gradient", x.grad(), new int[] {1, 2, 2, 2, 3},
                0.30346428682833904, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.023895770213402317,
                0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    }

    @Test
    void avgPool3dLastWindowsPastThePaddedInputDivideByWhatTheyCoverOfIt() {
        // nn.AvgPool3d(3, 2, 1, ceil_mode=True)(x) on 3 x 4 x 5, PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 1, 1, 3, 4, 5);
        Tensor y = new AvgPool3d(new int[] {3}, new int[] {2}, new int[] {1}, true, true).forward(x);
        backward(200, y);

        assertValues("output", y, new int[] {1, 1, 2, 3, 3},
                -0.015425529222836302, -0.022683428846790147, -0.001339155842013927, 0.0028949695970605207,
                -0.05143697708881929, -0.04091059445723212, -0.022888778758860105, -0.10326590602866802,
                -0.053432151564335416, -0.01258289140005487, 0.007728571626870541, 0.01829486158766409,
                -0.04487537918967025, -0.04071304690223348, 0.014785509886555366, -0.07770847788095679,
                -0.03760341835909334, 0.049916847682102694);
        assertValues("input gradient", x.grad(), new int[] {1, 1, 3, 4, 5},
                0.011239418030679224, 0.010354389504256916, -0.000885028526422308, -0.013478260865017556,
                -0.012593232338595248, -0.007139224176564669, -0.0235445421746061, -0.01640531799804143,
                -0.034361052422916184, -0.017955734424874758, -0.018378642207243893, -0.033898931678863015,
                -0.015520289471619122, -0.02088279155789863, -0.005362502086279509, -0.007402611474778283,
                0.0019107148892635456, 0.009313326364041828, 0.030962387653155964, 0.021649061289114136,
                0.022229785092251254, 0.020148840413764305, -0.0020809446784869467, -0.027493918329762175,
                -0.02541297365127523, -0.014563098934951144, -0.047512569753902036, -0.03294947081895089,
                -0.06878866254606576, -0.035839191727114875, -0.0367928840272024, -0.06766141016766633,
                -0.03086852614046394, -0.04129474421630358, -0.010426218075839641, -0.014413329131197502,
                0.0045911272763256815, 0.019004456407523185, 0.06248860555248619, 0.043484149144963014,
                0.01099036706157203, 0.009794450909507391, -0.0011959161520646389, -0.01401565746474462,
                -0.012819741312679982, -0.007423874758386476, -0.023968027579295934, -0.016544152820909458,
                -0.03442761012314957, -0.017883457302240113, -0.018414241819958505, -0.03376247848880332,
                -0.01534823666884482, -0.020411952658404953, -0.0050637159895601325, -0.007010717656419219,
                0.002680412387062136, 0.009691130043481355, 0.03152621789933023, 0.021835087855848874);
        GradCheck.check("avgPool3dLastWindowsPastThePaddedInputDivideByWhatTheyCoverOfIt",
                in -> new AvgPool3d(new int[] {3}, new int[] {2}, new int[] {1}, true, true).forward(in[0]),
                tensor(DType.F64, 100, 1, 1, 3, 4, 5));
    }

    @Test
    void avgPool3dLastWindowsPastThePaddedInputWithoutPaddingCountedDivideByTheirInputElements() {
        // nn.AvgPool3d(3, 2, 1, ceil_mode=True, count_include_pad=False)(x) on 3 x 4 x 5, PyTorch 1.13
        Tensor x = tensor(DType.F64, 100, 1, 1, 3, 4, 5);
        Tensor y = new AvgPool3d(new int[] {3}, new int[] {2}, new int[] {1}, true, false).forward(x);
        backward(200, y);

        assertValues("output", y, new int[] {1, 1, 2, 3, 3},
                -0.05206116112707252, -0.05103771490527783, -0.004519650966797004, 0.006513681593386171,
                -0.07715546563322893, -0.09204883752877228, -0.10299950441487048, -0.30979771808600404,
                -0.24044468203950936, -0.042467258475185184, 0.017389286160458716, 0.061745157858366304,
                -0.10096960317675807, -0.06106957035335022, 0.03326739724474957, -0.34968815046430557,
                -0.11281025507728003, 0.22462581456946212);
        assertValues("input gradient", x.grad(), new int[] {1, 1, 3, 4, 5},
                0.03793303585354238, 0.03594172166909219, -0.001991314184450193, -0.044493473327209154,
                -0.04250215914275896, -0.0034189091127563784, -0.028690657504635255, -0.025271748391878877,
                -0.07983953722876674, -0.05456778883688786, -0.04135194496629876, -0.06463237917372744,
                -0.023280434207428684, -0.035346063901557576, -0.012065629694128895, 0.00804019332979649,
                0.05926060662935066, 0.051220413299554166, 0.16070681879469667, 0.10948640549514252,
                0.07502552468634799, 0.07034339915975235, -0.0046821255265956305, -0.09045091159964953,
                -0.08576878607305391, -0.007758464374857409, -0.058743379112148955, -0.05098491473729154,
                -0.16021269148098463, -0.10922777674369309, -0.08278398906120539, -0.1290867782719013,
                -0.046302789210695916, -0.0697617798813351, -0.023458990670639196, 0.017924007970816648,
                0.12124016640408211, 0.10331615843326546, 0.3224538202562382, 0.21913766182297273,
                0.0370924888328056, 0.034401677490660164, -0.002690811342145438, -0.04595743827244038,
                -0.04326662693029494, -0.00433955526210103, -0.030052721607513697, -0.025713166345412666,
                -0.0803731542522179, -0.05465998790680524, -0.04143204409490663, -0.06445439909817385,
                -0.023022355003267228, -0.03441571597977753, -0.0113933609765103, 0.009883814641020158,
                0.061979559774731456, 0.05209574513371129, 0.1617470014615415, 0.10965125632783022);
    }
}
