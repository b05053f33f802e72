package dev.kiln.profiler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Each event's own share of a {@link Profiler}'s time and memory, found per thread by walking its spans and memory
 * events in time order with a stack of the spans open. Self time is an event's time less that of the events it
 * directly encloses. A storage released counts toward the innermost span open on its thread. A storage allocated
 * inside an operation counts toward it (a temporary); one allocated outside counts toward the next operation to
 * start on its thread, for Kiln allocates an operation's output just before calling the backend (PyTorch's aten op
 * allocates its own), or toward the range it was allocated in when that ends first. An event's memory is its own
 * plus that of the events it encloses. What no event takes (a release outside every span, an allocation outside every
 * span with no operation after it, memory on a thread with no span) is left {@link Costs#outside}, PyTorch's
 * {@code [memory]} events.
 */
final class OwnCosts {
    /** An event's own time, own memory and memory with that of the events it encloses. */
    record Own(long selfNanos, long selfMemoryBytes, long memoryBytes) {
    }

    /** Each event's own costs, and the memory events that lie in no event: how many, and their bytes summed. */
    record Costs(Map<ProfilerEvent, Own> owns, long outsideCount, long outsideBytes) {
    }

    private final Map<ProfilerEvent, ProfilerEvent> parent = new IdentityHashMap<>();
    private final Map<ProfilerEvent, Long> childNanos = new IdentityHashMap<>();
    private final Map<ProfilerEvent, Long> selfMemory = new IdentityHashMap<>();
    private long outsideCount;
    private long outsideBytes;

    /** An allocation waiting for the next operation, unless the range it was made in ({@code owner}) ends first. */
    private record Pending(long bytes, ProfilerEvent owner) {
    }

    private OwnCosts() {
    }

    /** {@code events} (the earliest first, an enclosing one before what it encloses) with their own costs. */
    static Costs of(List<ProfilerEvent> events, List<ProfilerMemoryEvent> memory) {
        OwnCosts costs = new OwnCosts();
        Map<Long, List<ProfilerMemoryEvent>> memoryByThread = memory.stream()
                .collect(Collectors.groupingBy(ProfilerMemoryEvent::threadId));
        Map<Long, List<ProfilerEvent>> byThread = events.stream()
                .collect(Collectors.groupingBy(ProfilerEvent::threadId, LinkedHashMap::new, Collectors.toList()));
        byThread.forEach((thread, spans) -> costs.walk(spans, memoryByThread.getOrDefault(thread, List.of())));
        memoryByThread.forEach((thread, spanless) -> {
            if (!byThread.containsKey(thread)) {
                spanless.forEach(m -> costs.outside(m.bytes()));
            }
        });
        return new Costs(costs.owns(events), costs.outsideCount, costs.outsideBytes);
    }

    private void walk(List<ProfilerEvent> spans, List<ProfilerMemoryEvent> memory) {
        Deque<ProfilerEvent> open = new ArrayDeque<>();
        List<Pending> pending = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < spans.size() || j < memory.size()) {
            if (j < memory.size() && (i == spans.size() || memory.get(j).nanos() < spans.get(i).startNanos())) {
                ProfilerMemoryEvent m = memory.get(j++);
                while (!open.isEmpty() && open.peek().endNanos() < m.nanos()) {
                    close(open.pop(), pending);
                }
                ProfilerEvent top = open.peek();
                if (m.bytes() > 0 && (top == null || !isOperation(top))) {
                    pending.add(new Pending(m.bytes(), top));
                } else if (top != null) {
                    selfMemory.merge(top, m.bytes(), Long::sum);
                } else {
                    outside(m.bytes());
                }
            } else {
                ProfilerEvent s = spans.get(i++);
                while (!open.isEmpty() && !open.peek().encloses(s)) {
                    close(open.pop(), pending);
                }
                if (!open.isEmpty()) {
                    parent.put(s, open.peek());
                    childNanos.merge(open.peek(), s.durationNanos(), Long::sum);
                }
                if (isOperation(s)) {
                    pending.forEach(p -> selfMemory.merge(s, p.bytes(), Long::sum));
                    pending.clear();
                }
                open.push(s);
            }
        }
        while (!open.isEmpty()) {
            close(open.pop(), pending);
        }
        pending.forEach(p -> outside(p.bytes()));
    }

    private void outside(long bytes) {
        outsideCount++;
        outsideBytes += bytes;
    }

    /** The allocations made in {@code range} that no operation took before it ended count toward it. */
    private void close(ProfilerEvent range, List<Pending> pending) {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.owner() == range) {
                selfMemory.merge(range, p.bytes(), Long::sum);
                it.remove();
            }
        }
    }

    /** Walks the events from the last, so that each adds its memory to its parent's after its children have. */
    private Map<ProfilerEvent, Own> owns(List<ProfilerEvent> events) {
        Map<ProfilerEvent, Long> childMemory = new IdentityHashMap<>();
        Map<ProfilerEvent, Own> owns = new IdentityHashMap<>();
        for (int k = events.size() - 1; k >= 0; k--) {
            ProfilerEvent e = events.get(k);
            long self = selfMemory.getOrDefault(e, 0L);
            long total = self + childMemory.getOrDefault(e, 0L);
            owns.put(e, new Own(e.durationNanos() - childNanos.getOrDefault(e, 0L), self, total));
            ProfilerEvent p = parent.get(e);
            if (p != null) {
                childMemory.merge(p, total, Long::sum);
            }
        }
        return owns;
    }

    private static boolean isOperation(ProfilerEvent e) {
        return e.category().equals(ProfilerEvent.OPERATION);
    }
}
