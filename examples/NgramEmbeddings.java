import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Idx;
import dev.kiln.engine.PythonFloat;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Module;
import dev.kiln.nn.NLLLoss;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * PyTorch's "Word Embeddings: Encoding Lexical Semantics" tutorial of the NLP series
 * (pytorch.org/tutorials/beginner/nlp/word_embeddings_tutorial.html) in Kiln: an {@code Embedding} looked up by an
 * I64 tensor of word indices, the N-gram language model trained on Shakespeare's second sonnet (context of 2 words,
 * embeddings of 10, NLLLoss, SGD at 1e-3, 10 epochs), and the data preparation of the CBOW exercise. Run from the
 * repository root after {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/NgramEmbeddings.java [draws.safetensors]
 * </pre>
 * Given the file of the tutorial's draws that {@code models/src/test/pytorch/nlp_ngram_embeddings.py} writes
 * ({@code models/src/test/resources/nlp/ngram_embeddings.safetensors}), the example starts from PyTorch's weights and
 * prints the tutorial's numbers. Words are numbered in order of first appearance, where the tutorial's
 * {@code set(test_sentence)} numbers them in an order that changes from one Python run to the next.
 */
public class NgramEmbeddings {
    static final int CONTEXT_SIZE = 2;
    static final int EMBEDDING_DIM = 10;

    /** PyTorch's draws by name, or null: Kiln draws its own. */
    static SafeTensors.Loaded draws;

    /** The module as constructed, or with the draws' initial weights under {@code prefix}. */
    static <M extends Module> M initial(String prefix, M module) {
        if (draws != null) {
            module.loadStateDict(draws.withPrefix(prefix));
        }
        return module;
    }

    /** {@code class NGramLanguageModeler(nn.Module)}: log probabilities of the next word from the previous ones. */
    static class NGramLanguageModeler extends Module {
        NGramLanguageModeler(int vocabSize, int embeddingDim, int contextSize) {
            registerModule("embeddings", new Embedding(vocabSize, embeddingDim));
            registerModule("linear1", new Linear(contextSize * embeddingDim, 128));
            registerModule("linear2", new Linear(128, vocabSize));
        }

        Embedding embeddings() {
            return (Embedding) module("embeddings");
        }

        @Override
        public Tensor forward(Tensor inputs) {
            Tensor embeds = module("embeddings").call(inputs).view(1, -1);
            Tensor out = F.relu(module("linear1").call(embeds));
            out = module("linear2").call(out);
            return F.logSoftmax(out, 1);
        }
    }

    /** ([word_i-CONTEXT_SIZE, ..., word_i-1], target word), or the words on both sides for CBOW. */
    record Ngram(List<String> context, String target) {
        @Override
        public String toString() {
            return "(" + context.stream().map(NgramEmbeddings::pythonString).collect(Collectors.joining(", ", "[", "]"))
                    + ", " + pythonString(target) + ")";
        }
    }

    public static void main(String[] args) throws Exception {
        try (Scope scope = Scope.open()) {
            draws = args.length > 0 ? SafeTensors.read(Path.of(args[0])) : null;
            Engine.seed(1);

            Map<String, Integer> wordToIx = Map.of("hello", 0, "world", 1);
            try (Embedding embeds = initial("embeds.", new Embedding(2, 5))) {  // 2 words, 5-dimensional embeddings
                Tensor lookupTensor = Tensor.fromArray(new long[] {wordToIx.get("hello")}, 1);  // an I64 tensor
                Tensor helloEmbed = embeds.call(lookupTensor);
                System.out.println(helloEmbed);
            }

            // Shakespeare's Sonnet 2. We should tokenize the input, but we will ignore that for now.
            List<String> testSentence = List.of(("When forty winters shall besiege thy brow,\n"
                    + "And dig deep trenches in thy beauty's field,\n"
                    + "Thy youth's proud livery so gazed on now,\n"
                    + "Will be a totter'd weed of small worth held:\n"
                    + "Then being asked, where all thy beauty lies,\n"
                    + "Where all the treasure of thy lusty days;\n"
                    + "To say, within thine own deep sunken eyes,\n"
                    + "Were an all-eating shame, and thriftless praise.\n"
                    + "How much more praise deserv'd thy beauty's use,\n"
                    + "If thou couldst answer 'This fair child of mine\n"
                    + "Shall sum my count, and make my old excuse,'\n"
                    + "Proving his beauty by succession thine!\n"
                    + "This were to be new made when thou art old,\n"
                    + "And see thy blood warm when thou feel'st it cold.").split("\\s+"));
            // Each n-gram is ([word_i-CONTEXT_SIZE, ..., word_i-1], target word).
            List<Ngram> ngrams = new ArrayList<>();
            for (int i = CONTEXT_SIZE; i < testSentence.size(); i++) {
                List<String> context = new ArrayList<>();
                for (int j = 0; j < CONTEXT_SIZE; j++) {
                    context.add(testSentence.get(i - j - 1));
                }
                ngrams.add(new Ngram(context, testSentence.get(i)));
            }
            // Print the first 3, just so you can see what they look like.
            System.out.println(ngrams.subList(0, 3));

            LinkedHashSet<String> vocab = new LinkedHashSet<>(testSentence);
            Map<String, Integer> sonnetWordToIx = indices(vocab);

            List<Double> losses = new ArrayList<>();
            Loss lossFunction = new NLLLoss();
            try (NGramLanguageModeler model = initial("model.",
                    new NGramLanguageModeler(vocab.size(), EMBEDDING_DIM, CONTEXT_SIZE));
                 Optimizer optimizer = new SGD(model.parameters(), 0.001)) {
                for (int epoch = 0; epoch < 10; epoch++) {
                    double totalLoss = 0;
                    for (Ngram ngram : ngrams) {
                        try (Scope step = Scope.open()) {
                            // Step 1. The context's words as an I64 tensor of indices.
                            Tensor contextIdxs = Tensor.fromArray(
                                    ngram.context().stream().mapToLong(sonnetWordToIx::get).toArray(), CONTEXT_SIZE);
                            // Step 2. Gradients accumulate: clear them before each instance.
                            model.zeroGrad();
                            // Step 3. The forward pass: log probabilities of the next word.
                            Tensor logProbs = model.call(contextIdxs);
                            // Step 4. The loss against the target word's index.
                            Tensor loss = lossFunction.compute(logProbs,
                                    Tensor.fromArray(new long[] {sonnetWordToIx.get(ngram.target())}, 1));
                            // Step 5. The backward pass and the update.
                            loss.backward();
                            optimizer.step();
                            totalLoss += loss.item();
                        }
                    }
                    losses.add(totalLoss);
                }
                // The loss decreased every iteration over the training data!
                System.out.println(losses.stream().map(PythonFloat::repr).collect(Collectors.joining(", ", "[", "]")));

                // The embedding of a particular word, e.g. "beauty": its row of the table.
                System.out.println(model.embeddings().weight().index(Idx.at(sonnetWordToIx.get("beauty"))));
            }

            cbowData();
        } finally {
            if (draws != null) {
                draws.close();
            }
        }
    }

    /** The exercise's data for a continuous bag of words: 2 words either side of each target. */
    static void cbowData() {
        int contextSize = 2;  // 2 words to the left, 2 to the right
        List<String> rawText = List.of(("We are about to study the idea of a computational process.\n"
                + "Computational processes are abstract beings that inhabit computers.\n"
                + "As they evolve, processes manipulate other abstract things called data.\n"
                + "The evolution of a process is directed by a pattern of rules\n"
                + "called a program. People create programs to direct processes. In effect,\n"
                + "we conjure the spirits of the computer with our spells.").split("\\s+"));

        // A set of the words deduplicates them.
        LinkedHashSet<String> vocab = new LinkedHashSet<>(rawText);
        Map<String, Integer> wordToIx = indices(vocab);
        List<Ngram> data = new ArrayList<>();
        for (int i = contextSize; i < rawText.size() - contextSize; i++) {
            List<String> context = new ArrayList<>();
            for (int j = 0; j < contextSize; j++) {
                context.add(rawText.get(i - j - 1));
            }
            for (int j = 0; j < contextSize; j++) {
                context.add(rawText.get(i + j + 1));
            }
            data.add(new Ngram(context, rawText.get(i)));
        }
        System.out.println(data.subList(0, 5));
        System.out.println(makeContextVector(data.get(0).context(), wordToIx));  // example
    }

    static Tensor makeContextVector(List<String> context, Map<String, Integer> wordToIx) {
        return Tensor.fromArray(context.stream().mapToLong(wordToIx::get).toArray(), context.size());
    }

    /** {@code {word: i for i, word in enumerate(vocab)}}. */
    static Map<String, Integer> indices(LinkedHashSet<String> vocab) {
        Map<String, Integer> wordToIx = new LinkedHashMap<>();
        for (String word : vocab) {
            wordToIx.put(word, wordToIx.size());
        }
        return wordToIx;
    }

    /** A string as Python's repr writes it: in single quotes, or double where it holds one. */
    static String pythonString(String s) {
        return s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? "\"" + s + "\"" : "'" + s.replace("'", "\\'") + "'";
    }
}
