package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorPath}'s switch, and the Vector API's exp blocks against {@link ScalarExpBlocks} to the bit over a
 * dense sweep of float bit patterns (every 1009th, both signs, infinities and NaNs among them), in blocks whose
 * lengths are no multiple of the lanes, so that the padded tail runs too. Surefire runs this class twice: with the
 * incubator module (both paths compared) and with -Dkiln.cpu.vector=false (the switch off).
 */
class VectorPathTest {
    private static final int STRIDE = 1009;
    /** One short of a chunk, and a block shorter than any vector: tails of every length mod 16 over the sweep. */
    private static final int[] LENGTHS = {Chunks.SIZE - 1, 3};

    private interface Block {
        void apply(ExpBlocks blocks, float[] v, float[] low, int len);
    }

    private static boolean turnedOff() {
        return "false".equals(System.getProperty(VectorPath.PROPERTY));
    }

    @Test
    void runsTheVectorApiWhereTheModuleIsInTheBootLayerUnlessTurnedOff() {
        boolean module = ModuleLayer.boot().findModule(VectorPath.MODULE).isPresent();
        assertEquals(module && !turnedOff(), VectorPath.enabled());
    }

    @Test
    void theScalarLoopsRunWhereThePropertyTurnsThePathOff() {
        assumeTrue(turnedOff());
        assertFalse(VectorPath.enabled());
        assertTrue(VectorPath.expBlocks() instanceof ScalarExpBlocks);
    }

    @Test
    void expMatchesTheScalarLoopsToTheBit() {
        assertSameBits("exp", (b, v, low, len) -> b.exp(v, len));
    }

    @Test
    void halfExpMatchesTheScalarLoopsToTheBit() {
        assertSameBits("halfExp", (b, v, low, len) -> b.halfExp(v, len));
    }

    @Test
    void nonPositiveExpMatchesTheScalarLoopsToTheBit() {
        assertSameBits("nonPositiveExp", (b, v, low, len) -> b.nonPositiveExp(v, len));
    }

    @Test
    void nonPositiveExpWithACorrectionMatchesTheScalarLoopsToTheBit() {
        assertSameBits("nonPositiveExp(low)", (b, v, low, len) -> b.nonPositiveExp(v, low, len));
    }

    @Test
    void expm1MatchesTheScalarLoopsToTheBit() {
        assertSameBits("expm1", (b, v, low, len) -> b.expm1(v, len));
    }

    @Test
    void sigmoidMatchesTheScalarLoopsToTheBit() {
        assertSameBits("sigmoid", (b, v, low, len) -> b.sigmoid(v, len));
    }

    @Test
    void siluMatchesTheScalarLoopsToTheBit() {
        assertSameBits("silu", (b, v, low, len) -> b.silu(v, len));
    }

    @Test
    void siluDerivativeMatchesTheScalarLoopsToTheBit() {
        assertSameBits("siluDerivative", (b, v, low, len) -> b.siluDerivative(v, len));
    }

    private static void assertSameBits(String name, Block block) {
        assumeTrue(VectorPath.enabled(), "the Vector API path is off");
        Random random = new Random(7);
        for (int length : LENGTHS) {
            float[] x = new float[length];
            float[] low = new float[length];
            float[] vector = new float[length];
            float[] scalar = new float[length];
            long bits = 0;
            while (bits <= 0xFFFFFFFFL) {
                int len = 0;
                while (len < length && bits <= 0xFFFFFFFFL) {
                    x[len] = Float.intBitsToFloat((int) bits);
                    // A square's rounding error, far below x's ulp.
                    low[len] = (float) (x[len] * 1e-9 * random.nextGaussian());
                    len++;
                    bits += STRIDE * (long) (length == 3 ? 997 : 1);
                }
                System.arraycopy(x, 0, vector, 0, len);
                System.arraycopy(x, 0, scalar, 0, len);
                block.apply(VectorPath.expBlocks(), vector, low, len);
                block.apply(ScalarExpBlocks.INSTANCE, scalar, low, len);
                for (int i = 0; i < len; i++) {
                    if (Float.floatToIntBits(scalar[i]) != Float.floatToIntBits(vector[i])) {
                        fail(name + "(" + x[i] + "): " + vector[i] + ", expected the scalar loops' " + scalar[i]);
                    }
                }
            }
        }
    }
}
