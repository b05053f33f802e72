package dev.kiln.cli;

import dev.kiln.train.EpochMetrics;
import dev.kiln.train.Progress;
import dev.kiln.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.DoubleFunction;

/** One progress bar per epoch with the last batch's loss, as the training commands show. */
final class ProgressBars implements TrainingListener {
    private final PrintStream out;
    private final DoubleFunction<String> shown;
    private Progress progress;

    /** Bars that show the last batch's loss, e.g. "loss 0.2310". */
    ProgressBars(PrintStream out) {
        this(out, loss -> String.format(Locale.ROOT, "loss %.4f", loss));
    }

    /** Bars that show {@code shown} of the last batch's loss (a perplexity, say). */
    ProgressBars(PrintStream out, DoubleFunction<String> shown) {
        this.out = out;
        this.shown = shown;
    }

    @Override
    public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
        onBatchEnd(epoch, batch, batchesPerEpoch, shown.apply(loss));
    }

    /** As {@link #onBatchEnd(int, int, int, double)}, showing {@code message} (two losses, say). */
    void onBatchEnd(int epoch, int batch, int batchesPerEpoch, String message) {
        if (progress == null) {
            progress = new Progress("epoch " + epoch, batchesPerEpoch, out);
        }
        progress.step(1, message);
        if (batch == batchesPerEpoch) {
            progress.close();
            progress = null;
        }
    }

    /** Ends the epoch's bar: the one of a stream, whose batches were not known beforehand (0), ends here. */
    @Override
    public void onEpochEnd(EpochMetrics metrics) {
        if (progress != null) {
            progress.close();
            progress = null;
        }
    }
}
