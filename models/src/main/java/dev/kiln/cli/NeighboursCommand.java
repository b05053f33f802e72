package dev.kiln.cli;

import dev.kiln.text.WordVectors;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/** {@code kiln neighbours WORD...}: cosine nearest neighbours from vectors written by {@code kiln word2vec}. */
final class NeighboursCommand {
    static final String HELP = """
            Usage: kiln neighbours WORD... [--vectors DIR] [--k N]
              Prints the N (default 5) nearest words of each WORD by cosine similarity.
              --vectors DIR   output directory of kiln word2vec (default: the newest run's,
                              runs/word2vec-N with the highest N, else runs/word2vec)
              --k N           neighbours per word (default 5)
            """;

    private NeighboursCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        int firstOption = 0;
        while (firstOption < args.length && !args[firstOption].startsWith("--")) {
            firstOption++;
        }
        if (firstOption == 0) {
            throw new IllegalArgumentException("name at least one word: kiln neighbours WORD...");
        }
        for (int i = 0; i < firstOption; i++) {
            // Words never start with a dash (Corpus.tokens keeps inner hyphens only): this is a mistyped option.
            if (args[i].startsWith("-")) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; the options are --vectors DIR and --k N");
            }
        }
        Options o = Options.parse(java.util.Arrays.copyOfRange(args, firstOption, args.length));
        String vectorsOption = o.get("vectors", null);
        int k = o.getPositiveInt("k", 5);
        o.rejectUnknown();
        Path dir = vectorsOption != null ? Path.of(vectorsOption)
                : RunDirectory.newest(Path.of("runs", "word2vec"), WordVectors.VECTORS_FILE).getParent();
        if (vectorsOption == null) {
            out.println("vectors: " + dir + " (the newest run's; --vectors DIR names another)");
        }
        WordVectors vectors = WordVectors.load(dir);
        for (int i = 0; i < firstOption; i++) {
            String word = args[i].toLowerCase(Locale.ROOT);
            StringBuilder line = new StringBuilder(word).append(':');
            for (WordVectors.Neighbour n : vectors.nearest(word, k)) {
                line.append(String.format(Locale.ROOT, " %s (%.3f)", n.word(), n.cosine()));
            }
            out.println(line);
        }
        return 0;
    }
}
