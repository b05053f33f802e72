package dev.kiln.zoo;

import dev.kiln.autoencoder.Autoencoder;
import dev.kiln.autoencoder.ConvAutoencoder;
import dev.kiln.autoencoder.DenoisingAutoencoder;
import dev.kiln.autoencoder.SparseAutoencoder;
import dev.kiln.autoencoder.StackedAutoencoder;
import dev.kiln.autoencoder.TiedAutoencoder;
import dev.kiln.autoencoder.VariationalAutoencoder;
import dev.kiln.nn.BasicBlock;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.GlobalAvgPool2d;
import dev.kiln.nn.GRU;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.RNN;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Recurrent;
import dev.kiln.nn.Sequential;
import java.util.List;

/** Reference models by name, as trained by {@code kiln train MODEL} and {@code kiln pretrain MODEL}. */
public final class Zoo {
    /** Rows (and pixels per row) of the images {@link #rowReader} reads. */
    private static final int ROWS = 28;
    /** Hidden units of the row readers, as in W3. */
    private static final int ROW_READER_HIDDEN = 128;
    /** The row Transformer's token width, heads, feed-forward width and layers. */
    private static final int ROW_TRANSFORMER_WIDTH = 64;
    private static final int ROW_TRANSFORMER_HEADS = 4;
    private static final int ROW_TRANSFORMER_FEED_FORWARD = 256;
    private static final int ROW_TRANSFORMER_LAYERS = 2;

    private Zoo() {
    }

    /** Names {@link #create} accepts. */
    public static List<String> names() {
        return List.of("mlp", "lenet", "resnet", "resnet14", "lstm", "gru", "rnn", "transformer");
    }

    /**
     * A new model with fresh weights from the engine's seeded stream.
     *
     * @param inputs  features per sample (784 for 28x28 images)
     * @param classes number of classes
     */
    public static Module create(String name, int inputs, int classes) {
        return create(name, inputs, classes, 0);
    }

    /** As {@link #create(String, int, int)}, with dropout of probability {@code dropout} after each hidden layer. */
    public static Module create(String name, int inputs, int classes, double dropout) {
        return switch (name) {
            case "mlp" -> mlp(inputs, classes, dropout);
            case "lenet" -> {
                requireImages28(name, inputs);
                yield lenet(classes, dropout);
            }
            case "resnet", "resnet14" -> {
                requireImages28(name, inputs);
                if (dropout > 0) {
                    throw new IllegalArgumentException(name + " regularises with batch norm and takes no --dropout, got " + dropout);
                }
                yield resnet(classes, name.equals("resnet14") ? 2 : 1);
            }
            case "lstm", "gru", "rnn" -> {
                if (inputs != ROWS * ROWS) {
                    throw new IllegalArgumentException(name + " reads 28x28 images row by row (784 features), got " + inputs
                            + " features");
                }
                yield rowReader(name, classes, dropout);
            }
            case "transformer" -> {
                requireImages28(name, inputs);
                if (dropout > 0) {
                    throw new IllegalArgumentException(name + " takes no --dropout, got " + dropout);
                }
                yield rowTransformer(classes);
            }
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; known: " + names());
        };
    }

    private static void requireImages28(String name, int inputs) {
        if (inputs != 28 * 28) {
            throw new IllegalArgumentException(name + " takes 1x28x28 images (784 features), got " + inputs + " features");
        }
    }

    /** W1 of the benchmark protocol: inputs-512-ReLU-512-ReLU-classes on flattened inputs. */
    public static Sequential mlp(int inputs, int classes) {
        return mlp(inputs, classes, 0);
    }

    /** The W1 network with {@link Dropout} after each hidden ReLU when {@code dropout > 0}. */
    public static Sequential mlp(int inputs, int classes, double dropout) {
        return mlp(inputs, 512, classes, dropout);
    }

    /**
     * The W1 network with {@code width} units in each of its two hidden layers (W1: 512): [batch, inputs...] ->
     * [batch, classes].
     */
    public static Sequential mlp(int inputs, int width, int classes, double dropout) {
        Sequential net = new Sequential(new Flatten(), new Linear(inputs, width), new ReLU());
        if (dropout > 0) {
            net.add(new Dropout(dropout));
        }
        net.add(new Linear(width, width)).add(new ReLU());
        if (dropout > 0) {
            net.add(new Dropout(dropout));
        }
        return net.add(new Linear(width, classes));
    }

    /**
     * W2 of the benchmark protocol, for images [batch, 1, 28, 28]: conv 1->20 5x5 (valid, stride 1), ReLU,
     * maxpool 2x2 stride 2 ([batch, 20, 12, 12]), conv 20->50 5x5, ReLU, maxpool 2x2 stride 2
     * ([batch, 50, 4, 4]), flatten (800), dense 800->500, ReLU, dense 500->classes.
     */
    public static Sequential lenet(int classes) {
        return lenet(classes, 0);
    }

    /** The W2 network with {@link Dropout} after the hidden dense ReLU when {@code dropout > 0}. */
    public static Sequential lenet(int classes, double dropout) {
        Sequential net = new Sequential(
                new Conv2d(1, 20, 5), new ReLU(), new MaxPool2d(2, 2),
                new Conv2d(20, 50, 5), new ReLU(), new MaxPool2d(2, 2),
                new Flatten(), new Linear(50 * 4 * 4, 500), new ReLU());
        if (dropout > 0) {
            net.add(new Dropout(dropout));
        }
        return net.add(new Linear(500, classes));
    }

    /** The small ResNet with one {@link BasicBlock} per stage (8 weighted layers); see {@link #resnet(int, int)}. */
    public static Sequential resnet(int classes) {
        return resnet(classes, 1);
    }

    /**
     * A small ResNet for images [batch, 1, 28, 28]: a 3x3 stem convolution to 16 channels with batch norm and
     * ReLU, three stages of {@code blocksPerStage} basic blocks at 16 channels (28x28), 32 (14x14) and 64
     * (7x7), each later stage starting with a stride-2 block, then global average pooling and a dense layer
     * 64->classes. The CIFAR ResNets of He et al. (2015) with their 32x32 stages cut to 28x28 and one input
     * channel.
     */
    public static Sequential resnet(int classes, int blocksPerStage) {
        if (blocksPerStage < 1) {
            throw new IllegalArgumentException("resnet: blocks per stage must be at least 1, got " + blocksPerStage);
        }
        Sequential net = new Sequential(
                Conv2d.builder(1, 16, 3).padding(1).bias(false).build(), new BatchNorm2d(16), new ReLU());
        int channels = 16;
        for (int stage = 0; stage < 3; stage++) {
            int width = 16 << stage;
            for (int b = 0; b < blocksPerStage; b++) {
                net.add(new BasicBlock(channels, width, stage > 0 && b == 0 ? 2 : 1));
                channels = width;
            }
        }
        return net.add(new GlobalAvgPool2d()).add(new Flatten()).add(new Linear(channels, classes));
    }

    /**
     * ResNet-18 in its CIFAR form, for images [batch, inChannels, 32, 32]: a 3x3 stem convolution to 64
     * channels with batch norm and ReLU (no max pooling), four stages of two {@link BasicBlock}s at 64, 128, 256
     * and 512 channels (32x32 down to 4x4, each later stage starting with a stride-2 block), global average
     * pooling and a dense layer 512->classes: 11.2 million parameters for 3 channels and 10 classes.
     */
    public static Sequential resnet18(int inChannels, int classes) {
        Sequential net = new Sequential(
                Conv2d.builder(inChannels, 64, 3).padding(1).bias(false).build(), new BatchNorm2d(64), new ReLU());
        int channels = 64;
        for (int stage = 0; stage < 4; stage++) {
            int width = 64 << stage;
            for (int b = 0; b < 2; b++) {
                net.add(new BasicBlock(channels, width, stage > 0 && b == 0 ? 2 : 1));
                channels = width;
            }
        }
        return net.add(new GlobalAvgPool2d()).add(new Flatten()).add(new Linear(channels, classes));
    }

    /**
     * W3 of the benchmark protocol for {@code kind} "lstm" (and its "gru" and "rnn" (tanh) siblings): a 28x28
     * image's rows as 28 steps of 28 features, one recurrent layer of 128 hidden units, its last hidden state
     * through dropout (when {@code dropout > 0}) and a dense layer to {@code classes} scores.
     */
    public static SequenceClassifier rowReader(String kind, int classes, double dropout) {
        Recurrent layer = switch (kind) {
            case "lstm" -> new LSTM(ROWS, ROW_READER_HIDDEN);
            case "gru" -> new GRU(ROWS, ROW_READER_HIDDEN);
            case "rnn" -> new RNN(ROWS, ROW_READER_HIDDEN);
            default -> throw new IllegalArgumentException("rowReader: kind must be lstm, gru or rnn, got '" + kind + "'");
        };
        return new SequenceClassifier(layer, ROWS, ROWS, classes, dropout);
    }

    /**
     * The benchmark's {@code transformer} workload: a 28x28 image's rows as 28 tokens of 28 features, embedded in 64,
     * two pre-norm encoder layers of 4 heads and a feed-forward block of 256, the tokens' mean to {@code classes}
     * scores (see {@link RowTransformer}).
     */
    public static RowTransformer rowTransformer(int classes) {
        return new RowTransformer(ROWS, ROWS, ROW_TRANSFORMER_WIDTH, ROW_TRANSFORMER_HEADS,
                ROW_TRANSFORMER_FEED_FORWARD, ROW_TRANSFORMER_LAYERS, classes);
    }

    /** Names {@link #autoencoder} accepts. */
    public static List<String> autoencoderNames() {
        return List.of("ae", "tied", "denoising", "sparse", "vae", "conv");
    }

    /**
     * A new autoencoder for {@code inputs} features (784 for MNIST) with fresh weights: {@code ae} a
     * {@link StackedAutoencoder} inputs-256-64, {@code tied} the same with tied weights, {@code denoising} the
     * stacked one with masking noise 0.25, {@code sparse} the stacked one with an L1 activity penalty 1e-4 on its
     * 64 codes, {@code vae} a {@link VariationalAutoencoder} inputs-256-16, {@code conv} a {@link ConvAutoencoder}
     * of one-channel square images (inputs a square, its side a multiple of 4) with 64 codes. The encoders of the
     * first four are flatten, inputs->256, ReLU, 256->64, ReLU, that of {@code conv} two strided convolutions and a
     * dense layer to 64 codes: each a classifier body for a head {@code new Linear(64, classes)}.
     */
    public static Autoencoder autoencoder(String name, int inputs) {
        return switch (name) {
            case "ae" -> new StackedAutoencoder(inputs, 256, 64);
            case "tied" -> new TiedAutoencoder(inputs, 256, 64);
            case "denoising" -> DenoisingAutoencoder.masking(new StackedAutoencoder(inputs, 256, 64), 0.25);
            case "sparse" -> new SparseAutoencoder(new StackedAutoencoder(inputs, 256, 64), 1e-4);
            case "vae" -> new VariationalAutoencoder(inputs, 256, 16);
            case "conv" -> new ConvAutoencoder(1, squareSide(inputs), squareSide(inputs), 64);
            default -> throw new IllegalArgumentException("unknown autoencoder '" + name + "'; known: " + autoencoderNames());
        };
    }

    /** The side of a square one-channel image of {@code inputs} pixels. */
    private static int squareSide(int inputs) {
        int side = (int) Math.round(Math.sqrt(inputs));
        if (side * side != inputs) {
            throw new IllegalArgumentException("autoencoder 'conv' needs square one-channel images, but " + inputs
                    + " inputs are not a square number of pixels");
        }
        return side;
    }
}
