package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsTest {
    private static String error(Runnable parseAndRead) {
        return assertThrows(IllegalArgumentException.class, parseAndRead::run).getMessage();
    }

    @Test
    void nameEqualsValueIsReadLikeNameThenValue() {
        Options o = Options.parse(new String[] {"--epochs=3", "--batch", "64", "--out=a=b"});
        assertEquals(3, o.getInt("epochs", 0));
        assertEquals(64, o.getInt("batch", 0));
        assertEquals("a=b", o.get("out", null), "only the first = separates name and value");
    }

    @Test
    void anOptionFollowedByAnotherOptionIsNamedAsLackingItsValue() {
        assertEquals("--epochs needs a value, got the option '--batch'",
                error(() -> Options.parse(new String[] {"--epochs", "--batch", "64"})));
    }

    @Test
    void anOptionAtTheEndIsNamedAsLackingItsValue() {
        assertEquals("--epochs needs a value", error(() -> Options.parse(new String[] {"--batch", "64", "--epochs"})));
    }

    @Test
    void negativeNumbersAreValues() {
        Options o = Options.parse(new String[] {"--seed", "-1", "--lr", "-0.5"});
        assertEquals(-1, o.getInt("seed", 0));
        assertEquals(-0.5, o.getDouble("lr", 0));
    }

    @Test
    void aWordWhereAnOptionBelongsIsNamed() {
        assertEquals("expected --option value, got '64'", error(() -> Options.parse(new String[] {"64"})));
    }

    @Test
    void positiveIntRejectsZeroAndNegativesNamingTheOption() {
        assertEquals("--batch must be a positive integer, got 0",
                error(() -> Options.parse(new String[] {"--batch", "0"}).getPositiveInt("batch", 1)));
        assertEquals("--batch must be a positive integer, got -5",
                error(() -> Options.parse(new String[] {"--batch=-5"}).getPositiveInt("batch", 1)));
    }

    @Test
    void positiveDoubleRejectsZeroNegativesNaNAndInfinityNamingTheOption() {
        assertEquals(0.5, Options.parse(new String[] {"--clip", "0.5"}).getPositiveDouble("clip", 1));
        assertEquals(5.0, Options.parse(new String[0]).getPositiveDouble("clip", 5));
        for (String bad : new String[] {"0", "-0.1", "NaN", "Infinity"}) {
            assertEquals("--clip must be a finite number > 0, got " + Double.parseDouble(bad),
                    error(() -> Options.parse(new String[] {"--clip", bad}).getPositiveDouble("clip", 1)));
        }
    }

    @Test
    void nonNegativeDoubleTakesZeroAndRejectsNegativesNaNAndInfinityNamingTheOption() {
        assertEquals(0.0, Options.parse(new String[] {"--min-delta", "0"}).getNonNegativeDouble("min-delta", 1));
        assertEquals(0.5, Options.parse(new String[0]).getNonNegativeDouble("min-delta", 0.5));
        for (String bad : new String[] {"-0.1", "NaN", "Infinity"}) {
            assertEquals("--min-delta must be a finite number >= 0, got " + Double.parseDouble(bad),
                    error(() -> Options.parse(new String[] {"--min-delta", bad}).getNonNegativeDouble("min-delta", 0)));
        }
    }

    @Test
    void positiveIntsReadACommaSeparatedList() {
        assertArrayEquals(new int[] {256, 128}, Options.parse(new String[] {"--hidden", "256,128"}).getPositiveInts("hidden", "1"));
        assertArrayEquals(new int[] {8}, Options.parse(new String[0]).getPositiveInts("hidden", "8"));
    }

    @Test
    void positiveIntsNameTheOptionAndTheBadList() {
        assertEquals("--hidden must be a comma-separated list of integers, got '256,abc'",
                error(() -> Options.parse(new String[] {"--hidden", "256,abc"}).getPositiveInts("hidden", "1")));
        assertEquals("--hidden must be positive integers, got '256,0'",
                error(() -> Options.parse(new String[] {"--hidden", "256,0"}).getPositiveInts("hidden", "1")));
    }

    @Test
    void aFlagTakesNoValueAndTheNextArgumentIsAnOptionAgain() {
        Options o = Options.parse(new String[] {"--find-lr", "--batch", "64"}, Set.of("find-lr"));
        assertTrue(o.flag("find-lr"));
        assertEquals(64, o.getInt("batch", 0));
        assertFalse(Options.parse(new String[0], Set.of("find-lr")).flag("find-lr"));
    }

    @Test
    void aFlagGivenAValueIsRefusedNamingIt() {
        assertEquals("--find-lr takes no value, got 'on'",
                error(() -> Options.parse(new String[] {"--find-lr=on"}, Set.of("find-lr"))));
    }

    @Test
    void aFlagNoGetterAskedForIsAnUnknownOption() {
        Options o = Options.parse(new String[] {"--find-lr"}, Set.of("find-lr"));
        assertEquals("unknown option --find-lr", error(o::rejectUnknown));
    }
}
