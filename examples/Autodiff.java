import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BCEWithLogitsLoss;

/**
 * PyTorch's "Automatic Differentiation with torch.autograd" tutorial
 * (pytorch.org/tutorials/beginner/basics/autogradqs_tutorial.html) in Kiln. Run from the repository root after
 * {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/Autodiff.java
 * </pre>
 */
public class Autodiff {
    public static void main(String[] args) {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.ones(5);   // input tensor
            Tensor y = Tensor.zeros(3);  // expected output
            Tensor w = Tensor.randn(5, 3).requiresGrad(true);
            Tensor b = Tensor.randn(3).requiresGrad(true);
            Tensor z = x.matmul(w).add(b);
            Tensor loss = new BCEWithLogitsLoss().compute(z, y);

            System.out.println("Gradient function for z = " + z.gradFnName());
            System.out.println("Gradient function for loss = " + loss.gradFnName());

            // Computing gradients.
            loss.backward();
            System.out.println(w.grad());
            System.out.println(b.grad());

            // Disabling gradient tracking: torch.no_grad().
            z = x.matmul(w).add(b);
            System.out.println(z.requiresGrad());
            try (Autograd.Guard g = Autograd.noGrad()) {
                z = x.matmul(w).add(b);
            }
            System.out.println(z.requiresGrad());

            z = x.matmul(w).add(b);
            Tensor zDet = z.detach();
            System.out.println(zDet.requiresGrad());

            // Tensor gradients and Jacobian products: out.backward(torch.ones_like(out)) accumulates into inp.grad.
            Tensor inp = Tensor.eye(4, 5).requiresGrad(true);
            Tensor out = inp.add(1).pow(2).t();
            out.backward(out.onesLike());
            System.out.println("First call\n" + inp.grad());
            out.backward(out.onesLike());
            System.out.println("\nSecond call\n" + inp.grad());
            inp.zeroGrad();
            out.backward(out.onesLike());
            System.out.println("\nCall after zeroing gradients\n" + inp.grad());
        }
    }
}
