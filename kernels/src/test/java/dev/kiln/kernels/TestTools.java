package dev.kiln.kernels;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** What the kernel checks take from the machine and from this module: a compiler, and the files to give it. */
final class TestTools {
    private TestTools() {
    }

    /**
     * The executable {@code name} from the first directory of the PATH, then of {@code moreDirs}, that holds one;
     * otherwise the calling test class is skipped, saying (also on standard output, where a skip is easy to miss)
     * that {@code test} needs it.
     */
    static Path requireExecutable(String test, String name, String... moreDirs) {
        List<String> extra = Stream.of(moreDirs).filter(d -> !d.isEmpty()).toList();
        Optional<Path> found = Stream.concat(
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)), extra.stream())
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
        String where = extra.isEmpty() ? "on the PATH" : "on the PATH or in " + String.join(", ", extra);
        if (found.isEmpty()) {
            System.out.println(test + " skipped: " + name + " is not " + where);
        }
        Assumptions.assumeTrue(found.isPresent(), name + " is not " + where);
        return found.get();
    }

    /** The files of {@code dir} whose names end with {@code suffix}, sorted; there must be some. */
    static Stream<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
            assertFalse(found.isEmpty(), "no *" + suffix + " under " + dir.toAbsolutePath());
            return found.stream();
        }
    }
}
