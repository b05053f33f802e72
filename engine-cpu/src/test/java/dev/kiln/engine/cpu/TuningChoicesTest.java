package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.GroupedConv2dGeometry;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cpu.ConvolutionKey.Direction;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's tuning choices ({@link CpuBackend#tuningChoices}, {@link CpuBackend#useTuningChoices}): each
 * convolution's kernel as text that another backend takes back, and refusals of text that is not such a choice.
 */
class TuningChoicesTest {
    /** A grouped convolution with every number different, so that a swapped field shows. */
    private static final ConvolutionKey KEY = new ConvolutionKey(new GroupedConv2dGeometry(
            new Conv2dGeometry(3, 2, 11, 13, 5, 3, 4, 1, 2, 1, 0, 2, 1), 2), Direction.BACKWARD_FILTER, true);

    @Test
    void aKeyReadsBackFromItsText() {
        assertEquals("conv2d backward_filter with bias input 3x4x11x13, 10 output channels, kernel 3x4, stride 1x2,"
                + " padding 1x0, dilation 2x1, groups 2", KEY.text());
        assertEquals(KEY, ConvolutionKey.parse(KEY.text()));
        ConvolutionKey plain = new ConvolutionKey(new GroupedConv2dGeometry(KEY.geometry().group(), 1),
                Direction.FORWARD, false);
        assertEquals(plain, ConvolutionKey.parse(plain.text()));
    }

    @Test
    void anotherBackendTakesTheTimedChoicesAndGivesThemBackBeforeMeetingThem() {
        System.setProperty(ConvolutionChoice.KERNEL_PROPERTY, "timed");
        try (CpuBackend first = new CpuBackend(1, true); CpuBackend second = new CpuBackend(1, true);
             Scope scope = Scope.open()) {
            convolve(first);
            Map<String, String> choices = first.tuningChoices();
            assertEquals(1, choices.size(), choices.toString());
            second.useTuningChoices(choices);
            assertEquals(choices, second.tuningChoices());
        } finally {
            System.clearProperty(ConvolutionChoice.KERNEL_PROPERTY);
        }
    }

    @Test
    void byDefaultTheBackendHasNoChoicesToGive() {
        try (CpuBackend backend = new CpuBackend(1, true); Scope scope = Scope.open()) {
            convolve(backend);
            assertEquals(Map.of(), backend.tuningChoices());
        }
    }

    /** One small F32 convolution's forward pass on {@code backend}. */
    private static void convolve(CpuBackend backend) {
        GroupedConv2dGeometry g = new GroupedConv2dGeometry(new Conv2dGeometry(2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1),
                1);
        Tensor input = ConvolutionCases.random(backend, g.inputShape(), 1);
        Tensor weight = ConvolutionCases.random(backend, g.weightShape(), 2);
        backend.conv2dForward(input, weight, null, g.group(), Tensor.empty(g.outputShape(), DType.F32, backend));
    }

    @Test
    void textThatIsNoKeyIsRefusedNamingItAndAnExample() {
        try (CpuBackend backend = new CpuBackend(1, true)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.useTuningChoices(Map.of("conv2d sideways", "onednn")));
            assertEquals("not a CPU convolution's tuning key: 'conv2d sideways', expected e.g. 'conv2d forward with"
                    + " bias input 64x1x28x28, 6 output channels, kernel 5x5, stride 1x1, padding 0x0, dilation 1x1,"
                    + " groups 1'", e.getMessage());
        }
    }

    @Test
    void groupsThatDoNotDivideTheChannelsAreRefused() {
        String text = KEY.text().replace("groups 2", "groups 3");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvolutionKey.parse(text));
        assertEquals("CPU convolution's tuning key '" + text + "': groups 3 must be at least 1 and divide the 4 input"
                + " and 10 output channels", e.getMessage());
    }

    @Test
    void aKernelThatIsNeitherIsRefusedNamingTheKeyAndLeavingTheChoicesAlone() {
        try (CpuBackend backend = new CpuBackend(1, true)) {
            backend.useTuningChoices(Map.of(KEY.text(), "onednn"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.useTuningChoices(Map.of(KEY.text(), "cudnn")));
            assertEquals("the CPU backend's tuning choice for '" + KEY.text() + "' must be openblas or onednn, got"
                    + " 'cudnn'", e.getMessage());
            assertEquals(Map.of(KEY.text(), "onednn"), backend.tuningChoices());
        }
    }
}
