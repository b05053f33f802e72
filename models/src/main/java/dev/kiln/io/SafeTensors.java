package dev.kiln.io;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Reads and writes the <a href="https://huggingface.co/docs/safetensors">safetensors</a> format of Hugging
 * Face, so that checkpoints load in PyTorch ({@code safetensors.torch.load_file}) and back:
 * <pre>
 * 8 bytes   N, the header length, unsigned little-endian
 * N bytes   UTF-8 JSON: {"__metadata__": {"k": "v", ...},
 *                        "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
 *           (padded with spaces to a multiple of 8 when Kiln writes it)
 * rest      the data area: each tensor's elements, row-major, little-endian, at [begin, end) relative to
 *           the first byte after the header; the tensors tile the data area without gaps or overlaps
 * </pre>
 * Kiln writes the dtypes F32, F64, I32 and I64, and reads those and F16 and BF16 (PyTorch's half and bfloat16
 * state dicts), which become F32 tensors of exactly the same values, and BOOL, U8, I8, U16, I16 (as I32) and U32 (as
 * I64), PyTorch's bool and small integer buffers, each value exactly. The header lists the tensors in the map's iteration order;
 * their data are laid out largest element size first (in map order within a size), as the reference writer
 * does, so that every tensor begins at a multiple of its element size and zero-copy readers can map it.
 *
 * <p>Reading validates the whole header against the file's real size before allocating anything, so a
 * damaged or hostile file gives an {@link IOException} naming the file and the problem rather than a huge
 * allocation. Writing goes through {@link AtomicFiles}: a failure part-way leaves any previous file intact.
 */
public final class SafeTensors {
    /** Largest header accepted, as in the reference implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The reserved header key of the string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    private static final int CHUNK = 1 << 20;

    private SafeTensors() {
    }

    /**
     * The tensors of a file, in header order, and its metadata. {@link #close()} closes every tensor.
     *
     * @param tensors  name -> tensor on the engine's default backend, owned by the caller's scope
     * @param metadata the {@code __metadata__} entries (empty when absent), unmodifiable
     */
    public record Loaded(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) implements AutoCloseable {
        /**
         * The tensors whose names start with {@code prefix}, named without it, in the file's order: one part of a
         * checkpoint that holds several state dicts under prefixes ({@code model.}, {@code optimizer.}). The tensors
         * are the same objects, still closed with this file.
         */
        public Map<String, Tensor> withPrefix(String prefix) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            tensors.forEach((name, t) -> {
                if (name.startsWith(prefix)) {
                    out.put(name.substring(prefix.length()), t);
                }
            });
            return out;
        }

        @Override
        public void close() {
            tensors.values().forEach(Tensor::close);
        }
    }

    /**
     * Where one tensor lies in a file.
     *
     * @param dtype    what Kiln reads it as: F16 and BF16 as F32, BOOL, U8, I8, U16 and I16 as I32, U32 as I64
     * @param shape    dimensions ([] for a scalar)
     * @param begin    first byte in the data area (relative to the byte after the header)
     * @param end      one past the last byte in the data area
     * @param stored   the file's dtype name ("F16", "BF16", "F32", ...)
     */
    public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end, String stored) {
        /** Number of elements. */
        public long size() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /**
     * A validated header.
     *
     * @param tensors   name -> placement, in header order
     * @param metadata  the {@code __metadata__} entries, unmodifiable
     * @param dataStart file position of the data area: 8 + N
     */
    public record Header(LinkedHashMap<String, TensorInfo> tensors, Map<String, String> metadata, long dataStart) {
    }

    // ---- Writing --------------------------------------------------------------------------------

    /** Same as {@link #write(Path, Map, Map)} without metadata. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} (any of F32, F64, I32, I64) and {@code metadata} to {@code file} atomically:
     * to a temporary file in the same directory, then renamed over {@code file}. If reading a tensor fails
     * part-way (a closed tensor throws {@link IllegalStateException}), the temporary file is removed and any
     * previous {@code file} is left as it was.
     *
     * @param metadata string entries stored under {@code __metadata__}; null or empty for none
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        List<Map.Entry<String, Tensor>> entries = new ArrayList<>(tensors.entrySet());
        entries.forEach(SafeTensors::checkEntry);
        List<Map.Entry<String, Tensor>> dataOrder = new ArrayList<>(entries);
        dataOrder.sort(Comparator.comparingInt((Map.Entry<String, Tensor> e) -> e.getValue().dtype().bytes()).reversed());
        byte[] header = header(entries, begins(dataOrder), metadata == null ? Map.of() : metadata);
        AtomicFiles.write(file, out -> {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(length.array());
            out.write(header);
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, Tensor> e : dataOrder) {
                writeData(file, e.getKey(), e.getValue(), chunk, out);
            }
        });
    }

    private static void checkEntry(Map.Entry<String, Tensor> e) {
        String name = e.getKey();
        if (name == null || e.getValue() == null) {
            throw new IllegalArgumentException("safetensors: null tensor name or tensor (name " + name + ")");
        }
        if (name.equals(METADATA_KEY)) {
            throw new IllegalArgumentException("safetensors: '" + METADATA_KEY + "' is reserved, not a tensor name");
        }
    }

    /** Where each tensor's data begin in the data area when laid out in {@code dataOrder}, by name. */
    private static Map<String, Long> begins(List<Map.Entry<String, Tensor>> dataOrder) {
        Map<String, Long> begins = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : dataOrder) {
            begins.put(e.getKey(), offset);
            offset += byteSize(e.getValue());
        }
        return begins;
    }

    private static long byteSize(Tensor t) {
        return Math.multiplyExact(t.size(), (long) t.dtype().bytes());
    }

    /** The header JSON in UTF-8, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(List<Map.Entry<String, Tensor>> entries, Map<String, Long> begins,
                                 Map<String, String> metadata) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonWriter json = new JsonWriter(text)) {
            json.setHtmlSafe(false);
            json.beginObject();
            if (!metadata.isEmpty()) {
                json.name(METADATA_KEY).beginObject();
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    if (m.getKey() == null || m.getValue() == null) {
                        throw new IllegalArgumentException("safetensors: metadata keys and values must not be null: " + m);
                    }
                    json.name(m.getKey()).value(m.getValue());
                }
                json.endObject();
            }
            for (Map.Entry<String, Tensor> e : entries) {
                String name = e.getKey();
                Tensor t = e.getValue();
                long begin = begins.get(name);
                json.name(name).beginObject();
                json.name("dtype").value(dtypeName(t.dtype()));
                json.name("shape").beginArray();
                for (int d : t.shape().dims()) {
                    json.value(d);
                }
                json.endArray();
                json.name("data_offsets").beginArray().value(begin).value(begin + byteSize(t)).endArray();
                json.endObject();
            }
            json.endObject();
        }
        byte[] raw = text.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(raw, padded);
        Arrays.fill(out, raw.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(Path file, String name, Tensor t, ByteBuffer chunk, OutputStream out) throws IOException {
        Object values;
        try {
            values = switch (t.dtype()) {
                case F32 -> t.toFloatArray();
                case F64 -> t.toDoubleArray();
                case I32 -> t.toIntArray();
                case I64 -> t.toLongArray();
            };
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new IllegalStateException("safetensors: cannot write " + file + ": tensor '" + name + "': " + e.getMessage(), e);
        }
        int n = java.lang.reflect.Array.getLength(values);
        int width = t.dtype().bytes();
        int perChunk = CHUNK / width;
        for (int start = 0; start < n; start += perChunk) {
            int count = Math.min(perChunk, n - start);
            chunk.clear();
            switch (t.dtype()) {
                case F32 -> chunk.asFloatBuffer().put((float[]) values, start, count);
                case F64 -> chunk.asDoubleBuffer().put((double[]) values, start, count);
                case I32 -> chunk.asIntBuffer().put((int[]) values, start, count);
                case I64 -> chunk.asLongBuffer().put((long[]) values, start, count);
            }
            out.write(chunk.array(), 0, count * width);
        }
    }

    private static String dtypeName(DType t) {
        return switch (t) {
            case F32 -> "F32";
            case F64 -> "F64";
            case I32 -> "I32";
            case I64 -> "I64";
        };
    }

    // ---- Reading --------------------------------------------------------------------------------

    /**
     * Reads every tensor of {@code file} onto the engine's default backend (via {@link Tensor#fromArray}),
     * in the caller's scope.
     *
     * @throws IOException naming the file and the problem when it is not a valid safetensors file of
     *                     F16/BF16/F32/F64/I32/I64 tensors
     */
    public static Loaded read(Path file) throws IOException {
        try (FileChannel ch = openForReading(file)) {
            Header header = readHeader(file, ch);
            LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
            try {
                ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                for (TensorInfo info : header.tensors().values()) {
                    tensors.put(info.name(), readTensor(file, ch, header.dataStart(), info, chunk));
                }
            } catch (IOException | RuntimeException | Error e) {
                tensors.values().forEach(Tensor::close);
                throw e;
            }
            return new Loaded(tensors, header.metadata());
        }
    }

    /** Reads and validates only the header of {@code file} (cheap: no tensor data is read). */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = openForReading(file)) {
            return readHeader(file, ch);
        }
    }

    /**
     * Opens {@code file} to read it; a directory (a run directory given for its checkpoint) is refused by name, with
     * the safetensors files in it.
     */
    private static FileChannel openForReading(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            List<String> held;
            try (Stream<Path> entries = Files.list(file)) {
                held = entries.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors")).sorted()
                        .toList();
            }
            throw bad(file, "is a directory, not a safetensors file; " + (held.isEmpty()
                    ? "it holds none: name a .safetensors file" : "it holds " + String.join(", ", held)
                    + ": name one of them"));
        }
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw bad(file, "file has " + fileSize + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, lengthBytes, 0);
        long n = lengthBytes.flip().getLong();
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw bad(file, "header length " + Long.toUnsignedString(n) + " is absurd (more than "
                    + MAX_HEADER_BYTES + " bytes); " + (looksLikeOnnx(file, lengthBytes.get(0))
                    ? "it looks like an ONNX model, which kiln eval reads with --onnx FILE" : "not a safetensors file?"));
        }
        if (n > fileSize - 8) {
            throw bad(file, "header length " + n + " runs past the end of the file (" + fileSize + " bytes)");
        }
        if (n < 2) {
            throw bad(file, "header length " + n + " is too short for a JSON object");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
        readFully(file, ch, headerBytes, 8);
        headerBytes.flip();
        String json;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes);
            json = chars.toString();
        } catch (CharacterCodingException e) {
            throw bad(file, "header is not valid UTF-8");
        }
        long dataStart = 8 + n;
        return parseHeader(file, json, fileSize - dataStart, dataStart);
    }

    private static Header parseHeader(Path file, String json, long dataLength, long dataStart) throws IOException {
        LinkedHashMap<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        boolean sawMetadata = false;
        try (JsonReader in = new JsonReader(new StringReader(json))) {
            in.setStrictness(Strictness.STRICT);
            expect(file, in, JsonToken.BEGIN_OBJECT, "the header");
            in.beginObject();
            while (in.hasNext()) {
                String name = in.nextName();
                if (name.equals(METADATA_KEY)) {
                    if (sawMetadata) {
                        throw bad(file, "header has '" + METADATA_KEY + "' twice");
                    }
                    sawMetadata = true;
                    readMetadata(file, in, metadata);
                } else {
                    if (tensors.containsKey(name)) {
                        throw bad(file, "header names tensor '" + name + "' twice");
                    }
                    tensors.put(name, readInfo(file, in, name));
                }
            }
            in.endObject();
            if (in.peek() != JsonToken.END_DOCUMENT) {
                throw bad(file, "header has data after its JSON object");
            }
        } catch (BadFile e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new IOException(file + ": header is not valid JSON: " + e.getMessage(), e);
        }
        checkWithinData(file, tensors, dataLength, dataStart);
        checkTiling(file, tensors, dataLength);
        return new Header(tensors, Collections.unmodifiableMap(metadata), dataStart);
    }

    private static void readMetadata(Path file, JsonReader in, Map<String, String> metadata) throws IOException {
        if (in.peek() == JsonToken.NULL) {
            in.nextNull();
            return;
        }
        expect(file, in, JsonToken.BEGIN_OBJECT, "'" + METADATA_KEY + "'");
        in.beginObject();
        while (in.hasNext()) {
            String key = in.nextName();
            if (in.peek() != JsonToken.STRING) {
                throw bad(file, "metadata entry '" + key + "' is " + in.peek() + ", not a string");
            }
            if (metadata.put(key, in.nextString()) != null) {
                throw bad(file, "metadata has key '" + key + "' twice");
            }
        }
        in.endObject();
    }

    private static TensorInfo readInfo(Path file, JsonReader in, String name) throws IOException {
        String where = "tensor '" + name + "'";
        expect(file, in, JsonToken.BEGIN_OBJECT, where);
        in.beginObject();
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        while (in.hasNext()) {
            String field = in.nextName();
            switch (field) {
                case "dtype" -> {
                    expect(file, in, JsonToken.STRING, where + ": dtype");
                    dtypeName = in.nextString();
                }
                case "shape" -> shape = integers(file, in, where + ": shape");
                case "data_offsets" -> offsets = integers(file, in, where + ": data_offsets");
                default -> in.skipValue();
            }
        }
        in.endObject();
        if (dtypeName == null || shape == null || offsets == null) {
            throw bad(file, where + " lacks " + (dtypeName == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        DType dtype = switch (dtypeName) {
            case "F32", "F16", "BF16" -> DType.F32;
            case "F64" -> DType.F64;
            case "I32", "BOOL", "U8", "I8", "U16", "I16" -> DType.I32;
            case "I64", "U32" -> DType.I64;
            default -> throw bad(file, where + " has dtype '" + dtypeName + "', which Kiln does not read (F16, BF16, F32,"
                    + " F64, I32, I64, BOOL, U8, I8, U16, I16, U32)");
        };
        int width = storedWidth(dtypeName, dtype);
        if (offsets.length != 2) {
            throw bad(file, where + ": data_offsets must be [begin, end], got " + Arrays.toString(offsets));
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw bad(file, where + ": data_offsets " + Arrays.toString(offsets) + " end before they begin");
        }
        int[] dims = new int[shape.length];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw bad(file, where + ": shape " + Arrays.toString(shape) + " has a huge dimension " + shape[i]);
            }
            dims[i] = (int) shape[i];
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException e) {
                throw bad(file, where + ": shape " + Arrays.toString(shape) + " is huge (more than 2^63 elements)");
            }
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(elements, (long) width);
        } catch (ArithmeticException e) {
            throw bad(file, where + ": shape " + Arrays.toString(shape) + " of " + dtypeName + " is huge");
        }
        if (bytes != end - begin) {
            throw bad(file, where + ": shape " + Arrays.toString(shape) + " of " + dtypeName + " needs " + bytes
                    + " bytes but data_offsets " + Arrays.toString(offsets) + " hold " + (end - begin));
        }
        if (elements > Integer.MAX_VALUE - 8) {
            throw bad(file, where + ": " + elements + " elements are too many for one Java array");
        }
        return new TensorInfo(name, dtype, dims, begin, end, dtypeName);
    }

    /** A JSON array of non-negative integers. */
    private static long[] integers(Path file, JsonReader in, String where) throws IOException {
        expect(file, in, JsonToken.BEGIN_ARRAY, where);
        in.beginArray();
        long[] values = new long[4];
        int n = 0;
        while (in.hasNext()) {
            expect(file, in, JsonToken.NUMBER, where + " element");
            String literal = in.nextString();
            long v;
            try {
                v = Long.parseLong(literal);
            } catch (NumberFormatException e) {
                throw bad(file, where + ": " + literal + (literal.matches("\\d+") ? " is huge" : " is not an integer"));
            }
            if (v < 0) {
                throw bad(file, where + ": negative value " + v);
            }
            if (n == values.length) {
                if (n >= 1024) {
                    throw bad(file, where + ": more than 1024 entries");
                }
                values = Arrays.copyOf(values, n * 2);
            }
            values[n++] = v;
        }
        in.endArray();
        return Arrays.copyOf(values, n);
    }

    private static void expect(Path file, JsonReader in, JsonToken token, String what) throws IOException {
        JsonToken actual = in.peek();
        if (actual != token) {
            throw bad(file, what + " is " + describe(actual) + ", expected " + describe(token));
        }
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case BEGIN_OBJECT -> "a JSON object";
            case BEGIN_ARRAY -> "a JSON array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> t.toString();
        };
    }

    /**
     * Every tensor must end within the data area, {@code dataLength} bytes from {@code dataStart}; one beyond it (the
     * furthest is named) most likely means the file was cut short, as by a copy or download that stopped.
     */
    private static void checkWithinData(Path file, Map<String, TensorInfo> tensors, long dataLength, long dataStart)
            throws IOException {
        TensorInfo last = null;
        for (TensorInfo t : tensors.values()) {
            last = last == null || t.end() > last.end() ? t : last;
        }
        if (last != null && last.end() > dataLength) {
            throw bad(file, "looks cut short: it has " + (dataStart + dataLength) + " bytes but its header expects "
                    + (dataStart + last.end()) + " (tensor '" + last.name() + "': data_offsets [" + last.begin() + ", "
                    + last.end() + "] lie outside the data area of " + dataLength + " bytes)");
        }
    }

    /** The tensors must tile [0, dataLength) exactly: no overlap, no gap, nothing left over. */
    private static void checkTiling(Path file, Map<String, TensorInfo> tensors, long dataLength) throws IOException {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        String previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < expected) {
                throw bad(file, "tensor '" + t.name() + "' at [" + t.begin() + ", " + t.end() + ") overlaps tensor '"
                        + previous + "', which ends at " + expected);
            }
            if (t.begin() > expected) {
                throw bad(file, "bytes [" + expected + ", " + t.begin() + ") of the data area belong to no tensor");
            }
            expected = t.end();
            previous = t.name();
        }
        if (expected != dataLength) {
            throw bad(file, "the data area has " + dataLength + " bytes but the tensors cover only " + expected);
        }
    }

    private static boolean isHalf(String dtypeName) {
        return dtypeName.equals("F16") || dtypeName.equals("BF16");
    }

    /** BOOL, U8, I8, U16, I16 and U32: integers Kiln widens to I32 (I64 for U32). */
    private static boolean isNarrowInteger(String dtypeName) {
        return switch (dtypeName) {
            case "BOOL", "U8", "I8", "U16", "I16", "U32" -> true;
            default -> false;
        };
    }

    /** Bytes per element in the file. */
    private static int storedWidth(String dtypeName, DType dtype) {
        return switch (dtypeName) {
            case "F16", "BF16", "U16", "I16" -> 2;
            case "BOOL", "U8", "I8" -> 1;
            case "U32" -> 4;
            default -> dtype.bytes();
        };
    }

    private static Tensor readTensor(Path file, FileChannel ch, long dataStart, TensorInfo info, ByteBuffer chunk)
            throws IOException {
        if (isHalf(info.stored())) {
            return readHalfTensor(file, ch, dataStart, info, chunk);
        }
        if (isNarrowInteger(info.stored())) {
            return readNarrowIntegerTensor(file, ch, dataStart, info, chunk);
        }
        int n = (int) info.size();
        int width = info.dtype().bytes();
        int perChunk = CHUNK / width;
        Object values = switch (info.dtype()) {
            case F32 -> new float[n];
            case F64 -> new double[n];
            case I32 -> new int[n];
            case I64 -> new long[n];
        };
        long position = dataStart + info.begin();
        for (int start = 0; start < n; start += perChunk) {
            int count = Math.min(perChunk, n - start);
            chunk.clear().limit(count * width);
            readFully(file, ch, chunk, position);
            position += (long) count * width;
            chunk.flip();
            switch (info.dtype()) {
                case F32 -> chunk.asFloatBuffer().get((float[]) values, start, count);
                case F64 -> chunk.asDoubleBuffer().get((double[]) values, start, count);
                case I32 -> chunk.asIntBuffer().get((int[]) values, start, count);
                case I64 -> chunk.asLongBuffer().get((long[]) values, start, count);
            }
        }
        return switch (info.dtype()) {
            case F32 -> Tensor.fromArray((float[]) values, info.shape());
            case F64 -> Tensor.fromArray((double[]) values, info.shape());
            case I32 -> Tensor.fromArray((int[]) values, info.shape());
            case I64 -> Tensor.fromArray((long[]) values, info.shape());
        };
    }

    /** An F16 or BF16 tensor as F32: every half-precision value is a float exactly. */
    private static Tensor readHalfTensor(Path file, FileChannel ch, long dataStart, TensorInfo info, ByteBuffer chunk)
            throws IOException {
        int n = (int) info.size();
        boolean brain = info.stored().equals("BF16");
        float[] values = new float[n];
        short[] halves = new short[CHUNK / 2];
        long position = dataStart + info.begin();
        for (int start = 0; start < n; start += halves.length) {
            int count = Math.min(halves.length, n - start);
            chunk.clear().limit(count * 2);
            readFully(file, ch, chunk, position);
            position += count * 2L;
            chunk.flip().asShortBuffer().get(halves, 0, count);
            for (int i = 0; i < count; i++) {
                values[start + i] = brain ? bfloat16ToFloat(halves[i]) : float16ToFloat(halves[i]);
            }
        }
        return Tensor.fromArray(values, info.shape());
    }

    /**
     * A BOOL, U8, I8, U16 or I16 tensor as I32 and a U32 tensor as I64, each value exactly (a BOOL byte other than 0
     * reads as 1), as PyTorch's uint8 and bool buffers (a QAT model's {@code fake_quant_enabled}, masks) load.
     */
    private static Tensor readNarrowIntegerTensor(Path file, FileChannel ch, long dataStart, TensorInfo info,
                                                  ByteBuffer chunk) throws IOException {
        int n = (int) info.size();
        String stored = info.stored();
        int width = storedWidth(stored, info.dtype());
        boolean unsigned32 = info.dtype() == DType.I64;
        long[] longs = unsigned32 ? new long[n] : null;
        int[] ints = unsigned32 ? null : new int[n];
        long position = dataStart + info.begin();
        int perChunk = CHUNK / width;
        for (int start = 0; start < n; start += perChunk) {
            int count = Math.min(perChunk, n - start);
            chunk.clear().limit(count * width);
            readFully(file, ch, chunk, position);
            position += (long) count * width;
            chunk.flip();
            for (int i = start; i < start + count; i++) {
                switch (stored) {
                    case "BOOL" -> ints[i] = chunk.get() == 0 ? 0 : 1;
                    case "U8" -> ints[i] = Byte.toUnsignedInt(chunk.get());
                    case "I8" -> ints[i] = chunk.get();
                    case "U16" -> ints[i] = Short.toUnsignedInt(chunk.getShort());
                    case "I16" -> ints[i] = chunk.getShort();
                    default -> longs[i] = Integer.toUnsignedLong(chunk.getInt());
                }
            }
        }
        return unsigned32 ? Tensor.fromArray(longs, info.shape()) : Tensor.fromArray(ints, info.shape());
    }

    /** A bfloat16 is the upper half of a float's bits. */
    static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** IEEE 754 binary16 (sign, 5 exponent bits biased by 15, 10 fraction bits) to the float of the same value. */
    static float float16ToFloat(short bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int fraction = bits & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | fraction << 13);
        }
        if (exponent == 0) {
            float subnormal = fraction * 0x1p-24f;
            return sign == 0 ? subnormal : -subnormal;
        }
        return Float.intBitsToFloat(sign | (exponent + 112) << 23 | fraction << 13);
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long p = position;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, p);
            if (r < 0) {
                throw bad(file, "file ends at byte " + p + ", before the data its header declares");
            }
            p += r;
        }
    }

    /**
     * Whether {@code file}, whose first byte is {@code first}, looks like an ONNX model: named {@code .onnx}, or starting
     * as a ModelProto does (field 1, ir_version, a varint: byte 0x08).
     */
    private static boolean looksLikeOnnx(Path file, byte first) {
        return first == 0x08 || file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    private static IOException bad(Path file, String problem) {
        return new BadFile(file + ": " + problem);
    }

    /** A problem this class found (as opposed to one the JSON parser found). */
    private static final class BadFile extends IOException {
        private static final long serialVersionUID = 1L;

        BadFile(String message) {
            super(message);
        }
    }
}
