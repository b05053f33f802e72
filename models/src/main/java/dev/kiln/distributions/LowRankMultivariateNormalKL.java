package dev.kiln.distributions;

import dev.kiln.engine.Tensor;

/**
 * The divergences KL(p || q) that PyTorch 1.13 registers ({@code torch/distributions/kl.py}) for
 * LowRankMultivariateNormal, with PyTorch's formulas: with itself, MultivariateNormal-LowRankMultivariateNormal and
 * LowRankMultivariateNormal-MultivariateNormal, each
 * {@code (log det(q cov) - log det(p cov) + tr(q cov^-1 p cov) + (ql - pl)^T q cov^-1 (ql - pl) - d) / 2}, the
 * low-rank sides' determinants and inverses by the matrix determinant lemma and the Woodbury identity (see
 * {@link LowRankMultivariateNormal}), traces as sums of squares.
 */
final class LowRankMultivariateNormalKL {
    private LowRankMultivariateNormalKL() {
    }

    /** Registers each pair with {@link KL}. */
    static void registerAll() {
        KL.register(LowRankMultivariateNormal.class, LowRankMultivariateNormal.class,
                LowRankMultivariateNormalKL::lowRankLowRank);
        KL.register(MultivariateNormal.class, LowRankMultivariateNormal.class,
                LowRankMultivariateNormalKL::fullLowRank);
        KL.register(LowRankMultivariateNormal.class, MultivariateNormal.class,
                LowRankMultivariateNormalKL::lowRankFull);
    }

    private static void checkEvents(Distribution p, Distribution q) {
        if (!p.eventShape().equals(q.eventShape())) {
            throw new IllegalArgumentException("KL.divergence: " + p + " and " + q
                    + " have different event shapes: " + p.eventShape() + " and " + q.eventShape());
        }
    }

    /**
     * tr(q cov^-1 p cov) = sum(pD / qD) + |qD^-1/2 pW|^2 - |A pD^1/2|^2 - |A pW|^2, A = L_C^-1 qW^T qD^-1.
     */
    private static Tensor lowRankLowRank(LowRankMultivariateNormal p, LowRankMultivariateNormal q) {
        checkEvents(p, q);
        Tensor term1 = q.logDet().sub(p.logDet());
        Tensor term3 = q.mahalanobis(q.loc().sub(p.loc()));
        Tensor a = q.woodburyFactor();
        Tensor pDiag = p.unbroadcastDiag();
        Tensor qDiag = q.unbroadcastDiag();
        Tensor term21 = pDiag.div(qDiag).sum(-1, false);
        Tensor term22 = traceOfSquare(p.unbroadcastFactor().mul(qDiag.rsqrt().unsqueeze(-1)));
        Tensor term23 = traceOfSquare(a.mul(pDiag.sqrt().unsqueeze(-2)));
        Tensor term24 = traceOfSquare(a.matmul(p.unbroadcastFactor()));
        Tensor term2 = term21.add(term22).sub(term23).sub(term24);
        return term1.add(term2).add(term3).sub(p.dimension()).mul(0.5);
    }

    /** tr(q cov^-1 L L^T) = |qD^-1/2 L|^2 - |A L|^2 for p's factor L. */
    private static Tensor fullLowRank(MultivariateNormal p, LowRankMultivariateNormal q) {
        checkEvents(p, q);
        Tensor term1 = q.logDet().sub(p.halfLogDet().mul(2));
        Tensor term3 = q.mahalanobis(q.loc().sub(p.loc()));
        Tensor tril = p.unbroadcastScaleTril();
        Tensor term21 = traceOfSquare(tril.mul(q.unbroadcastDiag().rsqrt().unsqueeze(-1)));
        Tensor term22 = traceOfSquare(q.woodburyFactor().matmul(tril));
        return term1.add(term21.sub(term22)).add(term3).sub(p.dimension()).mul(0.5);
    }

    /** tr(q cov^-1 p cov) = |L^-1 pW|^2 + |L^-1 diag(pD^1/2)|^2 for q's factor L. */
    private static Tensor lowRankFull(LowRankMultivariateNormal p, MultivariateNormal q) {
        checkEvents(p, q);
        Tensor tril = q.unbroadcastScaleTril();
        Tensor term1 = q.halfLogDet().mul(2).sub(p.logDet());
        Tensor term3 = Matrices.mahalanobis(tril, q.loc().sub(p.loc()));
        Tensor diagonal = Matrices.diagonalMatrix(p.unbroadcastDiag().sqrt());
        Tensor term21 = traceOfSquare(Matrices.solveLower(tril, p.unbroadcastFactor()));
        Tensor term22 = traceOfSquare(Matrices.solveLower(tril, diagonal));
        return term1.add(term21).add(term22).add(term3).sub(p.dimension()).mul(0.5);
    }

    /** tr(X X^T), the sum of squares over the last two axes (PyTorch's {@code _batch_trace_XXT}). */
    private static Tensor traceOfSquare(Tensor x) {
        return x.square().sum(-1, false).sum(-1, false);
    }
}
