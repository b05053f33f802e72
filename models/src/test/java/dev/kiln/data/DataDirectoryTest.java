package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link DataDirectory} tells a user whose data set it cannot find. */
class DataDirectoryTest {
    @Test
    void aMissingDataSetIsReportedWithAbsolutePathsAndHowToPointKilnAtACopy() {
        Path relative = Path.of("no-such-kiln-data-root");
        DataDirectory.DataMissingException e = assertThrows(DataDirectory.DataMissingException.class,
                () -> DataDirectory.find(relative, "mnist", List.of("train-images-idx3-ubyte")));
        assertTrue(e.getMessage().contains("in [" + relative.toAbsolutePath().resolve("mnist") + "]"),
                "says where it looked, from any working directory: " + e.getMessage());
        assertTrue(e.getMessage().endsWith("If you have it elsewhere, pass --data-dir DIR or set KILN_DATA=DIR, DIR the"
                + " folder that holds mnist/"), e.getMessage());
    }
}
