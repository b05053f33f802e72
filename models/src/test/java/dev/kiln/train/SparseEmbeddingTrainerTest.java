package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.Module;
import dev.kiln.optim.SparseAdam;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The {@link Trainer} with a model whose only parameter is a table with sparse gradients, stepped by
 * {@link SparseAdam} and clipped by norm: each token's class is learnt from its own row (a lookup model), so the
 * loss falls, and the table never gets a dense gradient.
 */
class SparseEmbeddingTrainerTest {
    private static final int VOCAB = 50;
    private static final int CLASSES = 4;

    /** The logits [batch, classes] of each token, a feature [1] holding its index. */
    private static final class Lookup extends Module {
        private final Embedding table = registerModule("table", new Embedding(VOCAB, CLASSES).sparse(true));

        @Override
        public Tensor forward(Tensor x) {
            return table.forward(x.reshape(x.dim(0)).to(DType.I64));
        }
    }

    private static ArrayDataset tokens(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int token = random.nextInt(VOCAB);
            x[i] = token;
            y[i] = token % CLASSES;
        }
        return new ArrayDataset(x, y, new int[] {1}, CLASSES);
    }

    @Test
    void aSparseTableTrainsWithSparseAdamAndClipping() {
        try (Lookup model = new Lookup(); SparseAdam adam = new SparseAdam(model.parameters(), 0.1)) {
            List<EpochMetrics> history = new Trainer(model, adam, new CrossEntropyLoss()).clipGradNorm(5.0)
                    .fit(new DataLoader(tokens(512, 1), 32, true, 2), null, 4);
            double first = history.get(0).trainLoss();
            double last = history.get(history.size() - 1).trainLoss();
            assertTrue(last < 0.5 * first, "train loss " + first + " -> " + last);
            assertNull(model.parameters().get(0).grad(), "never a dense gradient");
        }
    }
}
