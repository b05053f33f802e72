package dev.kiln.g2p;

import dev.kiln.data.CharVocabulary;
import dev.kiln.engine.Tensor;
import dev.kiln.seq2seq.Seq2SeqModel;
import dev.kiln.seq2seq.SourceBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * One training batch of pronunciations: the spelled words ({@code source}), the decoder inputs [batch, T + 1]
 * (BOS, then the phonemes) as a tensor and the targets [batch, T + 1] (the phonemes, then EOS) row-major on the
 * host, where the loss finds the padding without reading anything back from a device; both padded with PAD,
 * where T is the batch's longest pronunciation.
 */
public record G2pBatch(SourceBatch source, Tensor decoderInputs, long[] targets, int targetTokens) {
    public static G2pBatch of(List<Pronunciation> pronunciations, CharVocabulary letters, PhonemeVocabulary phonemes) {
        List<int[]> words = new ArrayList<>();
        List<int[]> outputs = new ArrayList<>();
        int longest = 0;
        int tokens = 0;
        for (Pronunciation p : pronunciations) {
            words.add(letters.encode(p.word()));
            int[] ids = phonemes.encode(p.phonemes());
            outputs.add(ids);
            longest = Math.max(longest, ids.length);
            tokens += ids.length + 1;
        }
        int batch = pronunciations.size();
        int steps = longest + 1;
        long[] inputs = new long[batch * steps];
        long[] targets = new long[batch * steps];
        for (int b = 0; b < batch; b++) {
            int[] ids = outputs.get(b);
            inputs[b * steps] = Seq2SeqModel.BOS;
            for (int t = 0; t < ids.length; t++) {
                inputs[b * steps + t + 1] = ids[t];
                targets[b * steps + t] = ids[t];
            }
            targets[b * steps + ids.length] = Seq2SeqModel.EOS;
        }
        return new G2pBatch(SourceBatch.of(words), Tensor.fromArray(inputs, batch, steps), targets, tokens);
    }
}
