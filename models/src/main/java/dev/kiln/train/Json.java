package dev.kiln.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSerializer;
import com.google.gson.ToNumberPolicy;
import com.google.gson.reflect.TypeToken;
import dev.kiln.io.AtomicFiles;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Small JSON outputs of a run (summaries, metrics) with Gson. Keys keep the map's iteration order (pass a
 * {@link LinkedHashMap} for insertion order); numbers are written as given ({@code 3} stays {@code 3},
 * {@code 0.5} stays {@code 0.5}); NaN and infinities, which JSON cannot hold, become {@code null}, wherever they
 * are. Values may be numbers, strings, booleans, null, nested maps, iterables and arrays; anything else goes through
 * Gson's default mapping (records and plain objects by their fields).
 */
public final class Json {
    private static final Gson COMPACT = writer().create();
    private static final Gson PRETTY = writer().setPrettyPrinting().create();
    private static final Gson READER = new GsonBuilder().setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE).create();

    private Json() {
    }

    /**
     * Gson for writing: nulls kept, and NaN and infinities in the objects it maps by their fields written as null,
     * as {@link #tree} writes them elsewhere, where Gson alone would throw.
     */
    private static GsonBuilder writer() {
        JsonSerializer<Number> number = (n, type, context) -> number(n);
        return new GsonBuilder().disableHtmlEscaping().serializeNulls()
                .registerTypeAdapter(Double.class, number).registerTypeAdapter(double.class, number)
                .registerTypeAdapter(Float.class, number).registerTypeAdapter(float.class, number);
    }

    /** {@code values} as one line of JSON (no line break inside or at the end). */
    public static String line(Map<String, ?> values) {
        return COMPACT.toJson(tree(values));
    }

    /** Writes {@code values} to {@code file} as indented JSON with a final newline, atomically (temp file + rename). */
    public static void write(Path file, Map<String, ?> values) throws IOException {
        AtomicFiles.writeString(file, PRETTY.toJson(tree(values)) + "\n");
    }

    /** Reads a JSON object; integers come back as {@link Long}, other numbers as {@link Double}. */
    public static Map<String, Object> read(Path file) throws IOException {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A JSON object from {@code text}, as {@link #read} gives a file's (a null where {@link #line} wrote a NaN).
     *
     * @throws IllegalArgumentException when the text is empty or not a JSON object
     */
    public static Map<String, Object> parse(String text) {
        try {
            Map<String, Object> map = READER.fromJson(text, new TypeToken<LinkedHashMap<String, Object>>() { }.getType());
            if (map == null) {
                throw new IllegalArgumentException("empty JSON text");
            }
            return map;
        } catch (com.google.gson.JsonParseException e) {
            throw new IllegalArgumentException("not a JSON object: " + e.getMessage(), e);
        }
    }

    /** The JSON tree of one value. */
    static JsonElement tree(Object value) {
        if (value == null) {
            return JsonNull.INSTANCE;
        }
        if (value instanceof JsonElement e) {
            return e;
        }
        if (value instanceof Number n) {
            return number(n);
        }
        if (value instanceof String || value instanceof Character || value instanceof Enum<?> || value instanceof Path) {
            return new JsonPrimitive(value.toString());
        }
        if (value instanceof Boolean b) {
            return new JsonPrimitive(b);
        }
        if (value instanceof Map<?, ?> m) {
            JsonObject o = new JsonObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                o.add(String.valueOf(e.getKey()), tree(e.getValue()));
            }
            return o;
        }
        if (value instanceof Iterable<?> it) {
            JsonArray a = new JsonArray();
            for (Object v : it) {
                a.add(tree(v));
            }
            return a;
        }
        if (value.getClass().isArray()) {
            JsonArray a = new JsonArray();
            int n = Array.getLength(value);
            for (int i = 0; i < n; i++) {
                a.add(tree(Array.get(value, i)));
            }
            return a;
        }
        return COMPACT.toJsonTree(value);
    }

    /** {@code n} as written; null for a NaN or infinite double or float, which JSON cannot hold. */
    private static JsonElement number(Number n) {
        boolean nonFinite = n instanceof Double d && !Double.isFinite(d) || n instanceof Float f && !Float.isFinite(f);
        return nonFinite ? JsonNull.INSTANCE : new JsonPrimitive(n);
    }
}
