package dev.kiln.cli;

import dev.kiln.g2p.G2pModels;
import dev.kiln.nn.Module;
import java.nio.file.Path;
import java.util.Map;

/**
 * The image classifiers that {@code kiln train} and {@code kiln finetune} (also {@code --onnx}) write, rebuilt from a
 * checkpoint's metadata for the commands that read them ({@code kiln eval}, {@code kiln predict}).
 */
final class ClassifierCheckpoints {
    private ClassifierCheckpoints() {
    }

    /**
     * The architecture of checkpoint {@code file}, with fresh weights to load its own into: [N, features...] (for
     * MNIST [N, 1, 28, 28]) to [N, classes] logits, as the metadata's feature shape and class names say.
     *
     * @param meta the checkpoint's metadata
     * @throws IllegalArgumentException naming the file when it holds no image classifier, and saying what it holds and
     *                                  which command reads it where that is known
     */
    static Module architecture(Path file, Map<String, String> meta) {
        String model = meta.get("model");
        if (model == null) {
            throw new IllegalArgumentException(file + " names no model in its metadata; was it written by kiln train?");
        }
        if (model.equals(FinetuneCommand.MODEL)) {
            return FinetuneCommand.architecture(meta);
        }
        if (model.equals(OnnxCheckpoints.MODEL)) {
            return OnnxCheckpoints.architecture(file, meta);
        }
        if (ClassifierModels.names().contains(model) && !isAutoencoder(meta)) {
            return ClassifierModels.create(model, ClassificationData.featureShape(meta),
                    ClassificationData.classNames(meta).size(), Double.parseDouble(meta.getOrDefault("dropout", "0")),
                    meta.getOrDefault("data", "mnist"));
        }
        throw new IllegalArgumentException(file + " is not a kiln train or kiln finetune checkpoint (model " + model
                + ")" + whatItIs(model, meta));
    }

    private static boolean isAutoencoder(Map<String, String> meta) {
        return "autoencoder".equals(meta.get("kind"));
    }

    /** What a checkpoint of another command holds and which command reads it, or the known classifiers. */
    private static String whatItIs(String model, Map<String, String> meta) {
        if (isAutoencoder(meta)) {
            return ": an autoencoder of kiln pretrain, which kiln finetune --from reads";
        }
        return switch (model) {
            case "charlm" -> ": a language model of kiln lm, which kiln sample reads";
            case G2pModels.MODEL -> ": a g2p model of kiln train g2p, which kiln g2p and kiln eval read";
            case GanCommand.MODEL -> ": a GAN of kiln gan, which kiln gan --sample reads";
            default -> "; the image classifiers are " + ClassifierModels.names() + " and " + FinetuneCommand.MODEL;
        };
    }
}
