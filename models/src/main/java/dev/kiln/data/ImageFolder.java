package dev.kiln.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Images in one folder per class, like torchvision's {@code ImageFolder}: {@code root/cat/1.png},
 * {@code root/dog/7.jpg}, ... The classes are the sub-folders in sorted order, so that class {@code i} is the i-th
 * name of {@link #classNames()}; files are taken in sorted order within each. PNG, JPEG, BMP and GIF files are read
 * (with {@link ImageIO}); other files and hidden entries are skipped.
 *
 * <p>Features are [channels, height, width] floats in [0, 1]: channels 1 (grey images' levels as stored, colour
 * images' ITU-R 601 luma as PIL's {@code convert('L')}) or 3 (RGB, as torchvision's default loader; grey levels
 * repeated). Every image must have the first image's size, or {@link #load(Path, int, int, int)} scales each to a
 * given size (bilinear). The images are decoded once, in parallel, and kept as bytes, one a value.
 */
public final class ImageFolder implements Dataset {
    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private final byte[] values;
    private final long[] labels;
    private final int[] featureShape;
    private final int featureSize;
    private final List<String> classNames;
    private final List<Path> files;

    private ImageFolder(byte[] values, long[] labels, int[] featureShape, List<String> classNames, List<Path> files) {
        this.values = values;
        this.labels = labels;
        this.featureShape = featureShape;
        this.featureSize = Datasets.product(featureShape);
        this.classNames = classNames;
        this.files = files;
    }

    /**
     * Loads every image under {@code root}'s class folders as {@code channels} (1 or 3) channels; all images
     * must have the first one's size.
     *
     * @throws IOException when root has no class folder, a class folder has no image, an image cannot be
     *                     decoded or has another size than the first; the message names the folder or file
     */
    public static ImageFolder load(Path root, int channels) throws IOException {
        return load(root, channels, 0, 0);
    }

    /**
     * Loads every image under {@code root}'s class folders as {@code channels} (1 or 3) channels, each scaled to
     * {@code height x width} (bilinear) when those are positive, or required to have the first image's size when
     * both are 0.
     */
    public static ImageFolder load(Path root, int channels, int height, int width) throws IOException {
        requireChannelsAndSize(channels, height, width);
        List<String> classNames = classFolders(root);
        List<Path> files = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        for (int c = 0; c < classNames.size(); c++) {
            List<Path> images = imagesIn(root.resolve(classNames.get(c)));
            files.addAll(images);
            for (int i = 0; i < images.size(); i++) {
                labels.add((long) c);
            }
        }
        int[] size = height > 0 ? new int[] {height, width} : sizeOf(files.get(0));
        int[] shape = {channels, size[0], size[1]};
        int featureSize = Datasets.product(shape);
        byte[] values = new byte[Math.multiplyExact(files.size(), featureSize)];
        decodeAll(files, shape, height > 0, values);
        return new ImageFolder(values, labels.stream().mapToLong(Long::longValue).toArray(), shape,
                List.copyOf(classNames), List.copyOf(files));
    }

    private static void requireChannelsAndSize(int channels, int height, int width) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("ImageFolder: channels must be 1 (grey) or 3 (RGB), got " + channels);
        }
        if (height < 0 || width < 0 || (height == 0) != (width == 0)) {
            throw new IllegalArgumentException("ImageFolder: height and width must both be positive (scale to them)"
                    + " or both 0 (keep each image's size), got " + height + " x " + width);
        }
    }

    /** The sub-folders of root, sorted by name, hidden ones left out. */
    private static List<String> classFolders(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("ImageFolder: " + root + " is not a folder");
        }
        List<String> names;
        try (Stream<Path> entries = Files.list(root)) {
            names = entries.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith(".")).sorted().toList();
        }
        if (names.isEmpty()) {
            throw new IOException("ImageFolder: " + root + " has no class folders; expected one folder per class,"
                    + " e.g. " + root.resolve("cat") + "/1.png");
        }
        return names;
    }

    /** The image files of one class folder, sorted by name. */
    private static List<Path> imagesIn(Path folder) throws IOException {
        List<Path> images;
        try (Stream<Path> entries = Files.list(folder)) {
            images = entries.filter(Files::isRegularFile).filter(ImageFolder::isImage).sorted().toList();
        }
        if (images.isEmpty()) {
            throw new IOException("ImageFolder: class folder " + folder + " has no image (extensions "
                    + EXTENSIONS.stream().sorted().toList() + ")");
        }
        return images;
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return !name.startsWith(".") && dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static int[] sizeOf(Path file) throws IOException {
        BufferedImage image = read(file);
        return new int[] {image.getHeight(), image.getWidth()};
    }

    /**
     * The size of one image file, {height, width}, for checking an image against the size a model was trained on.
     *
     * @throws IOException when the file cannot be decoded; the message names it
     */
    public static int[] imageSize(Path file) throws IOException {
        return sizeOf(file);
    }

    /**
     * One image's features as {@link #load(Path, int, int, int)} reads each: [channels, height, width] floats in
     * [0, 1], scaled to {@code height x width} (bilinear) when those are positive, at the image's own size when both
     * are 0. For classifying an image with a model trained on an ImageFolder.
     *
     * @throws IOException when the file cannot be decoded; the message names it
     */
    public static float[] readImage(Path file, int channels, int height, int width) throws IOException {
        requireChannelsAndSize(channels, height, width);
        BufferedImage image = read(file);
        if (height > 0) {
            image = scaled(image, height, width);
        }
        int size = channels * image.getHeight() * image.getWidth();
        byte[] values = new byte[size];
        copyValues(image, channels, values, 0);
        float[] features = new float[size];
        for (int i = 0; i < size; i++) {
            features[i] = (values[i] & 0xFF) / 255f;
        }
        return features;
    }

    private static BufferedImage read(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IOException("ImageFolder: " + file + " is not an image ImageIO can decode");
        }
        return image;
    }

    /** Decodes files[i] into values[i * featureSize ...], in parallel; the first failure is thrown. */
    private static void decodeAll(List<Path> files, int[] shape, boolean scale, byte[] values) throws IOException {
        int featureSize = Datasets.product(shape);
        try {
            IntStream.range(0, files.size()).parallel().forEach(i -> {
                try {
                    BufferedImage image = read(files.get(i));
                    if (scale) {
                        image = scaled(image, shape[1], shape[2]);
                    } else if (image.getHeight() != shape[1] || image.getWidth() != shape[2]) {
                        throw new IOException("ImageFolder: " + files.get(i) + " is " + image.getHeight() + " x "
                                + image.getWidth() + " but " + files.get(0) + " is " + shape[1] + " x " + shape[2]
                                + "; give a size to scale every image to");
                    }
                    copyValues(image, shape[0], values, i * featureSize);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The image scaled to height x width, bilinear; a grey image stays grey, its values untouched by colour spaces. */
    private static BufferedImage scaled(BufferedImage image, int height, int width) {
        BufferedImage out = new BufferedImage(width, height,
                isGrey(image) ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(opaque(image), 0, 0, width, height, null);
        g.dispose();
        return out;
    }

    /**
     * The image with its alpha dropped, as PIL's {@code convert('RGB')} and {@code convert('L')} drop it before
     * torchvision's resize: drawn with alpha, a translucent pixel would be blended over the scaled image's black.
     */
    private static BufferedImage opaque(BufferedImage image) {
        if (!image.getColorModel().hasAlpha()) {
            return image;
        }
        int height = image.getHeight();
        int width = image.getWidth();
        if (isGrey(image)) {
            int type = image.getColorModel().getComponentSize(0) > 8 ? BufferedImage.TYPE_USHORT_GRAY
                    : BufferedImage.TYPE_BYTE_GRAY;
            BufferedImage grey = new BufferedImage(width, height, type);
            grey.getRaster().setSamples(0, 0, width, height, 0,
                    image.getRaster().getSamples(0, 0, width, height, 0, (int[]) null));
            return grey;
        }
        BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, width, height, image.getRGB(0, 0, width, height, null, 0, width), 0, width);
        return rgb;
    }

    /**
     * Whether the image stores grey levels (with or without alpha). Those are read from the raster as stored:
     * {@link BufferedImage#getRGB} would take them through Java's linear grey colour space and change them.
     */
    private static boolean isGrey(BufferedImage image) {
        return image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    }

    /**
     * The image's values as [channels, height, width] bytes: grey levels as stored (repeated for 3 channels), or
     * RGB planes (alpha dropped, as PIL's {@code convert('RGB')}) or their luma (PIL's {@code convert('L')}).
     */
    private static void copyValues(BufferedImage image, int channels, byte[] dst, int offset) {
        int height = image.getHeight();
        int width = image.getWidth();
        int plane = height * width;
        if (isGrey(image)) {
            int[] grey = image.getRaster().getSamples(0, 0, width, height, 0, (int[]) null);
            int max = (1 << image.getColorModel().getComponentSize(0)) - 1;
            for (int p = 0; p < plane; p++) {
                byte level = (byte) ((grey[p] * 255L + max / 2) / max);
                for (int c = 0; c < channels; c++) {
                    dst[offset + c * plane + p] = level;
                }
            }
            return;
        }
        int[] rgb = image.getRGB(0, 0, width, height, null, 0, width);
        for (int p = 0; p < plane; p++) {
            int r = (rgb[p] >> 16) & 0xFF;
            int g = (rgb[p] >> 8) & 0xFF;
            int b = rgb[p] & 0xFF;
            if (channels == 1) {
                dst[offset + p] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
            } else {
                dst[offset + p] = (byte) r;
                dst[offset + plane + p] = (byte) g;
                dst[offset + 2 * plane + p] = (byte) b;
            }
        }
    }

    /** The class folders' names; class i is the i-th. */
    public List<String> classNames() {
        return classNames;
    }

    /** The file example {@code index} was read from. */
    public Path file(int index) {
        return files.get(Objects.checkIndex(index, labels.length));
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int[] featureShape() {
        return featureShape.clone();
    }

    @Override
    public int featureSize() {
        return featureSize;
    }

    @Override
    public void copyFeatures(int index, float[] dst, int offset) {
        Objects.checkIndex(index, labels.length);
        Objects.checkFromIndexSize(offset, featureSize, dst.length);
        int from = index * featureSize;
        for (int i = 0; i < featureSize; i++) {
            dst[offset + i] = (values[from + i] & 0xFF) / 255f;
        }
    }

    @Override
    public long label(int index) {
        return labels[Objects.checkIndex(index, labels.length)];
    }

    @Override
    public int classes() {
        return classNames.size();
    }

    @Override
    public String toString() {
        return "ImageFolder(" + labels.length + " images of " + Arrays.toString(featureShape) + ", classes "
                + classNames + ")";
    }
}
