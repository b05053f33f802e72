package dev.kiln.cli;

import dev.kiln.g2p.AttentionPlot;
import dev.kiln.g2p.G2pData;
import dev.kiln.g2p.G2pModels;
import dev.kiln.g2p.G2pTraining;
import dev.kiln.seq2seq.Hypothesis;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code kiln g2p WORD...}: phonemes for words from a model trained by {@code kiln train g2p}. */
final class G2pCommand {
    static final String HELP = """
            Usage: kiln g2p WORD... [options]   ARPAbet phonemes (with stress digits) for each word
              --checkpoint FILE    a g2p checkpoint (default: the newest run's, runs/g2p-additive-N
                                   with the highest N, else runs/g2p-additive)
              --beam K             beam width (default 5; 1 = greedy)
              --alpha A            length normalisation of beam scores (default 1)
              --plot WORD          also write a heat map of the attention weights (letters against
                                   phonemes, greedy decoding) to --png
              --png FILE           where --plot writes (default attention-WORD.png)
            Words are lower-cased; letters a-z only. The last line is one JSON object.
            """;

    private G2pCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        List<String> optionArgs = new ArrayList<>();
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--") && i + 1 < args.length) {
                optionArgs.add(args[i]);
                optionArgs.add(args[++i]);
            } else if (args[i].startsWith("--")) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            } else {
                words.add(word(args[i]));
            }
        }
        Options o = Options.parse(optionArgs.toArray(new String[0]));
        String checkpointOption = o.get("checkpoint", null);
        Path checkpoint = checkpointOption != null ? Path.of(checkpointOption)
                : RunDirectory.newest(Path.of("runs", "g2p-additive"), G2pTrainCommand.CHECKPOINT);
        int beam = o.getPositiveInt("beam", 5);
        double alpha = o.getDouble("alpha", 1);
        String plot = o.get("plot", null);
        String png = o.get("png", null);
        o.rejectUnknown();
        if (plot != null) {
            plot = word(plot);
        }
        if (words.isEmpty() && plot == null) {
            throw new IllegalArgumentException("name at least one WORD, or --plot WORD");
        }
        if (beam < 1) {
            throw new IllegalArgumentException("--beam must be at least 1, got " + beam);
        }
        if (!java.nio.file.Files.exists(checkpoint)) {
            throw new IllegalArgumentException("no checkpoint at " + checkpoint + "; train one with: kiln train g2p --out "
                    + (checkpoint.getParent() == null ? "." : checkpoint.getParent()));
        }
        if (checkpointOption == null) {
            out.println("checkpoint: " + checkpoint + " (the newest run's; --checkpoint FILE names another)");
        }
        Map<String, Object> result = new LinkedHashMap<>();
        try (G2pModels.Loaded loaded = G2pModels.load(checkpoint)) {
            if (!words.isEmpty()) {
                List<Hypothesis> decoded = G2pTraining.predict(loaded.model(), loaded.letters(), words, beam, alpha, 256, null);
                for (int i = 0; i < words.size(); i++) {
                    String phonemes = String.join(" ", loaded.phonemes().decode(decoded.get(i).tokens()));
                    out.printf(Locale.ROOT, "%s\t%s%n", words.get(i), phonemes);
                    result.put(words.get(i), phonemes);
                }
            }
            if (plot != null) {
                Hypothesis h = G2pTraining.predict(loaded.model(), loaded.letters(), List.of(plot), 1, alpha, 1, null).get(0);
                if (h.attention() == null) {
                    throw new IllegalArgumentException("the " + loaded.spec().kind() + " model of " + checkpoint
                            + " has no attention weights to plot");
                }
                List<String> rows = new ArrayList<>(loaded.phonemes().decode(h.tokens()));
                if (h.finished()) {
                    rows.add("</s>");
                }
                Path file = Path.of(png != null ? png : "attention-" + plot + ".png");
                AttentionPlot.write(file, "attention of '" + plot + "' (" + loaded.spec().kind() + ")", plot, rows, h.attention());
                out.printf(Locale.ROOT, "attention map of '%s' -> %s written to %s%n", plot, String.join(" ", rows), file);
                result.put("plot", file.toString());
            }
        }
        out.println(dev.kiln.train.Json.line(result));
        return 0;
    }

    private static String word(String raw) {
        String w = raw.toLowerCase(Locale.ROOT);
        if (w.isEmpty() || w.length() > G2pData.MAX_LETTERS || !w.chars().allMatch(c -> c >= 'a' && c <= 'z')) {
            throw new IllegalArgumentException("'" + raw + "' is not a word of 1 to " + G2pData.MAX_LETTERS + " letters a-z");
        }
        return w;
    }
}
