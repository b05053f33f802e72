package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Node;

/**
 * Kiln's {@code addVideo} against the frames PyTorch 1.13's {@code add_video} hands moviepy
 * ({@code tensorboard_media.py}'s {@code video_frames.txt}; moviepy, which encodes PyTorch's GIF, is not installed, so
 * there is no file of PyTorch's to compare with): Kiln's GIF decoded frame by frame, pixel for pixel, with its frame
 * delay and loop; its image summary's size and colorspace; TensorBoard reading it ({@code tensorboard_read_check.py})
 * and Pillow decoding the GIF TensorBoard hands on ({@code tensorboard_gif_check.py}), both where {@code /opt/tbvenv}
 * exists.
 */
class SummaryWriterVideoTest {
    private static final String GIF_METADATA = "javax_imageio_gif_image_1.0";

    @TempDir
    Path dir;

    /** PyTorch's frames of a video: its tag, [T, H, W, C] and the bytes. */
    private record Frames(String tag, int[] shape, int[] bytes) {
    }

    private static List<Frames> pytorchFrames() throws IOException {
        List<String> lines;
        try (InputStream in = SummaryWriterVideoTest.class.getResourceAsStream(
                "/tensorboard/media/video_frames.txt")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        List<Frames> frames = new ArrayList<>();
        for (int i = 0; i < lines.size(); i += 2) {
            String[] head = lines.get(i).split(" ");
            int[] shape = Arrays.stream(head, 1, 5).mapToInt(Integer::parseInt).toArray();
            frames.add(new Frames(head[0], shape, Arrays.stream(lines.get(i + 1).split(" "))
                    .mapToInt(Integer::parseInt).toArray()));
        }
        return frames;
    }

    /** The videos of the script: uint8 [3, 2, 3, 2, 3] (I32 here) and F32 grey [5, 3, 1, 2, 2]. */
    private Path writeVideos() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor rgb = SummaryWriterMediaParityTest.bytesPattern(3, 2, 3, 2, 3);
             Tensor grey = SummaryWriterMediaParityTest.pattern(5, 3, 1, 2, 2)) {
            w.addVideo("video/rgb", rgb, 1);
            w.addVideo("video/grey", grey, 2, 12.5);
            return w.file();
        }
    }

    @Test
    void eachFrameHoldsPyTorchsPixelsAndTheSummaryItsSize() throws IOException {
        List<byte[]> records = EventFileReader.records(Files.readAllBytes(writeVideos()));
        List<Frames> expected = pytorchFrames();
        int[] delays = {25, 8};
        for (int v = 0; v < expected.size(); v++) {
            Frames f = expected.get(v);
            byte[] value = EventFileReader.values(records.get(v + 1)).get(0);
            assertEquals(f.tag(), EventFileReader.tag(value));
            byte[] image = EventFileReader.bytes(value, 4);
            assertEquals(List.of((long) f.shape()[1], (long) f.shape()[2], (long) f.shape()[3]),
                    List.of(EventFileReader.field(image, 1), EventFileReader.field(image, 2),
                            EventFileReader.field(image, 3)), f.tag() + ": height, width, colorspace");
            checkGif(f, EventFileReader.bytes(image, 4), delays[v]);
        }
    }

    private static void checkGif(Frames f, byte[] gif, int delay) throws IOException {
        int frames = f.shape()[0];
        int h = f.shape()[1];
        int w = f.shape()[2];
        int c = f.shape()[3];
        ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(gif))) {
            reader.setInput(in);
            assertEquals(frames, reader.getNumImages(true), f.tag() + ": frames");
            for (int t = 0; t < frames; t++) {
                BufferedImage img = reader.read(t);
                assertEquals(List.of(w, h), List.of(img.getWidth(), img.getHeight()), f.tag() + ": frame " + t);
                int[] rgb = new int[h * w];
                for (int i = 0; i < rgb.length; i++) {
                    int at = (t * h * w + i) * c;
                    int r = f.bytes()[at];
                    int g = f.bytes()[at + (c == 1 ? 0 : 1)];
                    int b = f.bytes()[at + (c == 1 ? 0 : 2)];
                    rgb[i] = 0xff << 24 | r << 16 | g << 8 | b;
                }
                assertArrayEquals(rgb, img.getRGB(0, 0, w, h, null, 0, w), f.tag() + ": frame " + t);
                IIOMetadataNode root = (IIOMetadataNode) reader.getImageMetadata(t).getAsTree(GIF_METADATA);
                assertEquals(Integer.toString(delay), child(root, "GraphicControlExtension")
                        .getAttribute("delayTime"), f.tag() + ": frame " + t + "'s delay");
            }
            IIOMetadataNode first = (IIOMetadataNode) reader.getImageMetadata(0).getAsTree(GIF_METADATA);
            IIOMetadataNode loop = (IIOMetadataNode) child(first, "ApplicationExtensions").getFirstChild();
            assertEquals("NETSCAPE", loop.getAttribute("applicationID"));
            assertArrayEquals(new byte[] {1, 0, 0}, (byte[]) loop.getUserObject(), "loop forever");
        } finally {
            reader.dispose();
        }
    }

    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeName().equals(name)) {
                return (IIOMetadataNode) n;
            }
        }
        throw new AssertionError("no " + name + " in the GIF's metadata");
    }

    @Test
    void tensorBoardReadsTheVideosAsImagesOfTheirSize() throws IOException {
        writeVideos();
        List<String> lines = TensorBoardScripts.run("tensorboard_read_check.py", dir);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(".\timages\tvideo/rgb\t1\t12x2 ")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(".\timages\tvideo/grey\t2\t8x4 ")), lines.toString());
    }

    /** Pillow, another GIF decoder, reads each frame as PyTorch's, 40 ms a frame at 25 fps, looping forever. */
    @Test
    void pillowDecodesPyTorchsFramesFromTheGifTensorBoardHandsOn() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor rgb = SummaryWriterMediaParityTest.bytesPattern(3, 2, 3, 2, 3);
             Tensor grey = SummaryWriterMediaParityTest.pattern(5, 3, 1, 2, 2)) {
            w.addVideo("video/rgb", rgb, 1, 25);
            w.addVideo("video/grey", grey, 2, 25);
        }
        List<String> lines = TensorBoardScripts.run("tensorboard_gif_check.py", dir);
        List<String> expected = new ArrayList<>();
        // The script prints the tags sorted.
        for (Frames f : pytorchFrames().stream().sorted((a, b) -> a.tag().compareTo(b.tag())).toList()) {
            int frames = f.shape()[0];
            int pixels = f.shape()[1] * f.shape()[2];
            int c = f.shape()[3];
            expected.add(f.tag() + " " + frames + " 40 0");
            for (int t = 0; t < frames; t++) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < pixels; i++) {
                    for (int k = 0; k < 3; k++) {
                        line.append(line.length() == 0 ? "" : " ").append(f.bytes()[(t * pixels + i) * c
                                + (c == 1 ? 0 : k)]);
                    }
                }
                expected.add(line.toString());
            }
        }
        assertEquals(expected, lines);
    }

    @Test
    void badVideosAreRefusedNamingTheShapeOrValue() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor rank4 = Tensor.zeros(2, 3, 4, 4);
             Tensor twoChannels = Tensor.zeros(1, 2, 2, 4, 4);
             Tensor noFrames = Tensor.zeros(1, 0, 3, 4, 4);
             Tensor big = Tensor.fromArray(new int[] {0, 256, 0}, 1, 3, 1, 1, 1);
             Tensor ok = Tensor.zeros(1, 1, 3, 1, 1)) {
            String shape = "video 'v': expected a shape [N, T, C, H, W] with C 1 or 3 and N, T, H, W at least 1, got ";
            assertEquals(shape + "[2, 3, 4, 4]", refusal(() -> w.addVideo("v", rank4, 0)));
            assertEquals(shape + "[1, 2, 2, 4, 4]", refusal(() -> w.addVideo("v", twoChannels, 0)));
            assertEquals(shape + "[1, 0, 3, 4, 4]", refusal(() -> w.addVideo("v", noFrames, 0)));
            assertEquals("video 'v': an integer (I32) tensor holds bytes 0 to 255, as PyTorch's uint8, got 256 at 1",
                    refusal(() -> w.addVideo("v", big, 0)));
            assertEquals("video 'v': fps must be above 0 and finite, got 0.0",
                    refusal(() -> w.addVideo("v", ok, 0, 0)));
        }
    }

    /** A frame of 4,096 colours, more than a GIF's palette holds: each pixel within half a level of its colour. */
    @Test
    void aFrameOfMoreThan256ColoursKeepsEachPixelNearItsColour() throws IOException {
        int side = 64;
        int[] v = new int[3 * side * side];
        for (int i = 0; i < side * side; i++) {
            v[i] = i % side * 4;
            v[side * side + i] = i / side * 4;
            v[2 * side * side + i] = (i % side + i / side) * 2;
        }
        Path file;
        try (SummaryWriter w = new SummaryWriter(dir); Tensor video = Tensor.fromArray(v, 1, 1, 3, side, side)) {
            w.addVideo("many", video, 0);
            file = w.file();
        }
        byte[] value = EventFileReader.values(EventFileReader.records(Files.readAllBytes(file)).get(1)).get(0);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(EventFileReader.bytes(EventFileReader.bytes(value,
                4), 4)));
        // Half the spacing of 6 red and blue levels (51) and 7 green ones (42.5), rounded up.
        int[] tolerance = {26, 22, 26};
        for (int i = 0; i < side * side; i++) {
            int rgb = img.getRGB(i % side, i / side);
            for (int c = 0; c < 3; c++) {
                int got = rgb >> (16 - 8 * c) & 0xff;
                assertTrue(Math.abs(got - v[c * side * side + i]) <= tolerance[c], "pixel " + i + " channel " + c
                        + ": " + got + " for " + v[c * side * side + i]);
            }
        }
    }

    private static String refusal(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }
}
