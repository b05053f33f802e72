import dev.kiln.engine.Engine;
import dev.kiln.engine.Idx;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Softmax;
import java.util.Map;

/**
 * PyTorch's "Build the Neural Network" tutorial (pytorch.org/tutorials/beginner/basics/buildmodel_tutorial.html) in
 * Kiln: the device, the {@code NeuralNetwork} module and a prediction from its logits, then a minibatch of 3 images
 * through Flatten, Linear, ReLU, Sequential and Softmax one at a time, and the model's named parameters. Run from the
 * repository root after {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/BuildModel.java
 * </pre>
 */
public class BuildModel {

    /** {@code class NeuralNetwork(nn.Module)}: modules registered under PyTorch's names, so the state dicts match. */
    static class NeuralNetwork extends Module {
        NeuralNetwork() {
            registerModule("flatten", new Flatten());
            registerModule("linear_relu_stack", new Sequential(
                    new Linear(28 * 28, 512),
                    new ReLU(),
                    new Linear(512, 512),
                    new ReLU(),
                    new Linear(512, 10)));
        }

        @Override
        public Tensor forward(Tensor x) {
            x = module("flatten").call(x);
            Tensor logits = module("linear_relu_stack").call(x);
            return logits;
        }
    }

    public static void main(String[] args) {
        // Get device for training: the engine picks its backend (CUDA where it runs, else the CPU) and every tensor
        // and module is made there, so there is no model.to(device).
        String device = Engine.get().backend().device().toString();
        System.out.println("Using " + device + " device");

        try (NeuralNetwork model = new NeuralNetwork(); Scope scope = Scope.open()) {
            System.out.println(model);

            Tensor x = Tensor.rand(1, 28, 28);
            Tensor logits = model.call(x);
            Tensor predProbab = new Softmax(1).call(logits);
            Tensor yPred = predProbab.argmax(1);
            System.out.println("Predicted class: " + yPred);

            // Model layers, on a sample minibatch of 3 images of size 28x28.
            Tensor inputImage = Tensor.rand(3, 28, 28);
            System.out.println(inputImage.shape());

            // nn.Flatten
            Flatten flatten = new Flatten();
            Tensor flatImage = flatten.call(inputImage);
            System.out.println(flatImage.shape());

            // nn.Linear
            try (Linear layer1 = new Linear(28 * 28, 20)) {
                Tensor hidden1 = layer1.call(flatImage);
                System.out.println(hidden1.shape());

                // nn.ReLU
                System.out.println("Before ReLU: " + hidden1 + "\n\n");
                hidden1 = new ReLU().call(hidden1);
                System.out.println("After ReLU: " + hidden1);

                // nn.Sequential
                try (Sequential seqModules = new Sequential(
                        flatten,
                        layer1,
                        new ReLU(),
                        new Linear(20, 10))) {
                    inputImage = Tensor.rand(3, 28, 28);
                    logits = seqModules.call(inputImage);

                    // nn.Softmax
                    Softmax softmax = new Softmax(1);
                    predProbab = softmax.call(logits);
                }
            }

            // Model parameters.
            System.out.println("Model structure: " + model + "\n\n");

            for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
                String name = e.getKey();
                Tensor param = e.getValue();
                System.out.println("Layer: " + name + " | Size: " + param.shape() + " | Values : "
                        + param.index(Idx.until(2)) + " \n");
            }
        }
    }
}
