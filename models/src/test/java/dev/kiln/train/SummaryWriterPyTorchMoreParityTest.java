package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.OnnxTestFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln's {@code addHparams}, {@code addPrCurve}, {@code addOnnxGraph} and purge step against the event files PyTorch
 * 1.13's {@code SummaryWriter} wrote for the same calls ({@code models/src/test/pytorch/tensorboard_more.py}, the
 * resources {@code tensorboard/pytorch_*.tfevents}), record by record: the same bytes but for the wall time and the
 * first record (whose writer names the program). Protobuf maps are compared as sets of entries, since Python writes
 * them in a hash order that changes from process to process: the hyperparameters' values and a graph node's
 * attributes.
 */
class SummaryWriterPyTorchMoreParityTest {
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path dir;

    /** The script's labels(n): (3 k mod 7) < 3. */
    private static Tensor labels(int n) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = (3 * k) % 7 < 3 ? 1 : 0;
        }
        return Tensor.fromArray(v, n);
    }

    /** The script's predictions(n): (29 k mod 61) / 60. */
    private static double[] predictions(int n) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = ((29 * k) % 61) / 60.0;
        }
        return v;
    }

    /** The script's k / 126 for k up to 126: in F32, 31 of them times 126 round up to k, in F64 not. */
    private static double[] edges() {
        double[] v = new double[127];
        for (int k = 0; k < v.length; k++) {
            v[k] = k / 126.0;
        }
        return v;
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static List<byte[]> pytorch(String name) throws IOException {
        try (InputStream in = SummaryWriterPyTorchMoreParityTest.class.getResourceAsStream("/tensorboard/" + name)) {
            return EventFileReader.records(in.readAllBytes());
        }
    }

    private static List<byte[]> kiln(Path file) throws IOException {
        return EventFileReader.records(Files.readAllBytes(file));
    }

    private static Path onlyFile(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> events = files.filter(Files::isRegularFile).toList();
            assertEquals(1, events.size(), events.toString());
            return events.get(0);
        }
    }

    /** The event without its wall time (field 1, a double, the first 9 bytes). */
    private static byte[] withoutWallTime(byte[] event) {
        assertEquals(0x09, event[0], "an event starting with its wall time");
        return Arrays.copyOfRange(event, 9, event.length);
    }

    private static void assertSameRecords(List<byte[]> expected, List<byte[]> actual,
            Function<byte[], byte[]> canonical) {
        assertEquals(expected.size(), actual.size(), "records");
        for (int i = 1; i < expected.size(); i++) {
            assertEquals(HEX.formatHex(canonical.apply(withoutWallTime(expected.get(i)))),
                    HEX.formatHex(canonical.apply(withoutWallTime(actual.get(i)))), "record " + i);
        }
    }

    @Test
    void hparamsMatchPyTorchsRunButForTheOrderOfTheValuesMap() throws IOException {
        Map<String, Object> hparams = new LinkedHashMap<>();
        hparams.put("model", "mlp");
        hparams.put("lr", 0.01);
        hparams.put("batch", 64);
        hparams.put("epochs", 3L);
        hparams.put("nesterov", true);
        hparams.put("dropout", null);
        hparams.put("momentum", 0.0);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("hparam/accuracy", 0.9375);
        metrics.put("hparam/loss", 0.25);
        Path run;
        try (SummaryWriter w = new SummaryWriter(dir)) {
            run = w.addHparams(hparams, metrics, "run");
        }
        assertEquals(dir.resolve("run"), run);
        List<byte[]> kiln = kiln(onlyFile(run));
        assertEquals(6, kiln.size());
        assertSameRecords(pytorch("pytorch_hparams.tfevents"), kiln,
                SummaryWriterPyTorchMoreParityTest::sessionStartEntriesSorted);
    }

    /**
     * A session start's event with the hyperparameters map's entries sorted; other events as they are. Event (the
     * wall time gone) → summary 5 → value 1 → metadata 9 → plugin data 1 → content 2 → HParamsPluginData's
     * session_start_info 3 → its map entries, field 1.
     */
    private static byte[] sessionStartEntriesSorted(byte[] event) {
        List<byte[]> values = EventFileReader.values(prefixed(event));
        byte[] metadata = EventFileReader.bytes(values.get(0), 9);
        byte[] content = metadata == null ? null : EventFileReader.bytes(EventFileReader.bytes(metadata, 1), 2);
        byte[] start = content == null ? null : EventFileReader.bytes(content, 3);
        if (start == null) {
            return event;
        }
        List<String> entries = EventFileReader.fields(start).get(1).stream().map(e -> HEX.formatHex((byte[]) e))
                .sorted().toList();
        return (EventFileReader.tag(values.get(0)) + " " + entries).getBytes();
    }

    /** The event's bytes with a zero wall time back in front, for the readers that expect a whole event. */
    private static byte[] prefixed(byte[] withoutWallTime) {
        byte[] event = new byte[9 + withoutWallTime.length];
        event[0] = 0x09;
        System.arraycopy(withoutWallTime, 0, event, 9, withoutWallTime.length);
        return event;
    }

    @Test
    void prCurvesAndOnnxGraphsMatchPyTorchsButForTheOrderOfNodeAttributes() throws IOException {
        Path file;
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor y50 = labels(50);
             Tensor p50 = Tensor.fromArray(floats(predictions(50)), 50);
             Tensor y61 = labels(61);
             Tensor p61 = Tensor.fromArray(predictions(61), 61);
             Tensor y20 = labels(20);
             Tensor p20 = Tensor.fromArray(predictions(20), 20);
             Tensor y127 = labels(127);
             Tensor edges = Tensor.fromArray(floats(edges()), 127)) {
            w.addPrCurve("pr/f32", y50, p50, 1);
            w.addPrCurve("pr/f64", y61, p61, 2, 5);
            w.addPrCurve("pr/many", y20, p20, 3, 200);
            w.addPrCurve("pr/f32_edges", y127, edges, 4);
            for (String name : List.of("import_residual.onnx", "import_eval_bn.onnx")) {
                w.addOnnxGraph(OnnxTestFiles.resource(name));
            }
            file = w.file();
        }
        assertSameRecords(pytorch("pytorch_pr_graph.tfevents"), kiln(file),
                SummaryWriterPyTorchMoreParityTest::nodeAttributesSorted);
    }

    /** A graph event (graph_def, field 4) with each node's attr map entries (field 5) sorted; others as they are. */
    private static byte[] nodeAttributesSorted(byte[] event) {
        byte[] graph = EventFileReader.bytes(prefixed(event), 4);
        if (graph == null) {
            return event;
        }
        StringBuilder canonical = new StringBuilder();
        for (Map.Entry<Integer, List<Object>> field : EventFileReader.fields(graph).entrySet()) {
            for (Object value : field.getValue()) {
                canonical.append(field.getKey()).append(':');
                if (field.getKey() == 1) {
                    Map<Integer, List<Object>> node = EventFileReader.fields((byte[]) value);
                    node.forEach((number, values) -> canonical.append(number).append('=').append(values.stream()
                            .map(v -> v instanceof byte[] b ? HEX.formatHex(b) : v.toString())
                            .sorted(number == 5 ? String::compareTo : (a, b) -> 0).toList()));
                } else {
                    canonical.append(HEX.formatHex((byte[]) value));
                }
                canonical.append('\n');
            }
        }
        return canonical.toString().getBytes();
    }

    /**
     * A Kiln model's graph, traced by the ONNX exporter, against PyTorch's {@code add_onnx_graph} of the file the
     * exporter wrote for the same model ({@code tensorboard/kiln_cnn.onnx}; a change to the exporter's names or
     * attributes needs the file and the reference written again, as the script's README says).
     */
    @Test
    void aKilnModelsGraphMatchesPyTorchsOfItsOnnxExport() throws IOException {
        Path file;
        try (SummaryWriter w = new SummaryWriter(dir)) {
            w.addGraph(new Sequential(new Conv2d(1, 4, 3, 1, 1, 1, true), new BatchNorm2d(4), new ReLU(),
                    new MaxPool2d(2), new Flatten(), new Dropout(0.5), new Linear(64, 10)), new int[] {1, 1, 8, 8});
            file = w.file();
        }
        assertSameRecords(pytorch("pytorch_kiln_graph.tfevents"), kiln(file),
                SummaryWriterPyTorchMoreParityTest::nodeAttributesSorted);
    }

    @Test
    void aPurgeStepStartsTheFileAsPyTorchsDoes() throws IOException {
        Path file;
        try (SummaryWriter w = new SummaryWriter(dir, 5)) {
            w.addScalar("loss", 0.5, 5);
            file = w.file();
        }
        assertSameRecords(pytorch("pytorch_purge.tfevents"), kiln(file), Function.identity());
    }

    /** The attributes of the graph's nodes, as the PyTorch file above holds them (decoded here to be read). */
    @Test
    void theOnnxAttributesArePrintedAsPythonPrintsThem() throws IOException {
        List<String> parameters = ModelProto.parse(OnnxTestFiles.resource("import_eval_bn.onnx")).graph()
                .nodes().stream().map(n -> TensorBoardGraph.parameters(n.attributes())).toList();
        assertEquals(List.of(
                "dilations = [1, 1] = 7, group = 1 = 2, kernel_shape = [3, 3] = 7, pads = [1, 1, 1, 1] = 7,"
                        + " strides = [1, 1] = 7",
                "",
                "epsilon = 9.999999747378752e-06 = 1, momentum = 0.8999999761581421 = 1",
                "axis = 1 = 2",
                "alpha = 1.0 = 1, beta = 1.0 = 1, transB = 1 = 2"), parameters);
    }
}
