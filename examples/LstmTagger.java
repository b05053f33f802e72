import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Module;
import dev.kiln.nn.NLLLoss;
import dev.kiln.nn.RecurrentOutput;
import dev.kiln.nn.RecurrentState;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's "Sequence Models and Long Short-Term Memory Networks" tutorial of the NLP series
 * (pytorch.org/tutorials/beginner/nlp/sequence_models_tutorial.html) in Kiln: an LSTM stepped one element at a time
 * and run over the whole sequence at once, then the LSTM part-of-speech tagger trained 300 epochs on two sentences.
 * Run from the repository root after {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/LstmTagger.java [draws.safetensors]
 * </pre>
 * Given the file of the tutorial's draws that {@code models/src/test/pytorch/nlp_lstm_tagger.py} writes
 * ({@code models/src/test/resources/nlp/lstm_tagger.safetensors}), the example starts from PyTorch's weights, inputs
 * and hidden states and prints the tutorial's numbers.
 */
public class LstmTagger {
    static final int EMBEDDING_DIM = 6;
    static final int HIDDEN_DIM = 6;

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

    /** {@code class LSTMTagger(nn.Module)}: log probabilities of each word's tag. */
    static class Tagger extends Module {
        Tagger(int embeddingDim, int hiddenDim, int vocabSize, int tagsetSize) {
            registerModule("word_embeddings", new Embedding(vocabSize, embeddingDim));
            // The LSTM takes word embeddings as inputs, and outputs hidden states of hiddenDim.
            registerModule("lstm", new LSTM(embeddingDim, hiddenDim));
            // The linear layer that maps from hidden state space to tag space.
            registerModule("hidden2tag", new Linear(hiddenDim, tagsetSize));
        }

        @Override
        public Tensor forward(Tensor sentence) {
            int length = (int) sentence.shape().dim(0);
            Tensor embeds = module("word_embeddings").call(sentence);
            // [time, batch, features]; without a state the LSTM starts from zeros, as PyTorch's does.
            Tensor lstmOut = module("lstm").call(embeds.view(length, 1, -1));
            Tensor tagSpace = module("hidden2tag").call(lstmOut.view(length, -1));
            return F.logSoftmax(tagSpace, 1);
        }
    }

    record Tagged(List<String> words, List<String> tags) {
        Tagged(String sentence, String... tags) {
            this(List.of(sentence.split(" ")), List.of(tags));
        }
    }

    static Tensor prepareSequence(List<String> seq, Map<String, Integer> toIx) {
        return Tensor.fromArray(seq.stream().mapToLong(toIx::get).toArray(), seq.size());
    }

    public static void main(String[] args) throws Exception {
        try (Scope scope = Scope.open()) {
            draws = args.length > 0 ? SafeTensors.read(Path.of(args[0])) : null;
            Engine.seed(1);
            lstmSteps();
            tagger();
        } finally {
            if (draws != null) {
                draws.close();
            }
        }
    }

    /** An LSTM over a sequence of 5 vectors of 3, one step at a time and all at once. */
    static void lstmSteps() {
        try (LSTM lstm = initial("lstm.", new LSTM(3, 3))) {  // input dim is 3, output dim is 3
            List<Tensor> inputs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                inputs.add(randn("inputs." + i, 1, 3));  // make a sequence of length 5
            }

            // Initialize the hidden state: (h, c), each [layers, batch, hidden].
            RecurrentState hidden = new RecurrentState(randn("hidden.h", 1, 1, 3), randn("hidden.c", 1, 1, 3));
            RecurrentOutput out;
            for (Tensor i : inputs) {
                // Step through the sequence one element at a time; after each step, hidden holds the state.
                out = lstm.forward(i.view(1, 1, -1), hidden);
                hidden = out.state();
            }

            // Alternatively, the entire sequence at once: out holds every hidden state, hidden the last, to continue
            // the sequence from (the last slice of out is hidden's h).
            Tensor sequence = Tensor.cat(inputs, 0).view(inputs.size(), 1, -1);  // add the batch axis
            hidden = new RecurrentState(randn("clean_hidden.h", 1, 1, 3),
                    randn("clean_hidden.c", 1, 1, 3));  // clean out hidden state
            out = lstm.forward(sequence, hidden);
            hidden = out.state();
            System.out.println(out.output());
            System.out.println(hidden);
        }
    }

    /** The part-of-speech tagger, before and after 300 epochs on two sentences. */
    static void tagger() {
        List<Tagged> trainingData = List.of(
                // Tags are: DET - determiner; NN - noun; V - verb. "The" is a determiner.
                new Tagged("The dog ate the apple", "DET", "NN", "V", "DET", "NN"),
                new Tagged("Everybody read that book", "NN", "V", "DET", "NN"));
        Map<String, Integer> wordToIx = new LinkedHashMap<>();
        for (Tagged t : trainingData) {
            for (String word : t.words()) {
                wordToIx.putIfAbsent(word, wordToIx.size());  // each new word gets the next index
            }
        }
        System.out.println(pythonDict(wordToIx));
        Map<String, Integer> tagToIx = Map.of("DET", 0, "NN", 1, "V", 2);

        try (Tagger model = initial("model.", new Tagger(EMBEDDING_DIM, HIDDEN_DIM, wordToIx.size(), tagToIx.size()));
             Optimizer optimizer = new SGD(model.parameters(), 0.1)) {
            Loss lossFunction = new NLLLoss();

            // The scores before training: element i, j is the score of tag j for word i.
            try (Autograd.Guard g = Autograd.noGrad()) {
                Tensor inputs = prepareSequence(trainingData.get(0).words(), wordToIx);
                System.out.println(model.call(inputs));
            }

            for (int epoch = 0; epoch < 300; epoch++) {  // normally you would NOT do 300 epochs: toy data
                for (Tagged t : trainingData) {
                    try (Scope step = Scope.open()) {
                        // Step 1. Gradients accumulate: clear them before each instance.
                        model.zeroGrad();
                        // Step 2. The words' and tags' indices.
                        Tensor sentenceIn = prepareSequence(t.words(), wordToIx);
                        Tensor targets = prepareSequence(t.tags(), tagToIx);
                        // Step 3. The forward pass.
                        Tensor tagScores = model.call(sentenceIn);
                        // Step 4. The loss, its gradients, and the update.
                        Tensor loss = lossFunction.compute(tagScores, targets);
                        loss.backward();
                        optimizer.step();
                    }
                }
            }

            // The scores after training: each row's largest is its tag, 0 1 2 0 1 (DET NN V DET NN), the answer.
            try (Autograd.Guard g = Autograd.noGrad()) {
                Tensor inputs = prepareSequence(trainingData.get(0).words(), wordToIx);
                System.out.println(model.call(inputs));
            }
        }
    }

    /** A map as Python prints a dict of strings to ints: {'The': 0, 'dog': 1}. */
    static String pythonDict(Map<String, Integer> map) {
        StringBuilder s = new StringBuilder("{");
        map.forEach((k, v) -> s.append(s.length() > 1 ? ", " : "").append('\'').append(k).append("': ").append(v));
        return s.append('}').toString();
    }
}
