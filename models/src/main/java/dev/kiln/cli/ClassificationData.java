package dev.kiln.cli;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import dev.kiln.data.CsvDataset;
import dev.kiln.data.CsvOptions;
import dev.kiln.data.DataDirectory;
import dev.kiln.data.Dataset;
import dev.kiln.data.ImageFolder;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The data {@code kiln train} classifies and {@code kiln eval} tests on, from {@code --data}: {@code mnist} or
 * {@code fashion-mnist} (under {@code --data-dir}); {@code folder:DIR}, DIR/train and DIR/test with a folder per class
 * ({@link ImageFolder}, {@code --channels} and {@code --image-size}); or {@code csv:DIR}, DIR/train.csv and
 * DIR/test.csv ({@link CsvDataset}, {@code --label}, {@code --shape} and {@code --scale}). A checkpoint records the
 * settings of a user's own data ({@link #metadata}) so that kiln eval and kiln predict read it the same way.
 */
final class ClassificationData {
    private static final Pattern IMAGE_SIZE = Pattern.compile("([1-9][0-9]*)x([1-9][0-9]*)");
    private static final String OWN_SIZE = "own";
    private static final String NO_SHAPE = "none";
    private static final String FIRST_COLUMN = "index:0";
    private static final String LABEL_NAMED = "name:";
    private static final List<String> FOLDER_OPTIONS = List.of("channels", "image-size");
    private static final List<String> CSV_OPTIONS = List.of("label", "shape", "scale");
    private static final Gson GSON = new Gson();

    /** Where the data comes from. */
    enum Kind { MNIST, FOLDER, CSV }

    /** One split's examples and its class names (class i is the i-th). */
    record Split(Dataset data, List<String> classNames) {
    }

    /** The training and the test split of one data set. */
    record TrainAndTest(Split train, Split test) {
    }

    private final Kind kind;
    /** mnist or fashion-mnist; for the others the --data value as given. */
    private final String name;
    private final Path mnistRoot;
    private final Path dir;
    private final int channels;
    /** {height, width} to scale every image to, or null for the images' own size. */
    private final int[] imageSize;
    /** {@link #FIRST_COLUMN} or {@link #LABEL_NAMED} and the label column's name. */
    private final String label;
    /** The feature shape of a CSV row, or null for [features]. */
    private final int[] shape;
    private final double scale;

    private ClassificationData(Kind kind, String name, Path mnistRoot, Path dir, int channels, int[] imageSize,
                               String label, int[] shape, double scale) {
        this.kind = kind;
        this.name = name;
        this.mnistRoot = mnistRoot;
        this.dir = dir;
        this.channels = channels;
        this.imageSize = imageSize;
        this.label = label;
        this.shape = shape;
        this.scale = scale;
    }

    /** {@code --data} and the options of its kind, as kiln train reads them. */
    static ClassificationData fromOptions(Options o) {
        return fromOptions(o, Map.of());
    }

    /**
     * As {@link #fromOptions(Options)}, each option not given defaulting to what a checkpoint's metadata
     * {@code recorded} (kiln eval reads the data a model was trained on unless told otherwise).
     */
    static ClassificationData fromOptions(Options o, Map<String, String> recorded) {
        String data = o.has("data") ? o.get("data", null) : recorded.getOrDefault("data", "mnist");
        Kind kind = kindOf(Map.of("data", data));
        if (kind == Kind.MNIST) {
            if (!data.equals("mnist") && !data.equals("fashion-mnist")) {
                throw new IllegalArgumentException("--data must be mnist, fashion-mnist, folder:DIR or csv:DIR, got '"
                        + data + "'");
            }
            refuseOptionsOfOtherKinds(o, data, FOLDER_OPTIONS, CSV_OPTIONS);
            return new ClassificationData(kind, data, DataOptions.dataDir(o), null, 0, null, null, null, 1);
        }
        String dirText = data.substring(data.indexOf(':') + 1);
        if (dirText.isEmpty()) {
            throw new IllegalArgumentException("--data " + data + " names no folder; give --data " + data + "DIR");
        }
        if (o.has("data-dir")) {
            throw new IllegalArgumentException("--data-dir is where mnist and fashion-mnist are; --data " + data
                    + " names its own folder");
        }
        Path dir = Path.of(dirText).toAbsolutePath().normalize();
        if (kind == Kind.FOLDER) {
            refuseOptionsOfOtherKinds(o, data, CSV_OPTIONS);
            int channels = o.getInt("channels", Integer.parseInt(recorded.getOrDefault("channels", "3")));
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("--channels must be 1 (grey) or 3 (RGB), got " + channels);
            }
            int[] size = imageSize(o.get("image-size", recorded.getOrDefault("image_size", OWN_SIZE)));
            return new ClassificationData(kind, data, null, dir, channels, size, null, null, 1);
        }
        refuseOptionsOfOtherKinds(o, data, FOLDER_OPTIONS);
        String label = o.has("label") ? LABEL_NAMED + o.get("label", null)
                : recorded.getOrDefault("label", FIRST_COLUMN);
        int[] shape = o.has("shape") ? o.getPositiveInts("shape", null)
                : shape(recorded.getOrDefault("shape", NO_SHAPE));
        double scale = o.getDouble("scale", Double.parseDouble(recorded.getOrDefault("scale", "1")));
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("--scale must be a finite number, got " + scale);
        }
        return new ClassificationData(kind, data, null, dir, 0, null, label, shape, scale);
    }

    @SafeVarargs
    private static void refuseOptionsOfOtherKinds(Options o, String data, List<String>... others) {
        for (List<String> options : others) {
            for (String option : options) {
                if (o.has(option)) {
                    throw new IllegalArgumentException("--" + option + " is for --data "
                            + (FOLDER_OPTIONS.contains(option) ? "folder:DIR" : "csv:DIR") + ", not --data " + data);
                }
            }
        }
    }

    private static int[] imageSize(String value) {
        if (value.equals(OWN_SIZE)) {
            return null;
        }
        Matcher m = IMAGE_SIZE.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("--image-size must be HEIGHTxWIDTH in pixels, e.g. 32x32, got '" + value
                    + "'");
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    private static int[] shape(String value) {
        return value.equals(NO_SHAPE) ? null : Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** MNIST or Fashion-MNIST, whose checkpoints record no more than the data set's name. */
    boolean isMnist() {
        return kind == Kind.MNIST;
    }

    /**
     * The data as a checkpoint records it: mnist, fashion-mnist, or folder: or csv: and the absolute folder (so that
     * kiln eval finds it from any working directory).
     */
    String spec() {
        return kind == Kind.MNIST ? name : name.substring(0, name.indexOf(':') + 1) + dir;
    }

    /** A short name for a default run directory: the data set's, or the data folder's. */
    String runName() {
        if (kind == Kind.MNIST) {
            return name;
        }
        return dir.getFileName() == null ? kind.name().toLowerCase(Locale.ROOT) : dir.getFileName().toString();
    }

    /**
     * The settings to record in a checkpoint, with the trained-on split's class names and feature shape: none for
     * MNIST (its checkpoints are as they always were), and for the others all that reading the data and rebuilding
     * the model again takes.
     */
    Map<String, String> metadata(Split train) {
        Map<String, String> m = new LinkedHashMap<>();
        if (kind == Kind.FOLDER) {
            m.put("channels", Integer.toString(channels));
            m.put("image_size", imageSize == null ? OWN_SIZE : imageSize[0] + "x" + imageSize[1]);
        } else if (kind == Kind.CSV) {
            m.put("label", label);
            m.put("shape", shape == null ? NO_SHAPE : joined(shape));
            m.put("scale", Double.toString(scale));
        }
        if (kind != Kind.MNIST) {
            m.put("feature_shape", joined(train.data().featureShape()));
            m.put("class_names", GSON.toJson(train.classNames()));
        }
        return m;
    }

    /** The feature shape a checkpoint's model takes: as recorded, or MNIST's [1, 28, 28]. */
    static int[] featureShape(Map<String, String> meta) {
        String recorded = meta.get("feature_shape");
        return recorded == null ? new int[] {1, 28, 28} : shape(recorded);
    }

    /** The class names of a checkpoint's data: as recorded, or those of MNIST or Fashion-MNIST. */
    static List<String> classNames(Map<String, String> meta) {
        String recorded = meta.get("class_names");
        return recorded == null ? Mnist.classNames(meta.getOrDefault("data", "mnist"))
                : GSON.fromJson(recorded, new TypeToken<List<String>>() { }.getType());
    }

    /** Whether a checkpoint's folder images were scaled to its feature shape's size (else each had that size). */
    static boolean scaledImages(Map<String, String> meta) {
        return !OWN_SIZE.equals(meta.get("image_size"));
    }

    /** The kind of data a checkpoint was trained on, as its metadata's data names it. */
    static Kind kindOf(Map<String, String> meta) {
        String data = meta.getOrDefault("data", "mnist");
        return data.startsWith("folder:") ? Kind.FOLDER : data.startsWith("csv:") ? Kind.CSV : Kind.MNIST;
    }

    private static String joined(int[] values) {
        return String.join(",", Arrays.stream(values).mapToObj(Integer::toString).toList());
    }

    /**
     * The training and test splits.
     *
     * @throws IllegalArgumentException when a split is missing, or the two differ in their class names or feature
     *                                  shape; the message names both
     */
    TrainAndTest trainAndTest() throws IOException, DataDirectory.DataMissingException {
        Split train = split("train");
        Split test = split("test");
        if (!train.classNames().equals(test.classNames())) {
            throw new IllegalArgumentException("--data " + name + ": " + where("train") + " has the classes "
                    + train.classNames() + " but " + where("test") + " has " + test.classNames()
                    + "; train and test need the same classes");
        }
        int[] trainShape = train.data().featureShape();
        int[] testShape = test.data().featureShape();
        if (!Arrays.equals(trainShape, testShape)) {
            throw new IllegalArgumentException("--data " + name + ": " + where("train") + " has features of shape "
                    + Arrays.toString(trainShape) + " but " + where("test") + " has " + Arrays.toString(testShape)
                    + (kind == Kind.FOLDER ? "; give --image-size HxW to scale every image to one size" : ""));
        }
        return new TrainAndTest(train, test);
    }

    /** The test split alone. */
    Split test() throws IOException, DataDirectory.DataMissingException {
        return split("test");
    }

    private Split split(String split) throws IOException, DataDirectory.DataMissingException {
        return switch (kind) {
            case MNIST -> new Split(MnistDataset.load(mnistRoot, name,
                    split.equals("train") ? Mnist.Split.TRAIN : Mnist.Split.TEST), Mnist.classNames(name));
            case FOLDER -> {
                Path root = requireExists(split, Files.isDirectory(dir.resolve(split)),
                        " is not a folder; --data folder:DIR reads DIR/train and DIR/test, each with a folder per class"
                                + " (DIR/train/cat/1.png, DIR/train/dog/2.png, ...)");
                ImageFolder images = imageSize == null ? ImageFolder.load(root, channels)
                        : ImageFolder.load(root, channels, imageSize[0], imageSize[1]);
                yield new Split(images, images.classNames());
            }
            case CSV -> {
                Path file = requireExists(split, Files.isRegularFile(dir.resolve(split + ".csv")),
                        ": no such file; --data csv:DIR reads DIR/train.csv and DIR/test.csv, a header row and a label"
                                + " column in each");
                CsvDataset rows = CsvDataset.load(file, csvOptions());
                yield new Split(rows, rows.classNames());
            }
        };
    }

    private Path requireExists(String split, boolean exists, String otherwise) {
        Path path = Path.of(where(split));
        if (!exists) {
            throw new IllegalArgumentException("--data " + name + ": " + path + otherwise);
        }
        return path;
    }

    /** The folder or file a split is read from. */
    private String where(String split) {
        return switch (kind) {
            case MNIST -> name + " " + split;
            case FOLDER -> dir.resolve(split).toString();
            case CSV -> dir.resolve(split + ".csv").toString();
        };
    }

    private CsvOptions csvOptions() {
        CsvOptions options = CsvOptions.defaults().scale(scale);
        if (label.startsWith(LABEL_NAMED)) {
            options = options.labelColumn(label.substring(LABEL_NAMED.length()));
        }
        return shape == null ? options : options.featureShape(shape);
    }
}
