package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CmuDict}: alternates folded into their word, the gzipped file found in a data root, the split. */
class CmuDictTest {
    private static final String TSV = "'bout\tB AW1 T\na\tAH0\na(2)\tEY1\na's\tEY1 Z\ncat\tK AE1 T\n";

    @TempDir
    Path tmp;

    private static CmuDict parse(String text) throws IOException {
        return CmuDict.parse(new BufferedReader(new StringReader(text)), "test");
    }

    @Test
    void alternatesFoldIntoTheirWordKeepingTheFirstPronunciation() throws IOException {
        CmuDict d = parse(TSV);
        assertEquals(List.of("'bout", "a", "a's", "cat"), d.words());
        assertEquals("AH0", d.pronunciations().get("a"));
        assertEquals("K AE1 T", d.pronunciations().get("cat"));
    }

    @Test
    void loadsTheGzippedFileFromADataRoot() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cmudict"));
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("cmudict.tsv.gz")))) {
            out.write(TSV.getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(4, CmuDict.load(tmp).words().size());
    }

    @Test
    void malformedLineNamesItsNumber() {
        IOException e = assertThrows(IOException.class, () -> parse("a\tAH0\nbroken line\n"));
        assertTrue(e.getMessage().contains("test:2"), e.getMessage());
    }

    @Test
    void splitIsDisjointCompleteAndRepeatable() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            sb.append("w").append(i).append("\tW ").append(i).append('\n');
        }
        CmuDict d = parse(sb.toString());
        CmuDict.Split s = d.split(0.05, 7);
        assertEquals(180, s.train().size());
        assertEquals(10, s.validation().size());
        assertEquals(10, s.test().size());
        Set<String> all = new HashSet<>(s.train());
        all.addAll(s.validation());
        all.addAll(s.test());
        assertEquals(new HashSet<>(d.words()), all);
        assertEquals(s, d.split(0.05, 7));
    }

    @Test
    void primaryStressSyllableCountsVowelsUpToTheOneMarkedOne() {
        assertEquals(1, CmuDict.primaryStressSyllable("K AE1 T"));
        assertEquals(2, CmuDict.primaryStressSyllable("AH0 B AW1 T"));
        assertEquals(3, CmuDict.primaryStressSyllable("IH2 N T ER0 N AE1 SH AH0 N AH0 L"));
        assertEquals(0, CmuDict.primaryStressSyllable("AH0"));
    }
}
