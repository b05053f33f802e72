package dev.kiln.optim;

import static dev.kiln.optim.SparseEmbeddingReferences.DIM;
import static dev.kiln.optim.SparseEmbeddingReferences.LOOKUPS;
import static dev.kiln.optim.SparseEmbeddingReferences.PADDING_IDX;
import static dev.kiln.optim.SparseEmbeddingReferences.ROWS;
import static dev.kiln.optim.SparseEmbeddingReferences.START;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.EmbeddingBag;
import dev.kiln.nn.Module;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Embedding and EmbeddingBag with sparse gradients, stepped by SparseAdam, SGD and AdaGrad: the weight after each of
 * three steps against PyTorch 1.13 ({@code models/src/test/pytorch/sparse_embedding_optim.py}), with repeated indices
 * and a padding row that is looked up but never trained. Loss {@code sum((y - cos(0.5 k))^2)}. The empty-middle cases
 * clear gradients as PyTorch 1.13's default {@code zero_grad()} does ({@code zeroGrad(false)}) and skip the second
 * step's backward pass: the step sees a sparse gradient without entries, which still counts and still moves momentum.
 */
class SparseEmbeddingPyTorchTest {
    private static final double F64_TOLERANCE = 1e-12;
    private static final double F32_TOLERANCE = 1e-6;

    private static Embedding embedding() {
        return new Embedding(ROWS, DIM, PADDING_IDX).sparse(true);
    }

    private static EmbeddingBag bag(EmbeddingBag.Mode mode) {
        return EmbeddingBag.builder(ROWS, DIM).mode(mode).paddingIdx(PADDING_IDX).sparse(true).build();
    }

    private static void check(Supplier<Module> layer, Function<List<Tensor>, Optimizer> optimizer, double[][] f64,
                              double[][] f32) {
        check(layer.get(), DType.F64, optimizer, f64, F64_TOLERANCE);
        check(layer.get(), DType.F32, optimizer, f32, F32_TOLERANCE);
    }

    private static void check(Module layer, DType dtype, Function<List<Tensor>, Optimizer> optimizer,
                              double[][] expected, double tolerance) {
        check(layer, dtype, optimizer, expected, tolerance, false);
    }

    private static void checkEmptyMiddle(Function<List<Tensor>, Optimizer> optimizer, double[][] f64, double[][] f32) {
        check(embedding(), DType.F64, optimizer, f64, F64_TOLERANCE, true);
        check(embedding(), DType.F32, optimizer, f32, F32_TOLERANCE, true);
    }

    private static void check(Module layer, DType dtype, Function<List<Tensor>, Optimizer> optimizer,
                              double[][] expected, double tolerance, boolean emptyMiddle) {
        check(layer, dtype, optimizer, expected, tolerance, emptyMiddle, (opt, step) -> { });
    }

    /** The changed-hyperparameter cases: {@code beforeStep} sets the script's values before each step (from 0). */
    private static void checkChanged(Function<List<Tensor>, Optimizer> optimizer,
                                     BiConsumer<Optimizer, Integer> beforeStep, double[][] f64, double[][] f32) {
        check(embedding(), DType.F64, optimizer, f64, F64_TOLERANCE, false, beforeStep);
        check(embedding(), DType.F32, optimizer, f32, F32_TOLERANCE, false, beforeStep);
    }

    /**
     * With {@code emptyMiddle}, {@code zeroGrad(false)} before each step and no backward pass before the second;
     * {@code beforeStep} runs before each step's gradient.
     */
    private static void check(Module layer, DType dtype, Function<List<Tensor>, Optimizer> optimizer,
                              double[][] expected, double tolerance, boolean emptyMiddle,
                              BiConsumer<Optimizer, Integer> beforeStep) {
        layer.to(dtype);
        Tensor weight = layer.parameters().get(0);
        try (Autograd.Guard g = Autograd.noGrad(); Tensor start = Tensor.fromArray(START, ROWS, DIM)) {
            weight.assign(start.to(dtype));
        }
        try (Optimizer opt = optimizer.apply(List.of(weight))) {
            for (int step = 0; step < expected.length; step++) {
                beforeStep.accept(opt, step);
                try (Scope s = Scope.open()) {
                    if (emptyMiddle) {
                        opt.zeroGrad(false);
                    } else {
                        opt.zeroGrad();
                    }
                    if (!emptyMiddle || step != 1) {
                        Tensor y = layer.forward(Tensor.fromArray(flat(LOOKUPS[step]), 2, 3));
                        Tensor target = cosines((int) y.size(), dtype).reshape(y.shape().dims());
                        y.sub(target).square().sum().backward();
                    }
                    assertNull(weight.grad(), "no dense gradient");
                    assertNotNull(weight.sparseGrad(), "a sparse gradient");
                    opt.step();
                }
                assertArrayEquals(expected[step], weight.toDoubleArray(), tolerance, dtype + " after step " + (step + 1));
            }
        } finally {
            layer.close();
        }
    }

    private static long[] flat(long[][] rows) {
        return java.util.Arrays.stream(rows).flatMapToLong(java.util.Arrays::stream).toArray();
    }

    private static Tensor cosines(int n, DType dtype) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = Math.cos(0.5 * k);
        }
        return Tensor.fromArray(v, n).to(dtype);
    }

    @Test
    void embeddingSparseAdam() {
        check(SparseEmbeddingPyTorchTest::embedding, ps -> new SparseAdam(ps, 0.1),
                SparseEmbeddingReferences.EMBEDDING_SPARSE_ADAM_F64, SparseEmbeddingReferences.EMBEDDING_SPARSE_ADAM_F32);
    }

    @Test
    void embeddingSgd() {
        check(SparseEmbeddingPyTorchTest::embedding, ps -> new SGD(ps, 0.1),
                SparseEmbeddingReferences.EMBEDDING_SGD_F64, SparseEmbeddingReferences.EMBEDDING_SGD_F32);
    }

    @Test
    void embeddingSgdMomentum() {
        check(SparseEmbeddingPyTorchTest::embedding, ps -> new SGD(ps, 0.1).momentum(0.9),
                SparseEmbeddingReferences.EMBEDDING_SGD_MOMENTUM_F64,
                SparseEmbeddingReferences.EMBEDDING_SGD_MOMENTUM_F32);
    }

    @Test
    void embeddingAdaGrad() {
        check(SparseEmbeddingPyTorchTest::embedding,
                ps -> new AdaGrad(ps, 0.1).lrDecay(0.01).initialAccumulatorValue(0.1),
                SparseEmbeddingReferences.EMBEDDING_ADAGRAD_F64, SparseEmbeddingReferences.EMBEDDING_ADAGRAD_F32);
    }

    @Test
    void bagSumSparseAdam() {
        check(() -> bag(EmbeddingBag.Mode.SUM), ps -> new SparseAdam(ps, 0.1),
                SparseEmbeddingReferences.BAG_SUM_SPARSE_ADAM_F64, SparseEmbeddingReferences.BAG_SUM_SPARSE_ADAM_F32);
    }

    @Test
    void bagMeanSgd() {
        check(() -> bag(EmbeddingBag.Mode.MEAN), ps -> new SGD(ps, 0.1),
                SparseEmbeddingReferences.BAG_MEAN_SGD_F64, SparseEmbeddingReferences.BAG_MEAN_SGD_F32);
    }

    @Test
    void bagMeanAdaGrad() {
        check(() -> bag(EmbeddingBag.Mode.MEAN), ps -> new AdaGrad(ps, 0.1),
                SparseEmbeddingReferences.BAG_MEAN_ADAGRAD_F64, SparseEmbeddingReferences.BAG_MEAN_ADAGRAD_F32);
    }

    @Test
    void embeddingSgdNesterov() {
        check(SparseEmbeddingPyTorchTest::embedding, ps -> new SGD(ps, 0.1).momentum(0.9).nesterov(true),
                SparseEmbeddingReferences.EMBEDDING_SGD_NESTEROV_F64,
                SparseEmbeddingReferences.EMBEDDING_SGD_NESTEROV_F32);
    }

    @Test
    void embeddingSgdDampening() {
        check(SparseEmbeddingPyTorchTest::embedding, ps -> new SGD(ps, 0.1).momentum(0.5).dampening(0.3),
                SparseEmbeddingReferences.EMBEDDING_SGD_DAMPENING_F64,
                SparseEmbeddingReferences.EMBEDDING_SGD_DAMPENING_F32);
    }

    @Test
    void emptyMiddleSparseAdamCountsTheStep() {
        checkEmptyMiddle(ps -> new SparseAdam(ps, 0.1), SparseEmbeddingReferences.EMPTY_MIDDLE_SPARSE_ADAM_F64,
                SparseEmbeddingReferences.EMPTY_MIDDLE_SPARSE_ADAM_F32);
    }

    @Test
    void emptyMiddleSgdMomentumStillMoves() {
        checkEmptyMiddle(ps -> new SGD(ps, 0.1).momentum(0.9), SparseEmbeddingReferences.EMPTY_MIDDLE_SGD_MOMENTUM_F64,
                SparseEmbeddingReferences.EMPTY_MIDDLE_SGD_MOMENTUM_F32);
    }

    @Test
    void emptyMiddleAdaGradCountsTheStep() {
        checkEmptyMiddle(ps -> new AdaGrad(ps, 0.1).lrDecay(0.01), SparseEmbeddingReferences.EMPTY_MIDDLE_ADAGRAD_F64,
                SparseEmbeddingReferences.EMPTY_MIDDLE_ADAGRAD_F32);
    }

    /**
     * SparseAdam with the group's learning rate, betas and eps set anew before each step, as
     * {@code opt.param_groups[0].update(...)} between PyTorch's steps: each step reads the values set before it, the
     * bias corrections the current betas with the parameter's step count.
     */
    @Test
    void sparseAdamReadsHyperparametersChangedBetweenSteps() {
        double[] lrs = {0.1, 0.03, 0.2};
        double[][] betas = {{0.9, 0.999}, {0.8, 0.99}, {0.5, 0.9}};
        double[] eps = {1e-8, 1e-3, 0.1};
        checkChanged(ps -> new SparseAdam(ps, 0.1), (opt, step) -> {
            opt.groups().get(0).setLr(lrs[step]);
            ((SparseAdam) opt).betas(betas[step][0], betas[step][1]).eps(eps[step]);
        }, SparseEmbeddingReferences.CHANGED_SPARSE_ADAM_F64, SparseEmbeddingReferences.CHANGED_SPARSE_ADAM_F32);
    }

    /** AdaGrad likewise with the group's learning rate, lr_decay and eps set anew before each step. */
    @Test
    void adaGradReadsHyperparametersChangedBetweenSteps() {
        double[] lrs = {0.1, 0.03, 0.2};
        double[] lrDecays = {0.01, 0.1, 0.0};
        double[] eps = {1e-10, 1e-3, 0.1};
        checkChanged(ps -> new AdaGrad(ps, 0.1).lrDecay(0.01), (opt, step) -> {
            opt.groups().get(0).setLr(lrs[step]);
            ((AdaGrad) opt).lrDecay(lrDecays[step]).eps(eps[step]);
        }, SparseEmbeddingReferences.CHANGED_ADAGRAD_F64, SparseEmbeddingReferences.CHANGED_ADAGRAD_F32);
    }
}
