import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.PythonFloat;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;

/**
 * PyTorch's "Learning PyTorch with Examples", PyTorch: Tensors
 * (pytorch.org/tutorials/beginner/pytorch_with_examples.html, examples_tensor/polynomial_tensor.py) in Kiln: the
 * numpy warm-up (PolynomialArrays.java) on tensors, the forward pass, loss and backward pass still computed by hand.
 * Run from the repository root after {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/PolynomialTensor.java [a b c d]
 * </pre>
 * The optional arguments are the starting a, b, c, d (default: {@code Tensor.randn()}, the engine's seeded normal).
 */
public class PolynomialTensor {
    public static void main(String[] args) {
        DType dtype = DType.F32;
        // The engine's backend: the CPU, or CUDA where it loads (no per-tensor device argument).
        try (Scope scope = Scope.open()) {
            // Create random input and output data
            Tensor x = F.linspace(-Math.PI, Math.PI, 2000, dtype);
            Tensor y = x.sin();

            // Randomly initialize weights
            Tensor a = randn(args, 0, dtype);
            Tensor b = randn(args, 1, dtype);
            Tensor c = randn(args, 2, dtype);
            Tensor d = randn(args, 3, dtype);

            double learningRate = 1e-6;
            for (int t = 0; t < 2000; t++) {
                try (Scope step = Scope.open()) {
                    // Forward pass: compute predicted y
                    Tensor yPred = a.add(b.mul(x)).add(c.mul(x.pow(2))).add(d.mul(x.pow(3)));

                    // Compute and print loss
                    double loss = yPred.sub(y).pow(2).sum().item();
                    if (t % 100 == 99) {
                        System.out.println(t + " " + PythonFloat.repr(loss));
                    }

                    // Backprop to compute gradients of a, b, c, d with respect to loss
                    Tensor gradYPred = y.sub(yPred).mul(-2.0);
                    Tensor gradA = gradYPred.sum();
                    Tensor gradB = gradYPred.matmul(x).sum();
                    Tensor gradC = gradYPred.matmul(x.pow(2)).sum();
                    Tensor gradD = gradYPred.matmul(x.pow(3)).sum();

                    // Update weights using gradient descent: a -= learning_rate * grad_a
                    a.subInPlace(gradA.mul(learningRate));
                    b.subInPlace(gradB.mul(learningRate));
                    c.subInPlace(gradC.mul(learningRate));
                    d.subInPlace(gradD.mul(learningRate));
                }
            }

            System.out.println("Result: y = " + PythonFloat.repr(a.item()) + " + " + PythonFloat.repr(b.item())
                    + " x + " + PythonFloat.repr(c.item()) + " x^2 + " + PythonFloat.repr(d.item()) + " x^3");
        }
    }

    /** {@code torch.randn((), dtype=dtype)}, or the i-th command-line value where one is given (to repeat a run). */
    static Tensor randn(String[] args, int i, DType dtype) {
        return args.length > i ? Tensor.full(Double.parseDouble(args[i]), dtype) : Tensor.randn(dtype);
    }
}
