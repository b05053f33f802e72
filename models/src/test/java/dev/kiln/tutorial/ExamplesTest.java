package dev.kiln.tutorial;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps every file under examples/ compiling against the current API, and runs the quick ones that need no data
 * (Tensors, Autodiff), checking their deterministic lines against what PyTorch 1.13's tutorials print
 * ({@code models/src/test/pytorch/beginner_examples.py}). Quickstart and DataLoading read Fashion-MNIST: their runs
 * are QuickstartExampleTest's and the example's own.
 */
class ExamplesTest {
    @TempDir
    static Path classes;

    @BeforeAll
    static void compileEveryExample() throws Exception {
        List<Path> sources;
        try (Stream<Path> files = Files.list(ExampleSources.directory())) {
            sources = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertFalse(sources.isEmpty(), "no examples under " + ExampleSources.directory().toAbsolutePath());
        ExampleSources.compile(sources, classes);
    }

    @Test
    void everyExampleCompiles() throws Exception {
        try (Stream<Path> files = Files.list(ExampleSources.directory())) {
            for (Path source : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String name = source.getFileName().toString().replace(".java", ".class");
                assertTrue(Files.isRegularFile(classes.resolve(name)), source + " gave no " + name);
            }
        }
    }

    @Test
    void tensorsPrintsTheTutorialsTensors() throws Exception {
        String out = ExampleSources.runMain(classes, "Tensors");
        assertTrue(out.contains("Ones Tensor: \n tensor([[1, 1],\n        [1, 1]]) \n"), out);
        assertTrue(out.contains("First row: tensor([1., 1., 1., 1.])"), out);
        assertTrue(out.contains("tensor([[1., 0., 1., 1.],\n        [1., 0., 1., 1.],\n        [1., 0., 1., 1.],\n"
                + "        [1., 0., 1., 1.]])"), out);
        assertTrue(out.contains("t: tensor([1., 1., 1., 1., 1.])"), out);
    }

    @Test
    void autodiffPrintsTheTutorialsJacobianProduct() throws Exception {
        String out = ExampleSources.runMain(classes, "Autodiff");
        assertTrue(out.contains("First call\ntensor([[4., 2., 2., 2., 2.],\n        [2., 4., 2., 2., 2.],\n"
                + "        [2., 2., 4., 2., 2.],\n        [2., 2., 2., 4., 2.]])"), out);
    }
}
