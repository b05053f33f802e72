package dev.kiln.learning;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataDirectory;
import dev.kiln.data.Mnist;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Sparse;
import dev.kiln.engine.SparseCoo;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Adam;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A two-layer graph convolutional network (Kipf and Welling, 2017: {@code softmax(A relu(A X W1) W2)} with
 * {@code A = D^-1/2 (adjacency + I) D^-1/2}) trained semi-supervised on real MNIST digits: 2,000 training images as
 * nodes of their 8-nearest-neighbour graph (by pixel distance, made symmetric), 200 of them labelled. Propagating
 * through the graph with {@link Sparse#mm} must carry the few labels to the other 1,800 nodes better than the same
 * network without the graph (A = I, a plain two-layer MLP on the 200 labels): 82.3% of the unlabelled nodes right
 * against 75.2%.
 */
class GcnMnistGraphTest {
    private static final int NODES = 2000;
    private static final int LABELLED = 200;
    private static final int NEIGHBOURS = 8;
    private static final int HIDDEN = 32;

    @Test
    void aGraphConvolutionalNetworkSpreadsTwoHundredLabelsOverTheGraph() throws IOException {
        Mnist mnist;
        try {
            mnist = Mnist.load(null, "mnist", Mnist.Split.TRAIN);
        } catch (DataDirectory.DataMissingException e) {
            Assumptions.abort("MNIST not present (set KILN_DATA): " + e.getMessage());
            return;
        }
        try (Scope outer = Scope.open()) {
            float[] pixels = new float[NODES * Mnist.PIXELS];
            for (int i = 0; i < NODES; i++) {
                mnist.copyImage(i, pixels, i * Mnist.PIXELS);
            }
            Tensor x = Tensor.fromArray(pixels, NODES, Mnist.PIXELS);
            Tensor labels = Tensor.fromArray(Arrays.copyOf(mnist.labels(), NODES), NODES);
            SparseCoo graph = normalisedAdjacency(x);
            SparseCoo identity = SparseCoo.of(Tensor.stack(List.of(Tensor.arange(NODES), Tensor.arange(NODES)), 0)
                    .to(DType.I64), Tensor.ones(DType.F32, NODES), NODES, NODES);
            double gcn = trainedAccuracy(graph, x, labels);
            double mlp = trainedAccuracy(identity, x, labels);
            assertTrue(gcn > 0.8, "GCN accuracy on the unlabelled nodes " + gcn);
            assertTrue(gcn > mlp + 0.04, "GCN " + gcn + " against the MLP without the graph " + mlp);
        }
    }

    /**
     * {@code D^-1/2 (A + I) D^-1/2} for A the symmetric 8-nearest-neighbour graph of the rows of x: each node's
     * nearest neighbours by squared distance {@code |a|^2 + |b|^2 - 2 a.b}, an edge each way, repeats coalesced to 1.
     */
    private static SparseCoo normalisedAdjacency(Tensor x) {
        Tensor squares = x.mul(x).sum(1, true);
        Tensor distances = squares.add(squares.transpose(0, 1)).sub(x.matmul(x.transpose(0, 1)).mul(2));
        // The nearest is the node itself (distance 0 up to rounding), which the self-loops below add; should a
        // duplicate image come first, the self-edge left among the neighbours coalesces with the self-loop.
        Tensor nearest = distances.topk(NEIGHBOURS + 1, 1, false, true).indices().narrow(1, 1, NEIGHBOURS)
                .reshape(NODES * NEIGHBOURS);
        Tensor self = Tensor.arange(NODES).to(DType.I64);
        Tensor from = self.reshape(NODES, 1).expand(NODES, NEIGHBOURS).reshape(NODES * NEIGHBOURS);
        Tensor rows = Tensor.cat(List.of(from, nearest, self), 0);
        Tensor cols = Tensor.cat(List.of(nearest, from, self), 0);
        int entries = rows.dim(0);
        SparseCoo repeated = SparseCoo.of(Tensor.stack(List.of(rows, cols), 0), Tensor.ones(DType.F32, entries),
                NODES, NODES).coalesce();
        SparseCoo binary = SparseCoo.of(repeated.indices(), repeated.values().clampMax(1), NODES, NODES);
        Tensor scale = Sparse.mm(binary, Tensor.ones(DType.F32, NODES, 1)).reshape(NODES).rsqrt();
        Tensor positions = binary.indices();
        Tensor weights = binary.values().mul(scale.indexSelect(0, positions.narrow(0, 0, 1).reshape(-1)))
                .mul(scale.indexSelect(0, positions.narrow(0, 1, 1).reshape(-1)));
        return SparseCoo.of(positions, weights, NODES, NODES);
    }

    /**
     * Trains {@code softmax(a relu(a x W1) W2)} with Adam (lr 0.01, weight decay 5e-4, 200 full-graph steps) on the
     * first 200 nodes' labels; the accuracy on the other nodes.
     */
    private static double trainedAccuracy(SparseCoo a, Tensor x, Tensor labels) {
        Random random = new Random(5);
        Tensor w1 = glorot(random, Mnist.PIXELS, HIDDEN);
        Tensor w2 = glorot(random, HIDDEN, Mnist.CLASSES);
        Tensor labelled = Tensor.arange(LABELLED).to(DType.I64);
        Tensor known = labels.narrow(0, 0, LABELLED);
        double first = Double.NaN;
        double last = Double.NaN;
        try (Adam adam = new Adam(List.of(w1, w2), 0.01, 0.9, 0.999, 1e-8, 5e-4)) {
            for (int step = 0; step < 200; step++) {
                try (Scope s = Scope.open()) {
                    adam.zeroGrad();
                    Tensor logits = forward(a, x, w1, w2);
                    Tensor loss = F.crossEntropy(logits.indexSelect(0, labelled), known);
                    loss.backward();
                    adam.step();
                    last = loss.item();
                    first = step == 0 ? last : first;
                }
            }
        }
        assertTrue(last < 0.1 * first, "training loss " + first + " -> " + last);
        try (Scope s = Scope.open()) {
            Tensor predicted = forward(a, x, w1, w2).argmax(1, false).narrow(0, LABELLED, NODES - LABELLED);
            return predicted.eq(labels.narrow(0, LABELLED, NODES - LABELLED)).to(DType.F64).mean().item();
        }
    }

    private static Tensor forward(SparseCoo a, Tensor x, Tensor w1, Tensor w2) {
        Tensor hidden = Sparse.mm(a, x.matmul(w1)).relu();
        return Sparse.mm(a, hidden.matmul(w2));
    }

    /** Glorot-uniform weights [in, out] that require grad. */
    private static Tensor glorot(Random random, int in, int out) {
        double bound = Math.sqrt(6.0 / (in + out));
        float[] w = new float[in * out];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
        return Tensor.fromArray(w, in, out).requiresGrad(true);
    }
}
