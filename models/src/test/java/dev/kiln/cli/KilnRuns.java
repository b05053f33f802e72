package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Runs of the {@code kiln} command line through {@link Kiln#run}, and the fake MNIST and image folders they train on. */
final class KilnRuns {
    private KilnRuns() {
    }

    /** Exit code and both streams of one run. */
    record Result(int code, String out, String err) {
        /** The last non-empty line of standard output. */
        String lastLine() {
            List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
            assertFalse(lines.isEmpty(), "no output; stderr: " + err);
            return lines.get(lines.size() - 1);
        }

        JsonObject lastLineJson() {
            return JsonParser.parseString(lastLine()).getAsJsonObject();
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    static Result kiln(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Kiln.run(args, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** An IDX file: big-endian magic, dimensions, then unsigned bytes. */
    private static void writeIdx(Path file, int magic, int[] dims, byte[] values) throws IOException {
        try (OutputStream f = Files.newOutputStream(file); DataOutputStream out = new DataOutputStream(f)) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(values);
        }
    }

    /**
     * {@code root/mnist} with {@code train} and {@code test} random 28x28 images and labels 0..9, as raw IDX files;
     * returns {@code root}.
     */
    static Path fakeMnist(Path root, int train, int test) throws IOException {
        Path mnist = Files.createDirectories(root.resolve("mnist"));
        Random random = new Random(17);
        for (String[] split : new String[][] {{"train", Integer.toString(train)}, {"t10k", Integer.toString(test)}}) {
            int n = Integer.parseInt(split[1]);
            byte[] pixels = new byte[n * 28 * 28];
            random.nextBytes(pixels);
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) {
                labels[i] = (byte) random.nextInt(10);
            }
            writeIdx(mnist.resolve(split[0] + "-images-idx3-ubyte"), 0x00000803, new int[] {n, 28, 28}, pixels);
            writeIdx(mnist.resolve(split[0] + "-labels-idx1-ubyte"), 0x00000801, new int[] {n}, labels);
        }
        return root;
    }

    /**
     * {@code dir}/train and {@code dir}/test with a folder per class of {@code train} and {@code test} random
     * height x width images, each class a little lighter than the one before; grey PNGs, or RGB ones tinted by class.
     */
    static Path imageFolders(Path dir, List<String> classes, int height, int width, boolean rgb, int train, int test)
            throws IOException {
        Random random = new Random(3);
        for (String split : List.of("train", "test")) {
            for (int c = 0; c < classes.size(); c++) {
                Path folder = Files.createDirectories(dir.resolve(split).resolve(classes.get(c)));
                for (int i = 0; i < (split.equals("train") ? train : test); i++) {
                    image(folder.resolve(i + ".png"), height, width, rgb, 60 * c, random);
                }
            }
        }
        return dir;
    }

    /** A random grey or RGB PNG whose levels lie in [base, base + 60). */
    static Path image(Path file, int height, int width, boolean rgb, int base, Random random)
            throws IOException {
        BufferedImage image = new BufferedImage(width, height,
                rgb ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int level = base + random.nextInt(60);
                if (rgb) {
                    image.setRGB(x, y, level << 16 | (255 - level) << 8 | random.nextInt(256));
                } else {
                    image.getRaster().setSample(x, y, 0, level);
                }
            }
        }
        assertTrue(ImageIO.write(image, "png", file.toFile()));
        return file;
    }
}
