package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The von Mises distribution of angles, as PyTorch's {@code torch.distributions.VonMises(loc, concentration)}: loc (an
 * angle in radians, any real) and concentration kappa (positive) broadcast to the batch shape; values are angles, any
 * real number read modulo 2 pi; events are scalars.
 * <pre>
 * logProb(x) = kappa cos(x - loc) - log(2 pi) - log I0(kappa)
 * mean = mode = loc,  variance = 1 - I1(kappa) / I0(kappa)   (the circular ones, as PyTorch's)
 * </pre>
 * log I0 and log I1 are PyTorch's: the polynomial approximations of Abramowitz and Stegun (9.8.1 to 9.8.4), good to
 * about 1e-7 relative, below kappa = 3.75 and above it. {@code sample} draws by Best and Fisher's (1979) rejection
 * method, as PyTorch's, in rounds over only the draws not yet accepted ({@link PendingRounds}), and returns angles in
 * [-pi, pi). No rsample, cdf or entropy (as in PyTorch 1.13).
 */
public final class VonMises extends Distribution {
    private static final double LOG_TWO_PI = Math.log(2 * Math.PI);
    /** Below it the Bessel functions take the series in (x / 3.75)^2, above it the one in 3.75 / x. */
    private static final double BESSEL_SWITCH = 3.75;
    private static final double[] I0_SMALL = {1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1,
        0.45813e-2};
    private static final double[] I0_LARGE = {0.39894228, 0.1328592e-1, 0.225319e-2, -0.157565e-2, 0.916281e-2,
        -0.2057706e-1, 0.2635537e-1, -0.1647633e-1, 0.392377e-2};
    private static final double[] I1_SMALL = {0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2,
        0.32411e-3};
    private static final double[] I1_LARGE = {0.39894228, -0.3988024e-1, -0.362018e-2, 0.163801e-2, -0.1031555e-1,
        0.2282967e-1, -0.2895312e-1, 0.1787654e-1, -0.420059e-2};

    private final Tensor loc;
    private final Tensor concentration;

    /** VonMises(loc, concentration), validated as {@link Distribution#defaultValidateArgs()} says. */
    public VonMises(Tensor loc, Tensor concentration) {
        this(loc, concentration, defaultValidateArgs());
    }

    /** VonMises(loc, concentration) with F32 scalar parameters. */
    public VonMises(double loc, double concentration) {
        this(Tensor.scalar(loc), Tensor.scalar(concentration));
    }

    /** VonMises(loc, concentration), checking that loc is not NaN and concentration positive when validating. */
    public VonMises(Tensor loc, Tensor concentration, boolean validateArgs) {
        this(Tensors.broadcastAll("VonMises", loc, concentration), validateArgs);
    }

    private VonMises(Tensor[] parameters, boolean validateArgs) {
        super(parameters[0].shape(), Shape.scalar(), validateArgs);
        this.loc = parameters[0];
        this.concentration = parameters[1];
        checkParameter("loc", loc, Constraint.real());
        checkParameter("concentration", concentration, Constraint.positive());
    }

    /** The mean direction, broadcast to the batch shape. */
    public Tensor loc() {
        return loc;
    }

    /** The concentration kappa, broadcast to the batch shape. */
    public Tensor concentration() {
        return concentration;
    }

    @Override
    protected Tensor draw(int... sampleShape) {
        Shape shape = Shape.of(extendedShape(sampleShape));
        int n = (int) shape.size();
        Tensor all = concentration.fullLike(1, Shape.of(n));
        Tensor angles = PendingRounds.sum(all, VonMises::round, () -> proposal(shape, n));
        // Centred on loc, then wrapped into [-pi, pi) as PyTorch's Python remainder wraps it.
        Tensor shifted = angles.reshape(shape.dims()).add(Math.PI).add(loc);
        return shifted.remainder(shifted.fullLike(2 * Math.PI)).sub(Math.PI);
    }

    /**
     * {kappa, rho, kappa r} of Best and Fisher's proposal, flat [n]: rho = (tau - sqrt(2 tau)) / (2 kappa) with
     * tau = 1 + sqrt(1 + 4 kappa^2), and r = (1 + rho^2) / (2 rho). As PyTorch 1.13 writes them, rho cancels to 0 for
     * small kappa (below about 1e-4 in F32, 1e-8 in F64) and r = 1 / 0 makes every candidate NaN, so that no round
     * ever accepts one; rho = 2 kappa / (tau + sqrt(2 tau)), the same value, and
     * kappa r = (1 + rho^2) (tau + sqrt(2 tau)) / 4 stay finite for every positive kappa.
     */
    private Tensor[] proposal(Shape shape, int n) {
        Tensor tau = concentration.square().mul(4).add(1).sqrt().add(1);
        Tensor spread = tau.add(tau.mul(2).sqrt());
        Tensor rho = concentration.mul(2).div(spread);
        Tensor kappaR = rho.square().add(1).mul(spread).div(4);
        return new Tensor[] {flat(concentration, shape, n), flat(rho, shape, n), flat(kappaR, shape, n)};
    }

    private static Tensor flat(Tensor t, Shape shape, int n) {
        return Tensors.expandTo(t, shape).reshape(n);
    }

    /**
     * One round over {kappa, rho, kappa r} of the draws not yet accepted: the angle about loc where a candidate is
     * accepted. f = (1 + r z) / (r + z) is taken as (2 rho + (1 + rho^2) z) / (1 + rho^2 + 2 rho z), r's numerator
     * and denominator times 2 rho, so that it needs no r.
     */
    private static PendingRounds.Outcome round(Tensor[] e) {
        Tensor kappa = e[0];
        Tensor rho = e[1];
        Tensor kappaR = e[2];
        Tensor z = kappa.uniformLike(0, 1).mul(Math.PI).cos();
        Tensor u2 = kappa.uniformLike(0, 1);
        Tensor u3 = kappa.uniformLike(0, 1);
        Tensor onePlusRho2 = rho.square().add(1);
        Tensor f = onePlusRho2.mul(z).add(rho.mul(2)).div(rho.mul(z).mul(2).add(onePlusRho2));
        Tensor c = kappaR.sub(kappa.mul(f));
        Tensor quick = c.mul(c.neg().add(2)).sub(u2).gt(0);
        Tensor exact = c.div(u2).log().add(1).sub(c).ge(0);
        Tensor accepted = quick.add(exact).gt(0);
        Tensor angle = u3.sub(0.5).sign().mul(f.acos());
        return new PendingRounds.Outcome(accepted.neg().add(1), Tensor.where(accepted, angle, angle.fullLike(0)), e);
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor x = checkedValue("logProb", value);
        return concentration.mul(x.sub(loc).cos()).sub(LOG_TWO_PI).sub(logBessel(concentration, I0_SMALL, I0_LARGE,
                false));
    }

    /**
     * log I_order(x) for x > 0 (PyTorch's {@code _log_modified_bessel_fn}): the series in (x / 3.75)^2 below 3.75
     * ({@code small}, times x for I1) and x - log(x) / 2 + log of the series in 3.75 / x above.
     */
    private static Tensor logBessel(Tensor x, double[] small, double[] large, boolean firstOrder) {
        Tensor y = x.div(BESSEL_SWITCH).square();
        Tensor below = polynomial(y, small);
        if (firstOrder) {
            below = x.abs().mul(below);
        }
        Tensor above = x.sub(x.log().mul(0.5)).add(polynomial(x.reciprocal().mul(BESSEL_SWITCH), large).log());
        return Tensor.where(x.lt(BESSEL_SWITCH), below.log(), above);
    }

    /** {@code c[0] + y (c[1] + y (c[2] + ...))} (PyTorch's {@code _eval_poly}). */
    private static Tensor polynomial(Tensor y, double[] c) {
        Tensor sum = y.fullLike(c[c.length - 1]);
        for (int k = c.length - 2; k >= 0; k--) {
            sum = sum.mul(y).add(c[k]);
        }
        return sum;
    }

    /** PyTorch 1.13 has none. */
    @Override
    public Tensor entropy() {
        throw new UnsupportedOperationException(this + " has no entropy (as in PyTorch 1.13)");
    }

    /** loc: the circular mean. */
    @Override
    public Tensor mean() {
        return loc;
    }

    @Override
    public Tensor mode() {
        return loc;
    }

    /** The circular variance 1 - I1(kappa) / I0(kappa). */
    @Override
    public Tensor variance() {
        Tensor logRatio = logBessel(concentration, I1_SMALL, I1_LARGE, true)
                .sub(logBessel(concentration, I0_SMALL, I0_LARGE, false));
        return logRatio.exp().neg().add(1);
    }

    @Override
    public Constraint support() {
        return Constraint.real();
    }

    @Override
    public VonMises expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        return new VonMises(Tensors.expandTo(loc, shape), Tensors.expandTo(concentration, shape), validatesArgs());
    }

    @Override
    public String toString() {
        return "VonMises(loc: " + loc.shape() + ", concentration: " + concentration.shape() + ")";
    }
}
