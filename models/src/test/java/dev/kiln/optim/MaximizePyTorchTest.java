package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SGD, Adam and AdamW with {@code maximize}: the parameter after each of eight F64 steps against what PyTorch 1.13
 * printed with {@code maximize=True} ({@code models/src/test/pytorch/optim_maximize.py}), from the start and
 * gradients of {@link RpropAsgdPyTorchTest}.
 */
class MaximizePyTorchTest {
    private static final double TOLERANCE = 1e-10;

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static void checkSteps(Function<List<Tensor>, Optimizer> make, double[][] expected) {
        Tensor param = Tensor.fromArray(RpropAsgdPyTorchTest.START.clone(), 3).requiresGrad(true);
        try (Optimizer opt = make.apply(List.of(param))) {
            for (int step = 0; step < expected.length; step++) {
                double[] grad = RpropAsgdPyTorchTest.GRADS[step];
                try (Scope s = Scope.open()) {
                    opt.zeroGrad();
                    param.backward(Tensor.fromArray(grad.clone(), 3));
                    opt.step();
                    assertArrayEquals(grad, param.grad().toDoubleArray(), 0.0, "the gradient itself is kept");
                }
                assertArrayEquals(expected[step], param.toDoubleArray(), TOLERANCE, "after step " + (step + 1));
            }
            assertTrue(opt.maximize());
        }
    }

    @Test
    void sgdMaximizePlain() {
        // SGD(lr=0.1, maximize=True)
        checkSteps(ps -> new SGD(ps, 0.1).maximize(true), new double[][] {
            {0.51, -1.02, 2.03},
            {0.47000000000000003, -0.97, 2.0349999999999997},
            {0.49000000000000005, -0.96, 2.005},
            {0.52, -0.97, 2.025},
            {0.51, -0.94, 2.0349999999999997},
            {0.535, -0.945, 2.0149999999999997},
            {0.54, -0.9249999999999999, 2.03},
            {0.51, -0.94, 2.0349999999999997}});
    }

    @Test
    void sgdMaximizeNesterovWeightDecay() {
        // SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05, maximize=True): the gradient is negated
        // before the weight decay is added
        checkSteps(ps -> new SGD(ps, 0.1, 0.9, true, 0.05).maximize(true), new double[][] {
            {0.51425, -1.0285, 2.038},
            {0.439439625, -0.9358792499999999, 2.044339},
            {0.4442497360625, -0.8742579721249999, 1.9782938794999998},
            {0.48533594183865625, -0.8427048279273124, 1.9742590046947497},
            {0.4737019594020109, -0.7442354631586466, 1.9617744792831746},
            {0.5174152183329849, -0.6888349696925132, 1.893785714380693},
            {0.5409733656140072, -0.5932796529451282, 1.8699328468386176},
            {0.49786481967609264, -0.5512434685331192, 1.8352229397204958}});
    }

    @Test
    void adamMaximizeL2WeightDecay() {
        // Adam(lr=0.1, betas=(0.8, 0.9), weight_decay=0.05, maximize=True)
        checkSteps(ps -> new Adam(ps, 0.1, 0.8, 0.9, 1e-8, 0.05).maximize(true), new double[][] {
            {0.5999999866666684, -1.0999999933333338, 2.099999995},
            {0.5349911989583018, -1.0418600456298983, 2.140702591016161},
            {0.5165182512142118, -0.9820827203044994, 2.092066059287041},
            {0.5383647835515518, -0.9413011547507761, 2.068558945946469},
            {0.5400452548081452, -0.8801964113793016, 2.0490646900169542},
            {0.5663981568578685, -0.8305768819845324, 2.0005432427776455},
            {0.5908027810167182, -0.769722645412766, 1.9665727519229466},
            {0.5745676197425427, -0.730666498327932, 1.9321658885590947}});
    }

    @Test
    void adamMaximizeAmsgrad() {
        // Adam(lr=0.1, betas=(0.8, 0.9), weight_decay=0.05, amsgrad=True, maximize=True)
        checkSteps(ps -> new Adam(ps, 0.1, 0.8, 0.9, 1e-8, 0.05).amsgrad(true).maximize(true), new double[][] {
            {0.5999999866666684, -1.0999999933333338, 2.099999995},
            {0.5349911989583018, -1.0418600456298983, 2.140203467851819},
            {0.5165182512142118, -0.982972062648788, 2.0915682332141516},
            {0.5383647835515518, -0.9446822130311376, 2.068717954800448},
            {0.5400137953664036, -0.8835665992761143, 2.050739021869029},
            {0.5663668404663013, -0.8364663369160323, 2.0022142345037417},
            {0.5895416293977789, -0.7766967301844714, 1.9697923388546248},
            {0.5733119892855446, -0.7395847002476068, 1.9384425777147558}});
    }

    @Test
    void adamWMaximizeDecoupledWeightDecay() {
        // AdamW(lr=0.1, betas=(0.8, 0.9), eps=0.1, weight_decay=0.05, maximize=True)
        checkSteps(ps -> new AdamW(ps, 0.1).betas(0.8, 0.9).eps(0.1).weightDecay(0.05).maximize(true),
                new double[][] {
                    {0.5475, -1.0616666666666665, 2.065},
                    {0.5001216866476696, -1.0176497861177367, 2.1067073758368613},
                    {0.4913545318369571, -0.9757463889268729, 2.088139279342227},
                    {0.5118601498471687, -0.952775260070799, 2.0924567648229893},
                    {0.5182718165210679, -0.9119241154284201, 2.102800127406706},
                    {0.5417642883057239, -0.8826648600639777, 2.089922544924723},
                    {0.5638973721872583, -0.8444161537356509, 2.090397008131526},
                    {0.5577597798969663, -0.824520762508267, 2.0930247329979705}});
    }
}
