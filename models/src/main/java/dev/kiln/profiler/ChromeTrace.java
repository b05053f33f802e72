package dev.kiln.profiler;

import com.google.gson.stream.JsonWriter;
import dev.kiln.engine.Device;
import dev.kiln.engine.OperationProfiler;
import dev.kiln.io.AtomicFiles;
import java.io.IOException;
import java.math.BigDecimal;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link Profiler}'s events as Chrome trace event JSON (the JSON Object Format that chrome://tracing and Perfetto
 * load, and PyTorch's {@code export_chrome_trace} writes): {@code {"schemaVersion": 1, "traceEvents": [...]}}, each
 * event a complete one ({@code "ph": "X"}) with its {@code name}, {@code cat}egory, start {@code ts} and {@code dur}
 * in microseconds from the profiler's start, {@code pid} (the process, named as PyTorch 1.13's legacy trace names
 * it, a string) and {@code tid} (the thread's id), and {@code args}: an operation's {@code Input Dims},
 * {@code Input type} (as PyTorch's Kineto trace has them) and {@code Host dur} in microseconds. With memory
 * profiled, each storage allocated or released is an instant event ({@code "ph": "i"}, {@code "s": "t"}) named
 * {@code [memory]} in category {@code cpu_instant_event}, as Kineto writes them, whose {@code args} hold its
 * {@code Device Type} and {@code Device Id} (PyTorch's numbers: 0 and -1 for the CPU, 1 and the index for CUDA), its
 * {@code Addr} (the storage's identity), its signed {@code Bytes} and the {@code Total Allocated} after it.
 */
final class ChromeTrace {
    private ChromeTrace() {
    }

    /** Writes {@code events}, timed from {@code originNanos}, to {@code file} through a temporary file. */
    static void write(Path file, List<ProfilerEvent> events, List<ProfilerMemoryEvent> memory, long originNanos,
                      String process, Device device) throws IOException {
        AtomicFiles.write(file, out -> {
            Writer text = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            JsonWriter json = new JsonWriter(text);
            json.beginObject().name("schemaVersion").value(1).name("traceEvents").beginArray();
            for (ProfilerEvent e : events) {
                event(json, e, originNanos, process);
            }
            for (ProfilerMemoryEvent m : memory) {
                memory(json, m, originNanos, process, device);
            }
            json.endArray().endObject();
            json.flush();
            text.write('\n');
            text.flush();
        });
    }

    private static void event(JsonWriter json, ProfilerEvent e, long originNanos, String process) throws IOException {
        json.beginObject().name("name").value(e.name()).name("ph").value("X").name("cat").value(e.category())
                .name("ts").value(micros(e.startNanos() - originNanos)).name("dur").value(micros(e.durationNanos()))
                .name("tid").value(e.threadId()).name("pid").value(process).name("args").beginObject();
        if (e.category().equals(ProfilerEvent.OPERATION)) {
            if (!e.inputs().isEmpty()) {
                json.name("Input Dims").beginArray();
                for (OperationProfiler.Input in : e.inputs()) {
                    json.beginArray();
                    for (int d : in.dims()) {
                        json.value(d);
                    }
                    json.endArray();
                }
                json.endArray().name("Input type").beginArray();
                for (OperationProfiler.Input in : e.inputs()) {
                    json.value(in.type());
                }
                json.endArray();
            }
            json.name("Host dur").value(micros(e.hostNanos()));
        }
        json.endObject().endObject();
    }

    private static void memory(JsonWriter json, ProfilerMemoryEvent m, long originNanos, String process,
                               Device device) throws IOException {
        boolean cuda = device.kind().equals("cuda");
        json.beginObject().name("name").value(ProfilerMemoryEvent.NAME).name("ph").value("i").name("s").value("t")
                .name("cat").value("cpu_instant_event").name("ts").value(micros(m.nanos() - originNanos))
                .name("tid").value(m.threadId()).name("pid").value(process).name("args").beginObject()
                .name("Device Type").value(cuda ? 1 : 0).name("Device Id").value(cuda ? device.index() : -1)
                .name("Addr").value(m.address()).name("Bytes").value(m.bytes())
                .name("Total Allocated").value(m.totalAllocated()).endObject().endObject();
    }

    /** Nanoseconds as microseconds to the nanosecond, as Kineto writes them, never in exponent notation. */
    private static BigDecimal micros(long nanos) {
        return BigDecimal.valueOf(nanos, 3);
    }
}
