import dev.kiln.engine.PythonFloat;
import java.util.Random;

/**
 * PyTorch's "Learning PyTorch with Examples", Warm-up: numpy
 * (pytorch.org/tutorials/beginner/pytorch_with_examples.html, examples_tensor/polynomial_numpy.py) with plain Java
 * double arrays in place of numpy: a third order polynomial trained to predict y = sin(x) from -pi to pi by minimizing
 * the squared Euclidean distance, the forward pass, loss and backward pass computed by hand. Run from the repository
 * root after {@code mvn -q package -DskipTests -pl models -am} (Kiln is used only to print numbers as Python does):
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/PolynomialArrays.java [a b c d]
 * </pre>
 * The optional arguments are the starting a, b, c, d (default: drawn from a standard normal, as the tutorial's
 * {@code np.random.randn()}).
 */
public class PolynomialArrays {
    public static void main(String[] args) {
        // Create random input and output data
        double[] x = linspace(-Math.PI, Math.PI, 2000);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.sin(x[i]);
        }

        // Randomly initialize weights
        Random random = new Random();
        double a = randn(args, 0, random);
        double b = randn(args, 1, random);
        double c = randn(args, 2, random);
        double d = randn(args, 3, random);

        double learningRate = 1e-6;
        double[] yPred = new double[x.length];
        for (int t = 0; t < 2000; t++) {
            // Forward pass: compute predicted y
            // y = a + b x + c x^2 + d x^3
            for (int i = 0; i < x.length; i++) {
                yPred[i] = a + b * x[i] + c * x[i] * x[i] + d * Math.pow(x[i], 3);
            }

            // Compute and print loss
            double loss = 0;
            for (int i = 0; i < x.length; i++) {
                loss += (yPred[i] - y[i]) * (yPred[i] - y[i]);
            }
            if (t % 100 == 99) {
                System.out.println(t + " " + PythonFloat.repr(loss));
            }

            // Backprop to compute gradients of a, b, c, d with respect to loss
            double gradA = 0;
            double gradB = 0;
            double gradC = 0;
            double gradD = 0;
            for (int i = 0; i < x.length; i++) {
                double gradYPred = 2.0 * (yPred[i] - y[i]);
                gradA += gradYPred;
                gradB += gradYPred * x[i];
                gradC += gradYPred * x[i] * x[i];
                gradD += gradYPred * Math.pow(x[i], 3);
            }

            // Update weights
            a -= learningRate * gradA;
            b -= learningRate * gradB;
            c -= learningRate * gradC;
            d -= learningRate * gradD;
        }

        System.out.println("Result: y = " + PythonFloat.repr(a) + " + " + PythonFloat.repr(b) + " x + "
                + PythonFloat.repr(c) + " x^2 + " + PythonFloat.repr(d) + " x^3");
    }

    /** numpy's {@code linspace(start, stop, num)}: {@code start + i * step}, the last value {@code stop} itself. */
    static double[] linspace(double start, double stop, int num) {
        double step = (stop - start) / (num - 1);
        double[] values = new double[num];
        for (int i = 0; i < num; i++) {
            values[i] = i * step + start;
        }
        values[num - 1] = stop;
        return values;
    }

    /** {@code np.random.randn()}, or the i-th command-line value where one is given (to repeat another run). */
    static double randn(String[] args, int i, Random random) {
        return args.length > i ? Double.parseDouble(args[i]) : random.nextGaussian();
    }
}
