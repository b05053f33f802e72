import dev.kiln.engine.Autograd;
import dev.kiln.engine.F;
import dev.kiln.engine.PythonFloat;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Loss;
import dev.kiln.nn.MSELoss;
import dev.kiln.nn.Module;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;

/**
 * PyTorch's "Learning PyTorch with Examples", PyTorch: Custom nn Modules
 * (pytorch.org/tutorials/beginner/pytorch_with_examples.html, examples_nn/polynomial_module.py) in Kiln: the
 * polynomial as a Module subclass with four scalar parameters, trained by SGD. Run from the repository root after
 * {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/PolynomialModule.java [a b c d]
 * </pre>
 * The optional arguments are the starting a, b, c, d (default: {@code Tensor.randn()}, the engine's seeded normal).
 */
public class PolynomialModule {
    static class Polynomial3 extends Module {
        /** Instantiates four parameters and registers them under their names (PyTorch's member parameters). */
        Polynomial3() {
            registerParameter("a", unscoped(() -> Tensor.randn()));
            registerParameter("b", unscoped(() -> Tensor.randn()));
            registerParameter("c", unscoped(() -> Tensor.randn()));
            registerParameter("d", unscoped(() -> Tensor.randn()));
        }

        /** Accepts a Tensor of input data and returns a Tensor of output data, from parameters and tensor ops. */
        @Override
        public Tensor forward(Tensor x) {
            return param("a").add(param("b").mul(x)).add(param("c").mul(x.pow(2))).add(param("d").mul(x.pow(3)));
        }

        /** Just like any class, a module can have methods of its own. */
        String string() {
            return "y = " + PythonFloat.repr(param("a").item()) + " + " + PythonFloat.repr(param("b").item())
                    + " x + " + PythonFloat.repr(param("c").item()) + " x^2 + " + PythonFloat.repr(param("d").item())
                    + " x^3";
        }
    }

    public static void main(String[] args) {
        try (Scope scope = Scope.open()) {
            // Create Tensors to hold input and outputs.
            Tensor x = F.linspace(-Math.PI, Math.PI, 2000);
            Tensor y = x.sin();

            // Construct our model by instantiating the class defined above
            try (Polynomial3 model = new Polynomial3()) {
                startFrom(args, model);

                // Construct our loss function and an Optimizer; model.parameters() are the module's parameters.
                Loss criterion = new MSELoss(Reduction.SUM);
                try (Optimizer optimizer = new SGD(model.parameters(), 1e-6)) {
                    for (int t = 0; t < 2000; t++) {
                        try (Scope step = Scope.open()) {
                            // Forward pass: Compute predicted y by passing x to the model
                            Tensor yPred = model.call(x);

                            // Compute and print loss
                            Tensor loss = criterion.compute(yPred, y);
                            if (t % 100 == 99) {
                                System.out.println(t + " " + PythonFloat.repr(loss.item()));
                            }

                            // Zero gradients, perform a backward pass, and update the weights.
                            optimizer.zeroGrad();
                            loss.backward();
                            optimizer.step();
                        }
                    }
                }

                System.out.println("Result: " + model.string());
            }
        }
    }

    /** Where a, b, c, d are given, starts the model from them (to repeat a run) rather than from randn's values. */
    static void startFrom(String[] args, Module model) {
        if (args.length == 4) {
            try (Autograd.Guard g = Autograd.noGrad()) {
                for (int i = 0; i < 4; i++) {
                    model.parameters().get(i).copyFrom(new float[] {Float.parseFloat(args[i])});
                }
            }
        }
    }
}
