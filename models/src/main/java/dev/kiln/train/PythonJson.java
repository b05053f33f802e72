package dev.kiln.train;

import java.lang.reflect.Array;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A value as Python's {@code json.dumps(value, sort_keys=True)} writes it: separators {@code ", "} and {@code ": "},
 * keys sorted, every character outside printable ASCII escaped ({@code \u00e9}), floats as Python's {@code repr}
 * ({@code 0.75}, {@code 1e-05}, {@code NaN}, {@code Infinity}), whole numbers as integers, {@code true},
 * {@code false}, {@code null}. PyTorch's {@code add_mesh} writes its {@code config_dict} so.
 */
final class PythonJson {
    private PythonJson() {
    }

    /**
     * @param value a {@link Map} with {@link String} keys, an {@link Iterable} or array, a {@link String},
     *              {@link Boolean}, {@link Number} (a {@link Double} or {@link Float} is a Python float) or null
     * @throws IllegalArgumentException for any other value or key, naming its class
     */
    static String dumps(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof Double || value instanceof Float) {
            out.append(floating(((Number) value).doubleValue()));
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger) {
            out.append(value);
        } else if (value instanceof CharSequence s) {
            string(out, s.toString());
        } else if (value instanceof Map<?, ?> map) {
            object(out, map);
        } else if (value instanceof Iterable<?> items) {
            List<Object> list = new ArrayList<>();
            items.forEach(list::add);
            array(out, list);
        } else if (value.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                list.add(Array.get(value, i));
            }
            array(out, list);
        } else {
            throw new IllegalArgumentException("JSON: cannot write a " + value.getClass().getName()
                    + " (maps, lists, arrays, strings, numbers, booleans and null only)");
        }
    }

    /** Python's float repr, and the names its json module gives NaN and the infinities. */
    private static String floating(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        return PythonFloat.repr(v);
    }

    private static void object(StringBuilder out, Map<?, ?> map) {
        List<String> keys = new ArrayList<>();
        for (Object key : map.keySet()) {
            if (!(key instanceof String s)) {
                throw new IllegalArgumentException("JSON: object keys must be strings, got "
                        + (key == null ? "null" : key.getClass().getName() + " " + key));
            }
            keys.add(s);
        }
        // Python compares strings by code point, which UTF-16's order differs from past U+FFFF.
        keys.sort((a, b) -> Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray()));
        out.append('{');
        for (int i = 0; i < keys.size(); i++) {
            out.append(i == 0 ? "" : ", ");
            string(out, keys.get(i));
            out.append(": ");
            write(out, map.get(keys.get(i)));
        }
        out.append('}');
    }

    private static void array(StringBuilder out, List<Object> items) {
        out.append('[');
        for (int i = 0; i < items.size(); i++) {
            out.append(i == 0 ? "" : ", ");
            write(out, items.get(i));
        }
        out.append(']');
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append(c >= ' ' && c <= '~' ? String.valueOf(c) : String.format("\\u%04x", (int) c));
            }
        }
        out.append('"');
    }
}
