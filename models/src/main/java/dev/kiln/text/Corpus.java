package dev.kiln.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A text corpus as sentences of lower-case word tokens (runs of letters, with inner apostrophes and
 * hyphens kept: "don't", "well-known").
 *
 * <p>Two sources: a WordNet database directory (Debian's {@code wordnet-base} installs one at
 * /usr/share/wordnet), where every synset of {@code data.noun}, {@code data.verb}, {@code data.adj} and
 * {@code data.adv} becomes one sentence: its words followed by its gloss ("fold folding the act of
 * folding he gave the napkins a double fold"); or any plain-text file (gzip allowed), one sentence per line.
 */
public final class Corpus {
    private static final Pattern TOKEN = Pattern.compile("[a-z]+(?:['-][a-z]+)*");
    private static final List<String> WORDNET_FILES = List.of("data.noun", "data.verb", "data.adj", "data.adv");

    private final List<String[]> sentences;

    private Corpus(List<String[]> sentences) {
        this.sentences = sentences;
    }

    /** WordNet's directory when it holds data.noun, else a plain-text file. */
    public static Corpus read(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            if (!Files.isRegularFile(path.resolve("data.noun"))) {
                throw new IOException("corpus directory " + path + " holds no WordNet data.noun; give a WordNet database"
                        + " directory (apt-get install wordnet-base: /usr/share/wordnet) or a text file");
            }
            return wordNet(path);
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException("corpus " + path + " does not exist; on Debian, apt-get install wordnet-base and use"
                    + " /usr/share/wordnet");
        }
        return text(path);
    }

    /** Synsets of a WordNet database directory, one sentence each (words, then gloss). */
    public static Corpus wordNet(Path dir) throws IOException {
        List<String[]> sentences = new ArrayList<>();
        for (String name : WORDNET_FILES) {
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (line.startsWith("  ") || line.isBlank()) {
                        continue;
                    }
                    String[] tokens = tokens(synsetWords(line) + " " + gloss(line));
                    if (tokens.length > 1) {
                        sentences.add(tokens);
                    }
                }
            }
        }
        return new Corpus(sentences);
    }

    /** One sentence per line of a text file; .gz is decompressed. */
    public static Corpus text(Path file) throws IOException {
        List<String[]> sentences = new ArrayList<>();
        try (BufferedReader r = file.toString().endsWith(".gz")
                ? new BufferedReader(new java.io.InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))
                : Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] tokens = tokens(line);
                if (tokens.length > 1) {
                    sentences.add(tokens);
                }
            }
        }
        return new Corpus(sentences);
    }

    /** Sentences built from given token arrays (for tests and callers with their own tokenisation). */
    public static Corpus of(List<String[]> sentences) {
        return new Corpus(List.copyOf(sentences));
    }

    /** Lower-case word tokens of {@code text}. */
    public static String[] tokens(String text) {
        Matcher m = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group());
        }
        return out.toArray(String[]::new);
    }

    /**
     * The words of a WordNet data line: {@code offset lex_filenum ss_type w_cnt (word lex_id){w_cnt} ...};
     * w_cnt is two hex digits, words use '_' for spaces.
     */
    private static String synsetWords(String line) {
        String[] fields = line.split(" ");
        if (fields.length < 4) {
            return "";
        }
        int count = Integer.parseInt(fields[3], 16);
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < count && 4 + 2 * i < fields.length; i++) {
            words.append(fields[4 + 2 * i].replace('_', ' ')).append(' ');
        }
        return words.toString();
    }

    private static String gloss(String line) {
        int bar = line.indexOf(" | ");
        return bar < 0 ? "" : line.substring(bar + 3);
    }

    public List<String[]> sentences() {
        return sentences;
    }

    /** Tokens in all sentences. */
    public long tokenCount() {
        long n = 0;
        for (String[] s : sentences) {
            n += s.length;
        }
        return n;
    }
}
