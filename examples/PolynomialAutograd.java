import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.PythonFloat;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;

/**
 * PyTorch's "Learning PyTorch with Examples", PyTorch: Tensors and autograd
 * (pytorch.org/tutorials/beginner/pytorch_with_examples.html, examples_autograd/polynomial_autograd.py) in Kiln: the
 * polynomial's forward pass on tensors, its gradients by autograd, the update by hand. Run from the repository root
 * after {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/PolynomialAutograd.java [a b c d]
 * </pre>
 * The optional arguments are the starting a, b, c, d (default: {@code Tensor.randn()}, the engine's seeded normal).
 */
public class PolynomialAutograd {
    public static void main(String[] args) {
        DType dtype = DType.F32;
        try (Scope scope = Scope.open()) {
            // Create Tensors to hold input and outputs. They need no gradient.
            Tensor x = F.linspace(-Math.PI, Math.PI, 2000, dtype);
            Tensor y = x.sin();

            // Create random Tensors for weights: y = a + b x + c x^2 + d x^3. requiresGrad(true) asks autograd for
            // their gradients in the backward pass.
            Tensor a = randn(args, 0, dtype).requiresGrad(true);
            Tensor b = randn(args, 1, dtype).requiresGrad(true);
            Tensor c = randn(args, 2, dtype).requiresGrad(true);
            Tensor d = randn(args, 3, dtype).requiresGrad(true);

            double learningRate = 1e-6;
            for (int t = 0; t < 2000; t++) {
                try (Scope step = Scope.open()) {
                    // Forward pass: compute predicted y using operations on Tensors.
                    Tensor yPred = a.add(b.mul(x)).add(c.mul(x.pow(2))).add(d.mul(x.pow(3)));

                    // Compute and print loss using operations on Tensors: a scalar tensor, item() its value.
                    Tensor loss = yPred.sub(y).pow(2).sum();
                    if (t % 100 == 99) {
                        System.out.println(t + " " + PythonFloat.repr(loss.item()));
                    }

                    // Use autograd to compute the backward pass: a.grad() ... d.grad() hold the gradients.
                    loss.backward();

                    // Manually update weights using gradient descent, with autograd off: torch.no_grad().
                    try (Autograd.Guard g = Autograd.noGrad()) {
                        a.subInPlace(a.grad().mul(learningRate));
                        b.subInPlace(b.grad().mul(learningRate));
                        c.subInPlace(c.grad().mul(learningRate));
                        d.subInPlace(d.grad().mul(learningRate));

                        // Manually zero the gradients after updating weights: a.grad = None
                        a.clearGrad();
                        b.clearGrad();
                        c.clearGrad();
                        d.clearGrad();
                    }
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
