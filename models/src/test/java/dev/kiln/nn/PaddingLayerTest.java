package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The padding layers' settings, names and errors; their values and gradients against PyTorch's are in
 * {@link PaddingPyTorchParityTest}.
 */
class PaddingLayerTest {
    @Test
    void toStringIsPyTorchsRepr() {
        // repr of nn.ReflectionPad2d(1), nn.ReplicationPad1d((1, 2)), nn.ZeroPad2d((1, 2, 3, 4)),
        // nn.ConstantPad1d(2, 3.5) and nn.ConstantPad2d((1, 0, 0, 1), 1.) in PyTorch 1.13
        assertEquals("ReflectionPad2d((1, 1, 1, 1))", new ReflectionPad2d(1).toString());
        assertEquals("ReplicationPad1d((1, 2))", new ReplicationPad1d(new int[] {1, 2}).toString());
        assertEquals("ZeroPad2d((1, 2, 3, 4))", new ZeroPad2d(new int[] {1, 2, 3, 4}).toString());
        assertEquals("ConstantPad1d(padding=(2, 2), value=3.5)", new ConstantPad1d(2, 3.5).toString());
        assertEquals("ConstantPad2d(padding=(1, 0, 0, 1), value=1.0)",
                new ConstantPad2d(new int[] {1, 0, 0, 1}, 1).toString());
        assertEquals("CircularPad1d((3, 3))", new CircularPad1d(3).toString());
    }

    @Test
    void anIntPadsEverySide() {
        assertArrayEquals(new int[] {2, 2}, new ReflectionPad1d(2).padding());
        assertArrayEquals(new int[] {2, 2, 2, 2}, new CircularPad2d(2).padding());
        assertArrayEquals(new int[] {-1, -1, -1, -1}, new ReplicationPad2d(-1).padding());
    }

    @Test
    void theLayerKeepsACopyOfItsAmounts() {
        int[] amounts = {1, 2};
        ReflectionPad1d pad = new ReflectionPad1d(amounts);
        amounts[0] = 9;
        pad.padding()[1] = 9;
        assertArrayEquals(new int[] {1, 2}, pad.padding());
    }

    @Test
    void theWrongNumberOfAmountsIsRefusedNamingTheLayerAndTheOrder() {
        IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
                () -> new ReflectionPad2d(new int[] {1, 2}));
        assertEquals("ReflectionPad2d: padding must hold 4 amounts (left, right, top, bottom), got [1, 2]",
                two.getMessage());
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> new ConstantPad1d(new int[] {1, 2, 3, 4}, 0));
        assertEquals("ConstantPad1d: padding must hold 2 amounts (left, right), got [1, 2, 3, 4]", one.getMessage());
    }

    @Test
    void anInputTooSmallForTheAmountsNamesTheLayerAndTheInput() {
        try (Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ReflectionPad1d(4).forward(Tensor.zeros(1, 2, 4)));
            assertEquals("ReflectionPad1d((4, 4)): input [1, 2, 4]: pad: reflect padding (4, 4) of axis 2 of"
                    + " [1, 2, 4] must be less than the axis's size 4 on each side", e.getMessage());
        }
    }

    @Test
    void anInputOfARankTheModeDoesNotTakeNamesTheLayerAndTheInput() {
        try (Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ReplicationPad2d(1).forward(Tensor.zeros(1, 1, 2, 3, 3)));
            assertEquals("ReplicationPad2d((1, 1, 1, 1)): input [1, 1, 2, 3, 3]: pad: replicate padding of 2 axes"
                    + " [1, 1, 1, 1] needs a 3-D [channels, ...] or 4-D [batch, channels, ...] input, got"
                    + " [1, 1, 2, 3, 3]", e.getMessage());
        }
    }

    @Test
    void constantLayersPadAnyRankWithTheirValue() {
        try (Scope s = Scope.open()) {
            Tensor y = new ConstantPad2d(new int[] {1, 0, 0, 1}, 7).forward(Tensor.fromArray(new double[] {1, 2}, 1, 2));
            assertArrayEquals(new double[] {7, 1, 2, 7, 7, 7}, y.toDoubleArray());
            assertEquals(-1.5, new ConstantPad1d(1, -1.5).value());
            assertArrayEquals(new double[] {0, 5, 0}, new ZeroPad2d(new int[] {1, 1, 0, 0})
                    .forward(Tensor.fromArray(new double[] {5}, 1, 1)).toDoubleArray());
        }
    }

    @Test
    void theLayersHaveNoParameters() {
        for (Module m : List.of(new ReflectionPad1d(1), new ReflectionPad2d(1), new ReplicationPad1d(1),
                new ReplicationPad2d(1), new CircularPad1d(1), new CircularPad2d(1), new ZeroPad2d(1),
                new ConstantPad1d(1, 2), new ConstantPad2d(1, 2))) {
            assertTrue(m.namedParameters().isEmpty(), m.toString());
        }
    }
}
