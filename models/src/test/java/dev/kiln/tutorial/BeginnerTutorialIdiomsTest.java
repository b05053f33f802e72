package dev.kiln.tutorial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.data.Example;
import dev.kiln.data.HostBatch;
import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The PyTorch idioms of the beginner tutorials (pytorch.org/tutorials/beginner/basics) in their Kiln form, each
 * against what PyTorch 1.13 printed for it: models/src/test/pytorch/beginner_tutorial_idioms.py.
 */
class BeginnerTutorialIdiomsTest {
    @Test
    void argmaxOfOneAxisDropsTheAxisAndPicksTheFirstMaximum() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[] {1, 3, 3, 2, 0, 1}, 2, 3);
            Tensor index = x.argmax(1);
            // argmax(1) [1, 0] torch.Size([2]) torch.int64
            assertArrayEquals(new long[] {1, 0}, index.toLongArray());
            assertArrayEquals(new int[] {2}, index.shape().dims());
            assertEquals(DType.I64, index.dtype());
        }
    }

    @Test
    void argminOfOneAxisDropsTheAxisAndPicksTheFirstMinimum() {
        try (Scope s = Scope.open()) {
            Tensor y = Tensor.fromArray(new float[] {1, 3, 1, 2, 0, 0}, 2, 3);
            // argmin(1) [0, 1] torch.Size([2])
            assertArrayEquals(new long[] {0, 1}, y.argmin(1).toLongArray());
            assertArrayEquals(new int[] {2}, y.argmin(1).shape().dims());
        }
    }

    @Test
    void onesLikeKeepsAnIntegerTensorsDtype() {
        try (Scope s = Scope.open()) {
            Tensor ones = Tensor.fromArray(new long[] {1, 2, 3, 4}, 2, 2).onesLike();
            // ones_like [[1, 1], [1, 1]] torch.int64
            assertEquals(DType.I64, ones.dtype());
            assertArrayEquals(new long[] {1, 1, 1, 1}, ones.toLongArray());
            assertArrayEquals(new int[] {2, 2}, ones.shape().dims());
        }
    }

    @Test
    void zerosLikeKeepsShapeAndDtype() {
        try (Scope s = Scope.open()) {
            Tensor zeros = Tensor.fromArray(new double[] {1, 2, 3, 4}, 2, 2).zerosLike();
            // zeros_like [[0.0, 0.0], [0.0, 0.0]] torch.float64
            assertEquals(DType.F64, zeros.dtype());
            assertArrayEquals(new double[] {0, 0, 0, 0}, zeros.toDoubleArray());
        }
    }

    @Test
    void randLikeDrawsInTheUnitIntervalInTheTensorsShape() {
        try (Scope s = Scope.open()) {
            Tensor r = Tensor.fromArray(new long[] {1, 2, 3, 4}, 2, 2).to(DType.F32).randLike();
            // rand_like(float) torch.Size([2, 2]) torch.float32 True
            assertEquals(DType.F32, r.dtype());
            assertArrayEquals(new int[] {2, 2}, r.shape().dims());
            for (float v : r.toFloatArray()) {
                assertTrue(v >= 0 && v < 1, "rand_like value " + v);
            }
        }
    }

    @Test
    void randLikeOfAnIntegerTensorIsRefusedSayingHowToConvert() {
        try (Scope s = Scope.open()) {
            Tensor data = Tensor.fromArray(new long[] {1, 2, 3, 4}, 2, 2);
            // rand_like(int64) raises: "check_uniform_bounds" not implemented for 'Long'
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, data::randLike);
            assertTrue(e.getMessage().contains("I64") && e.getMessage().contains("to(DType.F32)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, data::randnLike);
        }
    }

    @Test
    void dataLoaderOfABatchSizeGivesIndexOrderAndAPartialLastBatch() {
        float[] features = new float[130];
        long[] labels = new long[130];
        for (int i = 0; i < 130; i++) {
            features[i] = i;
        }
        try (DataLoader loader = new DataLoader(new ArrayDataset(features, labels, new int[] {1}, 1), 64)) {
            List<Integer> sizes = new ArrayList<>();
            float[] first = null;
            float[] last = null;
            for (HostBatch batch : loader.epoch(0)) {
                sizes.add(batch.size());
                float[] values = Arrays.copyOf(batch.featureData(), batch.size());
                first = first == null ? values : first;
                last = values;
            }
            // batches [64, 64, 2] first [0, 1, 2] last [128, 129] len 3
            assertEquals(List.of(64, 64, 2), sizes);
            assertEquals(3, loader.batchesPerEpoch());
            assertArrayEquals(new float[] {0, 1, 2}, Arrays.copyOf(first, 3));
            assertArrayEquals(new float[] {128, 129}, last);
        }
    }

    @Test
    void datasetFeaturesOfAnIndexIsOneExampleInTheFeatureShape() {
        float[] features = new float[12];
        for (int i = 0; i < 12; i++) {
            features[i] = i;
        }
        ArrayDataset dataset = new ArrayDataset(features, new long[] {0, 1, 0}, new int[] {1, 2, 2}, 2);
        try (Scope s = Scope.open()) {
            Tensor x = dataset.features(1);
            // dataset[1][0] [[[4.0, 5.0], [6.0, 7.0]]] torch.Size([1, 2, 2])
            assertArrayEquals(new int[] {1, 2, 2}, x.shape().dims());
            assertArrayEquals(new float[] {4, 5, 6, 7}, x.toFloatArray());
            assertEquals(1, dataset.label(1));
            assertThrows(IndexOutOfBoundsException.class, () -> dataset.features(3));
        }
    }

    @Test
    void loadStateDictWithoutStrictnessIsStrictAsPyTorchsDefault() {
        try (Linear linear = new Linear(2, 3); Scope s = Scope.open()) {
            // load_state_dict default strict: Error(s) in loading state_dict for Linear: Missing key(s) in state_dict:
            // "bias".
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> linear.loadStateDict(Map.of("weight", Tensor.zeros(3, 2))));
            assertTrue(e.getMessage().contains("missing keys: [bias]"), e.getMessage());

            linear.loadStateDict(Map.of("weight", Tensor.ones(3, 2), "bias", Tensor.full(2, DType.F32, 3)));
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, linear.weight().toFloatArray());
            assertArrayEquals(new float[] {2, 2, 2}, linear.bias().toFloatArray());
        }
    }

    @Test
    void eyeHasOnesOnTheDiagonalOfARectangle() {
        try (Scope s = Scope.open()) {
            Tensor eye = Tensor.eye(2, 3);
            // eye(2, 3) [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]] torch.float32
            assertEquals(DType.F32, eye.dtype());
            assertArrayEquals(new int[] {2, 3}, eye.shape().dims());
            assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0}, eye.toFloatArray());
            assertArrayEquals(new float[] {1, 0, 0, 1}, Tensor.eye(2).toFloatArray());
        }
    }

    @Test
    void matmulOfAVectorAndAMatrixIsAVectorWithPyTorchsGradients() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.fromArray(new double[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor m = Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad(true);
            Tensor v = a.matmul(m);
            v.sum().backward();
            // matmul([3], [3, 2]) [22.0, 28.0] grad a [3.0, 7.0, 11.0] grad m [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]
            assertArrayEquals(new int[] {2}, v.shape().dims());
            assertArrayEquals(new double[] {22, 28}, v.toDoubleArray());
            assertArrayEquals(new double[] {3, 7, 11}, a.grad().toDoubleArray());
            assertArrayEquals(new double[] {1, 1, 2, 2, 3, 3}, m.grad().toDoubleArray());
        }
    }

    @Test
    void matmulOfAMatrixAndAVectorIsAVector() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.fromArray(new double[] {1, 2, 3}, 3);
            Tensor mt = Tensor.fromArray(new double[] {1, 3, 5, 2, 4, 6}, 2, 3);
            // matmul([2, 3], [3]) [22.0, 28.0]
            assertArrayEquals(new int[] {2}, mt.matmul(a).shape().dims());
            assertArrayEquals(new double[] {22, 28}, mt.matmul(a).toDoubleArray());
        }
    }

    @Test
    void matmulOfTwoVectorsIsTheirDotProductAsAScalar() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.fromArray(new double[] {1, 2, 3}, 3);
            Tensor dot = a.matmul(a);
            // matmul([3], [3]) 14.0 torch.Size([])
            assertEquals(0, dot.rank());
            assertEquals(14, dot.item());
        }
    }

    @Test
    void matmulOfAVectorAndABatchGivesAVectorPerBatchEntry() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.fromArray(new double[] {1, 2, 3}, 3);
            Tensor batch = Tensor.arange(0, 12, 1, DType.F64).reshape(2, 3, 2);
            // matmul([3], [2, 3, 2]) [[16.0, 22.0], [52.0, 58.0]]; matmul([2, 3, 2]^T, [3]) the same
            assertArrayEquals(new double[] {16, 22, 52, 58}, a.matmul(batch).toDoubleArray());
            assertArrayEquals(new int[] {2, 2}, a.matmul(batch).shape().dims());
            assertArrayEquals(new double[] {16, 22, 52, 58}, batch.transpose(1, 2).matmul(a).toDoubleArray());
        }
    }

    @Test
    void matmulWithVectorOperandsPassesTheGradientCheck() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.randn(DType.F64, 3).requiresGrad(true);
            Tensor m = Tensor.randn(DType.F64, 3, 2).requiresGrad(true);
            Tensor batch = Tensor.randn(DType.F64, 2, 4, 3).requiresGrad(true);
            GradCheck.check("matmul [3] x [3, 2]", in -> in[0].matmul(in[1]), a, m);
            GradCheck.check("matmul [2, 3] x [3]", in -> in[1].t().matmul(in[0]), a, m);
            GradCheck.check("matmul [3] x [3]", in -> in[0].matmul(in[0]), a);
            GradCheck.check("matmul [2, 4, 3] x [3]", in -> in[1].matmul(in[0]), a, batch);
        }
    }

    @Test
    void matmulOfVectorsOfMismatchedSizesNamesTheShapesGiven() {
        try (Scope s = Scope.open()) {
            // Not the [1, k] row or [k, 1] column they are multiplied as. PyTorch refuses all four, in its own words
            // ("inconsistent tensor size", "size mismatch, got 2, 2x3,4", ...: beginner_tutorial_idioms.py).
            assertEquals("matmul: [3] x [4]: inner dimensions 3 and 4 differ", assertThrows(
                    IllegalArgumentException.class, () -> Tensor.ones(3).matmul(Tensor.ones(4))).getMessage());
            assertEquals("matmul: [2, 3] x [4]: inner dimensions 3 and 4 differ", assertThrows(
                    IllegalArgumentException.class, () -> Tensor.ones(2, 3).matmul(Tensor.ones(4))).getMessage());
            assertEquals("matmul: [3] x [4, 2]: inner dimensions 3 and 4 differ", assertThrows(
                    IllegalArgumentException.class, () -> Tensor.ones(3).matmul(Tensor.ones(4, 2))).getMessage());
            assertEquals("matmul: [5, 2, 3] x [4]: inner dimensions 3 and 4 differ", assertThrows(
                    IllegalArgumentException.class, () -> Tensor.ones(5, 2, 3).matmul(Tensor.ones(4))).getMessage());
        }
    }

    @Test
    void matmulOfAVectorAndABatchPassesTheGradientCheck() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.randn(DType.F64, 3).requiresGrad(true);
            Tensor b = Tensor.randn(DType.F64, 3).requiresGrad(true);
            Tensor batch = Tensor.randn(DType.F64, 2, 3, 4).requiresGrad(true);
            GradCheck.check("matmul [3] x [2, 3, 4]", in -> in[0].matmul(in[1]), a, batch);
            GradCheck.check("matmul [3] x [3], two vectors", in -> in[0].matmul(in[1]), a, b);
        }
    }

    @Test
    void aDatasetFromALambdaBatchesAsPyTorchsCustomDataset() {
        Dataset pairs = Dataset.of(5, new int[] {2}, 3, i -> new Example(new float[] {i, 2 * i}, i % 3));
        List<float[]> features = new ArrayList<>();
        List<long[]> labels = new ArrayList<>();
        try (DataLoader loader = new DataLoader(pairs, 2)) {
            for (HostBatch batch : loader.epoch(0)) {
                features.add(Arrays.copyOf(batch.featureData(), 2 * batch.size()));
                labels.add(Arrays.copyOf(batch.labelData(), batch.size()));
            }
        }
        // custom Dataset in DataLoader(batch_size=2) [([[0.0, 0.0], [1.0, 2.0]], [0, 1]),
        // ([[2.0, 4.0], [3.0, 6.0]], [2, 0]), ([[4.0, 8.0]], [1])]
        assertEquals(3, features.size());
        assertArrayEquals(new float[] {0, 0, 1, 2}, features.get(0));
        assertArrayEquals(new float[] {2, 4, 3, 6}, features.get(1));
        assertArrayEquals(new float[] {4, 8}, features.get(2));
        assertArrayEquals(new long[] {0, 1}, labels.get(0));
        assertArrayEquals(new long[] {2, 0}, labels.get(1));
        assertArrayEquals(new long[] {1}, labels.get(2));
    }

    @Test
    void aDatasetFromALambdaRefusesAnExampleOfTheWrongSizeNamingIt() {
        Dataset short3 = Dataset.of(5, new int[] {2}, 3, i -> new Example(new float[i == 3 ? 1 : 2], 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> short3.copyFeatures(3, new float[2], 0));
        assertTrue(e.getMessage().contains("example 3 has 1 feature values") && e.getMessage().contains("holds 2"),
                e.getMessage());
        Dataset badLabel = Dataset.of(5, new int[] {2}, 3, i -> new Example(new float[2], i));
        IllegalArgumentException l = assertThrows(IllegalArgumentException.class, () -> badLabel.label(4));
        assertTrue(l.getMessage().contains("example 4 has label 4, outside [0, 3)"), l.getMessage());
    }
}
