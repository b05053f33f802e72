package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * x for x &gt; 0, else {@code a * x} with a learned slope a, element-wise, like PyTorch's {@code torch.nn.PReLU}:
 * weight [numParameters], initialised to {@code init} (PyTorch's 0.25). With one parameter every element shares
 * the slope (any input shape); with {@code numParameters} = channels, channel c of an input
 * [batch, channels, ...] (e.g. [batch, channels, height, width]) has slope {@code weight[c]}. Output shape = input
 * shape. As in PyTorch, the gradient at x = 0 is a's.
 */
public class PReLU extends Module {
    private final int numParameters;

    /** One shared slope, initialised to 0.25. */
    public PReLU() {
        this(1, 0.25);
    }

    /** {@code numParameters} slopes (1, or the input's channels), each initialised to 0.25. */
    public PReLU(int numParameters) {
        this(numParameters, 0.25);
    }

    /** @throws IllegalArgumentException naming the layer for {@code numParameters} below 1 */
    public PReLU(int numParameters, double init) {
        if (numParameters < 1) {
            throw new IllegalArgumentException("PReLU: numParameters must be at least 1, got " + numParameters);
        }
        this.numParameters = numParameters;
        registerParameter("weight", unscoped(() -> Tensor.full(init, DType.F32, numParameters)));
    }

    /** [numParameters]. */
    public Tensor weight() {
        return param("weight");
    }

    public int numParameters() {
        return numParameters;
    }

    /**
     * Any shape to the same; with more than one parameter [batch, numParameters, ...].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it has several slopes and the
     *     input's axis 1 is not {@code numParameters} long, or when the input's dtype is not the weight's
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dtype() != weight().dtype()) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " is " + x.dtype() + " but the weight is "
                    + weight().dtype() + "; convert one with to(DType)");
        }
        Tensor slopes = slopes(x);
        return Temporaries.freedWithoutGradients(() -> x.relu().add(x.maskedFill(x.gt(0), 0).mul(slopes)));
    }

    /** The weight shaped to broadcast over {@code x}: a scalar, or [channels, 1, ...] against axis 1. */
    private Tensor slopes(Tensor x) {
        if (numParameters == 1) {
            return weight().reshape();
        }
        if (x.rank() < 2 || x.dim(1) != numParameters) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + numParameters
                    + ", ...], one channel per slope");
        }
        int[] dims = new int[x.rank() - 1];
        Arrays.fill(dims, 1);
        dims[0] = numParameters;
        return weight().reshape(dims);
    }

    /** PyTorch's {@code extra_repr}: {@code num_parameters=1}. */
    @Override
    protected String extraRepr() {
        return "num_parameters=" + numParameters;
    }
}
