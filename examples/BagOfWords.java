import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Idx;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Module;
import dev.kiln.nn.NLLLoss;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's "Deep Learning with PyTorch" tutorial of the NLP series
 * (pytorch.org/tutorials/beginner/nlp/deep_learning_tutorial.html) in Kiln: affine maps, non-linearities, softmax,
 * and the bag-of-words logistic regression that tells Spanish from English, trained with NLLLoss and SGD. Run from the
 * repository root after {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/BagOfWords.java [draws.safetensors]
 * </pre>
 * Kiln's random numbers are not PyTorch's: given the file of the tutorial's draws that
 * {@code models/src/test/pytorch/nlp_bag_of_words.py} writes
 * ({@code models/src/test/resources/nlp/bag_of_words.safetensors}), the example starts from PyTorch's weights and
 * inputs and prints the tutorial's numbers.
 */
public class BagOfWords {
    /** PyTorch's draws by name, or null: Kiln draws its own. */
    static SafeTensors.Loaded draws;

    /** {@code torch.randn(dims)}, or the draw of that name. */
    static Tensor randn(String name, int... dims) {
        return draws == null ? Tensor.randn(dims) : draws.tensors().get(name);
    }

    /** The module as constructed, or with the draws' initial weights under {@code prefix}. */
    static <M extends Module> M initial(String prefix, M module) {
        if (draws != null) {
            module.loadStateDict(draws.withPrefix(prefix));
        }
        return module;
    }

    /** {@code class BoWClassifier(nn.Module)}: log probabilities of the labels from a bag-of-words vector. */
    static class BoWClassifier extends Module {
        BoWClassifier(int numLabels, int vocabSize) {
            // The parameters of the affine map, A and b: nn.Linear(vocab_size, num_labels).
            registerModule("linear", new Linear(vocabSize, numLabels));
            // The non-linearity, log softmax, has no parameters.
        }

        @Override
        public Tensor forward(Tensor bowVec) {
            return F.logSoftmax(module("linear").call(bowVec), 1);
        }
    }

    record Example(List<String> words, String label) {
        Example(String sentence, String label) {
            this(List.of(sentence.split(" ")), label);
        }
    }

    static Tensor makeBowVector(List<String> sentence, Map<String, Integer> wordToIx) {
        float[] vec = new float[wordToIx.size()];
        for (String word : sentence) {
            vec[wordToIx.get(word)] += 1;
        }
        return Tensor.fromArray(vec, 1, vec.length);
    }

    static Tensor makeTarget(String label, Map<String, Integer> labelToIx) {
        return Tensor.fromArray(new long[] {labelToIx.get(label)}, 1);
    }

    public static void main(String[] args) throws Exception {
        try (Scope scope = Scope.open()) {
            draws = args.length > 0 ? SafeTensors.read(Path.of(args[0])) : null;
            Engine.seed(1);

            // Affine maps: nn.Linear maps the rows of its input.
            Linear lin = initial("lin.", new Linear(5, 3));  // maps from R^5 to R^3, parameters A, b
            Tensor data = randn("data_affine", 2, 5);        // data is 2x5: can we map it under A?
            System.out.println(lin.call(data));              // yes

            // Non-linearities.
            data = randn("data_relu", 2, 2);
            System.out.println(data);
            System.out.println(F.relu(data));

            // Softmax and probabilities.
            data = randn("data_softmax", 5);
            System.out.println(data);
            System.out.println(F.softmax(data, 0));
            System.out.println(F.softmax(data, 0).sum());  // Sums to 1 because it is a distribution!
            System.out.println(F.logSoftmax(data, 0));     // there's also log_softmax

            List<Example> trainData = List.of(
                    new Example("me gusta comer en la cafeteria", "SPANISH"),
                    new Example("Give it to me", "ENGLISH"),
                    new Example("No creo que sea una buena idea", "SPANISH"),
                    new Example("No it is not a good idea to get lost at sea", "ENGLISH"));
            List<Example> testData = List.of(
                    new Example("Yo creo que si", "SPANISH"),
                    new Example("it is lost on me", "ENGLISH"));

            // wordToIx maps each word in the vocab to a unique integer, its index into the bag-of-words vector.
            Map<String, Integer> wordToIx = new LinkedHashMap<>();
            List<Example> all = new ArrayList<>(trainData);
            all.addAll(testData);
            for (Example e : all) {
                for (String word : e.words()) {
                    wordToIx.putIfAbsent(word, wordToIx.size());
                }
            }
            System.out.println(pythonDict(wordToIx));

            int vocabSize = wordToIx.size();
            int numLabels = 2;

            try (BoWClassifier model = initial("model.", new BoWClassifier(numLabels, vocabSize))) {
                // The model knows its parameters: the first is A, the second b.
                for (Tensor param : model.parameters()) {
                    System.out.println(param);
                }

                // Run the model on a bag-of-words vector; no training here, so no graph.
                try (Autograd.Guard g = Autograd.noGrad()) {
                    Example sample = trainData.get(0);
                    Tensor bowVector = makeBowVector(sample.words(), wordToIx);
                    Tensor logProbs = model.call(bowVector);
                    System.out.println(logProbs);
                }

                Map<String, Integer> labelToIx = Map.of("SPANISH", 0, "ENGLISH", 1);

                // Run on test data before we train, just to see a before-and-after.
                printTestLogProbs(model, testData, wordToIx);

                // Print the matrix column corresponding to "creo".
                System.out.println(model.parameters().get(0).index(Idx.all(), Idx.at(wordToIx.get("creo"))));

                Loss lossFunction = new NLLLoss();
                try (Optimizer optimizer = new SGD(model.parameters(), 0.1)) {
                    // 100 passes over four sentences: far more than a real data set needs.
                    for (int epoch = 0; epoch < 100; epoch++) {
                        for (Example e : trainData) {
                            try (Scope step = Scope.open()) {
                                // Step 1. Gradients accumulate: clear them before each instance.
                                model.zeroGrad();
                                // Step 2. The bag-of-words vector and the target's index.
                                Tensor bowVec = makeBowVector(e.words(), wordToIx);
                                Tensor target = makeTarget(e.label(), labelToIx);
                                // Step 3. The forward pass.
                                Tensor logProbs = model.call(bowVec);
                                // Step 4. The loss, its gradients, and the update.
                                Tensor loss = lossFunction.compute(logProbs, target);
                                loss.backward();
                                optimizer.step();
                            }
                        }
                    }
                }

                printTestLogProbs(model, testData, wordToIx);

                // The index corresponding to Spanish goes up, English goes down!
                System.out.println(model.parameters().get(0).index(Idx.all(), Idx.at(wordToIx.get("creo"))));
            }
        } finally {
            if (draws != null) {
                draws.close();
            }
        }
    }

    static void printTestLogProbs(Module model, List<Example> testData, Map<String, Integer> wordToIx) {
        try (Autograd.Guard g = Autograd.noGrad()) {
            for (Example e : testData) {
                Tensor bowVec = makeBowVector(e.words(), wordToIx);
                Tensor logProbs = model.call(bowVec);
                System.out.println(logProbs);
            }
        }
    }

    /** A map as Python prints a dict of strings to ints: {'me': 0, 'gusta': 1}. */
    static String pythonDict(Map<String, Integer> map) {
        StringBuilder s = new StringBuilder("{");
        map.forEach((k, v) -> s.append(s.length() > 1 ? ", " : "").append('\'').append(k).append("': ").append(v));
        return s.append('}').toString();
    }
}
