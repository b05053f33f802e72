package dev.kiln.profiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.kiln.engine.Backend;
import dev.kiln.engine.OperationProfiler;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cpu.CpuBackend;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Profiler} on a CPU backend behind an {@link OperationProfiler}, on the op sequence of
 * {@code models/src/test/pytorch/profiler_trace.py} (three matmuls and two adds in a range "forward"): its table
 * counts the calls exactly, its ranges enclose their operations, and its Chrome trace has the structure and field
 * types of the trace PyTorch 1.13 wrote for that script ({@code profiler/pytorch_chrome_trace.json}).
 */
class ProfilerTest {
    private final CpuBackend cpu = new CpuBackend(1);
    private final Backend profiled = OperationProfiler.wrap(cpu);

    @TempDir
    Path dir;

    @AfterEach
    void closeBackend() {
        cpu.close();
    }

    /** The script's sequence: y = x w; y = y w; y = y + x; y = y w; y = y + y, inside "forward". */
    private Profiler profileScriptSequence(ProfilerOptions options) {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[32], 4, 8).to(profiled);
            Tensor w = Tensor.fromArray(new float[64], 8, 8).to(profiled);
            try (Profiler p = Profiler.start(profiled, options)) {
                try (ProfilerRange r = Profiler.range("forward")) {
                    Tensor y = x.matmul(w).matmul(w).add(x).matmul(w);
                    y.add(y);
                }
                return p;
            }
        }
    }

    @Test
    void keyAveragesCountTheCallsOfAKnownSequence() {
        KeyAverages averages = profileScriptSequence(ProfilerOptions.DEFAULT).keyAverages();

        assertEquals(3, averages.row("gemm(false, false)").calls(), averages.rows().toString());
        assertEquals(2, averages.row("binary(ADD)").calls(), averages.rows().toString());
        assertEquals(1, averages.row("forward").calls(), averages.rows().toString());
        assertEquals(List.of("forward", "gemm(false, false)", "binary(ADD)"),
                averages.rows().stream().map(KeyAverage::name).toList());
    }

    @Test
    void aRangesSelfTimeIsItsTotalLessItsOperationsAndAnOperationsIsItsTotal() {
        KeyAverages averages = profileScriptSequence(ProfilerOptions.DEFAULT).keyAverages();
        KeyAverage forward = averages.row("forward");
        KeyAverage gemm = averages.row("gemm(false, false)");
        KeyAverage add = averages.row("binary(ADD)");

        assertEquals(forward.totalNanos() - gemm.totalNanos() - add.totalNanos(), forward.selfNanos());
        assertEquals(gemm.totalNanos(), gemm.selfNanos());
        assertTrue(gemm.hostNanos() <= gemm.totalNanos(), gemm.toString());
    }

    @Test
    void groupedByInputShapeTheAddsOfTwoShapesAreTwoRows() {
        KeyAverages averages = profileScriptSequence(ProfilerOptions.DEFAULT).keyAverages(true);

        List<String> adds = averages.rows().stream().filter(r -> r.name().equals("binary(ADD)"))
                .map(KeyAverage::inputShapes).toList();
        assertEquals(List.of("[[4, 8], [4, 8], [4, 8]]"), adds, "both adds are [4, 8] + [4, 8] -> [4, 8]");
        String table = averages.table(KeyAverages.Sort.CALLS, 10);
        assertTrue(table.contains("Input Shapes") && table.contains("[[4, 8], [8, 8], [4, 8]]"), table);
    }

    @Test
    void theTableListsRowsByTheSortColumnUpToTheLimitAndTheSelfTotal() {
        String table = profileScriptSequence(ProfilerOptions.DEFAULT).keyAverages().table(KeyAverages.Sort.CALLS, 2);
        List<String> lines = table.lines().toList();

        assertTrue(lines.get(1).contains("Self %") && lines.get(1).contains("# of Calls"), table);
        assertTrue(lines.get(3).trim().startsWith("gemm(false, false)") && lines.get(3).endsWith(" 3"), table);
        assertTrue(lines.get(4).trim().startsWith("binary(ADD)") && lines.get(4).endsWith(" 2"), table);
        assertTrue(lines.get(6).startsWith("Self time total: "), table);
        assertEquals(7, lines.size(), table);
    }

    @Test
    void timesAreWrittenAsPyTorchWritesThem() {
        assertEquals("96.000us", KeyAverages.time(96_000));
        assertEquals("1.200ms", KeyAverages.time(1_200_000));
        assertEquals("2.500s", KeyAverages.time(2_500_000_000L));
    }

    @Test
    void theTraceHasTheStructureAndFieldTypesOfPyTorchsAndRangesEncloseTheirOperations() throws IOException {
        Path file = dir.resolve("trace.json");
        profileScriptSequence(ProfilerOptions.DEFAULT).exportChromeTrace(file);
        JsonObject kiln = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        JsonArray pytorch = pytorchTrace();

        assertEquals(1, kiln.get("schemaVersion").getAsInt());
        JsonArray events = kiln.getAsJsonArray("traceEvents");
        Map<String, String> pytorchFields = fieldTypes(pytorch);
        for (JsonElement e : events) {
            Map<String, String> fields = fieldTypes(e.getAsJsonObject());
            pytorchFields.forEach((field, type) -> assertEquals(type, fields.get(field), field + " in " + e));
            assertEquals("X", e.getAsJsonObject().get("ph").getAsString());
        }
        List<JsonObject> ops = new ArrayList<>();
        JsonObject forward = null;
        for (JsonElement e : events) {
            JsonObject o = e.getAsJsonObject();
            if (o.get("name").getAsString().equals("forward")) {
                forward = o;
            } else {
                ops.add(o);
            }
        }
        assertEquals(ProfilerEvent.RANGE, forward.get("cat").getAsString());
        assertEquals(5, ops.size(), events.toString());
        double start = forward.get("ts").getAsDouble();
        double end = start + forward.get("dur").getAsDouble();
        for (JsonObject op : ops) {
            double opStart = op.get("ts").getAsDouble();
            assertTrue(start <= opStart && opStart + op.get("dur").getAsDouble() <= end, op + " outside " + forward);
            assertEquals(ProfilerEvent.OPERATION, op.get("cat").getAsString());
        }
        JsonObject gemm = ops.get(0).getAsJsonObject("args");
        assertEquals("[[4,8],[8,8],[4,8]]", gemm.get("Input Dims").toString());
        assertEquals("[\"F32\",\"F32\",\"F32\"]", gemm.get("Input type").toString());
    }

    @Test
    void theTraceIsWrittenThroughATemporaryFileLeavingNoneBehind() throws IOException {
        Path file = dir.resolve("trace.json");
        Files.writeString(file, "old");
        profileScriptSequence(ProfilerOptions.DEFAULT).exportChromeTrace(file);

        assertTrue(Files.readString(file).startsWith("{\"schemaVersion\":1"));
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList());
        }
    }

    @Test
    void withoutShapesTheEventsHaveNoInputs() {
        Profiler p = profileScriptSequence(ProfilerOptions.DEFAULT.withRecordShapes(false));

        assertTrue(p.events().stream().allMatch(e -> e.inputs().isEmpty()), p.events().toString());
    }

    @Test
    void aScheduleRecordsOnlyItsActiveStepsEachAsAProfilerStepRange() {
        List<String> names;
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[4], 2, 2).to(profiled);
            try (Profiler p = Profiler.start(profiled, ProfilerOptions.DEFAULT.withSchedule(
                    new ProfilerSchedule(1, 1, 2, 1, 0)))) {
                for (int step = 0; step < 6; step++) {
                    try (ProfilerRange r = Profiler.range("step body " + step)) {
                        x.add(x);
                    }
                    p.step();
                }
                assertTrue(p.finished());
                names = p.events().stream().map(ProfilerEvent::name).toList();
            }
        }

        assertEquals(List.of("ProfilerStep#2", "step body 2", "binary(ADD)", "ProfilerStep#3", "step body 3",
                "binary(ADD)"), names);
    }

    @Test
    void theStepsRangesAreOneRowOfTheTableAsInPyTorchs() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[4], 2, 2).to(profiled);
            try (Profiler p = Profiler.start(profiled, ProfilerOptions.DEFAULT.withSchedule(
                    new ProfilerSchedule(0, 0, 10)))) {
                for (int step = 0; step < 3; step++) {
                    x.add(x);
                    p.step();
                }
                p.close();
                KeyAverage steps = p.keyAverages().row("ProfilerStep*");

                assertEquals(4, steps.calls(), "three steps and the one under way at close: "
                        + p.keyAverages().rows());
                assertEquals(List.of("ProfilerStep*", "binary(ADD)"),
                        p.keyAverages().rows().stream().map(KeyAverage::name).toList());
            }
        }
    }

    @Test
    void rangesOutsideAProfilerRecordNothingAndCostNoObject() {
        assertSame(ProfilerRange.NONE, Profiler.range("idle"));
    }

    @Test
    void startingOnABackendWithoutAnOperationProfilerSaysHowToGetOne() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Profiler.start(cpu, ProfilerOptions.DEFAULT));

        assertTrue(e.getMessage().contains("-D" + OperationProfiler.PROPERTY + "=true"), e.getMessage());
    }

    @Test
    void oneProfilerRecordsAtATime() {
        try (Profiler p = Profiler.start(profiled, ProfilerOptions.DEFAULT)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Profiler.start(profiled, ProfilerOptions.DEFAULT));
            assertTrue(e.getMessage().contains("already recording"), e.getMessage());
        }
        Profiler.start(profiled, ProfilerOptions.DEFAULT).close();
    }

    @Test
    void aScheduleRecordingNoStepIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProfilerSchedule(1, 1, 0));

        assertTrue(e.getMessage().contains("active >= 1"), e.getMessage());
        assertFalse(new ProfilerSchedule(1, 1, 2).records(1));
    }

    @Test
    void aScheduleSkipsItsFirstStepsAndRepeatsItsCycleAsPyTorchs() {
        ProfilerSchedule twice = new ProfilerSchedule(1, 1, 2, 2, 1);
        ProfilerSchedule forever = new ProfilerSchedule(1, 1, 2, 0, 1);
        // profiler_schedule.py: schedule(wait=1, warmup=1, active=2, repeat=2 or 0, skip_first=1), steps 0..13
        List<String> pytorchTwice = List.of("NONE", "NONE", "WARMUP", "RECORD", "RECORD_AND_SAVE", "NONE", "WARMUP",
                "RECORD", "RECORD_AND_SAVE", "NONE", "NONE", "NONE", "NONE", "NONE");
        List<String> pytorchForever = List.of("NONE", "NONE", "WARMUP", "RECORD", "RECORD_AND_SAVE", "NONE", "WARMUP",
                "RECORD", "RECORD_AND_SAVE", "NONE", "WARMUP", "RECORD", "RECORD_AND_SAVE", "NONE");

        for (int step = 0; step < 14; step++) {
            assertEquals(pytorchTwice.get(step), twice.action(step).name(), "repeat 2, step " + step);
            assertEquals(pytorchForever.get(step), forever.action(step).name(), "repeat 0, step " + step);
        }
        assertTrue(twice.isOver(9) && !twice.isOver(8));
        assertFalse(forever.isOver(1_000_000));
    }

    @Test
    void aScheduleWithoutRepeatOrSkipCyclesUntilClosedAsPyTorchsDefaults() {
        ProfilerSchedule defaults = new ProfilerSchedule(1, 1, 2);
        // profiler_schedule.py: schedule(wait=1, warmup=1, active=2), repeat=0 and skip_first=0 by default, steps 0..13
        List<String> pytorch = List.of("NONE", "WARMUP", "RECORD", "RECORD_AND_SAVE", "NONE", "WARMUP", "RECORD",
                "RECORD_AND_SAVE", "NONE", "WARMUP", "RECORD", "RECORD_AND_SAVE", "NONE", "WARMUP");

        for (int step = 0; step < 14; step++) {
            assertEquals(pytorch.get(step), defaults.action(step).name(), "step " + step);
        }
        assertEquals(new ProfilerSchedule(1, 1, 2, 0, 0), defaults);
    }

    @Test
    void onTraceReadyGetsTheProfilerAtTheEndOfEachCycleWithThatCyclesStepsOnly() {
        List<String> seen = new ArrayList<>();
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[4], 2, 2).to(profiled);
            ProfilerOptions options = ProfilerOptions.DEFAULT.withSchedule(new ProfilerSchedule(1, 1, 2, 2, 1))
                    .withOnTraceReady(p -> seen.add(p.steps() + " " + p.events().stream()
                            .map(ProfilerEvent::name).filter(n -> n.startsWith(Profiler.STEP)).toList()));
            try (Profiler p = Profiler.start(profiled, options)) {
                for (int step = 0; step < 12; step++) {
                    x.add(x);
                    p.step();
                }
            }
        }

        // profiler_schedule.py: on_trace_ready at steps 5 and 9, each cycle's key_averages two ProfilerStep events
        assertEquals(List.of("5 [ProfilerStep#3, ProfilerStep#4]", "9 [ProfilerStep#7, ProfilerStep#8]"), seen);
    }

    @Test
    void closingInAnActiveStepEndsItsCycleOnceAndAWarmUpIsNoCycle() {
        List<Long> ready = new ArrayList<>();
        ProfilerOptions options = ProfilerOptions.DEFAULT.withSchedule(new ProfilerSchedule(0, 1, 3, 0, 0))
                .withOnTraceReady(p -> ready.add(p.steps()));
        try (Profiler p = Profiler.start(profiled, options)) {
            p.step();
            p.step();
        }
        try (Profiler p = Profiler.start(profiled, options)) {
            for (int step = 0; step < 4; step++) {
                p.step();
            }
        }

        assertEquals(List.of(2L, 4L), ready, "the first closed while recording; the second's cycle ended at step 4"
                + " and it closed in the next cycle's warm-up");
    }

    @Test
    void theTensorBoardHandlerWritesOneTraceACycleNamedAsPyTorchsLeavingNoTemporaryFile() throws IOException {
        Path logdir = dir.resolve("tb");
        long before = System.currentTimeMillis();
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[4], 2, 2).to(profiled);
            ProfilerOptions options = ProfilerOptions.DEFAULT.withSchedule(new ProfilerSchedule(0, 1, 1, 2, 0))
                    .withOnTraceReady(Profiler.tensorboardTraceHandler(logdir, "worker0"));
            try (Profiler p = Profiler.start(profiled, options)) {
                for (int step = 0; step < 4; step++) {
                    x.add(x);
                    p.step();
                    sleepAMillisecond();
                }
            }
        }
        long after = System.currentTimeMillis();

        List<Path> files;
        try (var listing = Files.list(logdir)) {
            files = listing.sorted().toList();
        }
        assertEquals(2, files.size(), files.toString());
        for (Path f : files) {
            String name = f.getFileName().toString();
            // profiler_schedule.py: tensorboard_trace_handler(d, "worker") wrote worker.1796656458829.pt.trace.json
            assertTrue(name.matches("worker0\\.\\d+\\.pt\\.trace\\.json"), name);
            long millis = Long.parseLong(name.split("\\.")[1]);
            assertTrue(before <= millis && millis <= after, name);
            JsonArray events = JsonParser.parseString(Files.readString(f)).getAsJsonObject()
                    .getAsJsonArray("traceEvents");
            int steps = 0;
            for (JsonElement e : events) {
                steps += e.getAsJsonObject().get("name").getAsString().startsWith(Profiler.STEP) ? 1 : 0;
            }
            assertEquals(1, steps, f + ": " + events);
        }
    }

    @Test
    void theTensorBoardHandlerNamesTheWorkerHostAndProcessByDefault() {
        String name = Profiler.defaultWorkerName();

        assertEquals(ProcessHandle.current().pid(), Long.parseLong(name.substring(name.lastIndexOf('_') + 1)));
        assertTrue(name.lastIndexOf('_') > 0, name);
    }

    @Test
    void withMemoryEachOperationCountsTheOutputAllocatedForItAsPyTorchsOpsDo() {
        KeyAverages averages = profileScriptSequence(ProfilerOptions.DEFAULT.withProfileMemory(true)).keyAverages();
        KeyAverage gemm = averages.row("gemm(false, false)");
        KeyAverage add = averages.row("binary(ADD)");
        KeyAverage forward = averages.row("forward");

        // profiler_trace.py's run with profile_memory: aten::mm 384 b for three [4, 8] float outputs
        assertEquals(3 * 128, gemm.memoryBytes(), averages.rows().toString());
        assertEquals(gemm.memoryBytes(), gemm.selfMemoryBytes());
        assertEquals(2 * 128, add.memoryBytes(), averages.rows().toString());
        assertEquals(5 * 128, forward.memoryBytes(), averages.rows().toString());
        assertEquals(0, forward.selfMemoryBytes(), averages.rows().toString());
    }

    @Test
    void aTensorFreedInsideARangeCountsAgainstTheRangeItself() {
        KeyAverages averages;
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[32], 4, 8).to(profiled);
            try (Profiler p = Profiler.start(profiled, ProfilerOptions.DEFAULT.withProfileMemory(true))) {
                try (ProfilerRange r = Profiler.range("scratch")) {
                    try (Scope inner = Scope.open()) {
                        x.add(x);
                    }
                }
                averages = p.keyAverages();
            }
        }
        KeyAverage scratch = averages.row("scratch");

        assertEquals(128, averages.row("binary(ADD)").memoryBytes(), averages.rows().toString());
        assertEquals(0, scratch.memoryBytes(), "allocated and freed inside: " + averages.rows());
        assertEquals(-128, scratch.selfMemoryBytes(), "the free happened in the range, outside any operation");
    }

    @Test
    void withMemoryTheTableHasPyTorchsMemoryColumnsInItsUnits() {
        String table = profileScriptSequence(ProfilerOptions.DEFAULT.withProfileMemory(true)).keyAverages()
                .table(KeyAverages.Sort.CALLS, 10);
        String header = table.lines().toList().get(1);
        String gemm = table.lines().filter(l -> l.trim().startsWith("gemm(false, false)")).findFirst().orElseThrow();

        assertTrue(header.matches(".*Host total +Mem +Self Mem +# of Calls"), table);
        assertTrue(gemm.matches(".* 384 b +384 b +3"), table);
        assertFalse(profileScriptSequence(ProfilerOptions.DEFAULT).keyAverages().table(KeyAverages.Sort.CALLS, 10)
                .contains("Self Mem"));
    }

    @Test
    void memoryIsWrittenAsPyTorchWritesIt() {
        // profiler_schedule.py's table: "124 b", "-2.00 Mb", "1024.00 Kb", "1.00 Mb"
        assertEquals("124 b", KeyAverages.memory(124));
        assertEquals("-2.00 Mb", KeyAverages.memory(-2 * 1048576));
        assertEquals("1024.00 Kb", KeyAverages.memory(1048576 - 4));
        assertEquals("1.50 Kb", KeyAverages.memory(1536));
        assertEquals("-1023 b", KeyAverages.memory(-1023));
        assertEquals("3.00 Gb", KeyAverages.memory(3L << 30));
    }

    @Test
    void withMemoryTheTraceHasAMemoryInstantEventPerAllocationAsKinetosTrace() throws IOException {
        Path file = dir.resolve("trace.json");
        profileScriptSequence(ProfilerOptions.DEFAULT.withProfileMemory(true)).exportChromeTrace(file);
        JsonArray events = JsonParser.parseString(Files.readString(file)).getAsJsonObject()
                .getAsJsonArray("traceEvents");

        List<JsonObject> memory = new ArrayList<>();
        for (JsonElement e : events) {
            if (e.getAsJsonObject().get("name").getAsString().equals("[memory]")) {
                memory.add(e.getAsJsonObject());
            }
        }
        assertEquals(5, memory.size(), events.toString());
        long total = memory.get(0).getAsJsonObject("args").get("Total Allocated").getAsLong();
        for (JsonObject m : memory) {
            assertEquals("i", m.get("ph").getAsString());
            assertEquals("t", m.get("s").getAsString());
            assertEquals("cpu_instant_event", m.get("cat").getAsString());
            JsonObject args = m.getAsJsonObject("args");
            assertEquals(128, args.get("Bytes").getAsLong(), m.toString());
            assertEquals(0, args.get("Device Type").getAsInt(), "PyTorch's c10::DeviceType::CPU");
            assertEquals(-1, args.get("Device Id").getAsInt(), "PyTorch's CPU device id");
            assertTrue(args.has("Addr") && m.has("ts") && m.has("pid") && m.has("tid"), m.toString());
            assertEquals(total, args.get("Total Allocated").getAsLong(), m.toString());
            total += 128;
        }
    }

    @Test
    void stepsAfterCloseNeitherEndACycleNorForgetItsEvents() {
        List<Long> ready = new ArrayList<>();
        Profiler p = Profiler.start(profiled, ProfilerOptions.DEFAULT.withSchedule(new ProfilerSchedule(0, 0, 2, 0, 0))
                .withOnTraceReady(q -> ready.add(q.steps())));
        p.step();
        p.close();
        List<ProfilerEvent> kept = p.events();
        p.step();
        p.step();

        assertEquals(List.of(1L), ready, "only the close ended a cycle");
        assertEquals(kept, p.events());
        assertEquals(List.of("ProfilerStep#0", "ProfilerStep#1"), kept.stream().map(ProfilerEvent::name).toList());
    }

    @Test
    void aRangeOpenedInOneCycleAndClosedInTheNextIsInNeither() {
        List<List<String>> cycles = new ArrayList<>();
        try (Profiler p = Profiler.start(profiled, ProfilerOptions.DEFAULT.withSchedule(new ProfilerSchedule(0, 0, 1, 0, 0))
                .withOnTraceReady(q -> cycles.add(q.events().stream().map(ProfilerEvent::name).toList())))) {
            ProfilerRange straddling = Profiler.range("straddling");
            p.step();
            straddling.close();
            p.step();
        }

        assertEquals(List.of(List.of("ProfilerStep#0"), List.of("ProfilerStep#1"), List.of("ProfilerStep#2")), cycles,
                "one step a cycle, the third ended by the close");
    }

    @Test
    void aCyclesEventsStayThroughTheNextWaitAndGoWhenTheNextCycleBegins() {
        try (Profiler p = Profiler.start(profiled, ProfilerOptions.DEFAULT.withSchedule(
                new ProfilerSchedule(1, 0, 1, 0, 0)))) {
            p.step();
            p.step();
            List<String> inTheWait = p.events().stream().map(ProfilerEvent::name).toList();
            p.step();

            assertEquals(List.of("ProfilerStep#1"), inTheWait);
            assertEquals(List.of(), p.events(), "step 3 records, beginning the next cycle");
        }
    }

    @Test
    void aRangeClosedInTheWaitAfterItsCycleIsNotAddedToTheEndedCycle() {
        List<List<String>> handed = new ArrayList<>();
        try (Profiler p = Profiler.start(profiled, ProfilerOptions.DEFAULT.withSchedule(new ProfilerSchedule(1, 0, 1, 0, 0))
                .withOnTraceReady(q -> handed.add(q.events().stream().map(ProfilerEvent::name).toList())))) {
            p.step();
            ProfilerRange straddling = Profiler.range("straddling");
            p.step();
            straddling.close();
            List<String> inTheWait = p.events().stream().map(ProfilerEvent::name).toList();

            assertEquals(List.of(List.of("ProfilerStep#1")), handed);
            assertEquals(handed.get(0), inTheWait, "PyTorch's profiler stopped at the cycle's end, before the close");
        }
    }

    @Test
    void withoutAScheduleStepsAreCountedButNotMarkedAsPyTorchs() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[4], 2, 2).to(profiled);
            try (Profiler p = Profiler.start(profiled, ProfilerOptions.DEFAULT)) {
                for (int step = 0; step < 3; step++) {
                    x.add(x);
                    p.step();
                }
                p.close();

                // profiler_schedule.py: without a schedule key_averages() is ['aten::add'] (record_steps False)
                assertEquals(3, p.steps());
                assertEquals(List.of("binary(ADD)"), p.keyAverages().rows().stream().map(KeyAverage::name).toList());
            }
        }
    }

    @Test
    void aScheduledProfilerClosedBeforeItsFirstStepMarksStepZeroAsPyTorchs() {
        List<List<String>> handed = new ArrayList<>();
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[4], 2, 2).to(profiled);
            try (Profiler p = Profiler.start(profiled, ProfilerOptions.DEFAULT.withSchedule(new ProfilerSchedule(0, 0, 2))
                    .withOnTraceReady(q -> handed.add(q.events().stream().map(ProfilerEvent::name).toList())))) {
                x.add(x);
            }
        }

        // profiler_schedule.py: closed before a step, on_trace_ready's key_averages() has a ProfilerStep* row
        assertEquals(List.of(List.of("ProfilerStep#0", "binary(ADD)")), handed);
    }

    @Test
    void memoryFreedOutsideEverySpanIsPyTorchsMemoryRow() {
        KeyAverages averages;
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[32], 4, 8).to(profiled);
            try (Profiler p = Profiler.start(profiled, ProfilerOptions.DEFAULT.withProfileMemory(true))) {
                try (Scope inner = Scope.open()) {
                    x.add(x);
                }
                averages = p.keyAverages();
            }
        }
        KeyAverage memory = averages.row("[memory]");

        // profiler_schedule.py: a tensor freed outside every op is a "[memory]" row, its bytes negative, a call each
        assertEquals(128, averages.row("binary(ADD)").memoryBytes(), averages.rows().toString());
        assertTrue(memory != null, "no [memory] row: " + averages.rows());
        assertEquals(1, memory.calls());
        assertEquals(-128, memory.memoryBytes());
        assertEquals(-128, memory.selfMemoryBytes());
        assertEquals(0, memory.totalNanos());
        assertTrue(averages.table(KeyAverages.Sort.CALLS, 10).contains("[memory]"));
    }

    private static void sleepAMillisecond() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** PyTorch's trace, written by profiler_trace.py: a JSON array of events in 1.13 without Kineto. */
    private static JsonArray pytorchTrace() throws IOException {
        try (Reader r = new InputStreamReader(ProfilerTest.class.getResourceAsStream("/profiler/pytorch_chrome_trace.json"),
                StandardCharsets.UTF_8)) {
            return JsonParser.parseReader(r).getAsJsonArray();
        }
    }

    /** The fields of PyTorch's events with their JSON types, checked to be the same in every event. */
    private static Map<String, String> fieldTypes(JsonArray events) {
        Map<String, String> types = fieldTypes(events.get(0).getAsJsonObject());
        for (JsonElement e : events) {
            assertEquals(types, fieldTypes(e.getAsJsonObject()), e.toString());
        }
        return types;
    }

    private static Map<String, String> fieldTypes(JsonObject event) {
        Map<String, String> types = new TreeMap<>();
        event.entrySet().forEach(f -> types.put(f.getKey(), type(f.getValue())));
        return types;
    }

    private static String type(JsonElement e) {
        if (e instanceof JsonPrimitive p) {
            return p.isNumber() ? "number" : p.isString() ? "string" : "boolean";
        }
        return e.isJsonObject() ? "object" : e.isJsonArray() ? "array" : "null";
    }
}
