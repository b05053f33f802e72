package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.IndexedValues;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Tensor#sort}, {@link Tensor#argsort}, {@link Tensor#topk}, {@link Tensor#kthvalue} and {@link Tensor#median}
 * against PyTorch 1.13's {@code sort(stable=True)}, {@code argsort}, {@code topk}, {@code kthvalue} and {@code median}
 * (numbers printed by {@code models/src/test/pytorch/sort_topk.py}): values, indices and the input's gradient of a
 * weighted sum of the values (see {@link PyTorchParity}), on rows and columns holding ties, NaN, infinities and both
 * zeros, along each axis of a rank-3 tensor, and in integers. PyTorch leaves the order of tied elements unspecified in
 * topk, kthvalue and median, so their inputs have no ties where they choose.
 */
class SortTopkPyTorchParityTest {
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;
    /** Ties along rows and columns, NaN, infinities and both zeros. */
    private static final double[] TIES = {
            1.5, -0.0, 2.0, 0.0, 1.5, -3.0, NAN, 4.0, -INF, NAN, 0.5, 4.0, 0.25, INF, -1.0, 0.25, -0.0, 4.0};
    /** TIES' rows holding NaN. */
    private static final double[] NAN_ROWS = {
            NAN, 4.0, -INF, NAN, 0.5, 4.0, 0.25, INF, -1.0, 0.25, -0.0, 4.0};
    /** [2, 3, 4] of eighths: ties along every axis. */
    private static final double[] EIGHTHS = {
            0.125, -0.25, -0.5, -0.5, -0.25, 0.125, 0.375, 0.5, 0.375, 0.125, -0.25, -0.5, -0.5, -0.25, 0.125,
            0.375, 0.5, 0.375, 0.125, -0.25, -0.5, -0.5, -0.25, 0.125};
    /** Integers with ties. */
    private static final double[] INTEGERS = {
            3.0, 1.0, 2.0, 1.0, 3.0, 3.0, 0.0, -5.0, 7.0, 7.0, -5.0, 0.0, 2.0, 7.0};

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor leaf(DType dtype, double[] values, int... dims) {
        return Tensor.fromArray(values, dims).to(dtype).requiresGrad(true);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void sortAlongRowsKeepsTiesInOrderWithNaNAboveEveryNumber(DType dtype) {
        // sort(1, false); sort(1, true), PyTorch 1.13
        Tensor x = leaf(dtype, TIES, 3, 6);
        IndexedValues r0 = x.sort(1, false);
        IndexedValues r1 = x.sort(1, true);
        backward(200, r0.values(), r1.values());

        assertArrayEquals(new int[] {3, 6}, r0.values().shape().dims());
        assertValues("values of sort(1, false)", r0.values(),
                -3.0, -0.0, 0.0, 1.5, 1.5, 2.0, -INF, 0.5, 4.0, 4.0, NAN, NAN, -1.0, -0.0, 0.25, 0.25, 4.0, INF);
        assertArrayEquals(new long[] {5, 1, 3, 0, 4, 2, 2, 4, 1, 5, 0, 3, 2, 4, 0, 3, 5, 1},
                r0.indices().toLongArray(), "indices of sort(1, false)");
        assertArrayEquals(new int[] {3, 6}, r1.values().shape().dims());
        assertValues("values of sort(1, true)", r1.values(),
                2.0, 1.5, 1.5, -0.0, 0.0, -3.0, NAN, NAN, 4.0, 4.0, 0.5, -INF, INF, 4.0, 0.25, 0.25, -0.0, -1.0);
        assertArrayEquals(new long[] {2, 0, 4, 1, 3, 5, 0, 3, 1, 5, 4, 2, 1, 5, 0, 3, 4, 2},
                r1.indices().toLongArray(), "indices of sort(1, true)");
        assertValues("gradient", x.grad(),
                -0.983844009045481, -0.21573803340202014, -0.4465082236419269, -0.18929033406166856,
                -0.8632328671957132, 0.7258711935548618, 0.4631325697434349, 0.5038922293851452,
                -0.24269384005670502, -0.010700162098451482, -0.042405792769466544, -0.011641868628606167,
                0.29012508811295146, 0.30012684337748774, -0.48790463083379987, 0.6994807069358051,
                -0.08525137128145971, 0.6094300979017099);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void sortAlongColumns(DType dtype) {
        // sort(0, false); sort(-2, true), PyTorch 1.13
        Tensor x = leaf(dtype, TIES, 3, 6);
        IndexedValues r0 = x.sort(0, false);
        IndexedValues r1 = x.sort(-2, true);
        backward(200, r0.values(), r1.values());

        assertArrayEquals(new int[] {3, 6}, r0.values().shape().dims());
        assertValues("values of sort(0, false)", r0.values(),
                0.25, -0.0, -INF, 0.0, -0.0, -3.0, 1.5, 4.0, -1.0, 0.25, 0.5, 4.0, NAN, INF, 2.0, NAN, 1.5, 4.0);
        assertArrayEquals(new long[] {2, 0, 1, 0, 2, 0, 0, 1, 2, 2, 1, 1, 1, 2, 0, 1, 0, 2},
                r0.indices().toLongArray(), "indices of sort(0, false)");
        assertArrayEquals(new int[] {3, 6}, r1.values().shape().dims());
        assertValues("values of sort(-2, true)", r1.values(),
                NAN, INF, 2.0, NAN, 1.5, 4.0, 1.5, 4.0, -1.0, 0.25, 0.5, 4.0, 0.25, -0.0, -INF, 0.0, -0.0, -3.0);
        assertArrayEquals(new long[] {1, 2, 0, 1, 0, 1, 0, 1, 2, 2, 1, 2, 2, 0, 1, 0, 2, 0},
                r1.indices().toLongArray(), "indices of sort(-2, true)");
        assertValues("gradient", x.grad(),
                0.6929908590335612, 0.1348257268664364, -0.5809053831801205, -0.0020060676034871494,
                0.6014355399022743, -0.13550765802446701, -0.7989051964512598, 0.7824379383858051,
                0.08682814668900335, 0.013421171755089334, -0.5217006139171089, 0.07627389128416323,
                0.11941266098846468, -0.9020230595087061, 0.5038922293851452, -0.011641868628606167,
                -0.08989679695636588, 0.04391607597627606);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void sortAlongEachAxisOfARankThreeTensorWithTies(DType dtype) {
        // sort(0, false); sort(1, true); sort(2, false), PyTorch 1.13
        Tensor x = leaf(dtype, EIGHTHS, 2, 3, 4);
        IndexedValues r0 = x.sort(0, false);
        IndexedValues r1 = x.sort(1, true);
        IndexedValues r2 = x.sort(2, false);
        backward(200, r0.values(), r1.values(), r2.values());

        assertArrayEquals(new int[] {2, 3, 4}, r0.values().shape().dims());
        assertValues("values of sort(0, false)", r0.values(),
                -0.5, -0.25, -0.5, -0.5, -0.25, 0.125, 0.125, -0.25, -0.5, -0.5, -0.25, -0.5, 0.125, -0.25, 0.125,
                0.375, 0.5, 0.375, 0.375, 0.5, 0.375, 0.125, -0.25, 0.125);
        assertArrayEquals(new long[] {1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},
                r0.indices().toLongArray(), "indices of sort(0, false)");
        assertArrayEquals(new int[] {2, 3, 4}, r1.values().shape().dims());
        assertValues("values of sort(1, true)", r1.values(),
                0.375, 0.125, 0.375, 0.5, 0.125, 0.125, -0.25, -0.5, -0.25, -0.25, -0.5, -0.5, 0.5, 0.375, 0.125,
                0.375, -0.5, -0.25, 0.125, 0.125, -0.5, -0.5, -0.25, -0.25);
        assertArrayEquals(new long[] {2, 1, 1, 1, 0, 2, 2, 0, 1, 0, 0, 2, 1, 1, 0, 0, 0, 0, 1, 2, 2, 2, 2, 1},
                r1.indices().toLongArray(), "indices of sort(1, true)");
        assertArrayEquals(new int[] {2, 3, 4}, r2.values().shape().dims());
        assertValues("values of sort(2, false)", r2.values(),
                -0.5, -0.5, -0.25, 0.125, -0.25, 0.125, 0.375, 0.5, -0.5, -0.25, 0.125, 0.375, -0.5, -0.25, 0.125,
                0.375, -0.25, 0.125, 0.375, 0.5, -0.5, -0.5, -0.25, 0.125);
        assertArrayEquals(new long[] {2, 3, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3},
                r2.indices().toLongArray(), "indices of sort(2, false)");
        assertValues("gradient", x.grad(),
                0.047130588169822685, -0.22989823827964434, -1.2943122879375488, -0.39777063182023265,
                0.09832264792041112, -0.2616339639453449, -0.0867721936254553, -0.5000661303374647,
                -0.5432778973417896, -0.3051421813049422, 0.0014091296219525054, -1.2631426034539328,
                1.0313326461073387, 0.09419552739787168, 0.6552067194482313, 0.7586223546799377,
                0.04461414496156735, 0.18446776482906468, -0.5966008955227557, 0.6035547602581675,
                0.1687696338060269, 0.524264733102794, 0.25583987112188533, -0.260391386618107);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void argsortHoldsTheStableSortsIndices(DType dtype) {
        // argsort(1, true); argsort(0, false), PyTorch 1.13
        Tensor x = Tensor.fromArray(TIES, 3, 6).to(dtype);
        assertArrayEquals(new long[] {2, 0, 4, 1, 3, 5, 0, 3, 1, 5, 4, 2, 1, 5, 0, 3, 4, 2},
                x.argsort(1, true).toLongArray(), "argsort(1, true)");
        assertArrayEquals(new long[] {2, 0, 1, 0, 2, 0, 0, 1, 2, 2, 1, 1, 1, 2, 0, 1, 0, 2},
                x.argsort(0, false).toLongArray(), "argsort(0, false)");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void topkLargestAndSmallestAlongEachAxis(DType dtype) {
        // topk(3, 1, true, true); topk(4, 1, false, true); topk(2, 0, true, true), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 4, 9);
        IndexedValues r0 = x.topk(3, 1, true, true);
        IndexedValues r1 = x.topk(4, 1, false, true);
        IndexedValues r2 = x.topk(2, 0, true, true);
        backward(200, r0.values(), r1.values(), r2.values());

        assertArrayEquals(new int[] {4, 3}, r0.values().shape().dims());
        assertValues("values of topk(3, 1, true, true)", r0.values(),
                0.4983071306418082, 0.4076098811753303, 0.35464275030375275, 0.49754547453289455,
                0.4124211598374022, 0.34866637819307267, 0.4966431487685916, 0.41711583580606065,
                0.3425914286019866, 0.495600408460963, 0.42169258176854263, 0.33641961908419465);
        assertArrayEquals(new long[] {5, 4, 6, 5, 4, 6, 5, 4, 6, 5, 4, 6},
                r0.indices().toLongArray(), "indices of topk(3, 1, true, true)");
        assertArrayEquals(new int[] {4, 4}, r1.values().shape().dims());
        assertValues("values of topk(4, 1, false, true)", r1.values(),
                -0.48106362150487697, -0.45574486446755513, -0.28705465113650125, -0.2160821764611921,
                -0.48328735754286334, -0.45222246812354255, -0.29389750358370326, -0.2084702857747436,
                -0.48537445508342214, -0.4485722161723401, -0.30065726320287006, -0.200799454861187,
                -0.48732432404724735, -0.44479514063958875, -0.3073320188258905, -0.19307185247333541);
        assertArrayEquals(new long[] {0, 1, 8, 2, 0, 1, 8, 2, 0, 1, 8, 2, 0, 1, 8, 2},
                r1.indices().toLongArray(), "indices of topk(4, 1, false, true)");
        assertArrayEquals(new int[] {2, 9}, r2.values().shape().dims());
        assertValues("values of topk(2, 0, true, true)", r2.values(),
                -0.48106362150487697, -0.44479514063958875, -0.19307185247333541, 0.14945614474203156,
                0.42169258176854263, 0.4983071306418082, 0.35464275030375275, 0.04418434305200072,
                -0.28705465113650125, -0.48328735754286334, -0.4485722161723401, -0.200799454861187,
                0.14141242764921083, 0.41711583580606065, 0.49754547453289455, 0.34866637819307267,
                0.03580403612661126, -0.29389750358370326);
        assertArrayEquals(new long[] {0, 3, 3, 3, 3, 0, 0, 0, 0, 1, 2, 2, 2, 2, 1, 1, 1, 1},
                r2.indices().toLongArray(), "indices of topk(2, 0, true, true)");
        assertValues("gradient", x.grad(),
                -0.7666048042964937, -0.48762066944989596, -0.19184226318861783, 0.0, -0.023895770213402317,
                0.6742385486624369, -0.272536053348168, -0.2675492943385076, -0.9209322462324843,
                -0.3109965010410793, 0.42240690672652276, 0.33543285334390804, 0.0, -0.4190478157337163,
                -0.13114170826030525, -0.08564590858541413, -0.27461357689481675, 0.016208560484546164,
                0.01768408862805962, -0.5379257162466368, -0.3296687267576128, 0.39871734050164914,
                0.9463231041934992, 0.197568553184381, 0.4862081407570856, 0.0, -0.48941087781136366,
                -0.18405162583987436, -0.07825864848871691, 0.5965965832169069, 0.39358817822829917,
                0.4673966389203225, 0.2967399106624448, -0.3461330154423595, 0.0, 0.42684541983107505);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void kthvalueAlongEachAxis(DType dtype) {
        // kthvalue(4, 1, false); kthvalue(2, 0, true), PyTorch 1.13
        Tensor x = tensor(dtype, 101, 4, 9);
        IndexedValues r0 = x.kthvalue(4, 1, false);
        IndexedValues r1 = x.kthvalue(2, 0, true);
        backward(200, r0.values(), r1.values());

        assertArrayEquals(new int[] {4}, r0.values().shape().dims());
        assertValues("values of kthvalue(4, 1, false)", r0.values(),
                -0.2447498375342068, -0.2520461286744456, -0.24551079694923467, -0.23815239780098335);
        assertArrayEquals(new long[] {6, 6, 0, 0},
                r0.indices().toLongArray(), "indices of kthvalue(4, 1, false)");
        assertArrayEquals(new int[] {1, 9}, r1.values().shape().dims());
        assertValues("values of kthvalue(2, 0, true)", r1.values(),
                -0.25279978350913884, 0.08455334855076718, 0.3821397196047331, 0.4999217876703333,
                0.3772377859534063, 0.07711827904142908, -0.25927115951009305, -0.47372132052038896,
                -0.4683812969086994);
        assertArrayEquals(new long[] {1, 1, 1, 0, 2, 2, 2, 2, 1},
                r1.indices().toLongArray(), "indices of kthvalue(2, 0, true)");
        assertValues("gradient", x.grad(),
                0.0, 0.0, 0.0, -0.19184226318861783, 0.0, 0.0, 0.30346428682833904, 0.0, 0.0, -0.3017206673123802,
                -0.48762066944989596, -0.4441850514619969, 0.0, 0.0, 0.0, -0.023895770213402317, 0.0,
                0.01768408862805962, -0.3400172731420717, 0.0, 0.0, 0.0, 0.15072693908040313, 0.42240690672652276,
                0.4954223058491802, 0.33543285334390804, 0.0, -0.49622333959558507, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void medianIsTheLowerMiddleOfAnOddOrEvenAxis(DType dtype) {
        // median(1, false); median(0, true), PyTorch 1.13
        Tensor x = tensor(dtype, 102, 4, 8);
        IndexedValues r0 = x.median(1, false);
        IndexedValues r1 = x.median(0, true);
        backward(200, r0.values(), r1.values());

        assertArrayEquals(new int[] {4}, r0.values().shape().dims());
        assertValues("values of median(1, false)", r0.values(),
                -0.1999995644588107, 0.034933138580423365, 0.043314607038215006, 0.05168382927698875);
        assertArrayEquals(new long[] {4, 0, 1, 2},
                r0.indices().toLongArray(), "indices of median(1, false)");
        assertArrayEquals(new int[] {1, 8}, r1.values().shape().dims());
        assertValues("values of median(0, true)", r1.values(),
                -0.28776907630925713, 0.043314607038215006, 0.3540267538861991, 0.3599133491554431,
                0.1341699972584992, -0.20767639216283335, -0.4518493293168536, -0.4553850501503347);
        assertArrayEquals(new long[] {2, 2, 2, 3, 1, 1, 1, 2},
                r1.indices().toLongArray(), "indices of median(0, true)");
        assertValues("gradient", x.grad(),
                0.0, 0.0, 0.0, 0.0, 0.30346428682833904, 0.0, 0.0, 0.0, -0.023895770213402317, 0.0, 0.0, 0.0,
                0.15072693908040313, 0.42240690672652276, 0.4954223058491802, 0.0, -0.3017206673123802,
                -0.8276379425919677, -0.4441850514619969, 0.0, 0.0, 0.0, 0.0, 0.33543285334390804, 0.0, 0.0,
                -0.49622333959558507, -0.19184226318861783, 0.0, 0.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void medianIsNaNAtTheFirstNaNAndTopkTakesNaNFirst(DType dtype) {
        // median(1, false); topk(2, 1, true, true); kthvalue(2, 1, false), PyTorch 1.13
        Tensor x = leaf(dtype, NAN_ROWS, 2, 6);
        IndexedValues r0 = x.median(1, false);
        IndexedValues r1 = x.topk(2, 1, true, true);
        IndexedValues r2 = x.kthvalue(2, 1, false);
        backward(200, r0.values(), r1.values(), r2.values());

        assertArrayEquals(new int[] {2}, r0.values().shape().dims());
        assertValues("values of median(1, false)", r0.values(),
                NAN, 0.25);
        assertArrayEquals(new long[] {0, 0},
                r0.indices().toLongArray(), "indices of median(1, false)");
        assertArrayEquals(new int[] {2, 2}, r1.values().shape().dims());
        assertValues("values of topk(2, 1, true, true)", r1.values(),
                NAN, NAN, INF, 4.0);
        assertArrayEquals(new long[] {0, 3, 1, 5},
                r1.indices().toLongArray(), "indices of topk(2, 1, true, true)");
        assertArrayEquals(new int[] {2}, r2.values().shape().dims());
        assertValues("values of kthvalue(2, 1, false)", r2.values(),
                0.5, -0.0);
        assertArrayEquals(new long[] {4, 4},
                r2.indices().toLongArray(), "indices of kthvalue(2, 1, false)");
        assertValues("gradient", x.grad(),
                0.0017436195159588608, 0.0, 0.0, -0.48762066944989596, -0.4648841369841135, 0.0,
                -0.023895770213402317, -0.4441850514619969, 0.0, 0.0, -0.23698014556855562, -0.19184226318861783);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void integersSortTopkKthvalueAndMedian(DType dtype) {
        // sort(1, false); sort(1, true); sort(0, true); topk(1, 0, true, true); kthvalue(3, 1, false);
        // median(1, false), PyTorch 1.13
        Tensor x = Tensor.fromArray(INTEGERS, 2, 7).to(dtype);
        IndexedValues ascending = x.sort(1, false);
        assertArrayEquals(new long[] {0, 1, 1, 2, 3, 3, 3, -5, -5, 0, 2, 7, 7, 7},
                ascending.values().toLongArray(), "values of sort(1, false)");
        assertArrayEquals(new long[] {6, 1, 3, 2, 0, 4, 5, 0, 3, 4, 5, 1, 2, 6},
                ascending.indices().toLongArray(), "indices of sort(1, false)");
        IndexedValues descending = x.sort(1, true);
        assertArrayEquals(new long[] {3, 3, 3, 2, 1, 1, 0, 7, 7, 7, 2, 0, -5, -5},
                descending.values().toLongArray(), "values of sort(1, true)");
        assertArrayEquals(new long[] {0, 4, 5, 2, 1, 3, 6, 1, 2, 6, 5, 4, 0, 3},
                descending.indices().toLongArray(), "indices of sort(1, true)");
        IndexedValues columns = x.sort(0, true);
        assertArrayEquals(new long[] {3, 7, 7, 1, 3, 3, 7, -5, 1, 2, -5, 0, 2, 0},
                columns.values().toLongArray(), "values of sort(0, true)");
        assertArrayEquals(new long[] {0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0},
                columns.indices().toLongArray(), "indices of sort(0, true)");
        IndexedValues largest = x.topk(1, 0, true, true);
        assertArrayEquals(new long[] {3, 7, 7, 1, 3, 3, 7},
                largest.values().toLongArray(), "values of topk(1, 0, true, true)");
        assertArrayEquals(new long[] {0, 1, 1, 0, 0, 0, 1},
                largest.indices().toLongArray(), "indices of topk(1, 0, true, true)");
        IndexedValues third = x.kthvalue(3, 1, false);
        assertArrayEquals(new long[] {1, 0},
                third.values().toLongArray(), "values of kthvalue(3, 1, false)");
        assertArrayEquals(new long[] {3, 4},
                third.indices().toLongArray(), "indices of kthvalue(3, 1, false)");
        IndexedValues median = x.median(1, false);
        assertArrayEquals(new long[] {2, 2},
                median.values().toLongArray(), "values of median(1, false)");
        assertArrayEquals(new long[] {2, 5},
                median.indices().toLongArray(), "indices of median(1, false)");
    }
}
