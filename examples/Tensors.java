import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Idx;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * PyTorch's "Tensors" tutorial (pytorch.org/tutorials/beginner/basics/tensorqs_tutorial.html) in Kiln, section by
 * section. Run from the repository root after {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/Tensors.java
 * </pre>
 */
public class Tensors {
    public static void main(String[] args) {
        // Every tensor made inside the scope is freed when it closes (Kiln frees memory by scopes, not the GC).
        try (Scope scope = Scope.open()) {
            // Directly from data: torch.tensor([[1, 2], [3, 4]]) is int64, as long[] here.
            Tensor xData = Tensor.fromArray(new long[] {1, 2, 3, 4}, 2, 2);

            // From a Java array (the NumPy bridge): the values are copied in.
            double[] npArray = {1, 2, 3, 4};
            Tensor xNp = Tensor.fromArray(npArray, 2, 2);

            // From another tensor: torch.ones_like(x_data), torch.rand_like(x_data, dtype=torch.float).
            Tensor xOnes = xData.onesLike();
            System.out.println("Ones Tensor: \n " + xOnes + " \n");
            Tensor xRand = xData.to(DType.F32).randLike();
            System.out.println("Random Tensor: \n " + xRand + " \n");

            // With random or constant values: shape = (2, 3,).
            int[] shape = {2, 3};
            System.out.println("Random Tensor: \n " + Tensor.rand(shape) + " \n");
            System.out.println("Ones Tensor: \n " + Tensor.ones(shape) + " \n");
            System.out.println("Zeros Tensor: \n " + Tensor.zeros(shape));

            // Attributes.
            Tensor tensor = Tensor.rand(3, 4);
            System.out.println("Shape of tensor: " + tensor.shape());
            System.out.println("Datatype of tensor: " + tensor.dtype());
            System.out.println("Device tensor is stored on: " + tensor.device());

            // tensor.to("cuda"): Kiln creates tensors on the best backend it finds (-Dkiln.backend=cpu|cuda picks one).
            System.out.println("Tensors are created on: " + Engine.get().backend().device());

            // Standard numpy-like indexing and slicing.
            tensor = Tensor.ones(4, 4);
            System.out.println("First row: " + tensor.index(Idx.at(0)));
            System.out.println("First column: " + tensor.index(Idx.all(), Idx.at(0)));
            System.out.println("Last column: " + tensor.index(Idx.ellipsis(), Idx.at(-1)));
            // tensor[:, 1] = 0: Kiln's indexPut writes into a copy.
            tensor = tensor.indexPut(new Idx[] {Idx.all(), Idx.at(1)}, 0, false);
            System.out.println(tensor);

            // Joining tensors: torch.cat([tensor, tensor, tensor], dim=1).
            Tensor t1 = Tensor.cat(List.of(tensor, tensor, tensor), 1);
            System.out.println(t1);

            // Matrix multiplication: tensor @ tensor.T, tensor.matmul(tensor.T).
            Tensor y1 = tensor.matmul(tensor.t());
            Tensor y2 = tensor.matmul(tensor.t());
            System.out.println("y1 equals y2: " + Arrays.equals(y1.toFloatArray(), y2.toFloatArray()));
            // Element-wise product: tensor * tensor, tensor.mul(tensor).
            Tensor z1 = tensor.mul(tensor);
            System.out.println(z1);

            // Single-element tensors: agg.item().
            Tensor agg = tensor.sum();
            double aggItem = agg.item();
            System.out.println(aggItem + " " + agg.dtype());

            // In-place operations: tensor.add_(5).
            System.out.println(tensor + " \n");
            tensor.addInPlace(5);
            System.out.println(tensor);

            // Bridge with Java arrays (t.numpy()): a copy, so later changes to the tensor do not show in it.
            Tensor t = Tensor.ones(5);
            System.out.println("t: " + t);
            float[] n = t.toFloatArray();
            System.out.println("n: " + Arrays.toString(n));
            t.addInPlace(1);
            System.out.println("t: " + t);
            System.out.println("n: " + Arrays.toString(n));
        }
    }
}
