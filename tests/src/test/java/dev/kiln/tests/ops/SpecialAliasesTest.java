package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Special;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Special's aliases give exactly what the ops they name give, as torch.special's do. */
class SpecialAliasesTest {
    private static final double[] X = {-2.5, -0.5, 0.0, 0.25, 0.5, 1.5, 3.0};
    private static final double[] UNIT = {0.0, 0.1, 0.5, 0.75, 0.99, 1.0};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    @Test
    void elementwiseAliasesAreTheOpsTheyName() {
        Tensor x = Tensor.fromArray(X, X.length);
        Tensor u = Tensor.fromArray(UNIT, UNIT.length);
        same(x.sigmoid(), Special.expit(x));
        same(x.lgamma(), Special.gammaln(x));
        same(x.digamma(), Special.psi(x));
        same(x.digamma(), Special.digamma(x));
        same(x.polygamma(2), Special.polygamma(2, x));
        same(u.logit(), Special.logit(u));
        same(u.logit(0.05), Special.logit(u, 0.05));
        same(x.sinc(), Special.sinc(x));
        same(x.erf(), Special.erf(x));
        same(x.erfc(), Special.erfc(x));
        same(u.erfinv(), Special.erfinv(u));
        same(x.log1p(), Special.log1p(x));
        same(x.expm1(), Special.expm1(x));
        same(x.exp2(), Special.exp2(x));
        same(x.round(), Special.round(x));
        same(u.xlogy(x.narrow(0, 0, UNIT.length)), Special.xlogy(u, x.narrow(0, 0, UNIT.length)));
    }

    @Test
    void softmaxAliasesAreTheOpsTheyName() {
        Tensor x = Tensor.fromArray(new double[] {0.5, -1.0, 2.0, 0.0, 3.0, -0.5}, 2, 3);
        same(F.softmax(x, 1), Special.softmax(x, 1));
        same(F.logSoftmax(x, 0), Special.logSoftmax(x, 0));
        same(x.logsumexp(1, true), Special.logsumexp(x, 1, true));
    }

    private static void same(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape().dims(), actual.shape().dims());
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), 0);
    }
}
