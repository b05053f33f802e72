package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Mnist#load}'s checks of the files it reads, each error naming the file at fault. */
class MnistTest {
    @TempDir
    Path dir;

    /** {@code dir/mnist/NAME} as an IDX file of unsigned bytes: magic, dimensions, values. */
    private Path idx(String name, int[] dims, byte[] values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x00000800 | dims.length);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(values);
        return Files.write(Files.createDirectories(dir.resolve("mnist")).resolve(name), bytes.toByteArray());
    }

    private Path images(int[] dims) throws IOException {
        return idx("t10k-images-idx3-ubyte", dims, new byte[dims[0] * dims[1] * dims[2]]);
    }

    private Path labels(int[] dims, byte[] values) throws IOException {
        return idx("t10k-labels-idx1-ubyte", dims, values);
    }

    private String loadError() {
        return assertThrows(IOException.class, () -> Mnist.load(dir, "mnist", Mnist.Split.TEST)).getMessage();
    }

    @Test
    void imagesOf784PixelsButNot28By28AreRejected() throws IOException {
        Path images = images(new int[] {20, 14, 56});
        labels(new int[] {20}, new byte[20]);
        assertEquals(images + ": expected [N, 28, 28] images, header says [20, 14, 56]", loadError());
    }

    @Test
    void labelsOfRankTwoAreRejectedNamingTheLabelsFile() throws IOException {
        images(new int[] {20, 28, 28});
        Path labels = labels(new int[] {20, 1}, new byte[20]);
        assertEquals(labels + ": expected [N] labels, header says [20, 1]", loadError());
    }

    @Test
    void aLabelAboveNineIsRejectedAtLoadNamingTheLabelsFile() throws IOException {
        images(new int[] {4, 28, 28});
        Path labels = labels(new int[] {4}, new byte[] {1, 2, 3, (byte) 200});
        assertEquals(labels + ": label 200 at index 3 is outside 0..9", loadError());
    }

    @Test
    void imageAndLabelCountsThatDifferNameBothFiles() throws IOException {
        Path images = images(new int[] {3, 28, 28});
        Path labels = labels(new int[] {2}, new byte[2]);
        assertEquals(images + " holds 3 images but " + labels + " holds 2 labels", loadError());
    }

    @Test
    void classNamesAreTheDigitsOrFashionMnistsClothesInLabelOrder() {
        assertEquals("7", Mnist.classNames("mnist").get(7));
        assertEquals(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                "Ankle boot"), Mnist.classNames("fashion-mnist"));
        assertEquals(Mnist.CLASSES, Mnist.classNames("mnist").size());
    }

    @Test
    void classNamesOfAnUnknownDataSetAreRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mnist.classNames("cifar"));
        assertEquals("Mnist: unknown data set 'cifar', expected mnist or fashion-mnist", e.getMessage());
    }
}
