package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.nn.FakeQuantize;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** A safetensors file from the specification: u64 LE header length, the header, the data area. */
    private static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    private static byte[] floatsLe(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private Path save(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    @Test
    void readsAFileBuiltByteByByteFromTheSpecification() throws IOException {
        String header = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"h\u00e9\"},"
                + "\"weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"labels\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[16,32]}}    ";
        ByteBuffer data = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1.5f).putFloat(-2f).putFloat(0.25f).putFloat(1e-3f).putLong(7).putLong(-9_000_000_000L);
        Path f = save("spec.safetensors", file(header, data.array()));

        SafeTensors.Loaded loaded = SafeTensors.read(f);
        assertEquals(List.of("weight", "labels"), List.copyOf(loaded.tensors().keySet()));
        Tensor w = loaded.tensors().get("weight");
        assertEquals(DType.F32, w.dtype());
        assertArrayEquals(new int[] {2, 2}, w.shape().dims());
        assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 1e-3f}, w.toFloatArray());
        Tensor l = loaded.tensors().get("labels");
        assertEquals(DType.I64, l.dtype());
        assertArrayEquals(new long[] {7, -9_000_000_000L}, l.toLongArray());
        assertEquals(Map.of("format", "pt", "note", "h\u00e9"), loaded.metadata());
        assertEquals(Map.of("format", "pt", "note", "h\u00e9"), SafeTensors.readHeader(f).metadata());
    }

    @Test
    void writesExactlyTheBytesTheSpecificationDescribes() throws IOException {
        Path f = dir.resolve("tiny.safetensors");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a", Tensor.fromArray(new float[] {1f, -2.5f}, 2));
        tensors.put("n", Tensor.fromArray(new int[] {3}, 1));
        SafeTensors.write(f, tensors, Map.of("format", "pt"));

        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"n\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        StringBuilder padded = new StringBuilder(json);
        while (padded.length() % 8 != 0) {
            padded.append(' ');
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded.length()).array());
        expected.writeBytes(padded.toString().getBytes(StandardCharsets.US_ASCII));
        expected.writeBytes(new byte[] {0, 0, (byte) 0x80, 0x3f}); // 1.0f little-endian
        expected.writeBytes(new byte[] {0, 0, 0x20, (byte) 0xc0}); // -2.5f
        expected.writeBytes(new byte[] {3, 0, 0, 0});
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(f));
    }

    @Test
    void eachTensorsDataBeginAtAMultipleOfItsElementSize() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("odd_f32", Tensor.fromArray(new float[] {1, 2, 3}, 3));
        tensors.put("step", Tensor.fromArray(new long[] {7}, 1));
        tensors.put("one_i32", Tensor.fromArray(new int[] {4}, 1));
        tensors.put("f64", Tensor.fromArray(new double[] {0.5, -0.25}, 2));
        Path f = dir.resolve("aligned.safetensors");
        SafeTensors.write(f, tensors);

        SafeTensors.Header header = SafeTensors.readHeader(f);
        assertEquals(0, header.dataStart() % 8, "the data area starts at a multiple of 8");
        for (SafeTensors.TensorInfo info : header.tensors().values()) {
            assertEquals(0, info.begin() % info.dtype().bytes(), info.name() + " begins at " + info.begin());
        }
        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(header.tensors().keySet()), "the header keeps the map's order");
        SafeTensors.Loaded back = SafeTensors.read(f);
        assertArrayEquals(new long[] {7}, back.tensors().get("step").toLongArray());
        assertArrayEquals(new double[] {0.5, -0.25}, back.tensors().get("f64").toDoubleArray());
        assertArrayEquals(new float[] {1, 2, 3}, back.tensors().get("odd_f32").toFloatArray());
    }

    @Test
    void roundTripsAllFourDtypes() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("f32", Tensor.fromArray(new float[] {1, -2, 3.5f, Float.MIN_VALUE, Float.MAX_VALUE, -0f}, 2, 3));
        tensors.put("f64", Tensor.fromArray(new double[] {Math.PI, -1e300, 4.9e-324}, 3));
        tensors.put("i32", Tensor.fromArray(new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE, 5}, 2, 1, 2));
        tensors.put("i64", Tensor.fromArray(new long[] {Long.MIN_VALUE, Long.MAX_VALUE}, 2));
        tensors.put("scalar", Tensor.fromArray(new float[] {42}));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("epoch", "3");
        meta.put("quote\"and\\", "line\nbreak");
        Path f = dir.resolve("sub/dir/all.safetensors");
        SafeTensors.write(f, tensors, meta);

        SafeTensors.Loaded back = SafeTensors.read(f);
        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(back.tensors().keySet()));
        for (String name : tensors.keySet()) {
            Tensor a = tensors.get(name);
            Tensor b = back.tensors().get(name);
            assertEquals(a.dtype(), b.dtype(), name);
            assertArrayEquals(a.shape().dims(), b.shape().dims(), name);
            assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), name);
        }
        assertArrayEquals(tensors.get("i64").toLongArray(), back.tensors().get("i64").toLongArray());
        assertEquals(meta, back.metadata());
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header padded to a multiple of 8");

        SafeTensors.write(f, Map.of(), null);
        assertTrue(SafeTensors.read(f).tensors().isEmpty());
        assertTrue(SafeTensors.read(f).metadata().isEmpty());
    }

    @Test
    void roundTripsALargeTensorAcrossChunks() throws IOException {
        float[] values = new float[700_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f;
        }
        Path f = dir.resolve("big.safetensors");
        SafeTensors.write(f, Map.of("x", Tensor.fromArray(values, 700, 1000)));
        assertArrayEquals(values, SafeTensors.read(f).tensors().get("x").toFloatArray());
    }

    private void assertBad(String fileName, byte[] bytes, String expectedProblem) throws IOException {
        Path f = save(fileName, bytes);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f), expectedProblem);
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(expectedProblem), "says '" + expectedProblem + "': " + e.getMessage());
    }

    private static byte[] withLength(long n, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(n).put(rest).array();
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    @Test
    void anOnnxModelGivenForACheckpointIsRefusedSuggestingOnnx() throws IOException {
        // An ONNX ModelProto as torch.onnx.export writes it: ir_version 7 (field 1), producer_name "pytorch" (field 2).
        byte[] onnx = "\b\u0007\u0012\u0007pytorch\u001a\u00061.13.1".getBytes(StandardCharsets.ISO_8859_1);
        assertBad("model.onnx", onnx, "is absurd (more than 100000000 bytes); it looks like an ONNX"
                + " model, which kiln eval reads with --onnx FILE");
    }

    @Test
    void aTruncatedFileIsReportedAsCutShortWithItsSizeAndTheSizeItsHeaderExpects() throws IOException {
        Path whole = dir.resolve("whole.safetensors");
        SafeTensors.write(whole, Map.of("a", Tensor.fromArray(new float[] {1, 2}, 2),
                "b", Tensor.fromArray(new float[] {3, 4, 5}, 3)));
        byte[] bytes = Files.readAllBytes(whole);
        assertBad("cut.safetensors", Arrays.copyOf(bytes, bytes.length - 6), "looks cut short: it has "
                + (bytes.length - 6) + " bytes but its header expects " + bytes.length);
    }

    @Test
    void hostileHeaderLengths() throws IOException {
        assertBad("short", new byte[] {1, 2, 3}, "too short");
        assertBad("past-end", withLength(1000, "{}".getBytes(StandardCharsets.US_ASCII)), "runs past the end");
        assertBad("absurd", withLength(1L << 40, new byte[16]), "absurd");
        assertBad("negative", withLength(-1L, new byte[16]), "absurd");
        assertBad("zero", withLength(0, new byte[0]), "too short");
    }

    @Test
    void invalidJsonOrText() throws IOException {
        assertBad("truncated-json", file("{\"a\":", new byte[0]), "not valid JSON");
        assertBad("not-json", file("hello world", new byte[0]), "not valid JSON");
        assertBad("array", file("[1,2,3]", new byte[0]), "expected a JSON object");
        assertBad("trailing", file("{} {}", new byte[0]), "not valid JSON");
        assertBad("lenient-only", file("{a:{dtype:F32}}", new byte[0]), "not valid JSON");
        byte[] latin1 = "{\"\u00e9\":1}".getBytes(StandardCharsets.ISO_8859_1);
        assertBad("latin1", withLength(latin1.length, latin1), "not valid UTF-8");
        assertBad("entry-not-object", file("{\"a\":5}", new byte[0]), "tensor 'a' is a number");
        assertBad("missing-field", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", floatsLe(1)), "lacks data_offsets");
        assertBad("metadata-number", file("{\"__metadata__\":{\"epoch\":3}}", new byte[0]), "not a string");
        assertBad("duplicate", file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 4, 8) + "}",
                floatsLe(1, 2)), "twice");
        assertBad("fraction", file("{" + entry("a", "F32", "[1.5]", 0, 4) + "}", floatsLe(1)), "not an integer");
    }

    @Test
    void unknownOrUnsupportedDtype() throws IOException {
        assertBad("q8", file("{" + entry("a", "Q8", "[4]", 0, 4) + "}", new byte[4]), "dtype 'Q8'");
        assertBad("u64", file("{" + entry("a", "U64", "[1]", 0, 8) + "}", new byte[8]), "dtype 'U64'");
    }

    @Test
    void halfPrecisionTensorsAreReadAsTheFloatsOfTheSameValues() throws IOException {
        // IEEE binary16: 1, -2, the least subnormal 2^-24, the largest 65504, infinities, -0, 1/3 rounded, a NaN
        short[] f16 = {0x3C00, (short) 0xC000, 0x0001, 0x7BFF, 0x7C00, (short) 0xFC00, (short) 0x8000, 0x3555, 0x7E00};
        // bfloat16: 1, -5, a float subnormal, 1/3 rounded, the largest, infinity
        short[] bf16 = {0x3F80, (short) 0xC0A0, 0x0001, 0x3EAB, 0x7F7F, 0x7F80};
        ByteBuffer data = ByteBuffer.allocate(2 * (f16.length + bf16.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (short h : f16) {
            data.putShort(h);
        }
        for (short h : bf16) {
            data.putShort(h);
        }
        String header = "{" + entry("half", "F16", "[9]", 0, 18) + "," + entry("brain", "BF16", "[2,3]", 18, 30) + "}";
        Path f = save("half.safetensors", file(header, data.array()));

        SafeTensors.Loaded loaded = SafeTensors.read(f);
        Tensor half = loaded.tensors().get("half");
        assertEquals(DType.F32, half.dtype());
        float[] h = half.toFloatArray();
        assertArrayEquals(new float[] {1f, -2f, 0x1p-24f, 65504f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                -0f, 0.333251953125f}, Arrays.copyOf(h, 8));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(h[6]), "the sign of zero");
        assertTrue(Float.isNaN(h[8]));
        Tensor brain = loaded.tensors().get("brain");
        assertArrayEquals(new int[] {2, 3}, brain.shape().dims());
        assertArrayEquals(new float[] {1f, -5f, Float.intBitsToFloat(0x00010000), 0.333984375f, Float.intBitsToFloat(0x7F7F0000),
                Float.POSITIVE_INFINITY}, brain.toFloatArray());
        assertEquals("F16", SafeTensors.readHeader(f).tensors().get("half").stored());
    }

    @Test
    void boolAndSmallIntegerTensorsAreReadAsI32AndU32AsI64WithTheirValues() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(4 + 3 + 3 + 6 + 6 + 8).order(ByteOrder.LITTLE_ENDIAN);
        data.put(new byte[] {0, 1, 0, 2});                   // BOOL; a byte other than 0 is true
        data.put(new byte[] {0, (byte) 128, (byte) 255});    // U8
        data.put(new byte[] {-128, -1, 127});                // I8
        data.putShort((short) 0).putShort((short) 0x8000).putShort((short) 0xFFFF);  // U16
        data.putShort(Short.MIN_VALUE).putShort((short) -1).putShort(Short.MAX_VALUE); // I16
        data.putInt(7).putInt(0xFFFFFFFF);                   // U32
        String header = "{" + entry("mask", "BOOL", "[2,2]", 0, 4) + "," + entry("flags", "U8", "[3]", 4, 7) + ","
                + entry("bytes", "I8", "[3]", 7, 10) + "," + entry("u16", "U16", "[3]", 10, 16) + ","
                + entry("i16", "I16", "[3]", 16, 22) + "," + entry("u32", "U32", "[2]", 22, 30) + "}";
        Path f = save("integers.safetensors", file(header, data.array()));

        SafeTensors.Loaded loaded = SafeTensors.read(f);
        Tensor mask = loaded.tensors().get("mask");
        assertEquals(DType.I32, mask.dtype());
        assertArrayEquals(new int[] {2, 2}, mask.shape().dims());
        assertArrayEquals(new int[] {0, 1, 0, 1}, mask.toIntArray());
        assertArrayEquals(new int[] {0, 128, 255}, loaded.tensors().get("flags").toIntArray());
        assertArrayEquals(new int[] {-128, -1, 127}, loaded.tensors().get("bytes").toIntArray());
        assertArrayEquals(new int[] {0, 32768, 65535}, loaded.tensors().get("u16").toIntArray());
        assertArrayEquals(new int[] {-32768, -1, 32767}, loaded.tensors().get("i16").toIntArray());
        Tensor u32 = loaded.tensors().get("u32");
        assertEquals(DType.I64, u32.dtype());
        assertArrayEquals(new long[] {7, 4294967295L}, u32.toLongArray());
        assertEquals("U8", SafeTensors.readHeader(f).tensors().get("flags").stored());
    }

    /** PyTorch 1.13's FakeQuantize state after observing [-1, 0.3, 2] and disable_fake_quant(): uint8 flags. */
    @Test
    void aPyTorchFakeQuantizeStateWithUint8FlagsLoadsIntoKilns() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(0.0117647061124444f).putInt(85).putFloat(0x1p-23f).putFloat(-1f).putFloat(2f);
        data.put((byte) 0).put((byte) 1);
        String header = "{" + entry("fake_quant_enabled", "U8", "[1]", 20, 21) + ","
                + entry("observer_enabled", "U8", "[1]", 21, 22) + "," + entry("scale", "F32", "[1]", 0, 4) + ","
                + entry("zero_point", "I32", "[1]", 4, 8) + ","
                + entry("activation_post_process.eps", "F32", "[1]", 8, 12) + ","
                + entry("activation_post_process.min_val", "F32", "[]", 12, 16) + ","
                + entry("activation_post_process.max_val", "F32", "[]", 16, 20) + "}";
        Path f = save("fake-quantize.safetensors", file(header, data.array()));

        FakeQuantize fq = FakeQuantize.perTensorActivation();
        fq.loadStateDict(SafeTensors.read(f).tensors(), true);
        assertEquals(new Uint8Grid(0.0117647061124444f, 85), fq.grid());
        Tensor x = Tensor.fromArray(new float[] {-1f, 0.3f, 2f}, 3);
        assertArrayEquals(x.toFloatArray(), fq.forward(x).toFloatArray(), "fake quantisation disabled, as saved");
        fq.close();
    }

    @Test
    void aSmallIntegerTensorWhoseBytesDoNotMatchItsShapeIsRefused() throws IOException {
        String header = "{" + entry("flags", "U16", "[3]", 0, 3) + "}";
        Path f = save("short-u16.safetensors", file(header, new byte[3]));
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("flags"), e.getMessage());
    }

    @Test
    void everyHalfPrecisionBitPatternReadsAsTheValueItsFieldsEncode() {
        for (int bits = 0; bits < 0x10000; bits++) {
            int exponent = (bits >> 10) & 0x1F;
            int fraction = bits & 0x3FF;
            double magnitude = exponent == 0 ? fraction * Math.pow(2, -24)
                    : exponent == 0x1F ? (fraction == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                    : (1 + fraction / 1024.0) * Math.pow(2, exponent - 15);
            double expected = (bits & 0x8000) != 0 ? -magnitude : magnitude;
            float got = SafeTensors.float16ToFloat((short) bits);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(got), "bits " + Integer.toHexString(bits));
            } else {
                assertEquals(expected, got, 0, "bits " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void aDirectoryIsRefusedNamingTheSafetensorsFilesInIt() throws IOException {
        Path run = Files.createDirectories(dir.resolve("run"));
        SafeTensors.write(run.resolve("checkpoint.safetensors"), Map.of("x", Tensor.fromArray(new float[] {1}, 1)));
        Files.writeString(run.resolve("metrics.csv"), "epoch\n");
        IOException e = assertThrows(IOException.class, () -> SafeTensors.readHeader(run));
        assertEquals(run + ": is a directory, not a safetensors file; it holds checkpoint.safetensors: name one of them",
                e.getMessage());
    }

    @Test
    void shapeThatDoesNotMatchTheByteRange() throws IOException {
        assertBad("mismatch", file("{" + entry("a", "F32", "[3]", 0, 8) + "}", floatsLe(1, 2)), "needs 12 bytes");
        assertBad("f64-mismatch", file("{" + entry("a", "F64", "[2]", 0, 8) + "}", floatsLe(1, 2)), "needs 16 bytes");
    }

    @Test
    void offsetsOutsideTheDataArea() throws IOException {
        assertBad("outside", file("{" + entry("a", "F32", "[200]", 0, 800) + "}", floatsLe(1, 2)), "outside the data area");
        assertBad("reversed", file("{" + entry("a", "F32", "[0]", 8, 0) + "}", floatsLe(1, 2)), "end before they begin");
        assertBad("negative-offset", file("{" + entry("a", "F32", "[1]", -4, 0) + "}", floatsLe(1)), "negative");
    }

    @Test
    void overlappingOrNotCoveringTheDataArea() throws IOException {
        assertBad("overlap", file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}",
                floatsLe(1, 2, 3)), "overlaps");
        assertBad("same-range", file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 0, 8) + "}",
                floatsLe(1, 2)), "overlaps");
        assertBad("gap", file("{" + entry("a", "F32", "[1]", 4, 8) + "}", floatsLe(1, 2)), "belong to no tensor");
        assertBad("left-over", file("{" + entry("a", "F32", "[1]", 0, 4) + "}", floatsLe(1, 2)), "cover only 4");
    }

    @Test
    void negativeOrHugeShapes() throws IOException {
        assertBad("negative-dim", file("{" + entry("a", "F32", "[-1]", 0, 4) + "}", floatsLe(1)), "negative");
        // Each of these would need far more memory than the test JVM has, were it allocated.
        assertBad("huge-shape", file("{" + entry("a", "F32", "[2147483647,1000]", 0, 4) + "}", floatsLe(1)),
                "needs 8589934588000 bytes");
        assertBad("huge-bytes", file("{" + entry("a", "F64", "[2147483647,2147483647]", 0, 8) + "}", floatsLe(1, 2)),
                "huge");
        assertBad("huge-dim", file("{" + entry("a", "F32", "[99999999999]", 0, 4) + "}", floatsLe(1)), "huge");
        assertBad("overflow", file("{" + entry("a", "F32", "[2000000000,2000000000,2000000000]", 0, 4) + "}",
                floatsLe(1)), "huge");
        assertBad("beyond-long", file("{" + entry("a", "F32", "[99999999999999999999999]", 0, 4) + "}", floatsLe(1)),
                "huge");
    }

    @Test
    void zeroSizedTensorsAreAllowed() throws IOException {
        Path f = save("empty.safetensors", file("{" + entry("e", "F32", "[0,3]", 0, 0) + "," + entry("a", "F32", "[1]", 0, 4)
                + "}", floatsLe(5)));
        SafeTensors.Header h = SafeTensors.readHeader(f);
        assertEquals(0, h.tensors().get("e").size());
        assertArrayEquals(new int[] {0, 3}, h.tensors().get("e").shape());
        SafeTensors.Loaded loaded = SafeTensors.read(f);
        assertArrayEquals(new int[] {0, 3}, loaded.tensors().get("e").shape().dims());
        assertArrayEquals(new float[] {5}, loaded.tensors().get("a").toFloatArray());
    }

    @Test
    void anInterruptedWriteLeavesThePreviousFileAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("model.safetensors");
        SafeTensors.write(f, Map.of("w", Tensor.fromArray(new float[] {1, 2}, 2)), Map.of("epoch", "1"));
        byte[] before = Files.readAllBytes(f);

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("w", Tensor.fromArray(new float[] {3, 4}, 2));
        Tensor closed = Tensor.fromArray(new float[] {5, 6}, 2);
        closed.close();
        tensors.put("v", closed);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SafeTensors.write(f, tensors, Map.of("epoch", "2")));
        assertTrue(e.getMessage().contains("'v'"), e.getMessage());

        assertArrayEquals(before, Files.readAllBytes(f));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList());
        }
        assertEquals("1", SafeTensors.read(f).metadata().get("epoch"));
    }

    @Test
    void rejectsTheReservedName() {
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(dir.resolve("x"), Map.of("__metadata__", Tensor.fromArray(new float[] {1}, 1))));
    }
}
