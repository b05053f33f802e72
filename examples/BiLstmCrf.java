import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Idx;
import dev.kiln.engine.IndexedValues;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.RecurrentState;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's "Advanced: Making Dynamic Decisions and the Bi-LSTM CRF" tutorial of the NLP series
 * (pytorch.org/tutorials/beginner/nlp/advanced_tutorial.html) in Kiln: a conditional random field over a
 * bidirectional LSTM's emission scores, the partition function by the forward algorithm in log space, the gold path's
 * score, Viterbi decoding, and 300 epochs of SGD on two sentences tagged B, I, O. Run from the repository root after
 * {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/BiLstmCrf.java [draws.safetensors]
 * </pre>
 * Given the file of the tutorial's draws that {@code models/src/test/pytorch/nlp_bilstm_crf.py} writes
 * ({@code models/src/test/resources/nlp/bilstm_crf.safetensors}: the initial weights and every hidden state the model
 * draws), the example replays PyTorch's run and prints the tutorial's numbers.
 */
public class BiLstmCrf {
    static final String START_TAG = "<START>";
    static final String STOP_TAG = "<STOP>";
    static final int EMBEDDING_DIM = 5;
    static final int HIDDEN_DIM = 4;

    /** PyTorch's draws by name, or null: Kiln draws its own. */
    static SafeTensors.Loaded draws;
    /** How many times each name was drawn: the k-th draw of a name is row k of the file's tensor of that name. */
    static final Map<String, Integer> drawn = new HashMap<>();

    /** {@code torch.randn(dims)}, or the next draw of that name. */
    static Tensor randn(String name, int... dims) {
        int k = drawn.merge(name, 1, Integer::sum) - 1;
        return draws == null ? Tensor.randn(dims) : draws.tensors().get(name).index(Idx.at(k));
    }

    /** The module as constructed, or with the draws' initial weights under {@code prefix}. */
    static <M extends Module> M initial(String prefix, M module) {
        if (draws != null) {
            module.loadStateDict(draws.withPrefix(prefix));
        }
        return module;
    }

    /** The argmax of a [1, n] row as an int: {@code _, idx = torch.max(vec, 1); return idx.item()}. */
    static int argmax(Tensor vec) {
        IndexedValues max = vec.maxWithIndices(1, false);
        return (int) max.indices().item();
    }

    static Tensor prepareSequence(List<String> seq, Map<String, Integer> toIx) {
        return Tensor.fromArray(seq.stream().mapToLong(toIx::get).toArray(), seq.size());
    }

    /** log(sum(exp(vec))) of a [1, n] row, computed stably for the forward algorithm: a scalar. */
    static Tensor logSumExp(Tensor vec) {
        Tensor maxScore = vec.index(Idx.at(0), Idx.at(argmax(vec)));
        Tensor maxScoreBroadcast = maxScore.view(1, -1).expand(1, vec.dim(1));
        return maxScore.add(vec.sub(maxScoreBroadcast).exp().sum().log());
    }

    /** What the tutorial's {@code forward} returns: the best path's score and its tags. */
    record Decoded(Tensor score, List<Integer> tags) {
        @Override
        public String toString() {
            return "(" + score + ", " + tags + ")";  // as Python prints the tuple
        }
    }

    /** {@code class BiLSTM_CRF(nn.Module)}. */
    static class BiLSTMCRF extends Module {
        final Map<String, Integer> tagToIx;
        final int tagsetSize;
        final int hiddenDim;

        BiLSTMCRF(int vocabSize, Map<String, Integer> tagToIx, int embeddingDim, int hiddenDim) {
            this.tagToIx = tagToIx;
            this.tagsetSize = tagToIx.size();
            this.hiddenDim = hiddenDim;
            registerModule("word_embeds", new Embedding(vocabSize, embeddingDim));
            // Each direction has hiddenDim / 2 units; their outputs side by side make hiddenDim.
            registerModule("lstm", LSTM.builder(embeddingDim, hiddenDim / 2).layers(1).bidirectional(true).build());
            // Maps the output of the LSTM into tag space.
            registerModule("hidden2tag", new Linear(hiddenDim, tagsetSize));

            // Matrix of transition parameters. Entry i, j is the score of transitioning *to* i *from* j.
            Tensor transitions = registerParameter("transitions", unscoped(() -> Tensor.randn(tagsetSize, tagsetSize)));
            // Never transfer to the start tag, never from the stop tag.
            try (Autograd.Guard g = Autograd.noGrad()) {
                transitions.assign(transitions
                        .indexPut(new Idx[] {Idx.at(tagToIx.get(START_TAG)), Idx.all()}, -10000, false)
                        .indexPut(new Idx[] {Idx.all(), Idx.at(tagToIx.get(STOP_TAG))}, -10000, false));
            }
            // The tutorial's __init__ draws a hidden state that lstmFeatures replaces before any use: drawn here too,
            // so that the draws that follow are the tutorial's.
            initHidden();
        }

        Tensor transitions() {
            return param("transitions");
        }

        /** (h, c), each [2 directions, 1 sequence, hiddenDim / 2], drawn anew for each sentence. */
        RecurrentState initHidden() {
            return new RecurrentState(randn("init_hidden.h", 2, 1, hiddenDim / 2),
                    randn("init_hidden.c", 2, 1, hiddenDim / 2));
        }

        /** The forward algorithm: the log of the partition function, a scalar. */
        Tensor forwardAlg(Tensor feats) {
            Tensor initAlphas = Tensor.full(-10000., DType.F32, 1, tagsetSize);
            // START_TAG has all of the score.
            initAlphas = initAlphas.indexPut(new Idx[] {Idx.at(0), Idx.at(tagToIx.get(START_TAG))}, 0., false);

            Tensor forwardVar = initAlphas;
            // Iterate through the sentence.
            for (Tensor feat : feats.unbind(0)) {
                List<Tensor> alphasT = new ArrayList<>();  // the forward tensors at this timestep
                for (int nextTag = 0; nextTag < tagsetSize; nextTag++) {
                    // Broadcast the emission score: it is the same regardless of the previous tag.
                    Tensor emitScore = feat.index(Idx.at(nextTag)).view(1, -1).expand(1, tagsetSize);
                    // The ith entry of transScore is the score of transitioning to nextTag from i.
                    Tensor transScore = transitions().index(Idx.at(nextTag)).view(1, -1);
                    // The ith entry of nextTagVar is the value for the edge (i -> nextTag) before log-sum-exp.
                    Tensor nextTagVar = forwardVar.add(transScore).add(emitScore);
                    // The forward variable for this tag is log-sum-exp of all the scores.
                    alphasT.add(logSumExp(nextTagVar).view(1));
                }
                forwardVar = Tensor.cat(alphasT, 0).view(1, -1);
            }
            Tensor terminalVar = forwardVar.add(transitions().index(Idx.at(tagToIx.get(STOP_TAG))));
            return logSumExp(terminalVar);
        }

        /** The emission scores [len, tagsetSize]: the BiLSTM's outputs mapped into tag space. */
        Tensor lstmFeatures(Tensor sentence) {
            int length = sentence.dim(0);
            RecurrentState hidden = initHidden();
            Tensor embeds = module("word_embeds").call(sentence).view(length, 1, -1);
            Tensor lstmOut = ((LSTM) module("lstm")).forward(embeds, hidden).output();
            lstmOut = lstmOut.view(length, hiddenDim);
            return module("hidden2tag").call(lstmOut);
        }

        /** The score of the given tag sequence: emissions plus transitions, from START_TAG to STOP_TAG. */
        Tensor scoreSentence(Tensor feats, Tensor tags) {
            Tensor score = Tensor.zeros(1);
            tags = Tensor.cat(List.of(Tensor.fromArray(new long[] {tagToIx.get(START_TAG)}, 1), tags), 0);
            List<Tensor> rows = feats.unbind(0);
            for (int i = 0; i < rows.size(); i++) {
                Tensor feat = rows.get(i);
                Idx tag = Idx.tensor(tags.index(Idx.at(i + 1)));
                score = score.add(transitions().index(tag, Idx.tensor(tags.index(Idx.at(i))))).add(feat.index(tag));
            }
            return score.add(transitions().index(Idx.at(tagToIx.get(STOP_TAG)), Idx.tensor(tags.index(Idx.at(-1)))));
        }

        /** The best path by the Viterbi algorithm, and its score. */
        Decoded viterbiDecode(Tensor feats) {
            List<int[]> backpointers = new ArrayList<>();

            // Initialize the viterbi variables in log space.
            Tensor initVvars = Tensor.full(-10000., DType.F32, 1, tagsetSize);
            initVvars = initVvars.indexPut(new Idx[] {Idx.at(0), Idx.at(tagToIx.get(START_TAG))}, 0., false);

            // forwardVar at step i holds the viterbi variables for step i - 1.
            Tensor forwardVar = initVvars;
            for (Tensor feat : feats.unbind(0)) {
                int[] bptrsT = new int[tagsetSize];            // the backpointers for this step
                List<Tensor> viterbivarsT = new ArrayList<>();  // the viterbi variables for this step
                for (int nextTag = 0; nextTag < tagsetSize; nextTag++) {
                    // nextTagVar[i] holds the viterbi variable for tag i at the previous step plus the score of
                    // transitioning from tag i to nextTag. The emission scores come later: the max does not
                    // depend on them.
                    Tensor nextTagVar = forwardVar.add(transitions().index(Idx.at(nextTag)));
                    int bestTagId = argmax(nextTagVar);
                    bptrsT[nextTag] = bestTagId;
                    viterbivarsT.add(nextTagVar.index(Idx.at(0), Idx.at(bestTagId)).view(1));
                }
                // Now add in the emission scores: the viterbi variables of this step.
                forwardVar = Tensor.cat(viterbivarsT, 0).add(feat).view(1, -1);
                backpointers.add(bptrsT);
            }

            // Transition to STOP_TAG.
            Tensor terminalVar = forwardVar.add(transitions().index(Idx.at(tagToIx.get(STOP_TAG))));
            int bestTagId = argmax(terminalVar);
            Tensor pathScore = terminalVar.index(Idx.at(0), Idx.at(bestTagId));

            // Follow the back pointers to decode the best path.
            List<Integer> bestPath = new ArrayList<>(List.of(bestTagId));
            for (int i = backpointers.size() - 1; i >= 0; i--) {
                bestTagId = backpointers.get(i)[bestTagId];
                bestPath.add(bestTagId);
            }
            // Pop off the start tag (we don't want to return that to the caller).
            int start = bestPath.remove(bestPath.size() - 1);
            if (start != tagToIx.get(START_TAG)) {
                throw new IllegalStateException("the best path starts at tag " + start + ", not " + START_TAG);
            }
            Collections.reverse(bestPath);
            return new Decoded(pathScore, bestPath);
        }

        Tensor negLogLikelihood(Tensor sentence, Tensor tags) {
            Tensor feats = lstmFeatures(sentence);
            Tensor forwardScore = forwardAlg(feats);
            Tensor goldScore = scoreSentence(feats, tags);
            return forwardScore.sub(goldScore);
        }

        /** The tutorial's {@code forward}: the best path given the BiLSTM's emission scores, and its score. */
        Decoded decode(Tensor sentence) {
            return viterbiDecode(lstmFeatures(sentence));
        }

        /** A Kiln module's forward returns one tensor: the best path's tags (I64, [len]); {@link #decode} both. */
        @Override
        public Tensor forward(Tensor sentence) {
            return Tensor.fromArray(decode(sentence).tags().stream().mapToLong(Integer::longValue).toArray(),
                    sentence.dim(0));
        }
    }

    record Tagged(List<String> words, List<String> tags) {
        Tagged(String sentence, String tags) {
            this(List.of(sentence.split(" ")), List.of(tags.split(" ")));
        }
    }

    public static void main(String[] args) throws Exception {
        try (Scope scope = Scope.open()) {
            draws = args.length > 0 ? SafeTensors.read(Path.of(args[0])) : null;
            drawn.clear();
            Engine.seed(1);

            // Make up some training data.
            List<Tagged> trainingData = List.of(
                    new Tagged("the wall street journal reported today that apple corporation made money",
                            "B I I I O O O B I O O"),
                    new Tagged("georgia tech is a university in georgia", "B I O O O O B"));

            Map<String, Integer> wordToIx = new LinkedHashMap<>();
            for (Tagged t : trainingData) {
                for (String word : t.words()) {
                    wordToIx.putIfAbsent(word, wordToIx.size());
                }
            }
            Map<String, Integer> tagToIx = new LinkedHashMap<>();
            for (String tag : List.of("B", "I", "O", START_TAG, STOP_TAG)) {
                tagToIx.put(tag, tagToIx.size());
            }

            try (BiLSTMCRF model = initial("model.",
                    new BiLSTMCRF(wordToIx.size(), tagToIx, EMBEDDING_DIM, HIDDEN_DIM));
                 Optimizer optimizer = new SGD(model.parameters(), 0.01).weightDecay(1e-4)) {
                // Check predictions before training.
                try (Autograd.Guard g = Autograd.noGrad()) {
                    Tensor precheckSent = prepareSequence(trainingData.get(0).words(), wordToIx);
                    Tensor precheckTags = prepareSequence(trainingData.get(0).tags(), tagToIx);
                    // model(precheck_sent), its two steps apart, so that the same features (and the one hidden state
                    // drawn for them) also give a line the tutorial leaves out: the forward algorithm's log partition
                    // and the gold path's score, the two terms of the loss.
                    Tensor feats = model.lstmFeatures(precheckSent);
                    System.out.println(model.viterbiDecode(feats));
                    System.out.println(model.forwardAlg(feats) + " " + model.scoreSentence(feats, precheckTags));
                }

                for (int epoch = 0; epoch < 300; epoch++) {  // normally you would NOT do 300 epochs: toy data
                    for (Tagged t : trainingData) {
                        try (Scope step = Scope.open()) {
                            // Step 1. Gradients accumulate: clear them before each instance.
                            model.zeroGrad();
                            // Step 2. The words' and tags' indices.
                            Tensor sentenceIn = prepareSequence(t.words(), wordToIx);
                            Tensor targets = prepareSequence(t.tags(), tagToIx);
                            // Step 3. The forward pass: the negative log likelihood of the gold tags.
                            Tensor loss = model.negLogLikelihood(sentenceIn, targets);
                            // Step 4. Its gradients, and the update.
                            loss.backward();
                            optimizer.step();
                        }
                    }
                }

                // Check predictions after training.
                try (Autograd.Guard g = Autograd.noGrad()) {
                    Tensor precheckSent = prepareSequence(trainingData.get(0).words(), wordToIx);
                    System.out.println(model.decode(precheckSent));
                }
                // We got it!
            }
        } finally {
            if (draws != null) {
                draws.close();
            }
        }
    }
}
