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
import java.util.Random;

/**
 * PyTorch's "Learning PyTorch with Examples", PyTorch: Control Flow + Weight Sharing
 * (pytorch.org/tutorials/beginner/pytorch_with_examples.html, examples_nn/dynamic_net.py) in Kiln: a third to fifth
 * order polynomial that chooses at each forward pass, at random, how many orders to use, the fourth and fifth sharing
 * one weight; the graph is built anew by each pass's Java control flow. Run from the repository root after
 * {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/DynamicNet.java [steps [seed [a b c d e]]]
 * </pre>
 * The optional arguments shorten the run (the tutorial's 30000 steps), seed the choice of orders (java.util.Random's
 * seed; default unseeded, as the tutorial's {@code random}) and give the starting a ... e (default:
 * {@code Tensor.randn()}, the engine's seeded normal).
 */
public class DynamicNet extends Module {
    private final Random random;

    /** Instantiates five parameters and registers them; {@code random} chooses each pass's orders. */
    DynamicNet(Random random) {
        this.random = random;
        registerParameter("a", unscoped(() -> Tensor.randn()));
        registerParameter("b", unscoped(() -> Tensor.randn()));
        registerParameter("c", unscoped(() -> Tensor.randn()));
        registerParameter("d", unscoped(() -> Tensor.randn()));
        registerParameter("e", unscoped(() -> Tensor.randn()));
    }

    /**
     * Chooses 4 or 5 or 6 at random and reuses the e parameter for the orders from 4 up to it. Each pass builds
     * its own graph, so ordinary loops and conditions define it, and one parameter can appear many times.
     */
    @Override
    public Tensor forward(Tensor x) {
        Tensor y = param("a").add(param("b").mul(x)).add(param("c").mul(x.pow(2))).add(param("d").mul(x.pow(3)));
        int end = 4 + random.nextInt(3); // random.randint(4, 6)
        for (int exp = 4; exp < end; exp++) {
            y = y.add(param("e").mul(x.pow(exp)));
        }
        return y;
    }

    /** Just like any class, a module can have methods of its own. */
    String string() {
        String e = PythonFloat.repr(param("e").item());
        return "y = " + PythonFloat.repr(param("a").item()) + " + " + PythonFloat.repr(param("b").item())
                + " x + " + PythonFloat.repr(param("c").item()) + " x^2 + " + PythonFloat.repr(param("d").item())
                + " x^3 + " + e + " x^4 ? + " + e + " x^5 ?";
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 30000;
        Random random = args.length > 1 ? new Random(Long.parseLong(args[1])) : new Random();
        try (Scope scope = Scope.open()) {
            // Create Tensors to hold input and outputs.
            Tensor x = F.linspace(-Math.PI, Math.PI, 2000);
            Tensor y = x.sin();

            // Construct our model by instantiating the class defined above
            try (DynamicNet model = new DynamicNet(random)) {
                startFrom(args, model);

                // Construct our loss function and an Optimizer. Training this strange model with vanilla stochastic
                // gradient descent is tough, so we use momentum
                Loss criterion = new MSELoss(Reduction.SUM);
                try (Optimizer optimizer = new SGD(model.parameters(), 1e-8).momentum(0.9)) {
                    for (int t = 0; t < steps; t++) {
                        try (Scope step = Scope.open()) {
                            // Forward pass: Compute predicted y by passing x to the model
                            Tensor yPred = model.call(x);

                            // Compute and print loss
                            Tensor loss = criterion.compute(yPred, y);
                            if (t % 2000 == 1999) {
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

    /** Where a ... e are given (after steps and seed), starts the model from them (to repeat a run). */
    static void startFrom(String[] args, Module model) {
        if (args.length == 7) {
            try (Autograd.Guard g = Autograd.noGrad()) {
                for (int i = 0; i < 5; i++) {
                    model.parameters().get(i).copyFrom(new float[] {Float.parseFloat(args[2 + i])});
                }
            }
        }
    }
}
