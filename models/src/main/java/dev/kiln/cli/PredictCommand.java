package dev.kiln.cli;

import dev.kiln.data.ImageFolder;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.train.Json;
import dev.kiln.train.Trainer;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** {@code kiln predict --checkpoint F IMAGE}: the class probabilities of one image. */
final class PredictCommand {
    static final String HELP = """
            Usage: kiln predict --checkpoint FILE IMAGE.png
              FILE: a kiln train or finetune checkpoint, e.g. runs/mlp-mnist/checkpoint.safetensors (each run
              has its folder: runs/MODEL-DATA, runs/MODEL-DATA-2, ...; the newest has the highest number)
              For a model trained on mnist or fashion-mnist the image is turned grey, scaled to 28x28 and,
              when its background is light (mean above one half), inverted: MNIST digits are light on dark.
              For one trained on --data folder:DIR it is read as kiln train read DIR's images: with their
              --channels, scaled to their --image-size (without one it must have the training images' size);
              the classes are printed by their folders' names.
            The last line printed is one JSON object with the predicted class and probabilities.
            """;

    private PredictCommand() {
    }

    /**
     * Where the image is among {@code args}: the one argument that is neither an option nor an option's value, so
     * that it may stand before or after the options, and a missing one is not taken for {@code --checkpoint}'s value.
     */
    static int imageIndex(String[] args) {
        List<Integer> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                positional.add(i);
            } else if (!args[i].contains("=") && i + 1 < args.length && !args[i + 1].startsWith("--")) {
                i++;
            }
        }
        if (positional.isEmpty()) {
            throw new IllegalArgumentException("name the image to classify: kiln predict --checkpoint FILE"
                    + " IMAGE.png");
        }
        if (positional.size() > 1) {
            throw new IllegalArgumentException("kiln predict classifies one image, got "
                    + positional.stream().map(i -> "'" + args[i] + "'").toList());
        }
        return positional.get(0);
    }

    static int run(String[] args, PrintStream out) throws Exception {
        int imageAt = imageIndex(args);
        Path image = Path.of(args[imageAt]);
        List<String> options = new ArrayList<>(List.of(args));
        options.remove(imageAt);
        Options o = Options.parse(options.toArray(String[]::new));
        String checkpoint = o.get("checkpoint", null);
        o.rejectUnknown();
        if (checkpoint == null) {
            throw new IllegalArgumentException("--checkpoint FILE is required");
        }
        Path file = Path.of(checkpoint);
        Map<String, String> meta = Trainer.metadata(file);
        ClassificationData.Kind kind = ClassificationData.kindOf(meta);
        if (kind == ClassificationData.Kind.CSV) {
            throw new IllegalArgumentException(file + " was trained on CSV rows (--data " + meta.get("data")
                    + "), not images; evaluate CSV rows with kiln eval --checkpoint " + file + " --data csv:DIR");
        }
        int[] featureShape = ClassificationData.featureShape(meta);
        float[] pixels = kind == ClassificationData.Kind.FOLDER ? readFolderImage(image, file, meta, featureShape)
                : readPixels(image);
        List<String> classNames = kind == ClassificationData.Kind.FOLDER ? ClassificationData.classNames(meta) : null;
        try (Module model = ClassifierCheckpoints.architecture(file, meta);
             Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Trainer.loadModel(file, model);
            model.eval();
            float[] p = F.softmax(model.forward(Tensor.fromArray(pixels, 1, featureShape[0], featureShape[1],
                    featureShape[2])), 1).toFloatArray();
            int best = 0;
            for (int c = 1; c < p.length; c++) {
                best = p[c] > p[best] ? c : best;
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("image", image.toString());
            result.put("predicted", best);
            if (classNames != null) {
                result.put("predicted_class", classNames.get(best));
            }
            double[] rounded = new double[p.length];
            for (int c = 0; c < p.length; c++) {
                rounded[c] = Math.round(p[c] * 1e4) / 1e4;
                String name = classNames == null ? Integer.toString(c) : classNames.get(c);
                out.printf("class %s  %6.2f%%%s%n", name, 100 * p[c], c == best ? "  <-" : "");
            }
            result.put("probabilities", rounded);
            out.println(Json.line(result));
        }
        return 0;
    }

    /**
     * The image as {@link ImageFolder} read the training images of a checkpoint trained on --data folder:DIR:
     * [channels, height, width] values in [0, 1] of the checkpoint's feature shape.
     *
     * @throws IllegalArgumentException when the checkpoint's images kept their own size and this one has another
     */
    static float[] readFolderImage(Path image, Path checkpoint, Map<String, String> meta, int[] featureShape)
            throws IOException {
        requireFile(image);
        int height = featureShape[1];
        int width = featureShape[2];
        if (ClassificationData.scaledImages(meta)) {
            return ImageFolder.readImage(image, featureShape[0], height, width);
        }
        int[] size = ImageFolder.imageSize(image);
        if (size[0] != height || size[1] != width) {
            throw new IllegalArgumentException(image + " is " + size[0] + " x " + size[1] + " but " + checkpoint
                    + " was trained on images of " + height + " x " + width + " at their own size (kiln train without"
                    + " --image-size); give it an image of that size");
        }
        return ImageFolder.readImage(image, featureShape[0], 0, 0);
    }

    private static void requireFile(Path image) throws IOException {
        if (!Files.isRegularFile(image)) {
            throw new IOException(image + ": no such file");
        }
    }

    /** 28x28 grey values in [0, 1], light on dark. */
    static float[] readPixels(Path image) throws IOException {
        requireFile(image);
        BufferedImage source = ImageIO.read(image.toFile());
        if (source == null) {
            throw new IOException(image + ": not an image format Java can read (PNG, JPEG, GIF, BMP)");
        }
        BufferedImage grey = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = grey.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(source, 0, 0, 28, 28, null);
        g.dispose();
        float[] pixels = new float[28 * 28];
        double mean = 0;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                pixels[y * 28 + x] = (grey.getRaster().getSample(x, y, 0)) / 255f;
                mean += pixels[y * 28 + x];
            }
        }
        if (mean / pixels.length > 0.5) {
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = 1 - pixels[i];
            }
        }
        return pixels;
    }
}
