package dev.kiln.cli;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code --name value} or {@code --name=value} options of a subcommand (as argparse reads them), with typed getters
 * that name the bad option.
 */
final class Options {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();
    private final Set<String> flagsGiven = new HashSet<>();

    /**
     * Reads {@code --name value} and {@code --name=value} pairs. A value may begin with one dash ({@code -1}) but not
     * two: {@code --epochs --batch 64} lacks the value of {@code --epochs}.
     */
    static Options parse(String[] args) {
        return parse(args, Set.of());
    }

    /** As {@link #parse(String[])}, where the names in {@code flags} are options without a value ({@link #flag}). */
    static Options parse(String[] args, Set<String> flags) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2 || a.startsWith("--=")) {
                throw new IllegalArgumentException("expected --option value, got '" + a + "'");
            }
            int equals = a.indexOf('=');
            String name = a.substring(2, equals >= 0 ? equals : a.length());
            if (flags.contains(name)) {
                if (equals >= 0) {
                    throw new IllegalArgumentException("--" + name + " takes no value, got '" + a.substring(equals + 1)
                            + "'");
                }
                o.flagsGiven.add(name);
            } else if (equals >= 0) {
                o.values.put(name, a.substring(equals + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                o.values.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException(a + " needs a value" + (i + 1 < args.length
                        ? ", got the option '" + args[i + 1] + "'" : ""));
            }
        }
        return o;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    /** Whether the flag {@code name} (one of those given to {@link #parse(String[], Set)}) was given. */
    boolean flag(String name) {
        read.add(name);
        return flagsGiven.contains(name);
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

    /** As {@link #getInt}, and at least 1 (a batch size, a layer width). */
    int getPositiveInt(String name, int fallback) {
        int v = getInt(name, fallback);
        if (v < 1) {
            throw new IllegalArgumentException("--" + name + " must be a positive integer, got " + v);
        }
        return v;
    }

    /** A comma-separated list of positive integers, such as {@code --hidden 256,128}. */
    int[] getPositiveInts(String name, String fallback) {
        String v = get(name, fallback);
        int[] result;
        try {
            result = Arrays.stream(v.split(",", -1)).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a comma-separated list of integers, got '" + v
                    + "'");
        }
        if (Arrays.stream(result).anyMatch(x -> x < 1)) {
            throw new IllegalArgumentException("--" + name + " must be positive integers, got '" + v + "'");
        }
        return result;
    }

    double getDouble(String name, double fallback) {
        String v = get(name, null);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    /** As {@link #getDouble}, and finite and above 0 (a bound, such as the gradient norm's clip). */
    double getPositiveDouble(String name, double fallback) {
        double v = getDouble(name, fallback);
        if (!(v > 0 && v < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("--" + name + " must be a finite number > 0, got " + v);
        }
        return v;
    }

    /** As {@link #getDouble}, and finite and at least 0 (a tolerance, such as early stopping's min delta). */
    double getNonNegativeDouble(String name, double fallback) {
        double v = getDouble(name, fallback);
        if (!(v >= 0 && v < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("--" + name + " must be a finite number >= 0, got " + v);
        }
        return v;
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
        for (String name : Stream.concat(values.keySet().stream(), flagsGiven.stream()).toList()) {
            if (!read.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
        }
    }
}
