package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#toString} against PyTorch 1.13's {@code print(tensor)} of the same tensors
 * ({@code models/src/test/pytorch/tensor_repr.py}, the constants below are its output): nested brackets by shape,
 * common precision 4, scientific notation, integers, dtype suffixes, empty tensors, gradient suffixes and summaries
 * past 1000 values.
 */
class TensorToStringTest {
    private static final String FLOATS =
            "tensor([ 1.5000, -2.2500,  3.0000])";
    private static final String LONG_MATRIX =
            "tensor([[0, 1, 2],\n"
            + "        [3, 4, 5]])";
    private static final String INTEGER_VALUED_FLOATS =
            "tensor([[1., 1.],\n"
            + "        [1., 1.]])";
    private static final String DOUBLES =
            "tensor([0.1000, 0.2000], dtype=torch.float64)";
    private static final String INTS =
            "tensor([ -7,  12, 300], dtype=torch.int32)";
    private static final String SCIENTIFIC =
            "tensor([1.0000e-05, 1.0000e+00, 1.0000e+02])";
    private static final String CUBE =
            "tensor([[[0.0000, 0.2500],\n"
            + "         [0.5000, 0.7500],\n"
            + "         [1.0000, 1.2500]],\n"
            + "\n"
            + "        [[1.5000, 1.7500],\n"
            + "         [2.0000, 2.2500],\n"
            + "         [2.5000, 2.7500]]])";
    private static final String SCALAR =
            "tensor(3.5000)";
    private static final String LONG_SCALAR =
            "tensor(7)";
    private static final String NON_FINITE =
            "tensor([1., nan, inf, -inf])";
    private static final String WRAPPED =
            "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n"
            + "        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n"
            + "        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,\n"
            + "        3.8571, 4.0000, 4.1429])";
    private static final String EMPTY =
            "tensor([])";
    private static final String EMPTY_ROWS =
            "tensor([], size=(2, 0))";
    private static final String EMPTY_DOUBLES =
            "tensor([], size=(2, 0), dtype=torch.float64)";
    private static final String EMPTY_INTS =
            "tensor([], dtype=torch.int32)";
    private static final String EMPTY_LONGS =
            "tensor([], size=(2, 0), dtype=torch.int64)";
    private static final String REQUIRES_GRAD =
            "tensor([1., 2.], requires_grad=True)";
    private static final String SUMMARIZED_LONGS =
            "tensor([   0,    1,    2,  ...,  998,  999, 1000])";
    private static final String SUMMARIZED_MATRIX =
            "tensor([[0.0000e+00, 3.3333e-01, 6.6667e-01,  ..., 1.5667e+01, 1.6000e+01,\n"
            + "         1.6333e+01],\n"
            + "        [1.6667e+01, 1.7000e+01, 1.7333e+01,  ..., 3.2333e+01, 3.2667e+01,\n"
            + "         3.3000e+01],\n"
            + "        [3.3333e+01, 3.3667e+01, 3.4000e+01,  ..., 4.9000e+01, 4.9333e+01,\n"
            + "         4.9667e+01],\n"
            + "        ...,\n"
            + "        [6.1667e+02, 6.1700e+02, 6.1733e+02,  ..., 6.3233e+02, 6.3267e+02,\n"
            + "         6.3300e+02],\n"
            + "        [6.3333e+02, 6.3367e+02, 6.3400e+02,  ..., 6.4900e+02, 6.4933e+02,\n"
            + "         6.4967e+02],\n"
            + "        [6.5000e+02, 6.5033e+02, 6.5067e+02,  ..., 6.6567e+02, 6.6600e+02,\n"
            + "         6.6633e+02]])";
    private static final String SUMMARIZED_CUBE =
            "tensor([[[   0,    1,    2,  ...,   17,   18,   19],\n"
            + "         [  20,   21,   22,  ...,   37,   38,   39],\n"
            + "         [  40,   41,   42,  ...,   57,   58,   59],\n"
            + "         ...,\n"
            + "         [ 100,  101,  102,  ...,  117,  118,  119],\n"
            + "         [ 120,  121,  122,  ...,  137,  138,  139],\n"
            + "         [ 140,  141,  142,  ...,  157,  158,  159]],\n"
            + "\n"
            + "        [[ 160,  161,  162,  ...,  177,  178,  179],\n"
            + "         [ 180,  181,  182,  ...,  197,  198,  199],\n"
            + "         [ 200,  201,  202,  ...,  217,  218,  219],\n"
            + "         ...,\n"
            + "         [ 260,  261,  262,  ...,  277,  278,  279],\n"
            + "         [ 280,  281,  282,  ...,  297,  298,  299],\n"
            + "         [ 300,  301,  302,  ...,  317,  318,  319]],\n"
            + "\n"
            + "        [[ 320,  321,  322,  ...,  337,  338,  339],\n"
            + "         [ 340,  341,  342,  ...,  357,  358,  359],\n"
            + "         [ 360,  361,  362,  ...,  377,  378,  379],\n"
            + "         ...,\n"
            + "         [ 420,  421,  422,  ...,  437,  438,  439],\n"
            + "         [ 440,  441,  442,  ...,  457,  458,  459],\n"
            + "         [ 460,  461,  462,  ...,  477,  478,  479]],\n"
            + "\n"
            + "        ...,\n"
            + "\n"
            + "        [[ 800,  801,  802,  ...,  817,  818,  819],\n"
            + "         [ 820,  821,  822,  ...,  837,  838,  839],\n"
            + "         [ 840,  841,  842,  ...,  857,  858,  859],\n"
            + "         ...,\n"
            + "         [ 900,  901,  902,  ...,  917,  918,  919],\n"
            + "         [ 920,  921,  922,  ...,  937,  938,  939],\n"
            + "         [ 940,  941,  942,  ...,  957,  958,  959]],\n"
            + "\n"
            + "        [[ 960,  961,  962,  ...,  977,  978,  979],\n"
            + "         [ 980,  981,  982,  ...,  997,  998,  999],\n"
            + "         [1000, 1001, 1002,  ..., 1017, 1018, 1019],\n"
            + "         ...,\n"
            + "         [1060, 1061, 1062,  ..., 1077, 1078, 1079],\n"
            + "         [1080, 1081, 1082,  ..., 1097, 1098, 1099],\n"
            + "         [1100, 1101, 1102,  ..., 1117, 1118, 1119]],\n"
            + "\n"
            + "        [[1120, 1121, 1122,  ..., 1137, 1138, 1139],\n"
            + "         [1140, 1141, 1142,  ..., 1157, 1158, 1159],\n"
            + "         [1160, 1161, 1162,  ..., 1177, 1178, 1179],\n"
            + "         ...,\n"
            + "         [1220, 1221, 1222,  ..., 1237, 1238, 1239],\n"
            + "         [1240, 1241, 1242,  ..., 1257, 1258, 1259],\n"
            + "         [1260, 1261, 1262,  ..., 1277, 1278, 1279]]], dtype=torch.int32)";
    private static final String LONGS_PAST_2_53 =
            "tensor([    9007199254740993,  9223372036854775807, -9223372036854775808])";
    private static final String BIG_ZEROS =
            "tensor([[0., 0., 0.,  ..., 0., 0., 0.],\n"
            + "        [0., 0., 0.,  ..., 0., 0., 0.],\n"
            + "        [0., 0., 0.,  ..., 0., 0., 0.],\n"
            + "        ...,\n"
            + "        [0., 0., 0.,  ..., 0., 0., 0.],\n"
            + "        [0., 0., 0.,  ..., 0., 0., 0.],\n"
            + "        [0., 0., 0.,  ..., 0., 0., 0.]])";
    private static final String SUMMARIZED_DOUBLES_GRAD =
            "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.1970e+03, 1.1980e+03,\n"
            + "        1.1990e+03], dtype=torch.float64, requires_grad=True)";
    private static final String GRAD_FN =
            "tensor([2., 4.], grad_fn=<MulBackward0>)";

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void floatsShareFourDecimalsAndOneWidth() {
        assertEquals(FLOATS, Tensor.fromArray(new float[] {1.5f, -2.25f, 3f}, 3).toString());
    }

    @Test
    void matricesPrintOneRowALineAndLongsWithoutDecimals() {
        assertEquals(LONG_MATRIX, Tensor.fromArray(new long[] {0, 1, 2, 3, 4, 5}, 2, 3).toString());
    }

    @Test
    void integerValuedFloatsPrintATrailingDot() {
        assertEquals(INTEGER_VALUED_FLOATS, Tensor.ones(2, 2).toString());
    }

    @Test
    void doublesAndIntsNameTheirDtype() {
        assertEquals(DOUBLES, Tensor.fromArray(new double[] {0.1, 0.2}, 2).toString());
        assertEquals(INTS, Tensor.fromArray(new int[] {-7, 12, 300}, 3).toString());
    }

    @Test
    void aWideRangePrintsInScientificNotation() {
        assertEquals(SCIENTIFIC, Tensor.fromArray(new float[] {1e-5f, 1f, 100f}, 3).toString());
    }

    @Test
    void threeAxesSeparateBlocksByABlankLine() {
        assertEquals(CUBE, Tensor.arange(12).reshape(2, 3, 2).div(4).toString());
    }

    @Test
    void scalarsPrintWithoutBrackets() {
        assertEquals(SCALAR, Tensor.scalar(3.5).toString());
        assertEquals(LONG_SCALAR, Tensor.fromArray(new long[] {7}).toString());
    }

    @Test
    void nanAndInfinitiesDoNotSetTheFormat() {
        float[] v = {1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        assertEquals(NON_FINITE, Tensor.fromArray(v, 4).toString());
    }

    @Test
    void longRowsWrapAtEightyCharacters() {
        assertEquals(WRAPPED, Tensor.arange(30).div(7).toString());
    }

    @Test
    void emptyTensorsPrintTheirSizeUnlessItIsZeroAndAnyDtypeButF32() {
        assertEquals(EMPTY, Tensor.zeros(0).toString());
        assertEquals(EMPTY_ROWS, Tensor.zeros(2, 0).toString());
        assertEquals(EMPTY_DOUBLES, Tensor.zeros(DType.F64, 2, 0).toString());
        assertEquals(EMPTY_INTS, Tensor.zeros(DType.I32, 0).toString());
        assertEquals(EMPTY_LONGS, Tensor.zeros(DType.I64, 2, 0).toString());
    }

    @Test
    void longsPrintExactlyPastTwoToThe53() {
        long[] v = {(1L << 53) + 1, Long.MAX_VALUE, Long.MIN_VALUE};
        assertEquals(LONGS_PAST_2_53, Tensor.fromArray(v, 3).toString());
    }

    @Test
    void aLeafThatRequiresGradSaysSo() {
        assertEquals(REQUIRES_GRAD, Tensor.fromArray(new float[] {1, 2}, 2).requiresGrad(true).toString());
    }

    @Test
    void anOpsOutputNamesItsOpWhereTorchNamesItsBackwardClass() {
        Tensor y = Tensor.fromArray(new float[] {1, 2}, 2).requiresGrad(true).mul(2);
        assertEquals(GRAD_FN.replace("MulBackward0", y.gradFnName()), y.toString());
    }

    @Test
    void pastAThousandValuesEachLongAxisShowsItsFirstAndLastThree() {
        assertEquals(SUMMARIZED_LONGS, Tensor.arange(0, 1001, 1, DType.I64).toString());
        assertEquals(SUMMARIZED_MATRIX, Tensor.arange(40 * 50).reshape(40, 50).div(3).toString());
        assertEquals(SUMMARIZED_CUBE, Tensor.arange(0, 8 * 8 * 20, 1, DType.I32).reshape(8, 8, 20).toString());
    }

    @Test
    void aSummaryFormatsOnlyTheValuesItShows() {
        Tensor grad = Tensor.arange(0, 1200, 1, DType.F64).requiresGrad(true);
        assertEquals(SUMMARIZED_DOUBLES_GRAD, grad.toString());
    }

    @Test
    void aNineMillionValueMatrixPrintsItsCorners() {
        assertEquals(BIG_ZEROS, Tensor.zeros(3000, 3000).toString());
    }

    @Test
    void aClosedTensorPrintsItsShapeAndState() {
        Tensor t = Tensor.zeros(2, 3);
        t.close();
        assertEquals("Tensor[2, 3] F32 (closed)", t.toString());
    }
}
