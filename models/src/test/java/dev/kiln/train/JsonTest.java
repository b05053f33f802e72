package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
    @TempDir
    Path dir;

    private static Map<String, Object> sample() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("zeta", 1);
        m.put("alpha", 0.5);
        m.put("big", 12345678901L);
        m.put("f", 0.1f);
        m.put("name", "mlp <\"x\">");
        m.put("ok", true);
        m.put("nothing", null);
        m.put("nan", Double.NaN);
        m.put("list", List.of(1, 2.5));
        m.put("arr", new int[] {3, 4});
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("b", 2);
        inner.put("a", 1);
        m.put("inner", inner);
        return m;
    }

    @Test
    void lineKeepsOrderAndNumbersAsGiven() {
        assertEquals("{\"zeta\":1,\"alpha\":0.5,\"big\":12345678901,\"f\":0.1,\"name\":\"mlp <\\\"x\\\">\",\"ok\":true,"
                + "\"nothing\":null,\"nan\":null,\"list\":[1,2.5],\"arr\":[3,4],\"inner\":{\"b\":2,\"a\":1}}", Json.line(sample()));
        assertFalse(Json.line(sample()).contains("\n"));
    }

    @Test
    void parseGivesBackWhatLineWroteEachDoubleExactlyAndNaNAsNull() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("third", 1.0 / 3);
        m.put("tiny", 1.2345678901234567e-300);
        m.put("epoch", 2);
        m.put("nan", Double.NaN);
        Map<String, Object> parsed = Json.parse(Json.line(m));
        assertEquals(1.0 / 3, parsed.get("third"));
        assertEquals(1.2345678901234567e-300, parsed.get("tiny"));
        assertEquals(2L, parsed.get("epoch"));
        assertNull(parsed.get("nan"));
        assertEquals(List.of("third", "tiny", "epoch", "nan"), List.copyOf(parsed.keySet()));
    }

    @Test
    void parseOfTextThatIsNoObjectIsRefusedSayingSo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2]"));
        assertTrue(e.getMessage().startsWith("not a JSON object: "), e.getMessage());
        assertEquals("empty JSON text", assertThrows(IllegalArgumentException.class, () -> Json.parse(" ")).getMessage());
    }

    /** A value Json hands to Gson's default mapping, by its fields. */
    private record Figures(double loss, float accuracy, double top5, List<Double> perEpoch) {
    }

    @Test
    void nanAndInfinitiesInARecordAreWrittenAsNullAsInAMap() throws Exception {
        Map<String, Object> m = Map.of("figures", new Figures(Double.NaN, Float.POSITIVE_INFINITY, 0.5,
                List.of(1.5, Double.NEGATIVE_INFINITY)));
        String expected = "{\"figures\":{\"loss\":null,\"accuracy\":null,\"top5\":0.5,\"perEpoch\":[1.5,null]}}";
        assertEquals(expected, Json.line(m));
        Path f = dir.resolve("figures.json");
        Json.write(f, m);
        assertEquals(Json.tree(m), JsonParser.parseString(Files.readString(f)));
    }

    @Test
    void writeIsAtomicAndReadsBack() throws Exception {
        Path f = dir.resolve("out/metrics.json");
        Json.write(f, sample());
        String text = Files.readString(f);
        assertEquals('\n', text.charAt(text.length() - 1));
        Map<String, Object> back = Json.read(f);
        assertEquals(List.of("zeta", "alpha", "big", "f", "name", "ok", "nothing", "nan", "list", "arr", "inner"),
                List.copyOf(back.keySet()));
        assertEquals(1L, back.get("zeta"));
        assertEquals(0.5, back.get("alpha"));
        assertEquals(12345678901L, back.get("big"));
        Json.write(f, Map.of("a", 1));
        assertEquals(Map.of("a", 1L), Json.read(f));
        try (Stream<Path> files = Files.list(f.getParent())) {
            assertEquals(List.of(f), files.toList());
        }
    }
}
