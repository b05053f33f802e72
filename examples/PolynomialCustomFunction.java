import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Function;
import dev.kiln.engine.PythonFloat;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.UnaryOperator;

/**
 * PyTorch's "Learning PyTorch with Examples", PyTorch: Defining New autograd Functions
 * (pytorch.org/tutorials/beginner/pytorch_with_examples.html, examples_autograd/polynomial_custom_function.py) in
 * Kiln: y = a + b P3(c + d x), where P3(x) = (5x^3 - 3x) / 2 is the Legendre polynomial of degree three, written as a
 * custom autograd function with its own forward and backward. Run from the repository root after
 * {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/PolynomialCustomFunction.java
 * </pre>
 */
public class PolynomialCustomFunction {
    /**
     * A custom autograd function: a subclass of Kiln's {@link Function} (PyTorch's {@code torch.autograd.Function})
     * with a forward and a backward pass on tensors. {@code save} is {@code ctx.save_for_backward}, {@code saved()}
     * is {@code ctx.saved_tensors}; an instance records one call, so each application makes a new one.
     */
    static class LegendrePolynomial3 extends Function {
        /**
         * Receives the input and returns the output; runs without recording a graph. Stashes what backward needs.
         */
        @Override
        protected Tensor forward(Tensor... inputs) {
            Tensor input = inputs[0];
            save(input);
            return input.pow(3).mul(5.0).sub(input.mul(3.0)).mul(0.5);
        }

        /** Receives the gradient of the loss for the output and returns it for each input: P3'(x) = 1.5 (5x^2 - 1). */
        @Override
        protected Tensor[] backward(Tensor gradOutput) {
            Tensor input = saved()[0];
            return new Tensor[] {gradOutput.mul(1.5).mul(input.pow(2).mul(5.0).sub(1.0))};
        }
    }

    public static void main(String[] args) {
        DType dtype = DType.F32;
        try (Scope scope = Scope.open()) {
            // Create Tensors to hold input and outputs; they need no gradient.
            Tensor x = F.linspace(-Math.PI, Math.PI, 2000, dtype);
            Tensor y = x.sin();

            // Weights for y = a + b * P3(c + d * x), not too far from the result, so that training converges.
            Tensor a = Tensor.full(0.0, dtype).requiresGrad(true);
            Tensor b = Tensor.full(-1.0, dtype).requiresGrad(true);
            Tensor c = Tensor.full(0.0, dtype).requiresGrad(true);
            Tensor d = Tensor.full(0.3, dtype).requiresGrad(true);

            double learningRate = 5e-6;
            for (int t = 0; t < 2000; t++) {
                // To apply our Function, we create one and call apply: LegendrePolynomial3.apply, aliased as P3.
                UnaryOperator<Tensor> P3 = input -> new LegendrePolynomial3().apply(input);

                try (Scope step = Scope.open()) {
                    // Forward pass: compute predicted y, P3 by our custom autograd operation.
                    Tensor yPred = a.add(b.mul(P3.apply(c.add(d.mul(x)))));

                    // Compute and print loss
                    Tensor loss = yPred.sub(y).pow(2).sum();
                    if (t % 100 == 99) {
                        System.out.println(t + " " + PythonFloat.repr(loss.item()));
                    }

                    // Use autograd to compute the backward pass.
                    loss.backward();

                    // Update weights using gradient descent
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
                    + " * P3(" + PythonFloat.repr(c.item()) + " + " + PythonFloat.repr(d.item()) + " x)");
        }
    }
}
