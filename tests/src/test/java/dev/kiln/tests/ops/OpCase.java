package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * One case of {@code ops/op_semantics_cases.json} (written by {@code models/src/test/pytorch/op_semantics_cases.py}):
 * an op of Kiln's Tensor API by the generator's name, its inputs and arguments, and what PyTorch 1.13 gave, its
 * outputs' dtypes, shapes and values, or that it raised. Where Kiln deliberately differs, the case holds Kiln's
 * expectation ({@code kiln}) and the docs/PYTORCH.md line that says so ({@code doc}).
 *
 * @param id     the family and number, e.g. {@code reduce-017}
 * @param op     the op, as {@link OpSemanticsOps#apply} names it
 * @param json   the whole case
 */
record OpCase(String id, String op, JsonObject json) {
    private static final String RESOURCE = "/ops/op_semantics_cases.json";
    /** What Kiln throws for bad arguments: a clear refusal, not an accident of the implementation. */
    private static final Set<Class<? extends RuntimeException>> CLEAR_REFUSALS = Set.of(
            IllegalArgumentException.class, IllegalStateException.class, ArithmeticException.class,
            UnsupportedOperationException.class);

    /** The cases of one family, in the file's order. */
    static List<OpCase> family(String family) {
        List<OpCase> cases = new ArrayList<>();
        for (JsonElement e : all()) {
            JsonObject c = e.getAsJsonObject();
            if (c.get("family").getAsString().equals(family)) {
                cases.add(new OpCase(c.get("id").getAsString(), c.get("op").getAsString(), c));
            }
        }
        return cases;
    }

    private static JsonArray all() {
        try (Reader r = new InputStreamReader(OpCase.class.getResourceAsStream(RESOURCE), StandardCharsets.UTF_8)) {
            JsonReader reader = new JsonReader(r);
            reader.setLenient(true); // Python's json writes NaN, Infinity and -Infinity
            return JsonParser.parseReader(reader).getAsJsonArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonObject args() {
        return json.getAsJsonObject("args");
    }

    /** The inputs as tensors on {@code backend}; PyTorch's bool masks as I32 0/1 (Kiln has no bool dtype). */
    List<Tensor> inputs(Backend backend) {
        List<Tensor> inputs = new ArrayList<>();
        for (JsonElement e : json.getAsJsonArray("in")) {
            inputs.add(tensor(e.getAsJsonObject()).to(backend));
        }
        return inputs;
    }

    /**
     * Runs the op on Kiln and asserts Kiln's expectation: the outputs' dtypes, shapes and values (within the case's
     * ulps of each expected value; NaN matches NaN, and 0.0 and -0.0 differ where the tolerance is 0), or a clear
     * exception where PyTorch raises.
     */
    void check(Backend backend, BiFunction<OpCase, List<Tensor>, List<Tensor>> kiln) {
        JsonObject expected = json.has("kiln") ? json.getAsJsonObject("kiln") : json;
        String what = this + (json.has("doc") ? " (Kiln's documented difference: " + json.get("doc").getAsString()
                + ")" : "");
        if (expected.has("raises")) {
            assertRefuses(what, () -> kiln.apply(this, inputs(backend)));
            return;
        }
        List<Tensor> actual;
        try {
            actual = kiln.apply(this, inputs(backend));
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": Kiln threw where PyTorch gives a result", e);
        }
        JsonArray outputs = expected.getAsJsonArray("out");
        assertEquals(outputs.size(), actual.size(), what + ": the number of outputs");
        for (int k = 0; k < outputs.size(); k++) {
            assertOutput(what + ", output " + k, outputs.get(k).getAsJsonObject(), actual.get(k));
        }
    }

    private static void assertRefuses(String what, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            assertTrue(CLEAR_REFUSALS.contains(e.getClass()),
                    () -> what + ": PyTorch raises; Kiln threw " + e.getClass().getName() + ": " + e.getMessage());
            assertNotNull(e.getMessage(), what + ": the refusal says nothing");
            assertTrue(!e.getMessage().isBlank(), what + ": the refusal says nothing");
            return;
        }
        fail(what + ": PyTorch raises; Kiln gave a result");
    }

    private void assertOutput(String what, JsonObject expected, Tensor actual) {
        assertEquals(expected.get("dtype").getAsString(), actual.dtype().name(), what + ": dtype");
        assertEquals(Arrays.toString(ints(expected.getAsJsonArray("shape"))), Arrays.toString(actual.shape().dims()),
                what + ": shape");
        JsonArray data = expected.getAsJsonArray("data");
        if (actual.dtype().isFloating()) {
            assertFloats(what, data, actual.toDoubleArray(), actual.dtype());
        } else {
            long[] values = actual.toLongArray();
            for (int i = 0; i < values.length; i++) {
                assertEquals(data.get(i).getAsLong(), values[i], what + ": element " + i);
            }
        }
    }

    /**
     * Each value as expected: the same double, or within the case's {@code ulps} of it, or within its own absolute
     * {@code tol} (where a sum cancels, the last bit of a larger operand).
     */
    private void assertFloats(String what, JsonArray data, double[] values, DType dtype) {
        int ulps = json.has("ulps") ? json.get("ulps").getAsInt() : 0;
        JsonArray tol = json.has("tol") ? json.getAsJsonArray("tol") : null;
        for (int i = 0; i < values.length; i++) {
            double e = data.get(i).getAsDouble();
            double ulp = dtype == DType.F32 ? Math.ulp((float) e) : Math.ulp(e);
            double within = tol != null ? tol.get(i).getAsDouble() : ulps * ulp;
            boolean same = Double.isNaN(e) ? Double.isNaN(values[i])
                    : within == 0 ? Double.doubleToLongBits(e) == Double.doubleToLongBits(values[i])
                    : e == values[i] || Math.abs(values[i] - e) <= within;
            if (!same) {
                fail(what + ": element " + i + " expected " + e + " but was " + values[i] + " (within " + within + ")");
            }
        }
    }

    /** The docs/PYTORCH.md fragment that documents Kiln's difference in this case, or null. */
    String documentedDifference() {
        if (!json.has("doc")) {
            return null;
        }
        String doc = json.get("doc").getAsString();
        return doc.substring(doc.indexOf(": ") + 2);
    }

    private static Tensor tensor(JsonObject t) {
        int[] dims = ints(t.getAsJsonArray("shape"));
        JsonArray data = t.getAsJsonArray("data");
        return switch (t.get("dtype").getAsString()) {
            case "F64" -> Tensor.fromArray(doubles(data), dims);
            case "F32" -> Tensor.fromArray(floats(data), dims);
            case "I64" -> Tensor.fromArray(longs(data), dims);
            case "I32", "BOOL" -> Tensor.fromArray(ints(data), dims);
            default -> throw new IllegalArgumentException("unknown dtype in " + t);
        };
    }

    static int[] ints(JsonArray a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsInt();
        }
        return v;
    }

    private static long[] longs(JsonArray a) {
        long[] v = new long[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsLong();
        }
        return v;
    }

    private static double[] doubles(JsonArray a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsDouble();
        }
        return v;
    }

    private static float[] floats(JsonArray a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) a.get(i).getAsDouble();
        }
        return v;
    }

    /** The case as a test's name: id, op, input shapes and arguments. */
    @Override
    public String toString() {
        List<String> shapes = new ArrayList<>();
        for (JsonElement e : json.getAsJsonArray("in")) {
            JsonObject t = e.getAsJsonObject();
            shapes.add(t.get("dtype").getAsString() + t.get("shape"));
        }
        return id + " " + op + " " + String.join(" ", shapes) + " " + args();
    }
}
