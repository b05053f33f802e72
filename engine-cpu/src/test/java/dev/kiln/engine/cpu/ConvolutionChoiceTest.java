package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.ConvolutionCases.assertClose;
import static dev.kiln.engine.cpu.ConvolutionCases.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.GroupedConv2dGeometry;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cpu.ConvolutionCases.Case;
import dev.kiln.engine.cpu.ConvolutionChoice.Kernel;
import dev.kiln.engine.cpu.ConvolutionChoice.Setting;
import dev.kiln.engine.cpu.ConvolutionKey.Direction;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CPU backend's choice between OpenBLAS's and oneDNN's convolutions ({@link ConvolutionChoice}): by a fixed rule
 * by default, timed on a convolution's first call and kept with {@code timed}, never oneDNN for F64 or with the switch
 * off, and whichever kernel runs, the backend's results are OpenBLAS's within {@link ConvolutionCases#TOLERANCE}, on
 * first and later calls.
 */
class ConvolutionChoiceTest {
    private static final GroupedConv2dGeometry RESNET = ConvolutionCases.plain().get(0).geometry();
    /** DCGAN's last generator layer, a transposed convolution from [64, 64, 32, 32] to [64, 3, 64, 64], as run. */
    private static final GroupedConv2dGeometry DCGAN_IMAGE = new GroupedConv2dGeometry(Conv2dGeometry.transposed("t",
            Shape.of(64, 64, 32, 32), Shape.of(64, 3, 4, 4), new int[] {2}, new int[] {1}, new int[] {0},
            new int[] {1}), 1);

    private static CpuBackend openBlas;
    private static CpuBackend chosen;
    private static Parallel parallel;

    @BeforeAll
    static void open() {
        openBlas = new CpuBackend(2, false);
        chosen = new CpuBackend(2, true);
        parallel = new Parallel(1);
    }

    @AfterAll
    static void close() {
        parallel.close();
        chosen.close();
        openBlas.close();
    }

    @Test
    void switchedOffOneDnnIsNeverACandidate() {
        try (ConvolutionChoice choice = new ConvolutionChoice(openBlas, parallel, false)) {
            assertFalse(choice.considers(DType.F32, RESNET));
        }
    }

    @Test
    void f64ConvolutionsStayOnOpenBlas() {
        try (ConvolutionChoice choice = new ConvolutionChoice(openBlas, parallel, true)) {
            assertFalse(choice.considers(DType.F64, RESNET));
            assertTrue(choice.considers(DType.F32, RESNET));
        }
    }

    @Test
    void byDefaultTwoProcessesWhoseTimingsDifferSettleOnTheSameKernels() {
        Runnable fast = () -> { };
        Runnable slow = () -> sleep(2);
        for (Direction direction : Direction.values()) {
            ConvolutionKey key = new ConvolutionKey(RESNET, direction, direction == Direction.FORWARD);
            try (ConvolutionChoice first = new ConvolutionChoice(openBlas, parallel, true);
                 ConvolutionChoice second = new ConvolutionChoice(openBlas, parallel, true)) {
                assertTrue(first.considers(DType.F32, RESNET) && second.considers(DType.F32, RESNET));
                first.run(key, slow, oneDnn -> fast.run());
                second.run(key, fast, oneDnn -> slow.run());
                assertEquals(first.chosen(key), second.chosen(key), key.text());
            }
        }
    }

    @Test
    void theRuleRunsStridedInputGradientsOfFewInputChannelsOnOpenBlasAndTheRestOnOneDnn() {
        assertEquals(Kernel.OPENBLAS, ConvolutionChoice.ruled(new ConvolutionKey(DCGAN_IMAGE, Direction.BACKWARD_DATA,
                false)), "a transposed convolution's image (its forward pass)");
        assertEquals(Kernel.ONEDNN, ConvolutionChoice.ruled(new ConvolutionKey(DCGAN_IMAGE, Direction.FORWARD, false)));
        assertEquals(Kernel.ONEDNN, ConvolutionChoice.ruled(new ConvolutionKey(DCGAN_IMAGE, Direction.BACKWARD_FILTER,
                false)));
        assertEquals(Kernel.ONEDNN, ConvolutionChoice.ruled(new ConvolutionKey(geometry(32, 16, 2, 1),
                Direction.BACKWARD_DATA, false)), "16 input channels");
        assertEquals(Kernel.ONEDNN, ConvolutionChoice.ruled(new ConvolutionKey(geometry(32, 3, 1, 1),
                Direction.BACKWARD_DATA, false)), "stride 1");
        assertEquals(Kernel.ONEDNN, ConvolutionChoice.ruled(new ConvolutionKey(geometry(32, 8, 2, 8),
                Direction.BACKWARD_DATA, false)), "depthwise");
    }

    @Test
    void theRulesKernelsRunUntimedAndAreNotRecorded() {
        ConvolutionKey key = new ConvolutionKey(DCGAN_IMAGE, Direction.BACKWARD_DATA, false);
        StringBuilder runs = new StringBuilder();
        try (ConvolutionChoice choice = new ConvolutionChoice(openBlas, parallel, true)) {
            assertTrue(choice.considers(DType.F32, DCGAN_IMAGE));
            choice.run(key, () -> runs.append('B'), oneDnn -> runs.append('D'));
            choice.run(key, () -> runs.append('B'), oneDnn -> runs.append('D'));
            assertEquals("BB", runs.toString());
            assertEquals(Kernel.OPENBLAS, choice.chosen(key));
            assertEquals(Map.of(), choice.choices(), "any process applies the rule alike: nothing to carry over");
        }
    }

    @Test
    void firstCallTimesBothKernelsInTurnAndLaterCallsRunTheChosenOneOnce() {
        System.setProperty(ConvolutionChoice.KERNEL_PROPERTY, "timed");
        ConvolutionKey key = new ConvolutionKey(RESNET, Direction.FORWARD, false);
        StringBuilder runs = new StringBuilder();
        try (ConvolutionChoice choice = new ConvolutionChoice(openBlas, parallel, true)) {
            assertTrue(choice.considers(DType.F32, RESNET));
            assertNull(choice.chosen(key), "no kernel chosen before the first call");
            choice.run(key, () -> runs.append('B'), oneDnn -> runs.append('D'));
            Kernel kernel = choice.chosen(key);
            assertNotNull(kernel, "a kernel is chosen on the first call");
            String rounds = "DB".repeat(ConvolutionChoice.MAX_ROUNDS);
            assertEquals(kernel == Kernel.ONEDNN ? rounds + "D" : rounds, runs.toString(),
                    "the first call: instant runs, as many rounds as allowed, and the chosen kernel's result last");
            runs.setLength(0);
            choice.run(key, () -> runs.append('B'), oneDnn -> runs.append('D'));
            choice.run(key, () -> runs.append('B'), oneDnn -> runs.append('D'));
            assertEquals(kernel == Kernel.ONEDNN ? "DD" : "BB", runs.toString(), "calls after the first");
        }
    }

    @Test
    void aSlowConvolutionIsTimedTheFewestRounds() {
        System.setProperty(ConvolutionChoice.KERNEL_PROPERTY, "timed");
        ConvolutionKey key = new ConvolutionKey(RESNET, Direction.BACKWARD_DATA, false);
        StringBuilder runs = new StringBuilder();
        Runnable slow = () -> sleep(ConvolutionChoice.TRIAL_MILLIS);
        try (ConvolutionChoice choice = new ConvolutionChoice(openBlas, parallel, true)) {
            assertTrue(choice.considers(DType.F32, RESNET));
            choice.run(key, () -> {
                slow.run();
                runs.append('B');
            }, oneDnn -> {
                slow.run();
                runs.append('D');
            });
            String rounds = "DB".repeat(ConvolutionChoice.MIN_ROUNDS);
            assertEquals(choice.chosen(key) == Kernel.ONEDNN ? rounds + "D" : rounds, runs.toString());
        }
    }

    @Test
    void aLoadedChoiceRunsUntimedFromItsFirstCallWhileOtherKeysAreTimed() {
        System.setProperty(ConvolutionChoice.KERNEL_PROPERTY, "timed");
        ConvolutionKey loaded = new ConvolutionKey(RESNET, Direction.FORWARD, false);
        ConvolutionKey other = new ConvolutionKey(RESNET, Direction.BACKWARD_DATA, false);
        StringBuilder runs = new StringBuilder();
        try (ConvolutionChoice choice = new ConvolutionChoice(openBlas, parallel, true)) {
            assertTrue(choice.considers(DType.F32, RESNET));
            choice.use(Map.of(loaded, Kernel.ONEDNN));
            assertEquals(Map.of(loaded, Kernel.ONEDNN), choice.choices(), "a loaded choice is kept before it is met");
            choice.run(loaded, () -> runs.append('B'), oneDnn -> runs.append('D'));
            choice.run(loaded, () -> runs.append('B'), oneDnn -> runs.append('D'));
            assertEquals("DD", runs.toString(), "the loaded kernel, untimed");
            runs.setLength(0);
            choice.run(other, () -> runs.append('B'), oneDnn -> runs.append('D'));
            assertTrue(runs.length() >= 2 * ConvolutionChoice.MIN_ROUNDS, "a key not loaded is timed: " + runs);
            assertEquals(Map.of(loaded, Kernel.ONEDNN, other, choice.chosen(other)), choice.choices());
        }
    }

    @Test
    void usingChoicesForgetsThoseMadeBefore() {
        System.setProperty(ConvolutionChoice.KERNEL_PROPERTY, "timed");
        ConvolutionKey key = new ConvolutionKey(RESNET, Direction.FORWARD, false);
        try (ConvolutionChoice choice = new ConvolutionChoice(openBlas, parallel, true)) {
            assertTrue(choice.considers(DType.F32, RESNET));
            choice.run(key, () -> { }, oneDnn -> { });
            assertEquals(Map.of(key, choice.chosen(key)), choice.choices());
            choice.use(Map.of());
            assertNull(choice.chosen(key));
            assertEquals(Map.of(), choice.choices());
        }
    }

    @Test
    void theKernelPropertySettlesFirstCallsUntimedOnTheKernelItNames() {
        StringBuilder runs = new StringBuilder();
        try (ConvolutionChoice choice = new ConvolutionChoice(openBlas, parallel, true)) {
            assertTrue(choice.considers(DType.F32, RESNET));
            withProperty(ConvolutionChoice.KERNEL_PROPERTY, "openblas", () -> choice.run(
                    new ConvolutionKey(RESNET, Direction.FORWARD, false), () -> runs.append('B'),
                    oneDnn -> runs.append('D')));
            withProperty(ConvolutionChoice.KERNEL_PROPERTY, "onednn", () -> choice.run(
                    new ConvolutionKey(RESNET, Direction.FORWARD, true), () -> runs.append('B'),
                    oneDnn -> runs.append('D')));
            assertEquals("BD", runs.toString());
        }
    }

    @Test
    void theKernelPropertyIsAutoByDefaultAndRefusesWhatNamesNoSetting() {
        assertEquals(Setting.AUTO, Setting.configured());
        withProperty(ConvolutionChoice.KERNEL_PROPERTY, "timed", () -> assertEquals(Setting.TIMED,
                Setting.configured()));
        withProperty(ConvolutionChoice.KERNEL_PROPERTY, "fastest", () -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Setting::configured);
            assertEquals("kiln.cpu.convolutionKernel must be auto, timed, openblas or onednn, got 'fastest'",
                    e.getMessage());
        });
    }

    @AfterEach
    void clearTheKernelProperty() {
        System.clearProperty(ConvolutionChoice.KERNEL_PROPERTY);
    }

    /** A plain or grouped 3x3 convolution of batch 8 on a 16x16 plane. */
    private static GroupedConv2dGeometry geometry(int outChannels, int inChannels, int stride, int groups) {
        return GroupedConv2dGeometry.of("conv2d", Shape.of(8, inChannels, 16, 16),
                Shape.of(outChannels, inChannels / groups, 3, 3), new int[] {stride}, new int[] {1}, new int[] {1},
                groups);
    }

    /** Runs {@code body} with the system property {@code name} set to {@code value}, then restores it. */
    private static void withProperty(String name, String value, Runnable body) {
        String before = System.getProperty(name);
        System.setProperty(name, value);
        try {
            body.run();
        } finally {
            if (before == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, before);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void switchIsTrueByDefaultAndRefusesWhatIsNeitherTrueNorFalse() {
        String before = System.getProperty(ConvolutionChoice.PROPERTY);
        try {
            System.clearProperty(ConvolutionChoice.PROPERTY);
            assertTrue(ConvolutionChoice.configured());
            System.setProperty(ConvolutionChoice.PROPERTY, "FALSE");
            assertFalse(ConvolutionChoice.configured());
            System.setProperty(ConvolutionChoice.PROPERTY, "off");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ConvolutionChoice::configured);
            assertEquals("kiln.cpu.onednn must be true or false, got 'off'", e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(ConvolutionChoice.PROPERTY);
            } else {
                System.setProperty(ConvolutionChoice.PROPERTY, before);
            }
        }
    }

    static Stream<Case> cases() {
        return Stream.concat(ConvolutionCases.plain().stream(), ConvolutionCases.grouped().stream());
    }

    /** Forward with bias, then both gradients in one call, as autograd asks for them; twice: settling, then settled. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backendGivesOpenBlasResultsOnFirstAndLaterCalls(Case c) {
        GroupedConv2dGeometry g = c.geometry();
        try (Scope scope = Scope.open()) {
            Tensor input = random(chosen, g.inputShape(), 21);
            Tensor weight = random(chosen, g.weightShape(), 22);
            Tensor bias = random(chosen, Shape.of(g.outChannels()), 23);
            Tensor gradOut = random(chosen, g.outputShape(), 24);
            Tensor[] expected = everyDirection(openBlas, g, input, weight, bias, gradOut);
            for (String call : new String[] {"first call", "later call"}) {
                Tensor[] actual = everyDirection(chosen, g, input, weight, bias, gradOut);
                assertClose(c + ", forward, " + call, expected[0], actual[0]);
                assertClose(c + ", input gradient, " + call, expected[1], actual[1]);
                assertClose(c + ", weight gradient, " + call, expected[2], actual[2]);
                assertClose(c + ", bias gradient, " + call, expected[3], actual[3]);
            }
        }
    }

    /** Output, input gradient, weight gradient and bias gradient on {@code backend}: plain or grouped as g says. */
    private static Tensor[] everyDirection(CpuBackend backend, GroupedConv2dGeometry g, Tensor input, Tensor weight,
                                           Tensor bias, Tensor gradOut) {
        Tensor out = Tensor.empty(g.outputShape(), DType.F32, backend);
        Tensor gradInput = Tensor.empty(g.inputShape(), DType.F32, backend);
        Tensor gradWeight = Tensor.empty(g.weightShape(), DType.F32, backend);
        Tensor gradBias = Tensor.empty(Shape.of(g.outChannels()), DType.F32, backend);
        if (g.groups() == 1) {
            backend.conv2dForward(input, weight, bias, g.group(), out);
            backend.conv2dBackward(input, gradOut, weight, g.group(), gradInput, gradWeight, gradBias);
        } else {
            backend.groupedConv2dForward(input, weight, bias, g, out);
            backend.groupedConv2dBackwardData(gradOut, weight, g, gradInput);
            backend.groupedConv2dBackwardFilter(input, gradOut, g, gradWeight, gradBias);
        }
        return new Tensor[] {out, gradInput, gradWeight, gradBias};
    }
}
