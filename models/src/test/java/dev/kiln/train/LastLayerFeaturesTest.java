package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.engine.Engine;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Identity;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import org.junit.jupiter.api.Test;

/** {@link LastLayerFeatures}: the last layer's input, worked out by hand here, or the logits where there is none. */
class LastLayerFeaturesTest {
    /** n examples of 4 features, value i of all (i mod 7 - 3) / 2. */
    private static ArrayDataset data(int n) {
        float[] x = new float[n * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 7 - 3) / 2f;
        }
        return new ArrayDataset(x, new long[n], new int[] {4}, 2);
    }

    @Test
    void theInputOfAnMlpsLastLinearIsTheHiddenLayersActivationsOverSeveralBatches() {
        Engine.seed(2);
        int n = 300;
        Linear hidden = new Linear(4, 3);
        Linear head = new Linear(3, 2);
        try (Sequential model = new Sequential(hidden, new ReLU(), new Dropout(0.5), head)) {
            model.train();
            LastLayerFeatures.Features f = LastLayerFeatures.of(model, data(n), n);
            assertTrue(f.lastLayer());
            assertEquals(3, f.columns());
            assertTrue(model.isTraining(), "the mode restored");
            assertHiddenActivations(hidden, head, n, f);
        }
    }

    /**
     * A trailing Dropout (in evaluation mode) and Identity hand their input on unchanged: they are no layer, and the
     * features are still the input of the Linear that makes the logits.
     */
    @Test
    void aTrailingDropoutAndIdentityAreNoLayer() {
        Engine.seed(3);
        int n = 5;
        Linear hidden = new Linear(4, 3);
        Linear head = new Linear(3, 2);
        try (Sequential model = new Sequential(hidden, new ReLU(), head, new Dropout(0.5), new Identity())) {
            LastLayerFeatures.Features f = LastLayerFeatures.of(model, data(n), n);
            assertTrue(f.lastLayer());
            assertEquals(3, f.columns());
            assertHiddenActivations(hidden, head, n, f);
        }
    }

    /** The features are ReLU(hidden(x)) of data(n), worked out in F64, and the predictions head's argmax of them. */
    private static void assertHiddenActivations(Linear hidden, Linear head, int n, LastLayerFeatures.Features f) {
        float[] w = hidden.weight().toFloatArray();
        float[] b = hidden.bias().toFloatArray();
        float[] w2 = head.weight().toFloatArray();
        float[] b2 = head.bias().toFloatArray();
        float[] x = new float[n * 4];
        for (int i = 0; i < n; i++) {
            data(n).copyFeatures(i, x, i * 4);
        }
        float[] expected = new float[n * 3];
        int[] predicted = new int[n];
        for (int i = 0; i < n; i++) {
            double[] logits = {b2[0], b2[1]};
            for (int j = 0; j < 3; j++) {
                double z = b[j];
                for (int k = 0; k < 4; k++) {
                    z += (double) w[j * 4 + k] * x[i * 4 + k];
                }
                expected[i * 3 + j] = (float) Math.max(z, 0);
                logits[0] += w2[j] * Math.max(z, 0);
                logits[1] += w2[3 + j] * Math.max(z, 0);
            }
            predicted[i] = logits[1] > logits[0] ? 1 : 0;
        }
        assertArrayEquals(expected, f.features(), 1e-5f);
        assertArrayEquals(predicted, f.predicted());
    }

    @Test
    void aLastLayerTakingAMapGivesTheLogits() {
        Conv2d conv = new Conv2d(1, 2, 1);
        try (Sequential model = new Sequential(conv, new Flatten())) {
            ArrayDataset data = new ArrayDataset(new float[] {1, -2, 3}, new long[3], new int[] {1, 1, 1}, 2);
            LastLayerFeatures.Features f = LastLayerFeatures.of(model, data, 3);
            assertFalse(f.lastLayer());
            assertEquals(2, f.columns());
            float[] w = conv.weight().toFloatArray();
            float[] b = conv.bias().toFloatArray();
            assertArrayEquals(new float[] {w[0] + b[0], w[1] + b[1], -2 * w[0] + b[0], -2 * w[1] + b[1],
                    3 * w[0] + b[0], 3 * w[1] + b[1]}, f.features(), 1e-6f);
        }
    }

    @Test
    void aCountOutsideTheDataIsRefused() {
        try (Linear model = new Linear(4, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LastLayerFeatures.of(model, data(5), 6));
            assertEquals("LastLayerFeatures: n must be from 1 to the data's 5 examples, got 6", e.getMessage());
        }
    }
}
