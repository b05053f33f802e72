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

/**
 * PyTorch's "Learning PyTorch with Examples", PyTorch: nn
 * (pytorch.org/tutorials/beginner/pytorch_with_examples.html, examples_nn/polynomial_nn.py) in Kiln: the polynomial
 * as a linear layer over the features (x, x^2, x^3), its loss from the nn package, the update still by hand. Run from
 * the repository root after {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/PolynomialNn.java [a b c d]
 * </pre>
 * The optional arguments are the starting a (the layer's bias) and b, c, d (its weight's columns); by default the
 * layer starts as Linear does, uniform in +-1/sqrt(3).
 */
public class PolynomialNn {
    public static void main(String[] args) {
        try (Scope scope = Scope.open()) {
            // Create Tensors to hold input and outputs.
            Tensor x = F.linspace(-Math.PI, Math.PI, 2000);
            Tensor y = x.sin();

            // y is a linear function of (x, x^2, x^3): prepare that tensor. x.unsqueeze(-1) is [2000, 1] and p is
            // [3]; broadcasting gives [2000, 3] (p is I64, as torch.tensor([1, 2, 3]); the powers are F32, as x).
            Tensor p = Tensor.fromArray(new long[] {1, 2, 3}, 3);
            Tensor xx = x.unsqueeze(-1).pow(p);

            // The model: a Linear layer [2000, 3] -> [2000, 1], then Flatten(0, 1) to [2000], y's shape.
            try (Sequential model = new Sequential(
                    new Linear(3, 1),
                    new Flatten(0, 1))) {
                startFrom(args, (Linear) model.get(0));

                // Mean squared error, summed rather than averaged.
                Loss lossFn = new MSELoss(Reduction.SUM);

                double learningRate = 1e-6;
                for (int t = 0; t < 2000; t++) {
                    try (Scope step = Scope.open()) {
                        // Forward pass: compute predicted y by passing x to the model (model(xx)).
                        Tensor yPred = model.call(xx);

                        // Compute and print loss.
                        Tensor loss = lossFn.compute(yPred, y);
                        if (t % 100 == 99) {
                            System.out.println(t + " " + PythonFloat.repr(loss.item()));
                        }

                        // Zero the gradients before running the backward pass.
                        model.zeroGrad();

                        // Backward pass: gradients of the loss for every parameter (requiresGrad) of the model.
                        loss.backward();

                        // Update the weights using gradient descent; each parameter is a Tensor with its grad().
                        try (Autograd.Guard g = Autograd.noGrad()) {
                            for (Tensor param : model.parameters()) {
                                param.subInPlace(param.grad().mul(learningRate));
                            }
                        }
                    }
                }

                // The first layer of model, as model[0]; its parameters are weight() [1, 3] and bias() [1].
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
