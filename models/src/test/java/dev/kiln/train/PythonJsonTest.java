package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PythonJsonTest {
    /**
     * What Python 3's {@code json.dumps(value, sort_keys=True)} printed for the same value: keys sorted, ASCII escapes
     * (a character past U+FFFF as its two surrogates), float repr, NaN and the infinities by name.
     */
    @Test
    void writesWhatPythonsJsonDumpsWritesWithSortedKeys() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("b", Arrays.asList(1, 2.5, 1e-05, 1e16, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, null, true, false));
        value.put("a", "tab\t nl\n q\" bs\\ del\u007f \u00e9 \uD83D\uDE00");
        value.put("c", Map.of("z", 0.1, "y", -0.0));
        assertEquals("{\"a\": \"tab\\t nl\\n q\\\" bs\\\\ del\\u007f \\u00e9 \\ud83d\\ude00\", \"b\": [1, 2.5, 1e-05,"
                + " 1e+16, NaN, Infinity, -Infinity, null, true, false], \"c\": {\"y\": -0.0, \"z\": 0.1}}",
                PythonJson.dumps(value));
    }

    @Test
    void refusesWhatJsonCannotHoldNamingIt() {
        assertEquals("JSON: object keys must be strings, got java.lang.Integer 1",
                assertThrows(IllegalArgumentException.class, () -> PythonJson.dumps(Map.of(1, "x"))).getMessage());
        assertEquals("JSON: cannot write a java.lang.Object (maps, lists, arrays, strings, numbers, booleans and null"
                + " only)", assertThrows(IllegalArgumentException.class,
                () -> PythonJson.dumps(Map.of("x", new Object()))).getMessage());
    }
}
