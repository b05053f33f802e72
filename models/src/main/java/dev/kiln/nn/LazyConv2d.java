package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * {@link Conv2d} whose input channels are inferred, like PyTorch's {@code torch.nn.LazyConv2d(out_channels,
 * kernel_size, stride, padding, dilation, groups, bias)} (zero padding): the first input [batch, in, height, width]
 * fixes {@code in}, and the weight [out, in / groups, kh, kw] and bias [out] are then drawn as Conv2d draws them
 * (uniform in +-1/sqrt(in / groups * kh * kw), weight first), in the input's dtype; before that they are uninitialized
 * (see {@link LazyModule}: make the optimizer after a first forward pass, or it is refused). Output
 * [batch, out, outH, outW] with {@code outH = (height + 2 padding - dilation (kh - 1) - 1) / stride + 1} (likewise
 * outW).
 */
public class LazyConv2d extends LazyModule {
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;
    private int inChannels;

    /** A square kernel, stride 1, no padding, with a bias. */
    public LazyConv2d(int outChannels, int kernel) {
        this(outChannels, new int[] {kernel}, new int[] {1}, new int[] {0}, new int[] {1}, 1, true);
    }

    /**
     * Kernel, stride, padding and dilation as one value or (height, width).
     *
     * @throws IllegalArgumentException naming the layer for outChannels below 1, a kernel, stride or dilation below 1,
     *     a negative padding, groups below 1 or not dividing outChannels
     */
    public LazyConv2d(int outChannels, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups,
                      boolean bias) {
        super(bias);
        String name = "LazyConv2d(" + outChannels + ", kernel=" + Arrays.toString(kernel) + ")";
        if (outChannels < 1) {
            throw new IllegalArgumentException(name + ": out_channels must be at least 1, got " + outChannels);
        }
        if (groups < 1 || outChannels % groups != 0) {
            throw new IllegalArgumentException(name + ": groups must be at least 1 and divide out_channels "
                    + outChannels + ", got " + groups);
        }
        this.outChannels = outChannels;
        this.kernel = SpatialAxes.TWO.expand(name, "kernel", kernel, 1);
        this.stride = SpatialAxes.TWO.expand(name, "stride", stride, 1);
        this.padding = SpatialAxes.TWO.expand(name, "padding", padding, 0);
        this.dilation = SpatialAxes.TWO.expand(name, "dilation", dilation, 1);
        this.groups = groups;
    }

    /** The inferred input channels; 0 before the first forward pass. */
    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    /** (height, width). */
    public int[] stride() {
        return stride.clone();
    }

    /** (height, width). */
    public int[] padding() {
        return padding.clone();
    }

    /** (height, width). */
    public int[] dilation() {
        return dilation.clone();
    }

    public int groups() {
        return groups;
    }

    /** [out, in / groups, kh, kw] once initialized; an empty placeholder [0] before. */
    public Tensor weight() {
        return param("weight");
    }

    /** [out], or null without bias; an empty placeholder [0] before the first forward pass. */
    public Tensor bias() {
        return param("bias");
    }

    /**
     * [batch, in, height, width] to [batch, out, outH, outW]; the first call fixes {@code in}.
     *
     * @throws IllegalArgumentException naming the layer for an input that is not 4-D, whose channels the groups do
     *     not divide, or whose channels differ from the inferred ones
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, channels, height,"
                    + " width]");
        }
        if (!initialized()) {
            ConvNd.checkGroups(describe(), x.dim(1), outChannels, groups);
            int perGroup = x.dim(1) / groups;
            initializeFor(x, new int[] {outChannels, perGroup, kernel[0], kernel[1]}, outChannels,
                    1 / Math.sqrt((double) perGroup * kernel[0] * kernel[1]));
            inChannels = x.dim(1);
        }
        if (x.dim(1) != inChannels) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must have " + inChannels
                    + " channels, as inferred from the first input");
        }
        return F.conv2d(x, weight(), bias(), stride, padding, dilation, groups);
    }

    /**
     * PyTorch's {@code extra_repr}: {@code 0, 4, kernel_size=(3, 3), stride=(1, 1)} (0 input channels until inferred).
     */
    @Override
    protected String extraRepr() {
        return ConvNd.settings(inChannels, outChannels, kernel, stride, padding, dilation, null, groups,
                bias() != null);
    }
}
