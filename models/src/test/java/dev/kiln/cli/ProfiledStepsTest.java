package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln bench --profile-trace} and {@code kiln train --profile-trace}: a few steps after a warm-up profiled,
 * their table printed and their trace written. The run is a JVM of its own, as the engine's backend must be profiled from its creation and this JVM's
 * tests share one engine.
 */
class ProfiledStepsTest {
    @TempDir
    Path tmp;

    @Test
    void benchProfilesTheScheduledStepsPrintsTheirTableAndWritesTheirTrace() throws Exception {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 100, 20);
        Path trace = tmp.resolve("out").resolve("trace.json");
        String out = kilnInItsOwnJvm("bench", "mlp", "--data-dir", data.toString(), "--epochs", "1", "--batch", "10",
                "--width", "16", "--profile-trace", trace.toString(), "--profile-schedule", "2,3,4");

        assertTrue(out.contains("profile of 4 training steps after 2 skipped and 3 of warm-up"), out);
        assertTrue(out.lines().anyMatch(l -> l.trim().startsWith("ProfilerStep*") && l.endsWith(" 4")), out);
        assertTrue(out.lines().anyMatch(l -> l.trim().startsWith("forward") && l.endsWith(" 4")), out);
        assertTrue(out.contains("Self time total: "), out);
        List<JsonObject> events = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(Files.readString(trace)).getAsJsonObject()
                .getAsJsonArray("traceEvents")) {
            events.add(e.getAsJsonObject());
        }
        assertEquals(List.of("ProfilerStep#5", "ProfilerStep#6", "ProfilerStep#7", "ProfilerStep#8"),
                events.stream().map(e -> e.get("name").getAsString()).filter(n -> n.startsWith("ProfilerStep"))
                        .toList());
        for (JsonObject e : events) {
            if (e.get("name").getAsString().startsWith("gemm")) {
                assertTrue(events.stream().anyMatch(r -> r.get("name").getAsString().startsWith("ProfilerStep")
                        && encloses(r, e)), e + " in no step");
            }
        }
    }

    @Test
    void aScheduleWithoutATraceIsRefused() {
        KilnRuns.Result r = KilnRuns.kiln("bench", "mlp", "--profile-schedule", "1,1,2");

        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--profile-schedule needs --profile-trace FILE"), r.err());
    }

    @Test
    void aScheduleOfOtherThanThreeCountsIsRefused() {
        KilnRuns.Result r = KilnRuns.kiln("bench", "mlp", "--profile-trace", tmp.resolve("t.json").toString(),
                "--profile-schedule", "1,2");

        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--profile-schedule must be WAIT,WARMUP,ACTIVE step counts, e.g. 10,10,5, got"
                + " '1,2'"), r.err());
    }

    @Test
    void trainProfilesTheScheduledStepsWithTheirForwardBackwardAndOptimizerRangesInsideThem() throws Exception {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 100, 20);
        Path trace = tmp.resolve("trace.json");
        String out = kilnInItsOwnJvm("train", "mlp", "--data-dir", data.toString(), "--epochs", "1", "--batch", "10",
                "--out", tmp.resolve("run").toString(), "--profile-trace", trace.toString(), "--profile-schedule",
                "2,3,4");

        assertTrue(out.contains("profile of 4 training steps after 2 skipped and 3 of warm-up"), out);
        assertTrue(out.lines().anyMatch(l -> l.trim().startsWith("ProfilerStep*") && l.endsWith(" 4")), out);
        assertTrue(out.lines().anyMatch(l -> l.trim().startsWith("backward") && l.endsWith(" 4")), out);
        assertTrue(out.lines().reduce((first, second) -> second).orElseThrow().startsWith("{"), out);
        List<JsonObject> events = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(Files.readString(trace)).getAsJsonObject()
                .getAsJsonArray("traceEvents")) {
            events.add(e.getAsJsonObject());
        }
        assertEquals(List.of("ProfilerStep#5", "ProfilerStep#6", "ProfilerStep#7", "ProfilerStep#8"),
                events.stream().map(e -> e.get("name").getAsString()).filter(n -> n.startsWith("ProfilerStep"))
                        .toList());
        for (String range : List.of("forward", "backward", "optimizer.step")) {
            List<JsonObject> ranges = events.stream().filter(e -> e.get("name").getAsString().equals(range)).toList();
            assertTrue(ranges.size() >= 4, range + ": " + ranges.size());
            for (JsonObject e : ranges) {
                assertTrue(events.stream().anyMatch(r -> r.get("name").getAsString().startsWith("ProfilerStep")
                        && encloses(r, e)), e + " in no step");
            }
        }
    }

    @Test
    void trainRefusesAProfileOfSeveralRanksOrOfTheRangeTest() {
        String trace = tmp.resolve("t.json").toString();
        KilnRuns.Result nproc = KilnRuns.kiln("train", "mlp", "--nproc", "2", "--profile-trace", trace);
        KilnRuns.Result rank = KilnRuns.kiln("train", "mlp", "--world-size", "2", "--rank", "0", "--master",
                "127.0.0.1:1", "--profile-trace", trace);
        KilnRuns.Result findLr = KilnRuns.kiln("train", "mlp", "--find-lr", "--profile-trace", trace);

        assertEquals(2, nproc.code(), nproc.toString());
        assertTrue(nproc.err().contains("--profile-trace does not work with --world-size/--nproc"), nproc.err());
        assertEquals(2, rank.code(), rank.toString());
        assertTrue(rank.err().contains("--profile-trace does not work with --world-size/--nproc"), rank.err());
        assertEquals(2, findLr.code(), findLr.toString());
        assertTrue(findLr.err().contains("--find-lr ignores --profile-trace"), findLr.err());
        assertTrue(Files.notExists(tmp.resolve("t.json")));
    }

    @Test
    void benchWithProfileMemoryPrintsTheMemoryColumnsAndWritesTheMemoryEvents() throws Exception {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 100, 20);
        Path trace = tmp.resolve("trace.json");
        String out = kilnInItsOwnJvm("bench", "mlp", "--data-dir", data.toString(), "--epochs", "1", "--batch", "10",
                "--width", "16", "--profile-trace", trace.toString(), "--profile-schedule", "1,1,2",
                "--profile-memory");

        assertTrue(out.lines().anyMatch(l -> l.matches(".*Host total +Mem +Self Mem +# of Calls")), out);
        assertTrue(out.lines().anyMatch(l -> l.trim().startsWith("gemm") && l.matches(".* Kb .*")), out);
        long memoryEvents = 0;
        for (JsonElement e : JsonParser.parseString(Files.readString(trace)).getAsJsonObject()
                .getAsJsonArray("traceEvents")) {
            memoryEvents += e.getAsJsonObject().get("name").getAsString().equals("[memory]") ? 1 : 0;
        }
        assertTrue(memoryEvents > 0, "no [memory] event in " + trace);
    }

    @Test
    void profileMemoryWithoutATraceIsRefused() {
        KilnRuns.Result r = KilnRuns.kiln("bench", "mlp", "--profile-memory");

        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--profile-memory needs --profile-trace FILE"), r.err());
    }

    private static boolean encloses(JsonObject outer, JsonObject inner) {
        double start = outer.get("ts").getAsDouble();
        double innerStart = inner.get("ts").getAsDouble();
        return start <= innerStart && innerStart + inner.get("dur").getAsDouble()
                <= start + outer.get("dur").getAsDouble();
    }

    /** Whether this JVM's class path holds Kiln: it does under Maven, not in the GPU bundle's JUnit launcher. */
    private static boolean onTheJvmClassPath() {
        try {
            Class.forName(Kiln.class.getName(), false, ClassLoader.getSystemClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Standard output of {@code kiln args} in a JVM of its own on this one's class path; it must exit 0. */
    private static String kilnInItsOwnJvm(String... args) throws IOException, InterruptedException {
        Assumptions.assumeTrue(onTheJvmClassPath(), "kiln is not on the JVM's class path ("
                + System.getProperty("java.class.path") + "), which the profiled run would run on");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), Kiln.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
