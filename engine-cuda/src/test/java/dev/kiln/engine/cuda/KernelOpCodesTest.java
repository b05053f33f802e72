package dev.kiln.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.BinaryOp;
import dev.kiln.engine.UnaryOp;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The kernels take an op as the ordinal of its Java enum ({@code launcher.int32(op.ordinal())}): the C enums the
 * kernel sources switch over list the same names in the same order, or a kernel silently computes another op.
 */
class KernelOpCodesTest {

    @Test
    void unaryCodesAreTheOrdinalsOfUnaryOp() {
        assertEquals(names(UnaryOp.values()), codes(KernelSource.HEADER, "UnaryCode"));
    }

    @Test
    void binaryCodesAreTheOrdinalsOfBinaryOp() {
        assertEquals(names(BinaryOp.values()), codes(KernelSource.ELEMENTWISE.file(), "BinaryCode"));
    }

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }

    /** The names of {@code enum name { ... }} in the kernel source {@code file}, in order. */
    private static List<String> codes(String file, String name) {
        Matcher m = Pattern.compile("enum\\s+" + name + "\\s*\\{([^}]*)\\}").matcher(KernelSource.read(file));
        assertTrue(m.find(), "no enum " + name + " in " + file);
        return Arrays.stream(m.group(1).split(",")).map(String::strip).toList();
    }
}
