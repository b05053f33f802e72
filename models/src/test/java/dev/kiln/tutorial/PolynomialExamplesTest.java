package dev.kiln.tutorial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Function;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs PyTorch's "Learning PyTorch with Examples" (beginner_source/pytorch_with_examples.rst) in Kiln, the eight
 * files under examples/ (PolynomialArrays ... DynamicNet), from the starting values PyTorch 1.13 drew (its scripts
 * models/src/test/pytorch/polynomial_*.py, seeded, print them first, then the tutorial's lines), and checks every
 * printed loss ("99 loss", "199 loss", ...) and the final "Result: y = a + b x + c x^2 + d x^3" against those
 * scripts' lines.
 *
 * <p>The losses fall by two to three orders of magnitude over a run, so a wrong gradient, step or loss shows at
 * t = 99 already. The F32 runs stay within 3e-6 (relative) of PyTorch's losses and coefficients (rounding alone:
 * summation orders differ), the F64 arrays within 1e-14; the tolerances are 1e-5 and 1e-9. Coefficients near 0 are
 * compared to 1e-7 absolutely too (the custom function's a and c end at about 1e-9 in PyTorch and at 0 here: their
 * gradients cancel, x being symmetric). RMSprop is followed closely while the loss falls (to t = 1199); from about
 * t = 1300 its steps, of the size of the learning rate whatever the gradient, jitter about the minimum and the two
 * runs part (PyTorch's own run, its bias started one ulp away, parts from it the same way: a loss of 10.13 rather than
 * 11.40 at t = 1399, a ending at -1.3e-4 rather than 6.4e-4), so the end is held to 1% of the loss and 5e-3 of each
 * coefficient, where a run that does not train stays at a loss over 1e4.
 */
class PolynomialExamplesTest {
    private static final double F32_TOLERANCE = 1e-5;
    private static final double F64_TOLERANCE = 1e-9;
    private static final Pattern LOSS_LINE = Pattern.compile("(?m)^(\\d+) (\\S+)$");
    private static final Pattern RESULT_LINE = Pattern.compile("(?m)^Result: (.*)$");
    /** A coefficient: a number after the start, a space or "(" and before the end, a space or ")" (not x^2, P3). */
    private static final Pattern NUMBER = Pattern.compile("(?<=^|[ (])-?\\d+(?:\\.\\d+)?(?:e[-+]?\\d+)?(?=$|[ )])");

    @TempDir
    static Path classes;

    @BeforeAll
    static void compileTheExamples() {
        List<Path> sources = Stream.of("PolynomialArrays", "PolynomialTensor", "PolynomialAutograd",
                "PolynomialCustomFunction", "PolynomialNn", "PolynomialOptim", "PolynomialModule", "DynamicNet")
                .map(name -> ExampleSources.directory().resolve(name + ".java")).toList();
        ExampleSources.compile(sources, classes);
    }

    // ---- PyTorch 1.13's lines (models/src/test/pytorch/polynomial_*.py) ----------------------------------------

    private static final String[] NUMPY_START = {
        "1.764052345967664", "0.4001572083672233", "0.9787379841057392", "2.240893199201458"};
    private static final double[] NUMPY_LOSSES = {
        1942.5981197543472, 1357.8620988723724, 950.6459714997518, 666.8234472515073, 468.848819834288,
        330.6513896116905, 234.11186628462443, 166.62610469569782, 119.41891174195413, 86.37582610337255,
        63.23296761101652, 47.01467134962142, 35.64276153058774, 27.664836288357094, 22.06515054558043,
        18.132878187057912, 15.37027037347715, 13.428577985505335, 12.063311649447893, 11.10298121439451};
    private static final double[] NUMPY_RESULT = {
        0.04878583756373356, 0.8443864408312384, -0.008416368779585178, -0.09157308290467793};
    private static final String[] TENSOR_START = {
        "1.5409960746765137", "-0.293428897857666", "-2.1787893772125244", "0.5684312582015991"};
    private static final double[] TENSOR_LOSSES = {
        3238.300048828125, 2245.867431640625, 1559.9361572265625, 1085.354248046875, 756.66796875, 528.8026733398438,
        370.6806640625, 260.85369873046875, 184.5020294189453, 131.375732421875, 94.37879180908203, 68.59320831298828,
        50.60742950439453, 38.052669525146484, 29.282588958740234, 23.151987075805664, 18.863677978515625,
        15.86209487915039, 13.759871482849121, 12.286672592163086};
    private static final double[] TENSOR_RESULT = {
        0.05862332880496979, 0.8372474908828735, -0.01011350005865097, -0.09055762737989426};
    private static final String[] AUTOGRAD_START = {
        "1.5409960746765137", "-0.293428897857666", "-2.1787893772125244", "0.5684312582015991"};
    private static final double[] AUTOGRAD_LOSSES = {
        3238.300537109375, 2245.867431640625, 1559.936279296875, 1085.354248046875, 756.6680908203125,
        528.8026733398438, 370.6806335449219, 260.8537292480469, 184.50198364257812, 131.3756866455078,
        94.37876892089844, 68.59319305419922, 50.60741424560547, 38.05264663696289, 29.282575607299805,
        23.151979446411133, 18.863677978515625, 15.862089157104492, 13.759873390197754, 12.286673545837402};
    private static final double[] AUTOGRAD_RESULT = {
        0.058623336255550385, 0.8372474908828735, -0.01011350192129612, -0.09055762737989426};
    private static final double[] CUSTOM_FUNCTION_LOSSES = {
        209.95835876464844, 144.66018676757812, 100.70250701904297, 71.03519439697266, 50.97850799560547,
        37.403133392333984, 28.206867218017578, 21.97318458557129, 17.7457275390625, 14.877889633178711,
        12.931766510009766, 11.610918998718262, 10.714258193969727, 10.105483055114746, 9.692106246948242,
        9.411375999450684, 9.220745086669922, 9.091285705566406, 9.003360748291016, 8.94364070892334};
    private static final double[] CUSTOM_FUNCTION_RESULT = {
        -6.2158362901243436e-09, -2.208526849746704, 1.303918195638687e-09, 0.2554861009120941};
    private static final String[] NN_START = {
        "-0.4248946011066437", "-0.004322517663240433", "0.3097158372402191", "-0.4751853346824646"};
    private static final double[] NN_LOSSES = {
        582.650390625, 394.5884704589844, 268.3838195800781, 183.6226043701172, 126.64838409423828, 88.31900024414062,
        62.510074615478516, 45.11578369140625, 33.38167190551758, 25.458126068115234, 20.102432250976562,
        16.47870635986328, 14.024312973022461, 12.360122680664062, 11.23051643371582, 10.46294116973877,
        9.940791130065918, 9.585173606872559, 9.342713356018066, 9.177206039428711};
    private static final double[] NN_RESULT = {
        -0.014628550969064236, 0.8441022634506226, 0.002523668110370636, -0.09153266251087189};
    private static final String[] OPTIM_START = {
        "-0.4248946011066437", "-0.004322517663240433", "0.3097158372402191", "-0.4751853346824646"};
    private static final double[] OPTIM_LOSSES = {
        24804.943359375, 10978.701171875, 4139.98095703125, 1194.409423828125, 327.3492126464844, 189.4058074951172,
        161.31320190429688, 136.10520935058594, 107.14524841308594, 76.05801391601562, 47.963809967041016,
        27.239665985107422, 15.168364524841309, 11.397053718566895, 8.928443908691406, 8.919926643371582,
        8.823272705078125, 8.827150344848633, 8.859649658203125, 8.947993278503418};
    private static final double[] OPTIM_RESULT = {
        0.0006426689797081053, 0.8561770915985107, 0.0006429131608456373, -0.0939071774482727};
    private static final String[] MODULE_START = {
        "1.5409960746765137", "-0.293428897857666", "-2.1787893772125244", "0.5684312582015991"};
    private static final double[] MODULE_LOSSES = {
        3238.300537109375, 2245.867431640625, 1559.936279296875, 1085.3543701171875, 756.668212890625, 528.802734375,
        370.6806640625, 260.853759765625, 184.5020294189453, 131.375732421875, 94.37879180908203, 68.59321594238281,
        50.60743713378906, 38.05267333984375, 29.282594680786133, 23.152000427246094, 18.863689422607422,
        15.862093925476074, 13.759876251220703, 12.286676406860352};
    private static final double[] MODULE_RESULT = {
        0.058623358607292175, 0.8372474908828735, -0.010113503783941269, -0.09055762737989426};
    private static final String[] DYNAMIC_START = {
        "1.5409960746765137", "-0.293428897857666", "-2.1787893772125244", "0.5684312582015991", "-1.0845223665237427"};
    private static final double[] DYNAMIC_LOSSES = {
        2262.085693359375, 1083.9326171875, 533.3623657226562, 260.13238525390625, 132.9153289794922,
        69.43415069580078, 37.37145233154297, 23.501453399658203, 16.106908798217773, 12.141850471496582,
        10.536935806274414, 9.491791725158691, 9.299882888793945, 9.122308731079102, 8.972382545471191};
    private static final double[] DYNAMIC_RESULT = {
        0.011325857602059841, 0.8554321527481079, -0.002520442008972168, -0.09344211965799332, 0.00012531274114735425,
        0.00012531274114735425};

    // ---- the runs --------------------------------------------------------------------------------------------

    @Test
    void javaArraysRepeatNumpysRun() throws Exception {
        String out = ExampleSources.runMain(classes, "PolynomialArrays", NUMPY_START);
        assertRun("PolynomialArrays", out, NUMPY_LOSSES, 100, F64_TOLERANCE, NUMPY_RESULT, F64_TOLERANCE);
    }

    @Test
    void tensorsWithHandWrittenGradientsRepeatPyTorchsRun() throws Exception {
        String out = ExampleSources.runMain(classes, "PolynomialTensor", TENSOR_START);
        assertRun("PolynomialTensor", out, TENSOR_LOSSES, 100, F32_TOLERANCE, TENSOR_RESULT, F32_TOLERANCE);
    }

    @Test
    void autogradRepeatsPyTorchsRun() throws Exception {
        String out = ExampleSources.runMain(classes, "PolynomialAutograd", AUTOGRAD_START);
        assertRun("PolynomialAutograd", out, AUTOGRAD_LOSSES, 100, F32_TOLERANCE, AUTOGRAD_RESULT, F32_TOLERANCE);
    }

    /** The tutorial's fixed start (a, b, c, d = 0, -1, 0, 0.3) and its line "Result: y = a + b * P3(c + d x)". */
    @Test
    void aCustomAutogradFunctionRepeatsPyTorchsRun() throws Exception {
        String out = ExampleSources.runMain(classes, "PolynomialCustomFunction");
        assertTrue(Pattern.compile("(?m)^Result: y = \\S+ \\+ \\S+ \\* P3\\(\\S+ \\+ \\S+ x\\)$").matcher(out).find(),
                out);
        assertRun("PolynomialCustomFunction", out, CUSTOM_FUNCTION_LOSSES, 100, F32_TOLERANCE, CUSTOM_FUNCTION_RESULT,
                F32_TOLERANCE);
    }

    /**
     * The example's LegendrePolynomial3, a {@link Function} with a hand-written backward, gives PyTorch's gradient
     * (the script's last line, for P3 at -1.25, 0.5, 2 weighted by 1, -2, 0.5) and finite differences' in F64.
     */
    @Test
    void legendrePolynomial3sBackwardIsItsDerivative() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                PolynomialExamplesTest.class.getClassLoader());
             Scope s = Scope.open()) {
            Constructor<?> p3 = loader.loadClass("PolynomialCustomFunction$LegendrePolynomial3")
                    .getDeclaredConstructor();
            p3.setAccessible(true);
            Tensor z = Tensor.fromArray(new double[] {-1.25, 0.5, 2.0}, 3).requiresGrad(true);

            ((Function) p3.newInstance()).apply(z).backward(Tensor.fromArray(new double[] {1.0, -2.0, 0.5}, 3));

            assertArrayEquals(new double[] {10.21875, -0.75, 14.25}, z.grad().toDoubleArray(), 1e-12);
            GradCheck.check("LegendrePolynomial3", in -> {
                try {
                    return ((Function) p3.newInstance()).apply(in[0]);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }, Tensor.fromArray(new double[] {-2.1, -0.4, 0.3, 1.7}, 4).requiresGrad(true));
        }
    }

    @Test
    void aLinearLayerOverPolynomialFeaturesRepeatsPyTorchsRun() throws Exception {
        String out = ExampleSources.runMain(classes, "PolynomialNn", NN_START);
        assertRun("PolynomialNn", out, NN_LOSSES, 100, F32_TOLERANCE, NN_RESULT, F32_TOLERANCE);
    }

    @Test
    void rmspropFollowsPyTorchsRunWhileTheLossFalls() throws Exception {
        String out = ExampleSources.runMain(classes, "PolynomialOptim", OPTIM_START);
        double[] losses = losses("PolynomialOptim", out, OPTIM_LOSSES.length, 100);
        int falling = 12; // t = 99 ... 1199
        for (int i = 0; i < falling; i++) {
            assertClose("PolynomialOptim loss at t = " + (100 * i + 99), OPTIM_LOSSES[i], losses[i], F32_TOLERANCE, 0);
        }
        int last = OPTIM_LOSSES.length - 1;
        assertClose("PolynomialOptim's last loss", OPTIM_LOSSES[last], losses[last], 0.01, 0);
        double[] result = result("PolynomialOptim", out, OPTIM_RESULT.length);
        for (int i = 0; i < result.length; i++) {
            assertClose("PolynomialOptim coefficient " + i, OPTIM_RESULT[i], result[i], 0, 5e-3);
        }
    }

    @Test
    void aCustomModuleTrainedBySgdRepeatsPyTorchsRun() throws Exception {
        String out = ExampleSources.runMain(classes, "PolynomialModule", MODULE_START);
        assertRun("PolynomialModule", out, MODULE_LOSSES, 100, F32_TOLERANCE, MODULE_RESULT, F32_TOLERANCE);
    }

    /**
     * The tutorial's 30000 steps of momentum SGD, the orders of each pass drawn from java.util.Random(1) on both
     * sides: a pass that leaves e out skips it, as PyTorch 2's {@code zero_grad()} (the script's
     * {@code set_to_none=True}) does.
     */
    @Test
    void aDynamicGraphWithASharedWeightRepeatsPyTorchsRun() throws Exception {
        String[] args = Stream.concat(Stream.of("30000", "1"), Stream.of(DYNAMIC_START)).toArray(String[]::new);
        String out = ExampleSources.runMain(classes, "DynamicNet", args);
        assertTrue(out.contains(" x^3 + ") && out.contains(" x^4 ? + ") && out.endsWith(" x^5 ?\n"), out);
        assertRun("DynamicNet", out, DYNAMIC_LOSSES, 2000, F32_TOLERANCE, DYNAMIC_RESULT, F32_TOLERANCE);
    }

    // ---- reading the lines -----------------------------------------------------------------------------------

    private static void assertRun(String example, String out, double[] expectedLosses, int every, double lossTolerance,
                                  double[] expectedResult, double resultTolerance) {
        double[] losses = losses(example, out, expectedLosses.length, every);
        for (int i = 0; i < losses.length; i++) {
            assertClose(example + " loss at t = " + (every * i + every - 1), expectedLosses[i], losses[i],
                    lossTolerance, 0);
        }
        double[] result = result(example, out, expectedResult.length);
        for (int i = 0; i < result.length; i++) {
            assertClose(example + " coefficient " + i, expectedResult[i], result[i], resultTolerance, 1e-7);
        }
    }

    /** The "t loss" lines: t = every - 1, 2 every - 1, ..., count of them in order. */
    private static double[] losses(String example, String out, int count, int every) {
        List<Double> losses = new ArrayList<>();
        Matcher m = LOSS_LINE.matcher(out);
        while (m.find()) {
            assertEquals(every * losses.size() + every - 1, Integer.parseInt(m.group(1)), example + ": t\n" + out);
            losses.add(Double.parseDouble(m.group(2)));
        }
        assertEquals(count, losses.size(), example + ": loss lines in\n" + out);
        return losses.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The coefficients of the "Result: ..." line, in the order printed. */
    private static double[] result(String example, String out, int count) {
        Matcher line = RESULT_LINE.matcher(out);
        assertTrue(line.find(), example + ": no Result line in\n" + out);
        assertTrue(line.group(1).startsWith("y = "), line.group());
        Matcher number = NUMBER.matcher(line.group(1).substring("y = ".length()));
        List<Double> values = new ArrayList<>();
        while (number.find()) {
            values.add(Double.parseDouble(number.group()));
        }
        assertEquals(count, values.size(), example + ": coefficients in " + line.group());
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** |actual - expected| within {@code relative |expected| + absolute}. */
    private static void assertClose(String what, double expected, double actual, double relative, double absolute) {
        assertTrue(Math.abs(actual - expected) <= relative * Math.abs(expected) + absolute,
                what + ": PyTorch " + expected + ", Kiln " + actual);
    }
}
