package dev.kiln.cli;

import dev.kiln.train.Progress;
import dev.kiln.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;

/** One progress bar per epoch with the last batch's loss, as the training commands show. */
final class ProgressBars implements TrainingListener {
    private final PrintStream out;
    private Progress progress;

    ProgressBars(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
        if (progress == null) {
            progress = new Progress("epoch " + epoch, batchesPerEpoch, out);
        }
        progress.step(1, String.format(Locale.ROOT, "loss %.4f", loss));
        if (batch == batchesPerEpoch) {
            progress.close();
            progress = null;
        }
    }
}
