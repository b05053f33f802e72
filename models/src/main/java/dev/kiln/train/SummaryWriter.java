package dev.kiln.train;

import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.io.AtomicFiles;
import dev.kiln.nn.Module;
import dev.kiln.onnx.GraphProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.OnnxExport;
import dev.kiln.onnx.OnnxExportOptions;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PyTorch's {@code torch.utils.tensorboard.SummaryWriter}: writes a TensorBoard event file,
 * {@code events.out.tfevents.<seconds>.<host>.<pid>.<n>} in the log directory (TensorBoard's own naming), that
 * {@code tensorboard --logdir} shows: scalars, histograms (computed or given), images (with boxes drawn on them or
 * not), text, precision-recall curves (computed or given), audio, videos (as animated GIFs), figures and meshes, each at
 * a step, and the Custom Scalars tab's layout;
 * hyperparameters with their metrics (in a run directory of their own, as PyTorch writes them), several series in one
 * chart ({@link #addScalars}: each series in a run directory of its own, as PyTorch writes them) and the model's graph;
 * and, beside the event file, embeddings for the projector ({@link #addEmbedding}: files of their own, each written to a
 * temporary file and renamed).
 *
 * <p>The file is a sequence of TFRecords ({@link TfRecord}) around {@code Event} protobuf messages, the first one
 * giving the version {@code brain.Event:2}; records are appended as they are added, buffered, and reach the file when
 * the buffer (8 KiB) fills, at {@link #flush} and at {@link #close}. Unlike Kiln's other outputs the file is not written
 * to a temporary file and renamed: TensorBoard reads it live as it grows, so it must stay in place and grow; a
 * half-written last record (the process died mid-write) fails its length or CRC check, and TensorBoard's reader stops
 * before it.
 *
 * <p>Methods throw {@link UncheckedIOException} when the file cannot be written, naming it.
 */
public final class SummaryWriter implements AutoCloseable {
    /** Tells files apart that one process opens within a second. */
    private static final AtomicInteger FILES = new AtomicInteger();
    private static final Logger LOG = LoggerFactory.getLogger(SummaryWriter.class);

    private final Path file;
    private final OutputStream out;
    private boolean closed;
    /** The entries of projector_config.pbtxt this writer's {@link #addEmbedding} calls made, as PyTorch keeps them. */
    private final StringBuilder projectorConfig = new StringBuilder();
    /**
     * The writers of {@link #addScalars}' series by their directory's name, kept open for the next calls as PyTorch's
     * {@code all_writers} keeps them, and flushed and closed with this one.
     */
    private final Map<String, SummaryWriter> seriesWriters = new LinkedHashMap<>();

    /** Creates {@code logDir} when missing and starts a new event file in it. */
    public SummaryWriter(Path logDir) throws IOException {
        this(logDir, null);
    }

    /**
     * PyTorch's {@code SummaryWriter(log_dir, purge_step=...)}, for a run resumed at {@code purgeStep} after a crash:
     * the new file starts with a session log START at that step, and TensorBoard then hides the events at
     * {@code purgeStep} and later that the run's earlier files hold (what the crashed run logged past its last
     * checkpoint). The events this writer adds are kept.
     */
    public SummaryWriter(Path logDir, long purgeStep) throws IOException {
        this(logDir, nonNegative(purgeStep));
    }

    private SummaryWriter(Path logDir, Long purgeStep) throws IOException {
        Files.createDirectories(logDir);
        Instant now = Instant.now();
        this.file = logDir.resolve(String.format(Locale.ROOT, "events.out.tfevents.%010d.%s.%d.%d", now.getEpochSecond(),
                hostName(), ProcessHandle.current().pid(), FILES.getAndIncrement()));
        this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE));
        try {
            write(TensorBoardEvent.fileVersion(seconds(now), "kiln"));
            if (purgeStep != null) {
                for (byte[] event : TensorBoardEvent.purge(now(), purgeStep)) {
                    write(event);
                }
            }
            flush();
        } catch (UncheckedIOException e) {
            out.close();
            throw e.getCause();
        }
    }

    /** The event file. */
    public Path file() {
        return file;
    }

    /** {@code add_scalar}: {@code value} at {@code step}, stored as a float as PyTorch stores it. */
    public void addScalar(String tag, double value, long step) {
        addScalar(tag, value, step, now());
    }

    /** {@link #addScalar(String, double, long)} at {@code walltime}, seconds since 1970 (PyTorch's walltime). */
    public void addScalar(String tag, double value, long step, double walltime) {
        check(tag, step);
        write(TensorBoardEvent.scalar(walltime, step, tag, (float) value));
    }

    /**
     * {@code add_scalars}: each series' value under the one tag {@code mainTag} at {@code step}, each series written
     * to a run of its own, the subdirectory {@code <mainTag, its / as _>_<series tag>} of this writer's directory, as
     * PyTorch writes them, so that TensorBoard draws the series in one chart, one line per run. A series' event file
     * is started at its first value and stays open for the next ones until this writer's {@link #flush} and
     * {@link #close}.
     *
     * @param tagScalarDict each series' tag and value, written in the map's order; a tag may hold a / (a directory
     *                      below), but no . or .. between slashes; values are stored as floats
     */
    public void addScalars(String mainTag, Map<String, Double> tagScalarDict, long step) {
        addScalars(mainTag, tagScalarDict, step, now());
    }

    /** {@link #addScalars(String, Map, long)} at {@code walltime}, seconds since 1970, for every series. */
    public void addScalars(String mainTag, Map<String, Double> tagScalarDict, long step, double walltime) {
        check(mainTag, step);
        requireOpen();
        tagScalarDict.forEach((tag, value) -> checkSeries(mainTag, tag, value));
        tagScalarDict.forEach((tag, value) -> seriesWriter(seriesDirectory(mainTag, tag))
                .write(TensorBoardEvent.scalar(walltime, step, mainTag, value.floatValue())));
    }

    /** PyTorch's name for a series' directory, which also tells its writers apart. */
    private static String seriesDirectory(String mainTag, String tag) {
        return mainTag.replace('/', '_') + "_" + tag;
    }

    private static void checkSeries(String mainTag, String tag, Double value) {
        if (tag == null || value == null) {
            throw new IllegalArgumentException("scalars '" + mainTag + "': a series needs a tag and a value, got "
                    + tag + " = " + value);
        }
        for (String part : seriesDirectory(mainTag, tag).split("/", -1)) {
            if (part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("scalars '" + mainTag + "': the series tag '" + tag + "' must not"
                        + " hold . or .. between slashes, which would put its run outside "
                        + seriesDirectory(mainTag, "<tag>"));
            }
        }
    }

    private SummaryWriter seriesWriter(String directory) {
        SummaryWriter writer = seriesWriters.get(directory);
        if (writer == null) {
            Path dir = file.getParent().resolve(directory);
            try {
                writer = new SummaryWriter(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the TensorBoard event file of the series in " + dir, e);
            }
            seriesWriters.put(directory, writer);
        }
        return writer;
    }

    /**
     * {@code add_histogram} with its default buckets (see {@link TensorBoardHistogram}).
     *
     * @param values any number of values, at least one, all finite
     */
    public void addHistogram(String tag, double[] values, long step) {
        addHistogram(tag, values, step, now());
    }

    /** {@link #addHistogram(String, double[], long)} at {@code walltime}, seconds since 1970. */
    public void addHistogram(String tag, double[] values, long step, double walltime) {
        check(tag, step);
        write(TensorBoardEvent.histogram(walltime, step, tag, TensorBoardHistogram.of(tag, values)));
    }

    /** {@link #addHistogram(String, double[], long)} of a tensor's elements, of any shape and dtype. */
    public void addHistogram(String tag, Tensor values, long step) {
        addHistogram(tag, values.toDoubleArray(), step);
    }

    /** {@link #addHistogram(String, Tensor, long)} at {@code walltime}, seconds since 1970. */
    public void addHistogram(String tag, Tensor values, long step, double walltime) {
        addHistogram(tag, values.toDoubleArray(), step, walltime);
    }

    /**
     * {@code add_histogram_raw}: a histogram of statistics and buckets the caller has computed, written as given.
     *
     * @param bucketLimits each bucket's right edge, ascending (TensorBoard takes the first bucket's left edge from
     *                     {@code min})
     * @param bucketCounts each bucket's count, as many as {@code bucketLimits}
     * @throws IllegalArgumentException when the arrays are empty, of different lengths or the limits not ascending
     */
    public void addHistogramRaw(String tag, double min, double max, double num, double sum, double sumSquares,
                                double[] bucketLimits, double[] bucketCounts, long step) {
        addHistogramRaw(tag, min, max, num, sum, sumSquares, bucketLimits, bucketCounts, step, now());
    }

    /** {@link #addHistogramRaw} at {@code walltime}, seconds since 1970. */
    public void addHistogramRaw(String tag, double min, double max, double num, double sum, double sumSquares,
                                double[] bucketLimits, double[] bucketCounts, long step, double walltime) {
        check(tag, step);
        write(TensorBoardEvent.histogram(walltime, step, tag,
                TensorBoardHistogram.raw(tag, min, max, num, sum, sumSquares, bucketLimits, bucketCounts)));
    }

    /**
     * {@code add_image} of an image [C, H, W] with C 1 (grey, written as RGB as PyTorch writes it), 3 (RGB) or 4
     * (RGBA), values in [0, 1]: each becomes the byte {@code (int) (v * 255)}, clamped to [0, 255], and the image is
     * stored as PNG. An integer tensor (I32, I64) holds the bytes themselves, 0 to 255, as PyTorch's uint8 images.
     */
    public void addImage(String tag, Tensor image, long step) {
        addImage(tag, image, step, "CHW");
    }

    /**
     * {@link #addImage(String, Tensor, long)} with PyTorch's {@code dataformats}: the order of the tensor's axes, any
     * order of {@code CHW} (such as {@code HWC}), {@code HW} for a grey image, or of {@code NCHW} for several images
     * laid out as {@link #addImages} lays them out (see {@link TensorBoardImage}).
     */
    public void addImage(String tag, Tensor image, long step, String dataformats) {
        addImage(tag, image, step, dataformats, now());
    }

    /** {@link #addImage(String, Tensor, long, String)} at {@code walltime}, seconds since 1970. */
    public void addImage(String tag, Tensor image, long step, String dataformats, double walltime) {
        writeImage("image", tag, image, step, dataformats, walltime);
    }

    /**
     * {@code add_images} of images [N, C, H, W] (PyTorch's default {@code dataformats='NCHW'}) with C 1 (grey) or 3
     * (RGB), values in [0, 1] (or integer bytes) as {@link #addImage} takes them, written as one RGB image: the images
     * in rows of {@code min(N, 8)}, left to right, with no padding and the rest of the last row black, as PyTorch 1.13
     * lays them out (see {@link TensorBoardImageGrid}).
     */
    public void addImages(String tag, Tensor images, long step) {
        addImages(tag, images, step, "NCHW");
    }

    /**
     * {@link #addImages(String, Tensor, long)} with PyTorch's {@code dataformats}, the order of the axes: any order
     * of {@code NCHW} (such as {@code NHWC}); or of {@code CHW} or {@code HW}, one image, as {@link #addImage}.
     */
    public void addImages(String tag, Tensor images, long step, String dataformats) {
        addImages(tag, images, step, dataformats, now());
    }

    /** {@link #addImages(String, Tensor, long, String)} at {@code walltime}, seconds since 1970. */
    public void addImages(String tag, Tensor images, long step, String dataformats, double walltime) {
        writeImage("images", tag, images, step, dataformats, walltime);
    }

    private void writeImage(String kind, String tag, Tensor tensor, long step, String dataformats, double walltime) {
        check(tag, step);
        TensorBoardImage image = TensorBoardImage.of(kind + " '" + tag + "'", tensor, dataformats);
        writeImage(tag, image, image.toBufferedImage(), step, walltime);
    }

    private void writeImage(String tag, TensorBoardImage image, BufferedImage pixels, long step, double walltime) {
        write(TensorBoardEvent.image(walltime, step, tag, image.height(), image.width(), image.channels(),
                png(pixels)));
    }

    /**
     * {@code add_image_with_boxes} of an image [C, H, W] (as {@link #addImage} takes it) with {@code boxes} [N, 4],
     * each {@code (xmin, ymin, xmax, ymax)} in pixels, outlined in red as PyTorch 1.13 draws them (see
     * {@link TensorBoardBoxes}).
     */
    public void addImageWithBoxes(String tag, Tensor image, Tensor boxes, long step) {
        addImageWithBoxes(tag, image, boxes, step, "CHW", null);
    }

    /**
     * {@link #addImageWithBoxes(String, Tensor, Tensor, long)} with {@link #addImage}'s {@code dataformats} and a
     * label for each box, or null for none; a label is drawn in Java's monospaced font, not in Pillow's as PyTorch
     * draws it.
     *
     * @throws IllegalArgumentException when {@code boxes} is not [N, 4] of finite values or {@code labels} does not
     *     hold N labels (PyTorch drops such labels silently)
     */
    public void addImageWithBoxes(String tag, Tensor image, Tensor boxes, long step, String dataformats,
                                  List<String> labels) {
        addImageWithBoxes(tag, image, boxes, step, dataformats, labels, now());
    }

    /** {@link #addImageWithBoxes(String, Tensor, Tensor, long, String, List)} at {@code walltime}, seconds since 1970. */
    public void addImageWithBoxes(String tag, Tensor image, Tensor boxes, long step, String dataformats,
                                  List<String> labels, double walltime) {
        check(tag, step);
        String what = "image with boxes '" + tag + "'";
        double[] corners = boxes(what, boxes, labels);
        TensorBoardImage pixels = TensorBoardImage.of(what, image, dataformats);
        BufferedImage drawn = pixels.toBufferedImage();
        TensorBoardBoxes.draw(drawn, corners, labels);
        writeImage(tag, pixels, drawn, step, walltime);
    }

    private static double[] boxes(String what, Tensor boxes, List<String> labels) {
        Shape shape = boxes.shape();
        if (shape.rank() != 2 || shape.dim(1) != 4) {
            throw new IllegalArgumentException(what + ": boxes must be [N, 4] (xmin, ymin, xmax, ymax), got " + shape);
        }
        double[] corners = boxes.toDoubleArray();
        for (int k = 0; k < corners.length; k++) {
            if (!Double.isFinite(corners[k])) {
                throw new IllegalArgumentException(what + ": box " + k / 4 + " has a coordinate " + corners[k]);
            }
        }
        if (labels != null && labels.size() != shape.dim(0)) {
            throw new IllegalArgumentException(what + ": " + shape.dim(0) + " boxes need as many labels, got "
                    + labels.size());
        }
        return corners;
    }

    /** {@code add_text}: shown by TensorBoard's text plugin (Markdown) under {@code tag + "/text_summary"}. */
    public void addText(String tag, String text, long step) {
        addText(tag, text, step, now());
    }

    /** {@link #addText(String, String, long)} at {@code walltime}, seconds since 1970. */
    public void addText(String tag, String text, long step, double walltime) {
        check(tag, step);
        write(TensorBoardEvent.text(walltime, step, tag, text));
    }

    /**
     * {@code add_hparams}: the HParams plugin's experiment, session start and session end, and each metric as a
     * scalar at step 0, written to a new event file in the subdirectory {@code runName} of this writer's directory
     * (a run of its own, which the HParams tab lists with its values), as PyTorch writes them.
     *
     * @param hparams each hyperparameter's value in the map's order: a {@link Number}, {@link String} or
     *                {@link Boolean} (written as the number 1 or 0, as PyTorch writes Python's bools); null ones are
     *                left out
     * @param metrics each metric's tag and value; a tag should differ from those of {@link #addScalar}, whose values
     *                the plugin would show instead
     * @param runName the subdirectory's name, without a path separator, not {@code .} or {@code ..}
     * @return the subdirectory written
     */
    public Path addHparams(Map<String, ?> hparams, Map<String, Double> metrics, String runName) {
        return addHparams(hparams, metrics, Map.of(), runName);
    }

    /**
     * {@link #addHparams(Map, Map, String)} with PyTorch's {@code hparam_domain_discrete}: for some hyperparameters
     * the values they can take, which the HParams tab offers in its filter (see {@link TensorBoardHparamDomains}).
     *
     * @param hparamDomainDiscrete a hyperparameter's name (of {@code hparams}, not null there) to its values, each of
     *                             its type as Python's {@code isinstance} tests it (an int's domain holding no float)
     */
    public Path addHparams(Map<String, ?> hparams, Map<String, Double> metrics,
                           Map<String, ? extends List<?>> hparamDomainDiscrete, String runName) {
        requireOpen();
        // "." and ".." would put the run in this writer's directory or above it.
        if (runName == null || runName.isEmpty() || runName.equals(".") || runName.equals("..")
                || runName.contains("/") || runName.contains("\\")) {
            throw new IllegalArgumentException("hparams: the run name must name a subdirectory (not empty, . or .., no "
                    + "path separator), got '" + runName + "'");
        }
        metrics.keySet().forEach(tag -> check(tag, 0));
        // Built before the directory is made, so that a value of another type leaves nothing behind.
        double wallTime = now();
        List<byte[]> events = TensorBoardHparams.events(wallTime, hparams, hparamDomainDiscrete, metrics.keySet());
        Path runDir = file.getParent().resolve(runName);
        try (SummaryWriter run = new SummaryWriter(runDir)) {
            for (byte[] event : events) {
                run.write(event);
            }
            metrics.forEach((tag, value) -> run.addScalar(tag, value, 0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TensorBoard hparams run " + runDir, e);
        }
        return runDir;
    }

    /**
     * {@link #addHparams(Map, Map, String)} in a subdirectory named by the time, as Python prints
     * {@code time.time()} (e.g. {@code 1733523456.1234567}), PyTorch's default.
     */
    public Path addHparams(Map<String, ?> hparams, Map<String, Double> metrics) {
        return addHparams(hparams, metrics, PythonFloat.repr(now()));
    }

    /** {@link #addHparams(Map, Map, Map, String)} in a subdirectory named by the time, PyTorch's default. */
    public Path addHparams(Map<String, ?> hparams, Map<String, Double> metrics,
                           Map<String, ? extends List<?>> hparamDomainDiscrete) {
        return addHparams(hparams, metrics, hparamDomainDiscrete, PythonFloat.repr(now()));
    }

    /** {@link #addPrCurve(String, Tensor, Tensor, long, int)} with PyTorch's default of 127 thresholds. */
    public void addPrCurve(String tag, Tensor labels, Tensor predictions, long step) {
        addPrCurve(tag, labels, predictions, step, TensorBoardPrCurve.MAX_THRESHOLDS);
    }

    /**
     * {@code add_pr_curve}: the precision-recall curve of binary {@code labels} against {@code predictions}, at
     * {@code numThresholds} thresholds evenly from 0 to 1, for the PR Curves tab (see {@link TensorBoardPrCurve}).
     *
     * @param labels        any shape: each element 1 (positive) or 0
     * @param predictions   the same number of elements, each the probability of positive, in [0, 1]; an F32
     *                      tensor's thresholds are placed in F32 as PyTorch places them
     * @param numThresholds at least 2; above 127 it is 127, as in PyTorch
     */
    public void addPrCurve(String tag, Tensor labels, Tensor predictions, long step, int numThresholds) {
        addWeightedPrCurve(tag, labels, predictions, step, numThresholds, null, now());
    }

    /**
     * {@link #addPrCurve(String, Tensor, Tensor, long, int)} with PyTorch's {@code weights}: each element counts as
     * its weight in the curve's positives or negatives, not as 1.
     *
     * @param weights as many elements as {@code labels}, any shape, each finite and at least 0 (PyTorch takes any,
     *                and a NaN or negative weight gives a curve of NaN or negative counts)
     */
    public void addPrCurve(String tag, Tensor labels, Tensor predictions, long step, int numThresholds,
                           Tensor weights) {
        if (weights == null) {
            throw new IllegalArgumentException("pr curve '" + tag + "': weights must not be null (the overload without"
                    + " them counts each element as 1)");
        }
        addWeightedPrCurve(tag, labels, predictions, step, numThresholds, weights, now());
    }

    /**
     * {@link #addPrCurve(String, Tensor, Tensor, long, int, Tensor)} at {@code walltime}, seconds since 1970; each
     * element counting 1 where {@code weights} is null.
     */
    public void addPrCurve(String tag, Tensor labels, Tensor predictions, long step, int numThresholds,
                           Tensor weights, double walltime) {
        addWeightedPrCurve(tag, labels, predictions, step, numThresholds, weights, walltime);
    }

    /**
     * {@code add_pr_curve_raw} with PyTorch's default {@code num_thresholds}, 127, which PyTorch writes into the
     * plugin's data whatever the arrays' length (TensorBoard draws the arrays).
     */
    public void addPrCurveRaw(String tag, double[] truePositives, double[] falsePositives, double[] trueNegatives,
                              double[] falseNegatives, double[] precision, double[] recall, long step) {
        addPrCurveRaw(tag, truePositives, falsePositives, trueNegatives, falseNegatives, precision, recall, step,
                TensorBoardPrCurve.MAX_THRESHOLDS);
    }

    /**
     * {@code add_pr_curve_raw}: a precision-recall curve the caller has computed, n thresholds evenly from 0 to 1,
     * each array holding the figure at each threshold.
     *
     * @param numThresholds written into the plugin's data: at least 2; above 127 it is 127, as in PyTorch
     * @throws IllegalArgumentException when the six arrays are empty or of different lengths
     */
    public void addPrCurveRaw(String tag, double[] truePositives, double[] falsePositives, double[] trueNegatives,
                              double[] falseNegatives, double[] precision, double[] recall, long step,
                              int numThresholds) {
        addPrCurveRaw(tag, truePositives, falsePositives, trueNegatives, falseNegatives, precision, recall, step,
                numThresholds, now());
    }

    /**
     * {@link #addPrCurveRaw(String, double[], double[], double[], double[], double[], double[], long, int)} at
     * {@code walltime}, seconds since 1970.
     */
    public void addPrCurveRaw(String tag, double[] truePositives, double[] falsePositives, double[] trueNegatives,
                              double[] falseNegatives, double[] precision, double[] recall, long step,
                              int numThresholds, double walltime) {
        check(tag, step);
        if (numThresholds < 2) {
            throw new IllegalArgumentException("pr curve '" + tag + "': numThresholds must be at least 2, got "
                    + numThresholds);
        }
        double[] curve = TensorBoardPrCurve.raw(tag, truePositives, falsePositives, trueNegatives, falseNegatives,
                precision, recall);
        write(TensorBoardPrCurve.event(walltime, step, tag, curve,
                Math.min(numThresholds, TensorBoardPrCurve.MAX_THRESHOLDS)));
    }

    /** {@code add_pr_curve}, each element counting 1 where {@code weights} is null. */
    private void addWeightedPrCurve(String tag, Tensor labels, Tensor predictions, long step, int numThresholds,
                                    Tensor weights, double walltime) {
        check(tag, step);
        if (numThresholds < 2) {
            throw new IllegalArgumentException("pr curve '" + tag + "': numThresholds must be at least 2, got "
                    + numThresholds);
        }
        int thresholds = Math.min(numThresholds, TensorBoardPrCurve.MAX_THRESHOLDS);
        double[] y = labels.toDoubleArray();
        int[] buckets = buckets(tag, predictions, thresholds);
        if (y.length != buckets.length) {
            throw new IllegalArgumentException("pr curve '" + tag + "': labels " + labels.shape() + " and predictions "
                    + predictions.shape() + " must have as many elements, got " + y.length + " and " + buckets.length);
        }
        double[] w = weights == null ? null : weights(tag, labels, weights);
        double[] curve = TensorBoardPrCurve.curve(y, w, buckets, thresholds);
        write(TensorBoardPrCurve.event(walltime, step, tag, curve, thresholds));
    }

    private static double[] weights(String tag, Tensor labels, Tensor weights) {
        double[] w = weights.toDoubleArray();
        if (w.length != labels.shape().size()) {
            throw new IllegalArgumentException("pr curve '" + tag + "': weights " + weights.shape() + " must have"
                    + " as many elements as labels " + labels.shape() + ", got " + w.length);
        }
        for (int k = 0; k < w.length; k++) {
            // A curve of NaN or negative counts, which PyTorch writes, is no curve the PR Curves tab can draw.
            if (!(w[k] >= 0 && w[k] < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("pr curve '" + tag + "': weights must be finite and at least 0,"
                        + " got " + w[k] + " at " + k);
            }
        }
        return w;
    }

    private static int[] buckets(String tag, Tensor predictions, int thresholds) {
        boolean f32 = predictions.dtype() == DType.F32;
        double[] p = predictions.toDoubleArray();
        int[] buckets = new int[p.length];
        for (int k = 0; k < p.length; k++) {
            if (!(p[k] >= 0 && p[k] <= 1)) {
                throw new IllegalArgumentException("pr curve '" + tag + "': predictions must be in [0, 1], got " + p[k]
                        + " at " + k);
            }
            buckets[k] = f32 ? TensorBoardPrCurve.bucket((float) p[k], thresholds)
                    : TensorBoardPrCurve.bucket(p[k], thresholds);
        }
        return buckets;
    }

    /**
     * {@code add_graph}: the model's graph for the Graphs tab, traced by the ONNX exporter ({@link OnnxExport}, which
     * runs the model once on zeros of {@code inputShape}) and written as {@link #addOnnxGraph} writes an ONNX file's.
     * TensorBoard shows one graph per run: the last one written.
     *
     * @param inputShape one example input's shape, batch axis first, e.g. {@code [1, 1, 28, 28]}
     * @throws IllegalArgumentException as {@link OnnxExport#export(Module, int[], Path)}: the model does not take the
     *     shape, or a module has no converter
     */
    public void addGraph(Module model, int[] inputShape) {
        requireOpen();
        addGraph(OnnxExport.toProto(model, inputShape, OnnxExportOptions.defaults()).graph());
    }

    /**
     * {@code add_onnx_graph}: the graph of an ONNX file, converted to TensorFlow's {@code GraphDef} as PyTorch
     * converts it (see {@link TensorBoardGraph}).
     *
     * @throws IOException when the file cannot be read or is not ONNX, naming it
     */
    public void addOnnxGraph(Path onnxFile) throws IOException {
        requireOpen();
        addGraph(ModelProto.parse(onnxFile).graph());
    }

    private void addGraph(GraphProto graph) {
        write(TensorBoardEvent.graph(now(), TensorBoardGraph.graphDef(graph)));
    }

    /** Pushes the records written so far to the files (this one, {@link #addScalars}'), where TensorBoard sees them. */
    public void flush() {
        requireOpen();
        seriesWriters.values().forEach(SummaryWriter::flush);
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TensorBoard event file " + file, e);
        }
    }

    /** Flushes and closes the file, and those of {@link #addScalars}; closing again does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            seriesWriters.values().forEach(SummaryWriter::close);
        } finally {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the TensorBoard event file " + file, e);
            }
        }
    }

    private static Long nonNegative(long purgeStep) {
        if (purgeStep < 0) {
            throw new IllegalArgumentException("SummaryWriter: purgeStep must be >= 0, got " + purgeStep);
        }
        return purgeStep;
    }

    private void write(byte[] event) {
        requireOpen();
        try {
            TfRecord.write(out, event);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TensorBoard event file " + file, e);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("SummaryWriter: " + file + " is closed");
        }
    }

    private static void check(String tag, long step) {
        if (tag == null || tag.isEmpty()) {
            throw new IllegalArgumentException("SummaryWriter: a tag must not be empty");
        }
        if (step < 0) {
            throw new IllegalArgumentException("SummaryWriter: step must be >= 0, got " + step + " for '" + tag + "'");
        }
    }

    static byte[] png(BufferedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static double now() {
        return seconds(Instant.now());
    }

    private static double seconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }

    /** This machine's name, as TensorBoard puts it in the file name; "localhost" when it cannot be found. */
    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /**
     * {@code add_embedding(mat, metadata, label_img, global_step, tag)} for the projector: writes
     * {@code tensors.tsv}, {@code metadata.tsv} and {@code sprite.png} into the log directory's
     * {@code <globalStep, 5 digits>/<tag, with %, / and \ encoded>} (see {@link TensorBoardProjector}), each to a
     * temporary file renamed into place, and rewrites {@code projector_config.pbtxt} with this writer's entries so far,
     * this one last, as PyTorch 1.13 does. A directory there already (the same step and tag) has its files replaced,
     * with a warning, as in PyTorch.
     *
     * @param mat      [N, D], a point per row, N and D at least 1 (PyTorch writes an empty embedding that breaks
     *                 TensorBoard's projector for the run; Kiln refuses it)
     * @param metadata N labels, one per point, or null; a label holding a tab or a line break would break its line
     *                 into columns or points, as in PyTorch, and is refused
     * @param labelImg [N, C, H, W] with C 1 or 3 and H, W at least 1, values in [0, 1]: the points' images, laid
     *                 out as a sprite; or null
     * @return the embedding's directory
     */
    public Path addEmbedding(Tensor mat, List<String> metadata, Tensor labelImg, long globalStep, String tag) {
        checkEmbedding(tag, globalStep, mat, labelImg);
        if (metadata != null && metadata.size() != mat.dim(0)) {
            throw new IllegalArgumentException("embedding '" + tag + "': metadata must have a label per row of mat "
                    + mat.shape() + ": expected " + mat.dim(0) + ", got " + metadata.size());
        }
        if (metadata != null) {
            oneCellEach(tag, "metadata", metadata);
        }
        return writeEmbedding(mat, metadata == null ? null : TensorBoardProjector.metadataTsv(metadata), labelImg,
                globalStep, tag);
    }

    /**
     * {@link #addEmbedding(Tensor, List, Tensor, long, String)} with PyTorch's {@code metadata_header}: metadata of
     * several columns, {@code metadata.tsv} then starting with the header line.
     *
     * @param metadata N rows, one per point, each with a value per header column; no value or header may hold a
     *                 tab or a line break
     */
    public Path addEmbedding(Tensor mat, List<String> metadataHeader, List<List<String>> metadata, Tensor labelImg,
                             long globalStep, String tag) {
        checkEmbedding(tag, globalStep, mat, labelImg);
        if (metadata.size() != mat.dim(0)) {
            throw new IllegalArgumentException("embedding '" + tag + "': metadata must have a row per row of mat "
                    + mat.shape() + ": expected " + mat.dim(0) + ", got " + metadata.size());
        }
        for (int i = 0; i < metadata.size(); i++) {
            if (metadata.get(i).size() != metadataHeader.size()) {
                throw new IllegalArgumentException("embedding '" + tag + "': metadata row " + i + " must have a value"
                        + " per header column (" + metadataHeader.size() + ": " + metadataHeader + "), got "
                        + metadata.get(i).size());
            }
        }
        oneCellEach(tag, "metadataHeader", metadataHeader);
        for (int i = 0; i < metadata.size(); i++) {
            oneCellEach(tag, "metadata row " + i, metadata.get(i));
        }
        return writeEmbedding(mat, TensorBoardProjector.metadataTsv(metadataHeader, metadata), labelImg, globalStep,
                tag);
    }

    /** Refuses a value that would become more than one cell of metadata.tsv. */
    private static void oneCellEach(String tag, String what, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (v.indexOf('\t') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("embedding '" + tag + "': " + what + " value " + i + " must not hold"
                        + " a tab or line break, got '" + v.replace("\t", "\\t").replace("\n", "\\n")
                        .replace("\r", "\\r") + "'");
            }
        }
    }

    private void checkEmbedding(String tag, long step, Tensor mat, Tensor labelImg) {
        requireOpen();
        check(tag, step);
        if (tag.equals(".") || tag.equals("..")) {
            throw new IllegalArgumentException("embedding '" + tag + "': the tag must not be . or .., which would name"
                    + " the step's directory or its parent");
        }
        if (mat.rank() != 2) {
            throw new IllegalArgumentException("embedding '" + tag + "': mat must be [N, D], got " + mat.shape());
        }
        // PyTorch writes an entry for an empty mat whose tensors.tsv the projector fails on, for the whole run.
        if (mat.dim(0) == 0 || mat.dim(1) == 0) {
            throw new IllegalArgumentException("embedding '" + tag + "': mat must be [N, D] with N and D at least 1"
                    + " (TensorBoard's projector cannot show an empty embedding), got " + mat.shape());
        }
        if (labelImg != null && (labelImg.rank() != 4 || labelImg.dim(0) != mat.dim(0)
                || (labelImg.dim(1) != 1 && labelImg.dim(1) != 3))) {
            throw new IllegalArgumentException("embedding '" + tag + "': labelImg must be [N, C, H, W] with N "
                    + mat.dim(0) + " (mat's rows) and C 1 or 3, got " + labelImg.shape());
        }
        if (labelImg != null && (labelImg.dim(2) == 0 || labelImg.dim(3) == 0)) {
            throw new IllegalArgumentException("embedding '" + tag + "': labelImg must be [N, C, H, W] with H and W at"
                    + " least 1, got " + labelImg.shape());
        }
    }

    private Path writeEmbedding(Tensor mat, String metadataTsv, Tensor labelImg, long step, String tag) {
        Path logDir = file.getParent();
        Path dir = logDir.resolve(TensorBoardProjector.subdirectory(step, tag));
        if (Files.isDirectory(dir)) {
            LOG.warn("TensorBoard: the embedding directory {} exists (the same step and tag again): its files are"
                    + " replaced", dir);
        }
        String entry = TensorBoardProjector.configEntry(step, tag, metadataTsv != null,
                labelImg == null ? null : new int[] {labelImg.dim(3), labelImg.dim(2)});
        try {
            if (metadataTsv != null) {
                AtomicFiles.writeString(dir.resolve("metadata.tsv"), metadataTsv);
            }
            if (labelImg != null) {
                byte[] sprite = png(TensorBoardProjector.sprite(labelImg));
                AtomicFiles.write(dir.resolve("sprite.png"), out -> out.write(sprite));
            }
            AtomicFiles.writeString(dir.resolve("tensors.tsv"), TensorBoardProjector.tensorsTsv(mat));
            projectorConfig.append(entry);
            AtomicFiles.writeString(logDir.resolve("projector_config.pbtxt"), projectorConfig.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TensorBoard embedding " + dir, e);
        }
        return dir;
    }

    /** {@link #addAudio(String, Tensor, long, int)} at PyTorch's default of 44,100 samples a second. */
    public void addAudio(String tag, Tensor snd, long step) {
        addAudio(tag, snd, step, 44_100);
    }

    /**
     * {@code add_audio}: a sound for the Audio tab, written as PyTorch 1.13 writes it, a WAV file of 16-bit mono PCM
     * (see {@link TensorBoardAudio}).
     *
     * @param snd        [L] or [1, L], L at least 1: samples in [-1, 1] (others clipped, as in PyTorch), no NaN
     * @param sampleRate samples a second, at least 1
     */
    public void addAudio(String tag, Tensor snd, long step, int sampleRate) {
        addAudio(tag, snd, step, sampleRate, now());
    }

    /** {@link #addAudio(String, Tensor, long, int)} at {@code walltime}, seconds since 1970. */
    public void addAudio(String tag, Tensor snd, long step, int sampleRate, double walltime) {
        check(tag, step);
        write(TensorBoardAudio.event(walltime, step, tag, snd, sampleRate));
    }

    /**
     * {@code add_custom_scalars}: the Custom Scalars tab's layout, categories of charts each drawing scalar tags
     * written by {@link #addScalar}; TensorBoard uses the run's last layout (see {@link TensorBoardCustomScalars}).
     *
     * @param layout each category's title to its charts, each chart's title to the chart, in the maps' order
     */
    public void addCustomScalars(Map<String, Map<String, CustomScalarChart>> layout) {
        requireOpen();
        layout.forEach((category, charts) -> {
            // Immutable maps refuse containsKey(null): every entry is looked at instead.
            if (category == null || charts == null
                    || charts.entrySet().stream().anyMatch(e -> e.getKey() == null || e.getValue() == null)) {
                throw new IllegalArgumentException("custom scalars: category '" + category + "' needs a title and"
                        + " charts, each with a title, got " + charts);
            }
        });
        write(TensorBoardCustomScalars.event(now(), layout));
    }

    /** {@code add_custom_scalars_multilinechart} in PyTorch's category {@code default}, titled {@code untitled}. */
    public void addCustomScalarsMultilinechart(List<String> tags) {
        addCustomScalarsMultilinechart(tags, "default", "untitled");
    }

    /** {@code add_custom_scalars_multilinechart}: a layout of one chart, a line per tag. */
    public void addCustomScalarsMultilinechart(List<String> tags, String category, String title) {
        addCustomScalars(Map.of(category, Map.of(title, CustomScalarChart.multiline(tags))));
    }

    /** {@code add_custom_scalars_marginchart} in PyTorch's category {@code default}, titled {@code untitled}. */
    public void addCustomScalarsMarginchart(List<String> tags) {
        addCustomScalarsMarginchart(tags, "default", "untitled");
    }

    /**
     * {@code add_custom_scalars_marginchart}: a layout of one margin chart.
     *
     * @param tags the value's, the lower bound's and the upper bound's tags
     */
    public void addCustomScalarsMarginchart(List<String> tags, String category, String title) {
        if (tags.size() != 3) {
            throw new IllegalArgumentException("custom scalars: a margin chart needs 3 tags (value, lower, upper),"
                    + " got " + tags.size() + ": " + tags);
        }
        addCustomScalars(Map.of(category, Map.of(title, CustomScalarChart.margin(tags.get(0), tags.get(1),
                tags.get(2)))));
    }

    /**
     * {@code add_figure}: a rendered figure as an image summary, its RGB bytes as PyTorch writes a matplotlib
     * figure's (the alpha channel dropped, not blended), the same record as {@link #addImage} of those bytes.
     */
    public void addFigure(String tag, BufferedImage figure, long step) {
        addFigure(tag, figure, step, now());
    }

    /** {@link #addFigure(String, BufferedImage, long)} at {@code walltime}, seconds since 1970. */
    public void addFigure(String tag, BufferedImage figure, long step, double walltime) {
        check(tag, step);
        try (Tensor chw = Tensor.fromArray(rgbBytes(figure), 3, figure.getHeight(), figure.getWidth())) {
            writeImage("figure", tag, chw, step, "CHW", walltime);
        }
    }

    /**
     * {@code add_figure} of a list of figures: one image of them all, laid out as {@link #addImages} lays out images.
     *
     * @param figures at least one, all of the first one's size
     */
    public void addFigure(String tag, List<BufferedImage> figures, long step) {
        addFigure(tag, figures, step, now());
    }

    /** {@link #addFigure(String, List, long)} at {@code walltime}, seconds since 1970. */
    public void addFigure(String tag, List<BufferedImage> figures, long step, double walltime) {
        check(tag, step);
        if (figures.isEmpty()) {
            throw new IllegalArgumentException("figure '" + tag + "': figures must hold at least one figure");
        }
        int h = figures.get(0).getHeight();
        int w = figures.get(0).getWidth();
        int[] bytes = new int[figures.size() * 3 * h * w];
        for (int k = 0; k < figures.size(); k++) {
            BufferedImage f = figures.get(k);
            if (f.getHeight() != h || f.getWidth() != w) {
                throw new IllegalArgumentException("figure '" + tag + "': every figure must be the first one's size, "
                        + w + " x " + h + ", got " + f.getWidth() + " x " + f.getHeight() + " for figure " + k);
            }
            System.arraycopy(rgbBytes(f), 0, bytes, k * 3 * h * w, 3 * h * w);
        }
        try (Tensor nchw = Tensor.fromArray(bytes, figures.size(), 3, h, w)) {
            writeImage("figure", tag, nchw, step, "NCHW", walltime);
        }
    }

    /** An image's red, green and blue planes [3, H, W] as bytes, its alpha left out. */
    private static int[] rgbBytes(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        int[] chw = new int[3 * argb.length];
        for (int i = 0; i < argb.length; i++) {
            chw[i] = argb[i] >> 16 & 0xff;
            chw[argb.length + i] = argb[i] >> 8 & 0xff;
            chw[2 * argb.length + i] = argb[i] & 0xff;
        }
        return chw;
    }

    /** {@link #addFigure(String, BufferedImage, long)} of a chart as Kiln draws its plots (XChart, as training.png). */
    public void addFigure(String tag, Chart<?, ?> chart, long step) {
        addFigure(tag, BitmapEncoder.getBufferedImage(chart), step);
    }

    /** {@link #addVideo(String, Tensor, long, double)} at PyTorch's default of 4 frames a second. */
    public void addVideo(String tag, Tensor video, long step) {
        addVideo(tag, video, step, 4);
    }

    /**
     * {@code add_video}: videos as one animated GIF for the Images tab, laid out as PyTorch 1.13 lays them out (see
     * {@link TensorBoardVideo}).
     *
     * @param video [N, T, C, H, W] with C 1 or 3: values in [0, 1], or integer bytes 0 to 255 (PyTorch's uint8)
     * @param fps   frames a second, above 0
     */
    public void addVideo(String tag, Tensor video, long step, double fps) {
        addVideo(tag, video, step, fps, now());
    }

    /** {@link #addVideo(String, Tensor, long, double)} at {@code walltime}, seconds since 1970. */
    public void addVideo(String tag, Tensor video, long step, double fps, double walltime) {
        check(tag, step);
        write(TensorBoardVideo.event(walltime, step, tag, video, fps));
    }

    /**
     * {@code add_mesh}: a mesh or point cloud for the Mesh tab, written as PyTorch 1.13 writes it (see
     * {@link TensorBoardMesh}).
     *
     * @param vertices   [B, N, 3]: each vertex's x, y, z
     * @param colors     [B, N, 3] or null: each vertex's red, green and blue, in [0, 1] or bytes 0 to 255
     * @param faces      [B, F, 3] or null: each triangle's vertex indices, 0 to N - 1
     * @param configDict three.js's configuration (camera, lights, material) or null, written as JSON: maps with
     *                   string keys, lists, strings, numbers, booleans and nulls
     */
    public void addMesh(String tag, Tensor vertices, Tensor colors, Tensor faces, Map<String, ?> configDict,
                        long step) {
        addMesh(tag, vertices, colors, faces, configDict, step, now());
    }

    /** {@link #addMesh(String, Tensor, Tensor, Tensor, Map, long)} at {@code walltime}, seconds since 1970. */
    public void addMesh(String tag, Tensor vertices, Tensor colors, Tensor faces, Map<String, ?> configDict,
                        long step, double walltime) {
        check(tag, step);
        write(TensorBoardMesh.event(walltime, step, tag, vertices, colors, faces, configDict));
    }
}
