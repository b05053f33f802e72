package dev.kiln.engine;

/**
 * The modified Bessel functions of the first kind of orders 0 and 1, plain and exponentially scaled (PyTorch's
 * {@code i0}, {@code special.i0e}, {@code special.i1}, {@code special.i1e}), composed of Tensor ops so that they run on
 * every backend, each one node whose gradient is composed of the family, so they are differentiable to any order.
 *
 * <p>PyTorch's algorithm, from the Cephes library: {@code exp(-|x|) I(|x|)} as a Chebyshev series in
 * {@code |x| / 2 - 2} on [0, 8] and {@code exp(-|x|) sqrt(|x|) I(|x|)} as one in {@code 32 / |x| - 2} beyond, summed by
 * Clenshaw's recurrence, with all the F64 coefficients in F32 too; I0 is even, I1 odd. The unscaled functions multiply
 * by {@code exp(|x|)}, which overflows above 709.78, where PyTorch's does too.
 */
final class BesselOps {
    /** Chebyshev coefficients of exp(-x) I0(x) on [0, 8]. */
    private static final double[] I0E_NEAR = {-4.41534164647933937950E-18, 3.33079451882223809783E-17,
        -2.43127984654795469359E-16, 1.71539128555513303061E-15, -1.16853328779934516808E-14,
        7.67618549860493561688E-14, -4.85644678311192946090E-13, 2.95505266312963983461E-12,
        -1.72682629144155570723E-11, 9.67580903537323691224E-11, -5.18979560163526290666E-10,
        2.65982372468238665035E-9, -1.30002500998624804212E-8, 6.04699502254191894932E-8,
        -2.67079385394061173391E-7, 1.11738753912010371815E-6, -4.41673835845875056359E-6,
        1.64484480707288970893E-5, -5.75419501008210370398E-5, 1.88502885095841655729E-4,
        -5.76375574538582365885E-4, 1.63947561694133579842E-3, -4.32430999505057594430E-3,
        1.05464603945949983183E-2, -2.37374148058994688156E-2, 4.93052842396707084878E-2,
        -9.49010970480476444210E-2, 1.71620901522208775349E-1, -3.04682672343198398683E-1,
        6.76795274409476084995E-1};
    /** Chebyshev coefficients of exp(-x) sqrt(x) I0(x) on [8, infinity), in 32 / x - 2. */
    private static final double[] I0E_FAR = {-7.23318048787475395456E-18, -4.83050448594418207126E-18,
        4.46562142029675999901E-17, 3.46122286769746109310E-17, -2.82762398051658348494E-16,
        -3.42548561967721913462E-16, 1.77256013305652638360E-15, 3.81168066935262242075E-15,
        -9.55484669882830764870E-15, -4.15056934728722208663E-14, 1.54008621752140982691E-14,
        3.85277838274214270114E-13, 7.18012445138366623367E-13, -1.79417853150680611778E-12,
        -1.32158118404477131188E-11, -3.14991652796324136454E-11, 1.18891471078464383424E-11,
        4.94060238822496958910E-10, 3.39623202570838634515E-9, 2.26666899049817806459E-8,
        2.04891858946906374183E-7, 2.89137052083475648297E-6, 6.88975834691682398426E-5,
        3.36911647825569408990E-3, 8.04490411014108831608E-1};
    /** Chebyshev coefficients of exp(-x) I1(x) / x on [0, 8]. */
    private static final double[] I1E_NEAR = {2.77791411276104639959E-18, -2.11142121435816608115E-17,
        1.55363195773620046921E-16, -1.10559694773538630805E-15, 7.60068429473540693410E-15,
        -5.04218550472791168711E-14, 3.22379336594557470981E-13, -1.98397439776494371520E-12,
        1.17361862988909016308E-11, -6.66348972350202774223E-11, 3.62559028155211703701E-10,
        -1.88724975172282928790E-9, 9.38153738649577178388E-9, -4.44505912879632808065E-8,
        2.00329475355213526229E-7, -8.56872026469545474066E-7, 3.47025130813767847674E-6,
        -1.32731636560394358279E-5, 4.78156510755005422638E-5, -1.61760815825896745588E-4,
        5.12285956168575772895E-4, -1.51357245063125314899E-3, 4.15642294431288815669E-3,
        -1.05640848946261981558E-2, 2.47264490306265168283E-2, -5.29459812080949914269E-2,
        1.02643658689847095384E-1, -1.76416518357834055153E-1, 2.52587186443633654823E-1};
    /** Chebyshev coefficients of exp(-x) sqrt(x) I1(x) on [8, infinity), in 32 / x - 2. */
    private static final double[] I1E_FAR = {7.51729631084210481353E-18, 4.41434832307170791151E-18,
        -4.65030536848935832153E-17, -3.20952592199342395980E-17, 2.96262899764595013876E-16,
        3.30820231092092828324E-16, -1.88035477551078244854E-15, -3.81440307243700780478E-15,
        1.04202769841288027642E-14, 4.27244001671195135429E-14, -2.10154184277266431302E-14,
        -4.08355111109219731823E-13, -7.19855177624590851209E-13, 2.03562854414708950722E-12,
        1.41258074366137813316E-11, 3.25260358301548823856E-11, -1.89749581235054123450E-11,
        -5.58974346219658380687E-10, -3.83538038596423702205E-9, -2.63146884688951950684E-8,
        -2.51223623787020892529E-7, -3.88256480887769039346E-6, -1.10588938762623716291E-4,
        -9.76109749136146840777E-3, 7.78576235018280120474E-1};

    private BesselOps() {
    }

    /** I0(x); its gradient is I1(x). */
    static Tensor i0(Tensor x) {
        check("i0", x);
        return Composite.op("i0", x, () -> x.abs().exp().mul(i0eOf(x)), (out, g) -> g.mul(i1(x)));
    }

    /** exp(-|x|) I0(x); its gradient is {@code i1e(x) - sign(x) i0e(x)}. */
    static Tensor i0e(Tensor x) {
        check("i0e", x);
        return Composite.op("i0e", x, () -> i0eOf(x), (out, g) -> g.mul(i1e(x).sub(x.sign().mul(i0e(x)))));
    }

    /** I1(x); its gradient is {@code i0(x) - i1(x) / x}, 1/2 at 0. */
    static Tensor i1(Tensor x) {
        check("i1", x);
        return Composite.op("i1", x, () -> x.abs().exp().mul(i1eOf(x)),
                (out, g) -> g.mul(i0(x).sub(overXAwayFromZero(i1(nonZero(x)), x))));
    }

    /** exp(-|x|) I1(x); its gradient is {@code i0e(x) - i1e(x) (sign(x) + 1 / x)}, 1/2 at 0. */
    static Tensor i1e(Tensor x) {
        check("i1e", x);
        return Composite.op("i1e", x, () -> i1eOf(x), (out, g) -> {
            Tensor safe = nonZero(x);
            Tensor scaled = i1e(safe);
            return g.mul(i0e(x).sub(scaled.mul(x.sign())).sub(overXAwayFromZero(scaled, x)));
        });
    }

    private static Tensor i0eOf(Tensor x) {
        Tensor magnitude = x.abs();
        Tensor near = chebyshev(ElementwiseOps.affine(magnitude, 0.5, -2), I0E_NEAR);
        Tensor far = chebyshev(magnitude.reciprocal().mul(32).sub(2), I0E_FAR).div(magnitude.sqrt());
        return Tensor.where(magnitude.le(8), near, far);
    }

    private static Tensor i1eOf(Tensor x) {
        Tensor magnitude = x.abs();
        Tensor near = chebyshev(ElementwiseOps.affine(magnitude, 0.5, -2), I1E_NEAR).mul(magnitude);
        Tensor far = chebyshev(magnitude.reciprocal().mul(32).sub(2), I1E_FAR).div(magnitude.sqrt());
        Tensor value = Tensor.where(magnitude.le(8), near, far);
        return Tensor.where(x.lt(0), value.neg(), value);
    }

    /**
     * {@code f / x}, 1/2 where x is 0 (the limit of I1(x) / x and of i1e(x) / x); {@code f} is taken at
     * {@link #nonZero} so that no branch divides 0 by 0, whose NaN a second derivative would carry through.
     */
    private static Tensor overXAwayFromZero(Tensor f, Tensor x) {
        return Tensor.where(x.eq(0), ElementwiseOps.scalarLike(x, 0.5), f.div(nonZero(x)));
    }

    /** x with 1 where it is 0. */
    private static Tensor nonZero(Tensor x) {
        return Tensor.where(x.eq(0), ElementwiseOps.scalarLike(x, 1), x);
    }

    /** Cephes' chbevl: {@code (b0 - b2) / 2} of Clenshaw's recurrence {@code b0 = y b1 - b2 + c[i]}. */
    private static Tensor chebyshev(Tensor y, double[] c) {
        Tensor b0 = y.mul(c[0]).add(c[1]);
        Tensor b1 = ElementwiseOps.scalarLike(y, c[0]);
        Tensor b2 = ElementwiseOps.scalarLike(y, 0);
        for (int i = 2; i < c.length; i++) {
            b2 = b1;
            b1 = b0;
            b0 = y.mul(b1).sub(b2).add(c[i]);
        }
        return b0.sub(b2).mul(0.5);
    }

    private static void check(String op, Tensor x) {
        Checks.open(op, x);
        Checks.floating(op, x);
    }
}
