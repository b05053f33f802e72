package dev.kiln.cli;

import java.nio.file.Path;

/** The {@code --data} and {@code --data-dir} options shared by the commands. */
final class DataOptions {
    private DataOptions() {
    }

    static String dataSet(Options o) {
        String data = o.get("data", "mnist");
        if (!data.equals("mnist") && !data.equals("fashion-mnist")) {
            throw new IllegalArgumentException("--data must be mnist or fashion-mnist, got '" + data + "'");
        }
        return data;
    }

    static Path dataDir(Options o) {
        String dir = o.get("data-dir", null);
        return dir == null ? null : Path.of(dir);
    }
}
