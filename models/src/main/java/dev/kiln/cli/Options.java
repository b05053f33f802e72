package dev.kiln.cli;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of a subcommand, with typed getters that name the bad option. */
final class Options {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got '" + a + "'");
            }
            o.values.put(a.substring(2), args[++i]);
        }
        return o;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String fallback) {
        read.add(name);
        return values.getOrDefault(name, fallback);
    }

    int getInt(String name, int fallback) {
        String v = get(name, null);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    double getDouble(String name, double fallback) {
        String v = get(name, null);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    boolean getOnOff(String name, boolean fallback) {
        String v = get(name, null);
        if (v == null) {
            return fallback;
        }
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("--" + name + " must be on or off, got '" + v + "'");
        };
    }

    /** Fails on options that no getter asked for: a typo must not be silently ignored. */
    void rejectUnknown() {
        for (String name : values.keySet()) {
            if (!read.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
        }
    }
}
