package dev.kiln.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every kernel launch of this module passes the arguments its kernel declares, in order and kind: a launch that
 * passes others still compiles and runs, and computes garbage on a GPU, which CI does not have. The kernels'
 * signatures come from the sources NVRTC compiles (the class-path resources), their macros expanded with
 * {@code g++ -E}; the launches are the {@code launcher.begin()...launch(function, grid)} chains of src/main/java,
 * read as text. Skips, saying why, where g++ is missing.
 */
class KernelLaunchSignaturesTest {
    private static final Path SOURCES = Path.of("src", "main", "java");
    /** The C parameter kind each argument method of {@link KernelLauncher} fills. */
    private static final Map<String, String> ARGUMENT_KINDS = Map.of("pointer", "pointer", "int64", "int64",
            "int32", "int32", "float64", "float64", "struct", "struct", "list", "struct");
    private static final Pattern BEGIN = Pattern.compile("\\.\\s*begin\\s*\\(");
    private static final Pattern LAUNCH = Pattern.compile("\\.\\s*launch\\s*\\(");
    private static final Pattern NEXT_CALL = Pattern.compile("\\s*\\.\\s*(\\w+)\\s*\\(");
    private static final Pattern CALL = Pattern.compile("(?:[\\w.]+\\.)?(\\w+)\\s*\\(");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_]\\w*");
    private static final Pattern KERNEL_CONSTANT = Pattern.compile("Kernel\\.(\\w+)");
    private static final Pattern ENTRY =
            Pattern.compile("extern\\s+\"C\"\\s+__global__\\s+void\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern STRUCT = Pattern.compile("\\bstruct\\s+(\\w+)");

    /** One {@code .name(arguments)} of a chain, at offset {@code at} of its file. */
    record Call(String name, String arguments, int at) {
    }

    /** A {@code begin()...launch(function, grid)} chain: its argument calls, then launch. */
    record Launch(Path file, String code, int at, List<Call> arguments, Call launch) {
        String where() {
            return file + ":" + line(code, at);
        }
    }

    /** A kernel's C parameter: its kind (as {@link #ARGUMENT_KINDS} names them, or its type) and declaration. */
    record Parameter(String kind, String declaration) {
    }

    /** The kernel {@code name} as {@code source} should define it, for {@code origin} (e.g. Kernel.FILL). */
    record EntryPoint(KernelSource source, String name, String origin) {
    }

    @Test
    void everyLaunchPassesTheKindsItsKernelDeclaresInOrder() throws Exception {
        Map<KernelSource, Map<String, List<Parameter>>> signatures = signatures(gpp());
        List<Launch> launches = launches();
        assertFalse(launches.isEmpty(), "no launcher.begin() chains under " + SOURCES.toAbsolutePath());
        List<String> problems = new ArrayList<>();
        for (Launch launch : launches) {
            problems.addAll(problems(launch, signatures));
        }
        assertTrue(problems.isEmpty(), "kernel launches under " + SOURCES + " that do not match their kernels ("
                + problems.size() + "):\n" + String.join("\n", problems));
    }

    @Test
    void everyLaunchIsTheEndOfAChainThisTestReads() throws IOException {
        List<String> unread = new ArrayList<>();
        for (Path file : javaFiles()) {
            String code = code(Files.readString(file));
            Set<Integer> read = new HashSet<>();
            for (Launch launch : launches(file, code)) {
                read.add(launch.launch().at());
            }
            Matcher m = LAUNCH.matcher(code);
            while (m.find()) {
                if (!read.contains(m.start())) {
                    unread.add(file + ":" + line(code, m.start()));
                }
            }
        }
        assertEquals(List.of(), unread, "launches that are not the last call of a launcher.begin()...launch(function,"
                + " grid) chain, so their arguments go unchecked: write each as one such chain");
    }

    @Test
    void everyArgumentMethodOfTheLauncherHasAKind() {
        Set<String> methods = Stream.of(KernelLauncher.class.getDeclaredMethods())
                .filter(m -> m.getReturnType() == KernelLauncher.class && m.getParameterCount() > 0)
                .map(Method::getName).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(ARGUMENT_KINDS.keySet()), methods,
                "KernelLauncher's argument methods and the C kinds this test knows for them (ARGUMENT_KINDS)");
    }

    /** What is wrong with one launch, for each entry point it may launch; empty when nothing is. */
    private static List<String> problems(Launch launch, Map<KernelSource, Map<String, List<Parameter>>> signatures) {
        List<String> passed = launch.arguments().stream()
                .map(c -> ARGUMENT_KINDS.getOrDefault(c.name(), "unknown launcher method " + c.name())).toList();
        List<EntryPoint> entryPoints;
        try {
            entryPoints = entryPoints(split(launch.launch().arguments()).get(0), launch);
        } catch (IllegalStateException e) {
            return List.of(launch.where() + ": " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        for (EntryPoint entry : entryPoints) {
            List<Parameter> declared = signatures.get(entry.source()).get(entry.name());
            if (declared == null) {
                problems.add(launch.where() + ": launches " + entry.name() + " (" + entry.origin() + "), which "
                        + entry.source().file() + " does not define");
                continue;
            }
            List<String> kinds = declared.stream().map(Parameter::kind).toList();
            if (!kinds.equals(passed)) {
                problems.add(mismatch(launch, entry, declared, passed));
            }
        }
        return problems;
    }

    private static String mismatch(Launch launch, EntryPoint entry, List<Parameter> declared, List<String> passed) {
        List<String> kinds = declared.stream().map(Parameter::kind).toList();
        return launch.where() + ": " + entry.name() + " differs at argument " + (firstDifference(kinds, passed) + 1)
                + "\n    declared " + kinds + " " + declared.stream().map(Parameter::declaration).toList()
                + "\n    passed   " + passed + " "
                + launch.arguments().stream().map(c -> c.name() + "(" + c.arguments().strip() + ")").toList();
    }

    private static int firstDifference(List<String> a, List<String> b) {
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
            i++;
        }
        return i;
    }

    private static Map<KernelSource, Map<String, List<Parameter>>> signatures(Path gpp) throws Exception {
        Path dir = Files.createTempDirectory("kiln-kernel-signatures");
        Path header = Files.writeString(dir.resolve(KernelSource.HEADER), KernelSource.read(KernelSource.HEADER));
        try {
            Map<KernelSource, Map<String, List<Parameter>>> signatures = new EnumMap<>(KernelSource.class);
            for (KernelSource source : KernelSource.values()) {
                Path cu = Files.writeString(dir.resolve(source.file()), source.text());
                try {
                    signatures.put(source, entries(preprocess(gpp, dir, cu)));
                } finally {
                    Files.delete(cu);
                }
                assertFalse(signatures.get(source).isEmpty(),
                        source.file() + " defines no extern \"C\" __global__ kernels");
            }
            return signatures;
        } finally {
            Files.delete(header);
            Files.delete(dir);
        }
    }

    /** {@code cu} with its macros expanded and its include resolved from {@code dir}: the code NVRTC compiles. */
    private static String preprocess(Path gpp, Path dir, Path cu) throws Exception {
        Process p = new ProcessBuilder(gpp.toString(), "-E", "-P", "-x", "c++", "-I", dir.toString(), cu.toString())
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "g++ -E failed on " + cu.getFileName() + ":\n" + errors);
        return output;
    }

    /** The parameters of every {@code extern "C" __global__} kernel of preprocessed code, by name. */
    private static Map<String, List<Parameter>> entries(String code) {
        Set<String> structs = new HashSet<>();
        Matcher s = STRUCT.matcher(code);
        while (s.find()) {
            structs.add(s.group(1));
        }
        Map<String, List<Parameter>> entries = new HashMap<>();
        Matcher m = ENTRY.matcher(code);
        while (m.find()) {
            List<Parameter> parameters = new ArrayList<>();
            for (String declaration : m.group(2).isBlank() ? new String[0] : m.group(2).split(",")) {
                String d = declaration.strip().replaceAll("\\s+", " ");
                parameters.add(new Parameter(kind(d, structs), d));
            }
            entries.put(m.group(1), parameters);
        }
        return entries;
    }

    /** The kind of a C parameter declaration such as {@code const float* x}: what a launch must pass for it. */
    private static String kind(String declaration, Set<String> structs) {
        if (declaration.contains("*")) {
            return "pointer";
        }
        String type = declaration.replaceAll("\\b(const|volatile|__restrict__)\\b", " ")
                .replaceAll("\\w+\\s*$", "").strip().replaceAll("\\s+", " ")
                .replaceAll("^(un)?signed$", "int").replaceAll("^(un)?signed ", "");
        return switch (type) {
            case "long long", "long" -> "int64";
            case "int" -> "int32";
            case "double" -> "float64";
            default -> structs.contains(type) ? "struct" : type;
        };
    }

    private static List<Launch> launches() throws IOException {
        List<Launch> launches = new ArrayList<>();
        for (Path file : javaFiles()) {
            launches.addAll(launches(file, code(Files.readString(file))));
        }
        return launches;
    }

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** The chains of {@code code} that start with {@code .begin()} and end with {@code .launch(function, grid)}. */
    private static List<Launch> launches(Path file, String code) {
        List<Launch> launches = new ArrayList<>();
        Matcher begin = BEGIN.matcher(code);
        while (begin.find()) {
            List<Call> calls = chain(code, begin.start());
            Call last = calls.get(calls.size() - 1);
            if (last.name().equals("launch") && split(last.arguments()).size() == 2) {
                launches.add(new Launch(file, code, begin.start(), calls.subList(1, calls.size() - 1), last));
            }
        }
        return launches;
    }

    /** The calls {@code .name(arguments)} that follow one another from {@code at}, as a fluent chain's do. */
    private static List<Call> chain(String code, int at) {
        List<Call> calls = new ArrayList<>();
        Matcher next = NEXT_CALL.matcher(code);
        while (next.region(at, code.length()).lookingAt()) {
            int close = closing(code, next.end() - 1);
            calls.add(new Call(next.group(1), code.substring(next.end(), close), next.start(1) - 1));
            at = close + 1;
        }
        return calls;
    }

    /**
     * The entry points that a launch's function expression may name: {@code kernels.function(kernel, type)} for each
     * of the kernel's types, {@code kernels.conversion(from, to)} for every pair, or a local variable assigned one.
     */
    private static List<EntryPoint> entryPoints(String function, Launch launch) {
        Optional<Call> call = wholeCall(function);
        if (call.isPresent() && call.get().name().equals("function") && split(call.get().arguments()).size() == 2) {
            List<EntryPoint> entries = new ArrayList<>();
            for (Kernel kernel : kernels(split(call.get().arguments()).get(0), launch.code(), launch.at())) {
                for (DType type : kernel.types()) {
                    entries.add(new EntryPoint(kernel.source(), kernel.name(type), "Kernel." + kernel.name()));
                }
            }
            return entries;
        }
        if (call.isPresent() && call.get().name().equals("conversion")) {
            List<EntryPoint> entries = new ArrayList<>();
            for (DType from : DType.values()) {
                for (DType to : DType.values()) {
                    entries.add(new EntryPoint(Kernel.CONVERT.source(), Kernel.conversion(from, to),
                            "kernels.conversion"));
                }
            }
            return entries;
        }
        Optional<String> value = assigned(function, launch.code(), 0, launch.at());
        if (value.isPresent()) {
            return entryPoints(value.get(), launch);
        }
        throw unresolved(function);
    }

    /**
     * The kernels an expression of type Kernel may be: a constant {@code Kernel.X}, a variable assigned one, or a
     * parameter of the enclosing method that each of the method's calls in the same file gives one.
     */
    private static List<Kernel> kernels(String expression, String code, int at) {
        Matcher constant = KERNEL_CONSTANT.matcher(expression);
        if (constant.matches()) {
            return List.of(Kernel.valueOf(constant.group(1)));
        }
        if (!IDENTIFIER.matcher(expression).matches()) {
            throw unresolved(expression);
        }
        Matcher declaration = Pattern.compile("(\\w+)\\s*\\(([^()]*\\bKernel\\s+" + expression + "\\b[^()]*)\\)\\s*\\{")
                .matcher(code);
        int method = -1;
        while (declaration.find() && declaration.start() < at) {
            method = declaration.start();
        }
        Optional<String> value = assigned(expression, code, Math.max(method, 0), at);
        if (value.isPresent()) {
            return kernels(value.get(), code, at);
        }
        if (method < 0) {
            throw unresolved(expression);
        }
        declaration.find(method);
        String name = declaration.group(1);
        List<String> parameters = split(declaration.group(2));
        int index = 0;
        while (!parameters.get(index).matches("(final\\s+)?Kernel\\s+" + expression)) {
            index++;
        }
        List<Kernel> kernels = new ArrayList<>();
        Matcher call = Pattern.compile("(?<![\\w.])" + name + "\\s*\\(").matcher(code);
        while (call.find()) {
            if (call.start() != method) {
                List<String> arguments = split(code.substring(call.end(), closing(code, call.end() - 1)));
                try {
                    kernels.addAll(kernels(arguments.get(index), code, call.start()));
                } catch (IllegalStateException e) {
                    throw new IllegalStateException("at the call of " + name + " on line " + line(code, call.start())
                            + ", " + e.getMessage(), e);
                }
            }
        }
        if (kernels.isEmpty()) {
            throw new IllegalStateException("the Kernel parameter " + expression + " of " + name + " is given at no"
                    + " call of " + name + " in this file; pass Kernel constants at calls in this file");
        }
        return kernels;
    }

    private static IllegalStateException unresolved(String expression) {
        return new IllegalStateException("cannot tell which kernel `" + expression + "` launches; launch"
                + " kernels.function(Kernel.X, type) or kernels.conversion(from, to), directly or through a local"
                + " variable or a Kernel parameter that every call in this file gives as Kernel.X");
    }

    /** The value last assigned to the variable {@code name} between offsets {@code from} and {@code to}. */
    private static Optional<String> assigned(String name, String code, int from, int to) {
        if (!IDENTIFIER.matcher(name).matches()) {
            return Optional.empty();
        }
        Matcher m = Pattern.compile("(?<![\\w.])" + name + "\\s*=(?!=)\\s*([^;]+);").matcher(code);
        String value = null;
        while (m.find() && m.start() < to) {
            value = m.start() >= from ? m.group(1).strip() : value;
        }
        return Optional.ofNullable(value);
    }

    /** {@code expression} as one call {@code receiver.name(arguments)}, if it is one. */
    private static Optional<Call> wholeCall(String expression) {
        Matcher m = CALL.matcher(expression);
        if (m.lookingAt() && closing(expression, m.end() - 1) == expression.length() - 1) {
            return Optional.of(new Call(m.group(1), expression.substring(m.end(), expression.length() - 1), 0));
        }
        return Optional.empty();
    }

    /** The arguments of a call, split at its top-level commas. */
    private static List<String> split(String arguments) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < arguments.length(); i++) {
            char c = arguments.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(arguments.substring(start, i).strip());
                start = i + 1;
            }
        }
        String last = arguments.substring(start).strip();
        if (!last.isEmpty() || !parts.isEmpty()) {
            parts.add(last);
        }
        return parts;
    }

    /** The offset of the parenthesis that closes the one at {@code open}. */
    private static int closing(String code, int open) {
        int depth = 0;
        for (int i = open; i < code.length(); i++) {
            if (code.charAt(i) == '(') {
                depth++;
            } else if (code.charAt(i) == ')' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalStateException("unbalanced parentheses after: " + code.substring(open, Math.min(code.length(),
                open + 80)));
    }

    /**
     * Java source with its comments and the contents of its string and character literals blanked, newlines and
     * offsets kept: parentheses and calls found in it are code.
     */
    private static String code(String java) {
        StringBuilder code = new StringBuilder(java);
        int i = 0;
        while (i < java.length()) {
            int end;
            if (java.startsWith("//", i)) {
                end = java.indexOf('\n', i) < 0 ? java.length() : java.indexOf('\n', i);
                blank(code, i, end);
            } else if (java.startsWith("/*", i)) {
                end = java.indexOf("*/", i + 2) + 2;
                blank(code, i, end);
            } else if (java.startsWith("\"\"\"", i)) {
                end = java.indexOf("\"\"\"", i + 3) + 3;
                blank(code, i + 3, end - 3);
            } else if (java.charAt(i) == '"' || java.charAt(i) == '\'') {
                end = literalEnd(java, i);
                blank(code, i + 1, end - 1);
            } else {
                end = i + 1;
            }
            i = end;
        }
        return code.toString();
    }

    /** The offset just past the string or character literal that opens at {@code open}. */
    private static int literalEnd(String java, int open) {
        int i = open + 1;
        while (java.charAt(i) != java.charAt(open)) {
            i += java.charAt(i) == '\\' ? 2 : 1;
        }
        return i + 1;
    }

    private static void blank(StringBuilder code, int from, int to) {
        for (int i = from; i < to; i++) {
            if (code.charAt(i) != '\n') {
                code.setCharAt(i, ' ');
            }
        }
    }

    private static int line(String code, int at) {
        return (int) code.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }

    private static Path gpp() {
        Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "g++")).filter(Files::isExecutable).findFirst();
        if (found.isEmpty()) {
            System.out.println("KernelLaunchSignaturesTest skipped: g++ is not on the PATH");
        }
        Assumptions.assumeTrue(found.isPresent(), "g++ is not on the PATH");
        return found.get();
    }
}
