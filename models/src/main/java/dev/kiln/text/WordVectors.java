package dev.kiln.text;

import dev.kiln.engine.Tensor;
import dev.kiln.io.AtomicFiles;
import dev.kiln.io.SafeTensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Word embeddings [vocabulary size, dim] with their vocabulary, and cosine nearest neighbours. Saved as
 * {@code vectors.safetensors} (one F32 tensor "embeddings", row i for word i) beside {@code vocab.tsv}
 * (word TAB count per line, in row order), both written atomically.
 */
public final class WordVectors {
    public static final String VECTORS_FILE = "vectors.safetensors";
    public static final String VOCAB_FILE = "vocab.tsv";

    private final Vocabulary vocabulary;
    private final int dim;
    private final float[] vectors;
    private final float[] unit;

    /** {@code vectors} holds {@code vocabulary.size() * dim} values, row-major. */
    public WordVectors(Vocabulary vocabulary, float[] vectors, int dim) {
        if (vectors.length != (long) vocabulary.size() * dim) {
            throw new IllegalArgumentException("WordVectors: " + vectors.length + " values for " + vocabulary.size()
                    + " words x " + dim + " dimensions");
        }
        this.vocabulary = vocabulary;
        this.dim = dim;
        this.vectors = vectors.clone();
        this.unit = normalisedRows(vectors, dim);
    }

    private static float[] normalisedRows(float[] v, int dim) {
        float[] out = new float[v.length];
        for (int row = 0; row < v.length / dim; row++) {
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                norm += (double) v[row * dim + j] * v[row * dim + j];
            }
            double scale = norm == 0 ? 0 : 1 / Math.sqrt(norm);
            for (int j = 0; j < dim; j++) {
                out[row * dim + j] = (float) (v[row * dim + j] * scale);
            }
        }
        return out;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    public int dim() {
        return dim;
    }

    /** A word and its cosine similarity to the query. */
    public record Neighbour(String word, double cosine) {
    }

    /** The {@code k} words with the highest cosine similarity to {@code word}, itself excluded, best first. */
    public List<Neighbour> nearest(String word, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("WordVectors.nearest: k must be at least 1, got " + k);
        }
        int query = vocabulary.indexOf(word);
        if (query < 0) {
            throw new IllegalArgumentException("'" + word + "' is not in the vocabulary (" + vocabulary.size()
                    + " words seen at least the minimum count)");
        }
        PriorityQueue<Neighbour> best = new PriorityQueue<>(Comparator.comparingDouble(Neighbour::cosine));
        for (int row = 0; row < vocabulary.size(); row++) {
            if (row == query) {
                continue;
            }
            double dot = 0;
            for (int j = 0; j < dim; j++) {
                dot += unit[query * dim + j] * unit[row * dim + j];
            }
            best.add(new Neighbour(vocabulary.word(row), dot));
            if (best.size() > k) {
                best.poll();
            }
        }
        List<Neighbour> out = new ArrayList<>(best);
        out.sort(Comparator.comparingDouble(Neighbour::cosine).reversed());
        return out;
    }

    /** Writes vectors.safetensors and vocab.tsv into {@code dir}. */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Tensor t = Tensor.fromArray(vectors, vocabulary.size(), dim)) {
            SafeTensors.write(dir.resolve(VECTORS_FILE), Map.of("embeddings", t));
        }
        StringBuilder tsv = new StringBuilder();
        for (int i = 0; i < vocabulary.size(); i++) {
            tsv.append(vocabulary.word(i)).append('\t').append(vocabulary.count(i)).append('\n');
        }
        AtomicFiles.writeString(dir.resolve(VOCAB_FILE), tsv.toString());
    }

    /** Reads what {@link #save} wrote. */
    public static WordVectors load(Path dir) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve(VOCAB_FILE), StandardCharsets.UTF_8);
        String[] words = new String[lines.size()];
        long[] counts = new long[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            String[] cells = lines.get(i).split("\t");
            if (cells.length != 2) {
                throw new IOException(dir.resolve(VOCAB_FILE) + " line " + (i + 1) + ": expected 'word<TAB>count', got '"
                        + lines.get(i) + "'");
            }
            words[i] = cells[0];
            counts[i] = Long.parseLong(cells[1]);
        }
        try (SafeTensors.Loaded loaded = SafeTensors.read(dir.resolve(VECTORS_FILE))) {
            Tensor t = loaded.tensors().get("embeddings");
            if (t == null || t.rank() != 2 || t.dim(0) != words.length) {
                throw new IOException(dir.resolve(VECTORS_FILE) + ": expected a tensor 'embeddings' of " + words.length
                        + " rows (one per word of " + VOCAB_FILE + "), got " + (t == null ? "none" : t.shape()));
            }
            return new WordVectors(new Vocabulary(words, counts), t.toFloatArray(), t.dim(1));
        }
    }
}
