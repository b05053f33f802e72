package dev.kiln.train;

import dev.kiln.engine.Tensor;
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
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

/**
 * PyTorch's {@code torch.utils.tensorboard.SummaryWriter}: writes a TensorBoard event file,
 * {@code events.out.tfevents.<seconds>.<host>.<pid>.<n>} in the log directory (TensorBoard's own naming), that
 * {@code tensorboard --logdir} shows: scalars, histograms, images and text, each at a step.
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

    private final Path file;
    private final OutputStream out;
    private boolean closed;

    /** Creates {@code logDir} when missing and starts a new event file in it. */
    public SummaryWriter(Path logDir) throws IOException {
        Files.createDirectories(logDir);
        Instant now = Instant.now();
        this.file = logDir.resolve(String.format(Locale.ROOT, "events.out.tfevents.%010d.%s.%d.%d", now.getEpochSecond(),
                hostName(), ProcessHandle.current().pid(), FILES.getAndIncrement()));
        this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE));
        try {
            write(TensorBoardEvent.fileVersion(seconds(now), "kiln"));
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
        check(tag, step);
        write(TensorBoardEvent.scalar(now(), step, tag, (float) value));
    }

    /**
     * {@code add_histogram} with its default buckets (see {@link TensorBoardHistogram}).
     *
     * @param values any number of values, at least one, all finite
     */
    public void addHistogram(String tag, double[] values, long step) {
        check(tag, step);
        write(TensorBoardEvent.histogram(now(), step, tag, TensorBoardHistogram.of(tag, values)));
    }

    /** {@link #addHistogram(String, double[], long)} of a tensor's elements, of any shape and dtype. */
    public void addHistogram(String tag, Tensor values, long step) {
        addHistogram(tag, values.toDoubleArray(), step);
    }

    /**
     * {@code add_image} of an image [C, H, W] with C 1 (grey, written as RGB as PyTorch writes it), 3 (RGB) or 4
     * (RGBA), values in [0, 1]: each becomes the byte {@code (int) (v * 255)}, clamped to [0, 255], and the image is
     * stored as PNG.
     */
    public void addImage(String tag, Tensor image, long step) {
        check(tag, step);
        int[] dims = image.shape().dims();
        if (dims.length != 3 || (dims[0] != 1 && dims[0] != 3 && dims[0] != 4) || dims[1] < 1 || dims[2] < 1) {
            throw new IllegalArgumentException("image '" + tag + "': expected a shape [C, H, W] with C 1, 3 or 4, got "
                    + Arrays.toString(dims));
        }
        int channels = dims[0] == 1 ? 3 : dims[0];
        byte[] png = png(pixels(image.toFloatArray(), dims[0], dims[1], dims[2]));
        write(TensorBoardEvent.image(now(), step, tag, dims[1], dims[2], channels, png));
    }

    /** {@code add_text}: shown by TensorBoard's text plugin (Markdown) under {@code tag + "/text_summary"}. */
    public void addText(String tag, String text, long step) {
        check(tag, step);
        write(TensorBoardEvent.text(now(), step, tag, text));
    }

    /** Pushes the records written so far to the file, where TensorBoard sees them. */
    public void flush() {
        requireOpen();
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TensorBoard event file " + file, e);
        }
    }

    /** Flushes and closes the file; closing again does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TensorBoard event file " + file, e);
        }
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

    /** [C, H, W] values in [0, 1] as an image, each channel's byte truncated from v * 255 as PyTorch's is. */
    private static BufferedImage pixels(float[] values, int channels, int height, int width) {
        boolean alpha = channels == 4;
        BufferedImage img = new BufferedImage(width, height, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int at = y * width + x;
                int r = toByte(values[at]);
                int g = channels == 1 ? r : toByte(values[plane + at]);
                int b = channels == 1 ? r : toByte(values[2 * plane + at]);
                int a = alpha ? toByte(values[3 * plane + at]) : 0xff;
                img.setRGB(x, y, a << 24 | r << 16 | g << 8 | b);
            }
        }
        return img;
    }

    private static int toByte(float v) {
        float scaled = v * 255f;
        return scaled >= 255f ? 255 : scaled > 0f ? (int) scaled : 0;
    }

    private static byte[] png(BufferedImage img) {
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
}
