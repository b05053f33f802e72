import dev.kiln.engine.Autograd;
import dev.kiln.engine.F;
import dev.kiln.engine.Idx;
import dev.kiln.engine.PythonFloat;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Loss;
import dev.kiln.nn.MSELoss;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.RMSProp;

/**
 * PyTorch's "Learning PyTorch with Examples", PyTorch: optim
 * (pytorch.org/tutorials/beginner/pytorch_with_examples.html, examples_nn/polynomial_optim.py) in Kiln: the nn model
 * of PolynomialNn.java, its weights updated by an optimizer, RMSprop. Run from the repository root after
 * {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/PolynomialOptim.java [a b c d]
 * </pre>
 * The optional arguments are the starting a (the layer's bias) and b, c, d (its weight's columns); by default the
 * layer starts as Linear does, uniform in +-1/sqrt(3).
 */
public class PolynomialOptim {
    public static void main(String[] args) {
        try (Scope scope = Scope.open()) {
            // Create Tensors to hold input and outputs.
            Tensor x = F.linspace(-Math.PI, Math.PI, 2000);
            Tensor y = x.sin();

            // Prepare the input tensor (x, x^2, x^3).
            Tensor p = Tensor.fromArray(new long[] {1, 2, 3}, 3);
            Tensor xx = x.unsqueeze(-1).pow(p);

            // Use the nn package to define our model and loss function.
            try (Sequential model = new Sequential(
                    new Linear(3, 1),
                    new Flatten(0, 1))) {
                startFrom(args, (Linear) model.get(0));
                Loss lossFn = new MSELoss(Reduction.SUM);

                // An optimizer updates the weights for us: RMSprop (Kiln's RMSProp); its first argument is the
                // tensors it updates.
                double learningRate = 1e-3;
                try (Optimizer optimizer = new RMSProp(model.parameters(), learningRate)) {
                    for (int t = 0; t < 2000; t++) {
                        try (Scope step = Scope.open()) {
                            // Forward pass: compute predicted y by passing x to the model.
                            Tensor yPred = model.call(xx);

                            // Compute and print loss.
                            Tensor loss = lossFn.compute(yPred, y);
                            if (t % 100 == 99) {
                                System.out.println(t + " " + PythonFloat.repr(loss.item()));
                            }

                            // Zero the gradients the optimizer updates: backward() accumulates into them.
                            optimizer.zeroGrad();

                            // Backward pass: compute gradient of the loss with respect to model parameters
                            loss.backward();

                            // Calling step makes an update to the parameters
                            optimizer.step();
                        }
                    }
                }

                Linear linearLayer = (Linear) model.get(0);
                System.out.println("Result: y = " + PythonFloat.repr(linearLayer.bias().item()) + " + "
                        + PythonFloat.repr(linearLayer.weight().index(Idx.all(), Idx.at(0)).item()) + " x + "
                        + PythonFloat.repr(linearLayer.weight().index(Idx.all(), Idx.at(1)).item()) + " x^2 + "
                        + PythonFloat.repr(linearLayer.weight().index(Idx.all(), Idx.at(2)).item()) + " x^3");
            }
        }
    }

    /** Where a, b, c, d are given, starts the layer from them (to repeat a run): bias a, weight [b, c, d]. */
    static void startFrom(String[] args, Linear layer) {
        if (args.length == 4) {
            try (Autograd.Guard g = Autograd.noGrad()) {
                layer.bias().copyFrom(new float[] {Float.parseFloat(args[0])});
                layer.weight().copyFrom(new float[] {
                    Float.parseFloat(args[1]), Float.parseFloat(args[2]), Float.parseFloat(args[3])});
            }
        }
    }
}
