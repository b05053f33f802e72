package dev.kiln.profiler;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.OperationProfiler;
import dev.kiln.engine.Storage;
import dev.kiln.engine.StorageEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Records what a stretch of a program spends its time on (PyTorch's {@code torch.profiler.profile}): each operation
 * of the backend, with its input shapes, and the ranges the program marks, for a table of operations
 * ({@link #keyAverages}) and a timeline that chrome://tracing and Perfetto show ({@link #exportChromeTrace}).
 * <pre>{@code
 * try (Profiler p = Profiler.start()) {
 *     try (ProfilerRange r = Profiler.range("forward")) {
 *         loss = model.forward(x) ...
 *     }
 * }
 * System.out.println(p.keyAverages().table(KeyAverages.Sort.TOTAL, 10));
 * p.exportChromeTrace(Path.of("trace.json"));
 * }</pre>
 * The operations are timed by the engine's {@link OperationProfiler}, which waits for the device before and after
 * each: start the JVM with {@code -Dkiln.profileOperations=true} (it must wrap the backend before the first tensor
 * exists). Without it nothing is wrapped and nothing is slowed: {@link #range} then costs one field read. One
 * profiler records at a time; with a {@link ProfilerSchedule} it records only the steps the schedule names, counted
 * by {@link #step} (PyTorch's {@code prof.step()}), each as a {@code ProfilerStep#N} range (none without a schedule,
 * {@link ProfilerSchedule#ALWAYS}, as PyTorch's), in cycles, each handed
 * to {@link ProfilerOptions#onTraceReady} when recorded (e.g. {@link #tensorboardTraceHandler}). With
 * {@link ProfilerOptions#profileMemory} it also records each tensor storage allocated and released.
 */
public final class Profiler implements AutoCloseable {
    /** The start of each recorded step's range name, {@code ProfilerStep#N}, as PyTorch names them. */
    public static final String STEP = "ProfilerStep";
    private static volatile Profiler current;

    private final Backend backend;
    private final OperationProfiler operations;
    private final ProfilerOptions options;
    private final String process;
    private final long originNanos = System.nanoTime();
    private final List<ProfilerEvent> events = new ArrayList<>();
    private final List<ProfilerMemoryEvent> memory = new ArrayList<>();
    private final Consumer<OperationProfiler.Call> listener = this::onCall;
    private final StorageEvents.Listener storages = new StorageEvents.Listener() {
        @Override
        public void allocated(Storage storage, long bytes) {
            onStorage(storage, bytes);
        }

        @Override
        public void released(Storage storage, long bytes) {
            onStorage(storage, -bytes);
        }
    };
    private long step;
    /** Counts the cycles begun, so that a range begun in one cycle is not kept in the next. */
    private long cycle;
    private long stepStartNanos = originNanos;
    private volatile boolean closed;

    private Profiler(Backend backend, OperationProfiler operations, ProfilerOptions options, String process) {
        this.backend = backend;
        this.operations = operations;
        this.options = options;
        this.process = process;
    }

    /** Starts recording the engine's operations, every step with their shapes ({@link ProfilerOptions#DEFAULT}). */
    public static Profiler start() {
        return start(ProfilerOptions.DEFAULT);
    }

    /** Starts recording the engine's operations as {@code options} say. */
    public static Profiler start(ProfilerOptions options) {
        return start(Engine.get().backend(), options);
    }

    /**
     * Starts recording the operations of {@code backend}, which {@link OperationProfiler#wrap} made (the engine's when
     * {@code -Dkiln.profileOperations=true}).
     */
    public static Profiler start(Backend backend, ProfilerOptions options) {
        OperationProfiler operations = OperationProfiler.of(backend).orElseThrow(() -> new IllegalStateException(
                "the profiler times operations through the engine's OperationProfiler, and the " + backend.name()
                        + " backend has none: start the JVM with -D" + OperationProfiler.PROPERTY + "=true"));
        synchronized (Profiler.class) {
            if (current != null) {
                throw new IllegalStateException("a profiler is already recording; close it before starting another");
            }
            Profiler p = new Profiler(backend, operations, options, "Kiln " + backend.name());
            if (options.profileMemory()) {
                StorageEvents.listen(p.storages);
            }
            operations.addListener(p.listener);
            current = p;
            return p;
        }
    }

    /**
     * Marks a range named {@code name} until the returned range is closed (PyTorch's {@code record_function}); it
     * does nothing when no profiler is recording.
     */
    public static ProfilerRange range(String name) {
        Profiler p = current;
        if (p == null || !p.recording()) {
            return ProfilerRange.NONE;
        }
        return new ProfilerRange(p, p.cycle(), name, Thread.currentThread().getId(), System.nanoTime());
    }

    /**
     * Ends a step and begins the next, for the {@link ProfilerSchedule}: a recorded step becomes a range; the end of a
     * cycle's last active step calls {@link ProfilerOptions#onTraceReady}, whose profiler holds that cycle's events
     * until the next cycle begins (its warm-up or, without one, its first active step) and forgets them.
     */
    public void step() {
        ProfilerSchedule.Action ended;
        ProfilerSchedule.Action begun;
        synchronized (this) {
            if (closed) {
                step++;
                return;
            }
            long now = System.nanoTime();
            ended = action();
            if (ended.records() && marksSteps()) {
                events.add(ProfilerEvent.range(STEP + "#" + step, Thread.currentThread().getId(), stepStartNanos, now));
            }
            step++;
            stepStartNanos = now;
            begun = action();
        }
        if (ended == ProfilerSchedule.Action.RECORD_AND_SAVE) {
            options.onTraceReady().accept(this);
        }
        boolean cycleBegins = (ended == ProfilerSchedule.Action.NONE
                || ended == ProfilerSchedule.Action.RECORD_AND_SAVE) && begun != ProfilerSchedule.Action.NONE;
        if (cycleBegins) {
            synchronized (this) {
                events.clear();
                memory.clear();
                cycle++;
            }
        }
    }

    /** Steps counted so far. */
    public synchronized long steps() {
        return step;
    }

    /** Whether the profiler records now: not closed, and the step is one the schedule records. */
    public synchronized boolean recording() {
        return !closed && action().records();
    }

    /** Whether the schedule's recorded steps are all behind. */
    public synchronized boolean finished() {
        return closed || options.schedule().isOver(step);
    }

    /**
     * Stops recording; the events stay, for the table and the trace. A recorded step under way ends as a range and
     * ends its cycle, calling {@link ProfilerOptions#onTraceReady}.
     */
    @Override
    public void close() {
        boolean cycleEnds;
        synchronized (this) {
            if (closed) {
                return;
            }
            cycleEnds = action().records();
            if (cycleEnds && marksSteps()) {
                events.add(ProfilerEvent.range(STEP + "#" + step, Thread.currentThread().getId(), stepStartNanos,
                        System.nanoTime()));
            }
            closed = true;
        }
        operations.removeListener(listener);
        StorageEvents.stopListening(storages);
        synchronized (Profiler.class) {
            if (current == this) {
                current = null;
            }
        }
        if (cycleEnds) {
            options.onTraceReady().accept(this);
        }
    }

    /** Every event recorded, the earliest first (an enclosing range before what it encloses). */
    public synchronized List<ProfilerEvent> events() {
        List<ProfilerEvent> out = new ArrayList<>(events);
        out.sort(Comparator.comparingLong(ProfilerEvent::startNanos)
                .thenComparing(Comparator.comparingLong(ProfilerEvent::endNanos).reversed()));
        return out;
    }

    /** Every tensor storage allocated and released while recording, the earliest first; none without memory. */
    public synchronized List<ProfilerMemoryEvent> memoryEvents() {
        return List.copyOf(memory);
    }

    /** The recorded events averaged by name (PyTorch's {@code key_averages()}). */
    public KeyAverages keyAverages() {
        return keyAverages(false);
    }

    /** As {@link #keyAverages()}; {@code byInputShape} keeps apart calls of other shapes ({@code group_by_input_shape}). */
    public KeyAverages keyAverages(boolean byInputShape) {
        return KeyAverages.of(events(), memoryEvents(), byInputShape, options.profileMemory());
    }

    /**
     * Writes the events to {@code file} as Chrome trace event JSON, for chrome://tracing and Perfetto
     * ({@code export_chrome_trace}); atomically, through a temporary file renamed over it.
     */
    public void exportChromeTrace(Path file) throws IOException {
        ChromeTrace.write(file, events(), memoryEvents(), originNanos, process, backend.device());
    }

    /**
     * An {@code on_trace_ready} callback writing each cycle's trace into {@code dir} (made if missing) as
     * {@code WORKER.MILLIS.pt.trace.json}, {@code MILLIS} the wall clock in milliseconds when it is written, as
     * PyTorch's {@code tensorboard_trace_handler(dir_name, worker_name)} names its files, for TensorBoard's profiler
     * plugin; each through a temporary file renamed over it.
     *
     * @param worker the worker's name, unique among the processes writing into {@code dir}; null for
     *               {@code HOST_PID}, as PyTorch's default
     */
    public static Consumer<Profiler> tensorboardTraceHandler(Path dir, String worker) {
        String name = worker == null || worker.isEmpty() ? defaultWorkerName() : worker;
        return p -> {
            try {
                Files.createDirectories(dir);
                p.exportChromeTrace(dir.resolve(name + "." + System.currentTimeMillis() + ".pt.trace.json"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the profiler's trace into " + dir, e);
            }
        };
    }

    /** {@code HOST_PID}, PyTorch's default worker name. */
    static String defaultWorkerName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "_" + ProcessHandle.current().pid();
    }

    private ProfilerSchedule.Action action() {
        return options.schedule().action(step);
    }

    /**
     * Whether each recorded step is a {@code ProfilerStep#N} range: with a schedule, from the start (step 0 too when
     * the profiler closes before its first {@link #step}), and not with {@link ProfilerSchedule#ALWAYS}, as PyTorch's
     * profiler sets {@code record_steps} only when given a schedule.
     */
    private boolean marksSteps() {
        return !options.schedule().equals(ProfilerSchedule.ALWAYS);
    }

    /** The cycles begun before the one under way. */
    synchronized long cycle() {
        return cycle;
    }

    /**
     * Keeps {@code event}, a range begun in cycle {@code begun}, while that cycle still records: not after the
     * profiler closed, nor once the cycle's last active step ended (its trace handed over, in the wait before the next
     * cycle too), nor in a later cycle.
     */
    synchronized void add(ProfilerEvent event, long begun) {
        if (recording() && begun == cycle) {
            events.add(event);
        }
    }

    /** Keeps a storage's allocation ({@code bytes} > 0) or release of the profiled backend while recording. */
    private void onStorage(Storage storage, long bytes) {
        if (storage.backend() != backend) {
            return;
        }
        long nanos = System.nanoTime();
        long total = backend.bytesInUse();
        synchronized (this) {
            if (recording()) {
                memory.add(new ProfilerMemoryEvent(Thread.currentThread().getId(), nanos, bytes,
                        System.identityHashCode(storage), total));
            }
        }
    }

    private synchronized void onCall(OperationProfiler.Call call) {
        if (recording()) {
            events.add(ProfilerEvent.of(call, options.recordShapes()));
        }
    }
}
