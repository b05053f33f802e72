package dev.kiln.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The ONNX files among the test resources, for the tests of any package. */
public final class OnnxTestFiles {
    private OnnxTestFiles() {
    }

    /**
     * The test resource {@code /onnx/FILE} as a file: a copy, so that it also loads where the tests run from a jar (the
     * GPU bundle), where a resource has no path of its own.
     */
    public static Path resource(String file) {
        String resource = "/onnx/" + file;
        try (InputStream in = OnnxTestFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + resource);
            }
            Path copy = Files.createTempFile("kiln-", "-" + file);
            copy.toFile().deleteOnExit();
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
