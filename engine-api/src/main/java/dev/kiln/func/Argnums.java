package dev.kiln.func;

import java.util.Arrays;

/** PyTorch's argnums for the differentiating transforms: positions of arguments, negative from the end, each once. */
final class Argnums {
    private Argnums() {
    }

    /**
     * The positions {@code argnums} name among {@code count} arguments.
     *
     * @throws IllegalArgumentException for an argnum out of range or a position named twice (each argnum's derivative
     *     is taken with respect to its own stand-in, so a repeat would read zero)
     */
    static int[] positions(String op, int[] argnums, int count) {
        int[] out = new int[argnums.length];
        for (int i = 0; i < argnums.length; i++) {
            int a = argnums[i];
            if (a < -count || a >= count) {
                throw new IllegalArgumentException(op + ": Got argnums=" + a + " but only " + count
                        + " positional inputs; expected -" + count + " <= argnums < " + count);
            }
            out[i] = Math.floorMod(a, count);
        }
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < i; j++) {
                if (out[i] == out[j]) {
                    throw new IllegalArgumentException(op + ": argnums elements must be unique, got "
                            + Arrays.toString(argnums));
                }
            }
        }
        return out;
    }

    /** Refuses a null or empty argnums. */
    static int[] checked(String op, int[] argnums) {
        if (argnums == null || argnums.length == 0) {
            throw new IllegalArgumentException(op + ": argnums must be non-empty, got " + Arrays.toString(argnums));
        }
        return argnums.clone();
    }
}
