package dev.kiln.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * Seeded splits and samples of {@link Dataset}s, and the seeded permutation that {@link DataLoader} shuffles
 * with. The permutation is a Fisher-Yates shuffle driven by SplitMix64, so a given seed gives the same order
 * on every JVM and platform.
 */
public final class Datasets {
    private Datasets() {
    }

    /** Two disjoint parts of one data set, e.g. training and validation. */
    public record Split(Subset first, Subset second) {
    }

    /**
     * Splits {@code data} at random into a first part of {@code round(firstFraction * size)} examples and a
     * second part of the rest; the same seed always gives the same split.
     *
     * @param firstFraction in [0, 1]
     */
    public static Split split(Dataset data, double firstFraction, long seed) {
        Objects.requireNonNull(data, "data");
        if (!(firstFraction >= 0 && firstFraction <= 1)) {
            throw new IllegalArgumentException("split: firstFraction must be in [0, 1], got " + firstFraction);
        }
        int n = data.size();
        int first = (int) Math.round(firstFraction * n);
        int[] order = permutation(n, seed);
        return new Split(new Subset(data, Arrays.copyOfRange(order, 0, first)),
                new Subset(data, Arrays.copyOfRange(order, first, n)));
    }

    /**
     * PyTorch's {@code torch.utils.data.random_split(data, lengths)}: disjoint subsets of the given sizes that
     * together cover {@code data}, its examples in a seeded random order, the first part taking the first
     * {@code lengths[0]} of that order and so on; the same seed always gives the same parts. (The order is not
     * PyTorch's, whose generator differs.)
     *
     * @param lengths each &gt;= 0, adding up to {@code data.size()}
     * @throws IllegalArgumentException naming the negative length, or the sum and the size when they differ
     */
    public static List<Subset> randomSplit(Dataset data, int[] lengths, long seed) {
        Objects.requireNonNull(data, "data");
        long sum = 0;
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 0) {
                throw new IllegalArgumentException("randomSplit: length " + i + " must be >= 0, got " + lengths[i]);
            }
            sum += lengths[i];
        }
        if (sum != data.size()) {
            throw new IllegalArgumentException("randomSplit: the lengths " + Arrays.toString(lengths) + " add up to "
                    + sum + ", not the data set's size " + data.size());
        }
        int[] order = permutation(data.size(), seed);
        List<Subset> parts = new ArrayList<>();
        int start = 0;
        for (int length : lengths) {
            parts.add(new Subset(data, Arrays.copyOfRange(order, start, start + length)));
            start += length;
        }
        return parts;
    }

    /**
     * {@link #randomSplit(Dataset, int[], long)} with sizes from fractions, by PyTorch 1.13's rule: part i gets
     * {@code floor(fractions[i] * size)} examples, then the examples left over go one each to parts 0, 1, 2, ...
     * in turn (10 examples by {0.5, 0.25, 0.25} would be 5, 2, 2; 7 are 4, 2, 1). A part may be empty.
     *
     * @param fractions each in [0, 1], adding up to 1 or a hair under it (PyTorch's {@code math.isclose}, relative
     *     1e-9, and at most 1: a sum a hair over 1 is refused, as PyTorch refuses it)
     * @throws IllegalArgumentException naming the fraction outside [0, 1] or the sum that is not 1
     */
    public static List<Subset> randomSplit(Dataset data, double[] fractions, long seed) {
        Objects.requireNonNull(data, "data");
        return randomSplit(data, lengthsOf(fractions, data.size()), seed);
    }

    /** The sizes of {@link #randomSplit(Dataset, double[], long)}'s parts of {@code n} examples. */
    private static int[] lengthsOf(double[] fractions, int n) {
        double sum = 0;
        for (int i = 0; i < fractions.length; i++) {
            if (!(fractions[i] >= 0 && fractions[i] <= 1)) {
                throw new IllegalArgumentException("randomSplit: fraction " + i + " must be in [0, 1], got " + fractions[i]);
            }
            sum += fractions[i];
        }
        if (!(Math.abs(sum - 1) <= 1e-9 && sum <= 1)) {
            throw new IllegalArgumentException("randomSplit: the fractions " + Arrays.toString(fractions)
                    + " add up to " + sum + ", not 1 or a hair under it");
        }
        int[] lengths = new int[fractions.length];
        long assigned = 0;
        for (int i = 0; i < fractions.length; i++) {
            lengths[i] = (int) Math.floor(n * fractions[i]);
            assigned += lengths[i];
        }
        if (assigned > n) {
            // Products rounded up to whole numbers can hand out more examples than there are: PyTorch refuses
            // those too.
            throw new IllegalArgumentException("randomSplit: the fractions " + Arrays.toString(fractions) + " add up to "
                    + sum + " and give " + assigned + " of the " + n + " examples");
        }
        for (int i = 0; i < n - assigned; i++) {
            lengths[i % lengths.length]++;
        }
        return lengths;
    }

    /** The features of the first {@code n} examples, row-major: [n, featureSize], as one array. */
    public static float[] firstFeatures(Dataset data, int n) {
        int size = data.featureSize();
        float[] features = new float[n * size];
        for (int i = 0; i < n; i++) {
            data.copyFeatures(i, features, i * size);
        }
        return features;
    }

    /**
     * {@code n} distinct examples of {@code data} picked at random (in random order); the same seed always
     * gives the same ones.
     *
     * @param n in [0, data.size()]
     */
    public static Subset take(Dataset data, int n, long seed) {
        Objects.requireNonNull(data, "data");
        if (n < 0 || n > data.size()) {
            throw new IllegalArgumentException("take: n must be in [0, " + data.size() + "] (the data set's size), got " + n);
        }
        return new Subset(data, Arrays.copyOf(permutation(data.size(), seed), n));
    }

    /**
     * {@code perClass} distinct examples of every class of {@code data} picked at random (in random order, the
     * classes mixed), e.g. 100 per class for a 1,000-image MNIST training set; the same seed always gives the same
     * ones.
     *
     * @throws IllegalArgumentException when perClass is negative or a class has fewer examples, naming the class
     */
    public static Subset perClass(Dataset data, int perClass, long seed) {
        Objects.requireNonNull(data, "data");
        if (perClass < 0) {
            throw new IllegalArgumentException("perClass: the count per class must be >= 0, got " + perClass);
        }
        int classes = data.classes();
        int[] taken = new int[classes];
        int[] chosen = new int[Math.multiplyExact(perClass, classes)];
        int k = 0;
        for (int index : permutation(data.size(), seed)) {
            if (k == chosen.length) {
                break;
            }
            int c = (int) data.label(index);
            if (taken[c] < perClass) {
                taken[c]++;
                chosen[k++] = index;
            }
        }
        for (int c = 0; c < classes; c++) {
            if (taken[c] < perClass) {
                throw new IllegalArgumentException("perClass: class " + c + " has only " + taken[c] + " examples, "
                        + perClass + " asked for");
            }
        }
        return new Subset(data, chosen);
    }

    /** A seeded random permutation of {@code 0 .. n-1}: [n]. */
    public static int[] permutation(int n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("permutation: n must be >= 0, got " + n);
        }
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        long state = seed;
        for (int i = n - 1; i > 0; i--) {
            // Unbiased index in [0, i] by rejection on the top 31 bits.
            int bound = i + 1;
            int j;
            while (true) {
                state += 0x9E3779B97F4A7C15L;
                int r = (int) (mix(state) >>> 33);
                j = r % bound;
                if (r - j + (bound - 1) >= 0) {
                    break;
                }
            }
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** SplitMix64's output function: a well-mixed 64-bit value of {@code z}. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Image height and width of an example {@code shape} (its last two dimensions); fails for fewer than two. */
    static int[] imageSize(String who, int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException(who + " needs images [..., height, width], got example shape "
                    + Arrays.toString(shape));
        }
        return new int[] {shape[shape.length - 2], shape[shape.length - 1]};
    }

    /** Product of the dimensions, checked to fit an int. */
    static int product(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has too many elements");
            }
        }
        return (int) n;
    }

    /** A seeded random {@code n} of {@code items}, or all of them when {@code n} is 0 or at least their number. */
    public static <T> List<T> sample(List<T> items, int n, long seed) {
        if (n <= 0 || n >= items.size()) {
            return items;
        }
        int[] pick = permutation(items.size(), seed);
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(items.get(pick[i]));
        }
        return out;
    }

    /**
     * Batches of items of similar length, so that little is padding: a seeded shuffle, a stable sort by
     * {@code length}, cut into runs of {@code size}; items of one length are thus mixed anew for every seed.
     * Shuffle the order of the batches every epoch.
     */
    public static <T> List<List<T>> lengthBatches(List<T> items, ToIntFunction<T> length, int size, long seed) {
        List<T> shuffled = new ArrayList<>();
        for (int i : permutation(items.size(), seed)) {
            shuffled.add(items.get(i));
        }
        shuffled.sort(Comparator.comparingInt(length));
        List<List<T>> batches = new ArrayList<>();
        for (int i = 0; i < shuffled.size(); i += size) {
            batches.add(List.copyOf(shuffled.subList(i, Math.min(shuffled.size(), i + size))));
        }
        return batches;
    }
}
