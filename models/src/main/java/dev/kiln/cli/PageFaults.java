package dev.kiln.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The process's page faults so far, from Linux's {@code /proc/self/stat}, for {@code kiln bench}'s counters per
 * step. A minor fault is memory touched for the first time (or mapped again without a read from disk): a Java heap
 * that hands out memory the process has never used pays one per 4 KiB page, which on a virtual machine can cost
 * several times the rest of a training step's host work (docs/GPU.md, "Fresh memory for every batch").
 */
final class PageFaults {
    private static final Path STAT = Path.of("/proc/self/stat");

    private PageFaults() {
    }

    /** {@code minor_page_faults} and {@code major_page_faults}; empty where the system does not report them. */
    static Map<String, Long> read() {
        if (!Files.isReadable(STAT)) {
            return Map.of();
        }
        try {
            return parse(Files.readString(STAT));
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    /**
     * The fault counts of a {@code /proc/PID/stat} line (proc(5): fields 10 and 12, minflt and majflt). The
     * command name, field 2, is in parentheses and may itself hold spaces and parentheses, so the fields are
     * counted from its last closing parenthesis.
     */
    static Map<String, Long> parse(String stat) {
        int end = stat.lastIndexOf(')');
        if (end < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line (no command name in parentheses): " + stat);
        }
        String[] fields = stat.substring(end + 1).trim().split("\\s+");
        // fields[0] is field 3 (the state), so field n is fields[n - 3].
        if (fields.length < 10) {
            throw new IllegalArgumentException("a /proc/PID/stat line with " + (fields.length + 2)
                    + " fields, expected at least 12: " + stat);
        }
        Map<String, Long> faults = new LinkedHashMap<>();
        faults.put("minor_page_faults", Long.parseLong(fields[10 - 3]));
        faults.put("major_page_faults", Long.parseLong(fields[12 - 3]));
        return faults;
    }
}
