package dev.kiln.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.data.CharVocabulary;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.nn.Quantization;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The zoo's models that read their layers by name can be copied ({@link Module#copy}, which {@code AveragedModel} and
 * {@code Quantization.quantizeDynamic} take): a copy computes what the original does, runs its own layers (changing
 * its weights leaves the original's output as it was), and a quantised copy runs int8 layers close to the original.
 */
class ZooModelCopyTest {
    private static final CharVocabulary VOCABULARY = new CharVocabulary("abcde");
    private static final List<String> WORDS = List.of("abc", "e", "beaded", "cab");

    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(31);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Copies {@code model}, checks the copy's output and its independence, returns it. */
    private static <M extends Module> M copyOf(M model, Function<M, Tensor> output) {
        float[] before = output.apply(model).toFloatArray();
        @SuppressWarnings("unchecked")
        M copy = (M) model.copy();
        assertArrayEquals(before, output.apply(copy).toFloatArray(), "the copy's output");
        Tensor bias = copy.stateDict().get("fc.bias");
        float[] shifted = bias.toFloatArray();
        Arrays.fill(shifted, 5f);
        try (Autograd.Guard g = Autograd.noGrad()) {
            bias.copyFrom(shifted);
        }
        assertFalse(Arrays.equals(before, output.apply(copy).toFloatArray()), "the copy runs its own fc");
        assertArrayEquals(before, output.apply(model).toFloatArray(), "the original is untouched");
        return copy;
    }

    @Test
    void theRowTransformerCopies() {
        Tensor images = Tensor.randn(3, 784);
        copyOf(Zoo.rowTransformer(10), m -> m.forward(images));
    }

    @Test
    void theCharLanguageModelCopiesAndQuantises() {
        CharLanguageModel model = new CharLanguageModel(VOCABULARY, 4, 6, 2, 0);
        copyOf(model, m -> m.loss(WORDS));
        try (Autograd.Guard g = Autograd.noGrad()) {
            CharLanguageModel quantised = (CharLanguageModel) Quantization.quantizeDynamic(model);
            assertEquals(model.loss(WORDS).item(), quantised.loss(WORDS).item(), 0.02);
        }
    }

    @Test
    void theWordClassifierCopiesAndQuantises() {
        WordClassifier model = new WordClassifier(VOCABULARY, 4, 6, true, 3);
        copyOf(model, m -> m.scores(WORDS));
        try (Autograd.Guard g = Autograd.noGrad()) {
            WordClassifier quantised = (WordClassifier) Quantization.quantizeDynamic(model);
            assertArrayEquals(model.scores(WORDS).toFloatArray(), quantised.scores(WORDS).toFloatArray(), 0.02f);
        }
    }
}
