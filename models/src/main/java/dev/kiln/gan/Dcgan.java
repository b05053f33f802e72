package dev.kiln.gan;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.BatchNorm;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.ConvTranspose2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.GroupNorm;
import dev.kiln.nn.LeakyReLU;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Tanh;
import dev.kiln.nn.Unflatten;
import dev.kiln.nn.init.Init;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A deep convolutional GAN (Radford, Metz and Chintala 2015) as PyTorch's DCGAN tutorial builds it, scaled from
 * 64x64 images to small ones such as MNIST's 28x28 (height and width multiples of 4): two stride-2 stages instead of
 * four, with {@code f} and {@code 2f} feature maps ({@code f}: the tutorial's ngf and ndf, 64 there).
 * <ul>
 *   <li>{@code generator}: noise [batch, latent] viewed as [batch, latent, 1, 1], a transposed convolution with a
 *   (height / 4) x (width / 4) kernel to [batch, 2f, height / 4, width / 4], then two 4x4 transposed convolutions of
 *   stride 2 and padding 1 that double the image twice (2f -> f -> channels), batch norm and ReLU after all but the
 *   last, and tanh: images [batch, channels, height, width] in (-1, 1).</li>
 *   <li>{@code discriminator}: images [batch, channels, height, width], two 4x4 convolutions of stride 2 and padding 1
 *   (channels -> f -> 2f, batch norm after the second, or what {@link DiscriminatorNorm} names instead), each
 *   followed by LeakyReLU(0.2), and a convolution with a (height / 4) x (width / 4) kernel to one logit per image:
 *   [batch, 1]. The tutorial ends with a sigmoid and BCELoss; {@link BceGanLoss} takes the logits, which is the same
 *   loss without its overflow.</li>
 * </ul>
 * No layer has a bias (the norms have theirs), as in the tutorial. Weights are initialised as its
 * {@code weights_init} does: convolutions N(0, 0.02), batch-norm scales N(1, 0.02) and shifts 0. State-dict keys
 * {@code generator.1.weight} ... {@code discriminator.5.weight} (... {@code discriminator.4.weight} without a
 * discriminator norm), those of the same {@code nn.Sequential}s in PyTorch.
 * For 28x28 MNIST and latent 100: 7x7 -> 14x14 -> 28x28 and back; 0.90 million parameters with f = 64 (0.76 in the
 * generator), 0.38 million with f = 32.
 *
 * <p>Images go in and come out in (-1, 1), the generator's tanh range; {@link #fromPixels} and {@link #toPixels}
 * convert from and to pixels in [0, 1] (torchvision's {@code Normalize(0.5, 0.5)} and its inverse).
 */
public class Dcgan extends Module {
    /** Standard deviation of the tutorial's initial convolution weights and batch-norm scales. */
    static final double INIT_STD = 0.02;
    private static final double LEAKY_SLOPE = 0.2;

    private final int latent;
    private final int featureMaps;
    private final int channels;
    private final int height;
    private final int width;
    private final DiscriminatorNorm discriminatorNorm;

    /**
     * What follows the discriminator's second convolution. A gradient penalty (WGAN-GP) needs each image's score to
     * depend on that image alone, which batch norm breaks: Gulrajani et al. (2017) drop it from the critic and
     * recommend layer norm instead.
     */
    public enum DiscriminatorNorm {
        /** {@code BatchNorm2d(2f)}, the tutorial's. */
        BATCH("batch"),
        /**
         * {@code GroupNorm(1, 2f)}: each image's features normalised over channels, height and width together, with a
         * scale and shift per channel, which is the layer norm of the WGAN-GP paper's code (tflib's Layernorm).
         */
        LAYER("layer"),
        /** Nothing: the convolution straight into its LeakyReLU, as the paper's MNIST critic. */
        NONE("none");

        private final String label;

        DiscriminatorNorm(String label) {
            this.label = label;
        }

        /** The name a checkpoint records: batch, layer or none. */
        public String label() {
            return label;
        }

        /** The norm of that {@link #label}. */
        public static DiscriminatorNorm labelled(String label) {
            for (DiscriminatorNorm n : values()) {
                if (n.label.equals(label)) {
                    return n;
                }
            }
            throw new IllegalArgumentException("unknown discriminator norm '" + label + "'; known: "
                    + Arrays.stream(values()).map(DiscriminatorNorm::label).toList());
        }
    }

    /** The tutorial's networks, batch norm in both. */
    public Dcgan(int latent, int featureMaps, int channels, int height, int width) {
        this(latent, featureMaps, channels, height, width, DiscriminatorNorm.BATCH);
    }

    /**
     * @param latent      noise dimensions (the tutorial's nz, 100)
     * @param featureMaps f: feature maps of the generator's last hidden stage and the discriminator's first
     * @param channels    image channels (1 for MNIST)
     * @param height      image height, a positive multiple of 4
     * @param width       image width, a positive multiple of 4
     * @param discriminatorNorm what follows the discriminator's second convolution
     */
    public Dcgan(int latent, int featureMaps, int channels, int height, int width,
                 DiscriminatorNorm discriminatorNorm) {
        if (latent <= 0 || featureMaps <= 0 || channels <= 0 || height <= 0 || width <= 0 || height % 4 != 0
                || width % 4 != 0) {
            throw new IllegalArgumentException("Dcgan: expected a positive latent size, feature maps and channels and a"
                    + " height and width that are positive multiples of 4, got latent " + latent + ", feature maps "
                    + featureMaps + ", channels " + channels + ", " + height + " x " + width);
        }
        if (discriminatorNorm == null) {
            throw new IllegalArgumentException("Dcgan: expected a discriminator norm (" + DiscriminatorNorm.BATCH
                    + " for the tutorial's), got null");
        }
        this.latent = latent;
        this.featureMaps = featureMaps;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.discriminatorNorm = discriminatorNorm;
        int f = featureMaps;
        int[] inner = {height / 4, width / 4};
        registerModule("generator", new Sequential(
                new Unflatten(1, latent, 1, 1),
                new ConvTranspose2d(latent, 2 * f, inner, new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 0},
                        new int[] {1, 1}, false),
                new BatchNorm2d(2 * f), new ReLU(),
                doubling(2 * f, f), new BatchNorm2d(f), new ReLU(),
                doubling(f, channels), new Tanh()));
        registerModule("discriminator", discriminator(channels, f, inner, discriminatorNorm));
        initialise();
    }

    private static Sequential discriminator(int channels, int f, int[] inner, DiscriminatorNorm norm) {
        List<Module> layers = new ArrayList<>(List.of(halving(channels, f), new LeakyReLU(LEAKY_SLOPE),
                halving(f, 2 * f)));
        switch (norm) {
            case BATCH -> layers.add(new BatchNorm2d(2 * f));
            case LAYER -> layers.add(new GroupNorm(1, 2 * f));
            case NONE -> {
                // the convolution feeds its LeakyReLU directly
            }
        }
        layers.add(new LeakyReLU(LEAKY_SLOPE));
        layers.add(new Conv2d(2 * f, 1, inner, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, false));
        layers.add(new Flatten());
        return new Sequential(layers);
    }

    private static ConvTranspose2d doubling(int in, int out) {
        return ConvTranspose2d.builder(in, out, 4).stride(2).padding(1).bias(false).build();
    }

    private static Conv2d halving(int in, int out) {
        return Conv2d.builder(in, out, 4).stride(2).padding(1).bias(false).build();
    }

    /**
     * The tutorial's weights_init, drawn from the engine's seeded stream in state-dict order; a layer norm keeps
     * PyTorch's initial scale 1 and shift 0, as the WGAN-GP paper's code starts its own.
     */
    private void initialise() {
        for (Module m : modules()) {
            if (m instanceof Conv2d conv) {
                Init.normal(conv.weight(), 0, INIT_STD);
            } else if (m instanceof ConvTranspose2d conv) {
                Init.normal(conv.weight(), 0, INIT_STD);
            } else if (m instanceof BatchNorm bn) {
                Init.normal(bn.weight(), 1, INIT_STD);
                Init.zeros(bn.bias());
            }
        }
    }

    public int latent() {
        return latent;
    }

    public int featureMaps() {
        return featureMaps;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public DiscriminatorNorm discriminatorNorm() {
        return discriminatorNorm;
    }

    /** Noise [batch, latent] to images [batch, channels, height, width] in (-1, 1). */
    public Sequential generator() {
        return (Sequential) module("generator");
    }

    /** Images [batch, channels, height, width] to logits [batch, 1]: above 0 where it judges an image real. */
    public Sequential discriminator() {
        return (Sequential) module("discriminator");
    }

    /** Images [batch, channels, height, width] in (-1, 1) generated from {@code noise} [batch, latent]. */
    public Tensor generate(Tensor noise) {
        if (noise.rank() != 2 || noise.dim(1) != latent) {
            throw new IllegalArgumentException(describe() + ": noise " + noise.shape() + " must be [batch, " + latent
                    + "]");
        }
        return generator().call(noise);
    }

    /**
     * The discriminator's logits [batch, 1] of images [batch, channels, height, width], or of the same flattened
     * [batch, channels * height * width].
     */
    public Tensor discriminate(Tensor images) {
        return discriminator().call(asImages(images));
    }

    /** {@link #generate}: noise [batch, latent] to images. */
    @Override
    public Tensor forward(Tensor noise) {
        return generate(noise);
    }

    /** Standard normal noise [n, latent] from the engine's seeded stream, in the dtype of the weights. */
    public Tensor noise(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException(describe() + ": the number of noise vectors must be positive, got " + n);
        }
        return Tensor.randn(parameters().get(0).dtype(), n, latent);
    }

    /** Images [batch, channels, height, width], or flattened [batch, channels * height * width], as images. */
    Tensor asImages(Tensor images) {
        int features = channels * height * width;
        boolean image = images.rank() == 4 && images.dim(1) == channels && images.dim(2) == height
                && images.dim(3) == width;
        boolean flat = images.rank() == 2 && images.dim(1) == features;
        if (!image && !flat) {
            throw new IllegalArgumentException(describe() + ": images " + images.shape() + " must be [batch, "
                    + channels + ", " + height + ", " + width + "] or [batch, " + features + "]");
        }
        return flat ? images.reshape(images.dim(0), channels, height, width) : images;
    }

    /** Pixels in [0, 1] as the model's images in [-1, 1]: {@code 2 p - 1}. */
    public static Tensor fromPixels(Tensor pixels) {
        return pixels.mul(2).sub(1);
    }

    /** The model's images in [-1, 1] as pixels in [0, 1]: {@code (x + 1) / 2}. */
    public static Tensor toPixels(Tensor images) {
        return images.add(1).mul(0.5);
    }

    /** One line naming the model in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        return "Dcgan(latent " + latent + " -> " + channels + "x" + height + "x" + width + ", " + featureMaps
                + " feature maps" + (discriminatorNorm == DiscriminatorNorm.BATCH ? "" : ", discriminator norm "
                + discriminatorNorm.label()) + ")";
    }
}
