package dev.kiln.cli;

import dev.kiln.data.CharVocabulary;
import dev.kiln.data.CmuDict;
import dev.kiln.data.DataDirectory;
import dev.kiln.io.SafeTensors;
import dev.kiln.train.Json;
import dev.kiln.zoo.CharLanguageModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code kiln sample}: words drawn from a character language model written by {@code kiln lm}. */
final class SampleCommand {
    static final String HELP = """
            Usage: kiln sample --checkpoint FILE [options]     words from a kiln lm checkpoint
              --checkpoint FILE    charlm.safetensors written by kiln lm
              --count N            words to draw (default 20)
              --temperature T      below 1: likelier characters, above 1: more varied (default 1)
              --max-length L       stop a word after L characters (default 30)
              --seed S             random seed (default 1)
              --data-dir DIR       where CMUdict is, to mark words it does not hold as new (optional)
            Prints one word per line, "(new)" after those not in CMUdict; the last line is one JSON object.
            """;

    private SampleCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args);
        String file = o.get("checkpoint", null);
        int count = o.getPositiveInt("count", 20);
        double temperature = o.getDouble("temperature", 1);
        int maxLength = o.getPositiveInt("max-length", 30);
        long seed = o.getInt("seed", 1);
        Path dataDir = DataOptions.dataDir(o);
        o.rejectUnknown();
        if (file == null) {
            throw new IllegalArgumentException("--checkpoint is required: the charlm.safetensors of a kiln lm run");
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("--temperature must be > 0, got " + temperature);
        }
        List<String> words;
        try (SafeTensors.Loaded loaded = SafeTensors.read(Path.of(file))) {
            Map<String, String> m = loaded.metadata();
            if (!"charlm".equals(m.get("model"))) {
                throw new IllegalArgumentException(file + " is not a kiln lm checkpoint (model " + m.get("model") + ")");
            }
            try (CharLanguageModel model = new CharLanguageModel(new CharVocabulary(m.get("vocabulary")),
                    Integer.parseInt(m.get("embedding")), Integer.parseInt(m.get("hidden")),
                    Integer.parseInt(m.get("layers")), Double.parseDouble(m.get("dropout")))) {
                model.loadStateDict(loaded.tensors(), true);
                words = model.sample(count, temperature, maxLength, seed);
            }
        }
        Set<String> known = dictionary(dataDir);
        int fresh = 0;
        for (String w : words) {
            boolean isNew = known != null && !known.contains(w);
            fresh += isNew ? 1 : 0;
            out.println(isNew ? w + "  (new)" : w);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("samples", words);
        if (known != null) {
            summary.put("new", fresh);
        }
        out.println(Json.line(summary));
        return 0;
    }

    /** CMUdict's words, or null when it is not found (the words are then printed unmarked). */
    private static Set<String> dictionary(Path dataDir) throws java.io.IOException {
        try {
            return new HashSet<>(CmuDict.load(dataDir).words());
        } catch (DataDirectory.DataMissingException e) {
            return null;
        }
    }
}
