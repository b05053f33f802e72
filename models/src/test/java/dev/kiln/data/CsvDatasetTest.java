package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvDatasetTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private static float[] features(Dataset d, int index) {
        float[] out = new float[d.featureSize()];
        d.copyFeatures(index, out, 0);
        return out;
    }

    private static long[] labels(Dataset d) {
        long[] out = new long[d.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.label(i);
        }
        return out;
    }

    private static String loadError(Path file, CsvOptions options) {
        return assertThrows(IOException.class, () -> CsvDataset.load(file, options)).getMessage();
    }

    @Test
    void byDefaultTheFirstRowIsAHeaderAndTheFirstColumnTheLabel() throws IOException {
        CsvDataset d = CsvDataset.load(write("d.csv", "label,a,b\n1,0.5,2\n0,-3,4e2\n"));
        assertEquals(2, d.size());
        assertArrayEquals(new int[] {2}, d.featureShape());
        assertArrayEquals(new float[] {0.5f, 2}, features(d, 0));
        assertArrayEquals(new float[] {-3, 400}, features(d, 1));
        assertArrayEquals(new long[] {1, 0}, labels(d));
    }

    @Test
    void withoutAHeaderTheFirstRowIsAnExample() throws IOException {
        CsvDataset d = CsvDataset.load(write("d.csv", "1,0.5,2\n0,3,4\n"), CsvOptions.defaults().header(false));
        assertEquals(2, d.size());
        assertArrayEquals(new float[] {0.5f, 2}, features(d, 0));
        assertArrayEquals(new long[] {1, 0}, labels(d));
    }

    @Test
    void labelColumnByHeaderNameLeavesTheOtherColumnsInOrder() throws IOException {
        CsvDataset d = CsvDataset.load(write("d.csv", "a,species,b\n1,2,3\n"),
                CsvOptions.defaults().labelColumn("species"));
        assertArrayEquals(new float[] {1, 3}, features(d, 0));
        assertArrayEquals(new long[] {2}, labels(d));
    }

    @Test
    void labelColumnByIndex() throws IOException {
        CsvDataset d = CsvDataset.load(write("d.csv", "a,b,c\n1,2,3\n"), CsvOptions.defaults().labelColumn(1));
        assertArrayEquals(new float[] {1, 3}, features(d, 0));
        assertArrayEquals(new long[] {2}, labels(d));
    }

    @Test
    void labelColumnMinusOneIsTheLastColumn() throws IOException {
        CsvDataset d = CsvDataset.load(write("d.csv", "5.1,3.5,setosa\n6.3,2.9,virginica\n"),
                CsvOptions.defaults().header(false).labelColumn(-1));
        assertArrayEquals(new float[] {5.1f, 3.5f}, features(d, 0));
        assertEquals(List.of("setosa", "virginica"), d.classNames());
    }

    @Test
    void textLabelsAreClassesInSortedOrder() throws IOException {
        CsvDataset d = CsvDataset.load(write("d.csv", "x,label\n1,virginica\n2,setosa\n3,versicolor\n4,setosa\n"),
                CsvOptions.defaults().labelColumn("label"));
        assertEquals(List.of("setosa", "versicolor", "virginica"), d.classNames());
        assertEquals(3, d.classes());
        assertArrayEquals(new long[] {2, 0, 1, 0}, labels(d));
    }

    @Test
    void integerLabelsAreTheirOwnClassesUpToTheLargest() throws IOException {
        CsvDataset d = CsvDataset.load(write("d.csv", "label,x\n3,0\n0,0\n7,0\n"));
        assertArrayEquals(new long[] {3, 0, 7}, labels(d));
        assertEquals(8, d.classes());
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7"), d.classNames());
    }

    @Test
    void oneLabelThatIsNotAnIntegerMakesEveryLabelASortedName() throws IOException {
        CsvDataset d = CsvDataset.load(write("d.csv", "label,x\n2,0\n10,0\n1.5,0\n"));
        assertEquals(List.of("1.5", "10", "2"), d.classNames());
        assertArrayEquals(new long[] {2, 1, 0}, labels(d));
    }

    @Test
    void quotedFieldsMayHoldDelimitersQuotesAndLineBreaks() throws IOException {
        CsvDataset d = CsvDataset.load(write("d.csv",
                "\"name, full\",\"x\"\n\"Smith, \"\"J\"\"\nJr.\",\"1.5\"\n"));
        assertEquals(List.of("Smith, \"J\"\nJr."), d.classNames());
        assertArrayEquals(new float[] {1.5f}, features(d, 0));
    }

    @Test
    void delimiterOption() throws IOException {
        CsvDataset d = CsvDataset.load(write("d.csv", "label;a;b\n1;0,5;2\n"),
                CsvOptions.defaults().delimiter(';').labelColumn(1));
        assertEquals(List.of("0,5"), d.classNames());
        assertArrayEquals(new float[] {1, 2}, features(d, 0));
    }

    @Test
    void gzippedFilesAreReadWhenTheNameEndsInGz() throws IOException {
        Path file = dir.resolve("d.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("label,a\n4,0.25\n".getBytes(StandardCharsets.UTF_8));
        }
        CsvDataset d = CsvDataset.load(file);
        assertArrayEquals(new float[] {0.25f}, features(d, 0));
        assertArrayEquals(new long[] {4}, labels(d));
    }

    @Test
    void featureShapeShapesEachRow() throws IOException {
        CsvDataset d = CsvDataset.load(write("d.csv", "label,p0,p1,p2,p3,p4,p5\n1,0,1,2,3,4,5\n"),
                CsvOptions.defaults().featureShape(1, 2, 3));
        assertArrayEquals(new int[] {1, 2, 3}, d.featureShape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, features(d, 0));
    }

    @Test
    void scaleOneOver255GivesGreyLevelsOver255ExactlyAsFloats() throws IOException {
        StringBuilder csv = new StringBuilder("label");
        for (int level = 0; level < 256; level++) {
            csv.append(",p").append(level);
        }
        csv.append("\n0");
        for (int level = 0; level < 256; level++) {
            csv.append(',').append(level);
        }
        CsvDataset d = CsvDataset.load(write("d.csv", csv + "\n"), CsvOptions.defaults().scale(1 / 255.0));
        float[] expected = new float[256];
        for (int level = 0; level < 256; level++) {
            expected[level] = level / 255f;
        }
        assertArrayEquals(expected, features(d, 0));
    }

    @Test
    void aLeadingByteOrderMarkAndBlankLinesAreSkipped() throws IOException {
        CsvDataset d = CsvDataset.load(write("d.csv", "\uFEFFlabel,a\n\n1,2\n\n0,3\n\n"),
                CsvOptions.defaults().labelColumn("label"));
        assertArrayEquals(new long[] {1, 0}, labels(d));
    }

    @Test
    void aNonNumericFeatureNamesFileLineColumnAndValue() throws IOException {
        Path file = write("d.csv", "label,a,b\n1,2,3\n0,4,abc\n");
        assertEquals("CsvDataset: " + file + " line 3, column 'b' (index 2): feature 'abc' is not a finite number",
                loadError(file, CsvOptions.defaults()));
    }

    @Test
    void aNonNumericFeatureWithoutHeaderNamesTheColumnIndex() throws IOException {
        Path file = write("d.csv", "1,2\n0,x\n");
        assertEquals("CsvDataset: " + file + " line 2, column index 1: feature 'x' is not a finite number",
                loadError(file, CsvOptions.defaults().header(false)));
    }

    @Test
    void aNaNFeatureIsRefused() throws IOException {
        Path file = write("d.csv", "label,a\n1,NaN\n");
        assertEquals("CsvDataset: " + file + " line 2, column 'a' (index 1): feature 'NaN' is not a finite number",
                loadError(file, CsvOptions.defaults()));
    }

    @Test
    void aFeatureBeyondFloatRangeIsRefused() throws IOException {
        Path file = write("d.csv", "label,a\n1,1e39\n");
        assertEquals("CsvDataset: " + file + " line 2, column 'a' (index 1): feature '1e39' scaled by 1.0 is outside"
                + " the float range (3.4028235E38)", loadError(file, CsvOptions.defaults()));
    }

    @Test
    void aRowOfAnotherNumberOfFieldsThanTheHeaderIsRefused() throws IOException {
        Path file = write("d.csv", "label,a,b\n1,2,3\n0,4\n");
        assertEquals("CsvDataset: " + file + " line 3 has 2 fields but the header (line 1) has 3",
                loadError(file, CsvOptions.defaults()));
    }

    @Test
    void aRowOfAnotherNumberOfFieldsThanTheFirstRowIsRefusedWithoutHeader() throws IOException {
        Path file = write("d.csv", "1,2\n0,4,5\n");
        assertEquals("CsvDataset: " + file + " line 2 has 3 fields but the first row (line 1) has 2",
                loadError(file, CsvOptions.defaults().header(false)));
    }

    @Test
    void errorLinesCountBlankLinesAndLineBreaksInsideQuotes() throws IOException {
        Path file = write("d.csv", "label,a\n\n\"one\ntwo\",1\n\n2,x\n");
        assertEquals("CsvDataset: " + file + " line 6, column 'a' (index 1): feature 'x' is not a finite number",
                loadError(file, CsvOptions.defaults()));
    }

    @Test
    void anUnknownLabelColumnNameIsRefusedShowingTheHeader() throws IOException {
        Path file = write("d.csv", "label,a,b\n1,2,3\n");
        assertEquals("CsvDataset: " + file + ": no column 'species' in the header (line 1): [label, a, b]",
                loadError(file, CsvOptions.defaults().labelColumn("species")));
    }

    @Test
    void anUnknownLabelColumnNameShowsOnlyTheStartOfALongHeader() throws IOException {
        Path file = write("d.csv", "c0,c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11\n0,0,0,0,0,0,0,0,0,0,0,0\n");
        assertEquals("CsvDataset: " + file + ": no column 'label' in the header (line 1):"
                + " [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, ... (12 columns)]",
                loadError(file, CsvOptions.defaults().labelColumn("label")));
    }

    @Test
    void aLabelColumnNameTwiceInTheHeaderIsRefused() throws IOException {
        Path file = write("d.csv", "y,a,y\n1,2,3\n");
        assertEquals("CsvDataset: " + file + ": column 'y' appears more than once in the header (line 1), at indices"
                + " 0 and 2", loadError(file, CsvOptions.defaults().labelColumn("y")));
    }

    @Test
    void aLabelColumnIndexOutsideTheColumnsIsRefused() throws IOException {
        Path file = write("d.csv", "label,a,b\n1,2,3\n");
        assertEquals("CsvDataset: " + file + ": label column index -4 is outside the 3 columns of line 1 (0..2, or"
                + " -3..-1 from the end)", loadError(file, CsvOptions.defaults().labelColumn(-4)));
    }

    @Test
    void aLabelColumnNameWithoutHeaderIsRefused() throws IOException {
        Path file = write("d.csv", "1,2\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CsvDataset.load(file, CsvOptions.defaults().header(false).labelColumn("label")));
        assertEquals("CsvDataset: label column 'label' is a header name, but the options say " + file + " has no"
                + " header row; give the column's index instead", e.getMessage());
    }

    @Test
    void aFeatureShapeOfAnotherSizeThanTheFeatureColumnsIsRefused() throws IOException {
        Path file = write("d.csv", "label,a,b,c\n1,2,3,4\n");
        assertEquals("CsvDataset: " + file + ": feature shape [2, 2] holds 4 values but the file has 3 feature"
                + " columns (4 columns less the label)", loadError(file, CsvOptions.defaults().featureShape(2, 2)));
    }

    @Test
    void anEmptyFileIsRefused() throws IOException {
        Path file = write("d.csv", "");
        assertEquals("CsvDataset: " + file + " is empty: no header, no rows", loadError(file, CsvOptions.defaults()));
    }

    @Test
    void aHeaderWithoutRowsIsRefused() throws IOException {
        Path file = write("d.csv", "label,a\n");
        assertEquals("CsvDataset: " + file + " has a header (line 1) but no rows",
                loadError(file, CsvOptions.defaults()));
    }

    @Test
    void aFileOfOnlyTheLabelColumnIsRefused() throws IOException {
        Path file = write("d.csv", "label\n1\n");
        assertEquals("CsvDataset: " + file + " has only the label column, no feature column",
                loadError(file, CsvOptions.defaults()));
    }

    @Test
    void anEmptyLabelIsRefused() throws IOException {
        Path file = write("d.csv", "label,a\n1,2\n ,3\n");
        assertEquals("CsvDataset: " + file + " line 3, column 'label' (index 0): the label is empty",
                loadError(file, CsvOptions.defaults()));
    }

    @Test
    void anIntegerLabelMakingMoreThanAMillionClassesIsRefusedInsteadOfNamingThemAll() throws IOException {
        Path file = write("d.csv", "label,a\n2000000000,2\n");
        assertEquals("CsvDataset: " + file + ": integer label 2000000000 is too large; integer labels are class"
                + " numbers, and the classes would be 0..2000000000, more than 1048576", loadError(file,
                CsvOptions.defaults()));
        Path atTheLimit = write("e.csv", "label,a\n1048576,2\n");
        assertTrue(loadError(atTheLimit, CsvOptions.defaults()).contains("integer label 1048576 is too large"));
    }

    @Test
    void aQuoteLeftOpenIsRefusedNamingTheFile() throws IOException {
        Path file = write("d.csv", "label,a\n1,\"2\n");
        String message = loadError(file, CsvOptions.defaults());
        assertTrue(message.startsWith("CsvDataset: " + file + ": ") && message.contains("EOF"), message);
    }

    @Test
    void optionsRefuseAQuoteDelimiterAZeroDimensionAndAnInfiniteScale() {
        CsvOptions options = CsvOptions.defaults();
        assertEquals("CsvOptions: the delimiter cannot be a quote or a line break, got '\"'",
                assertThrows(IllegalArgumentException.class, () -> options.delimiter('"')).getMessage());
        assertEquals("CsvOptions: feature shape dimensions must be at least 1, got [1, 0]",
                assertThrows(IllegalArgumentException.class, () -> options.featureShape(1, 0)).getMessage());
        assertEquals("CsvOptions: scale must be a finite number, got Infinity",
                assertThrows(IllegalArgumentException.class, () -> options.scale(1 / 0.0)).getMessage());
    }
}
