import dev.kiln.engine.Autograd;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Loss;
import dev.kiln.nn.MSELoss;
import dev.kiln.nn.Module;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The 60-minute blitz's "Neural Networks" tutorial
 * (pytorch.org/tutorials/beginner/blitz/neural_networks_tutorial.html) in Kiln: LeNet on a random 1x1x32x32 input, its
 * parameters, a backward pass of random gradients, MSELoss, the graph walked back from the loss, conv1's bias gradient
 * before and after the backward pass, a hand-written SGD update and {@code optim.SGD}. Run from the repository root
 * after {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/NeuralNetworks.java
 * </pre>
 */
public class NeuralNetworks {

    /** {@code class Net(nn.Module)}: LeNet for 32x32 images, its layers registered under the tutorial's names. */
    static class Net extends Module {
        Net() {
            // 1 input image channel, 6 output channels, 5x5 square convolution kernel
            registerModule("conv1", new Conv2d(1, 6, 5));
            registerModule("conv2", new Conv2d(6, 16, 5));
            // an affine operation: y = Wx + b
            registerModule("fc1", new Linear(16 * 5 * 5, 120));
            registerModule("fc2", new Linear(120, 84));
            registerModule("fc3", new Linear(84, 10));
        }

        Conv2d conv1() {
            return (Conv2d) module("conv1");
        }

        @Override
        public Tensor forward(Tensor x) {
            // Max pooling over a (2, 2) window
            x = F.maxPool2d(F.relu(module("conv1").call(x)), 2);
            x = F.maxPool2d(F.relu(module("conv2").call(x)), 2);
            x = x.view(-1, numFlatFeatures(x));
            x = F.relu(module("fc1").call(x));
            x = F.relu(module("fc2").call(x));
            return module("fc3").call(x);
        }

        /** All dimensions except the batch dimension, multiplied. */
        static int numFlatFeatures(Tensor x) {
            int numFeatures = 1;
            for (int k = 1; k < x.rank(); k++) {
                numFeatures *= x.dim(k);
            }
            return numFeatures;
        }
    }

    public static void main(String[] args) {
        try (Net net = new Net(); Scope scope = Scope.open()) {
            System.out.println(net);

            // The learnable parameters of a model are returned by net.parameters().
            List<Tensor> params = net.parameters();
            System.out.println(params.size());
            System.out.println(params.get(0).shape());  // conv1's .weight

            // Let's try a random 32x32 input.
            Tensor input = Tensor.randn(1, 1, 32, 32);
            Tensor out = net.call(input);
            System.out.println(out);

            // Zero the gradient buffers of all parameters and backprop with random gradients.
            net.zeroGrad();
            out.backward(Tensor.randn(1, 10));

            // Loss function.
            Tensor output = net.call(input);
            Tensor target = Tensor.randn(10);   // a dummy target, for example
            target = target.view(1, -1);        // make it the same shape as output
            Loss criterion = new MSELoss();

            Tensor loss = criterion.compute(output, target);
            System.out.println(loss);

            // Following loss backward through the graph: grad_fn, then grad_fn.next_functions[0][0], ...
            System.out.println(loss.gradFnName());
            System.out.println(loss.gradFnInputs().get(0).gradFnName());
            System.out.println(loss.gradFnInputs().get(0).gradFnInputs().get(0).gradFnName());
            System.out.println(String.join(" <- ", chain(loss)));

            // Backprop. net.zeroGrad(false) zeroes the gradients in place, PyTorch 1.13's zero_grad(); net.zeroGrad()
            // drops them, as PyTorch 2's does (its grad then prints null, PyTorch's None).
            net.zeroGrad(false);

            System.out.println("conv1.bias.grad before backward");
            System.out.println(net.conv1().bias().grad());

            loss.backward();

            System.out.println("conv1.bias.grad after backward");
            System.out.println(net.conv1().bias().grad());

            // Update the weights: weight = weight - learning_rate * gradient, in place and outside the graph
            // (f.data.sub_(f.grad.data * learning_rate)).
            double learningRate = 0.01;
            try (Autograd.Guard g = Autograd.noGrad()) {
                for (Tensor f : net.parameters()) {
                    f.addInPlace(f.grad(), -learningRate);
                }
            }
            System.out.printf(Locale.ROOT, "loss after the manual update: %.4f%n",
                    criterion.compute(net.call(input), target).item());

            // create your optimizer
            try (Optimizer optimizer = new SGD(net.parameters(), 0.01)) {
                // in your training loop:
                optimizer.zeroGrad();   // zero the gradient buffers
                output = net.call(input);
                loss = criterion.compute(output, target);
                loss.backward();
                optimizer.step();       // Does the update
            }
            System.out.printf(Locale.ROOT, "loss after optimizer.step(): %.4f%n",
                    criterion.compute(net.call(input), target).item());
        }
    }

    /** The ops from {@code t} back to a leaf, following each op's first input. */
    static List<String> chain(Tensor t) {
        List<String> ops = new ArrayList<>();
        for (Tensor node = t; node != null && node.gradFnName() != null; node = node.gradFnInputs().get(0)) {
            ops.add(node.gradFnName());
        }
        return ops;
    }
}
