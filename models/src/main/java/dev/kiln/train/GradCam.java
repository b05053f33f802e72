package dev.kiln.train;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.HookHandle;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.AdaptiveAvgPool2d;
import dev.kiln.nn.AdaptiveMaxPool2d;
import dev.kiln.nn.AvgPool2d;
import dev.kiln.nn.GlobalAvgPool2d;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Grad-CAM (Selvaraju et al., 2017): where in an image a classifier looked for a class. A layer's activations
 * A [n, k, h', w'] are weighted by the mean over h' x w' of the class score's gradient with respect to each of
 * the k maps, summed over k and passed through a ReLU, then scaled bilinearly to the image's size and divided by
 * each map's maximum: one map in [0, 1] per image. (pytorch-grad-cam's {@code GradCAM} also subtracts each map's
 * minimum, which after the ReLU is almost always 0.)
 */
public final class GradCam {
    private GradCam() {
    }

    /**
     * What {@link #maps} found: the class each image's map is for, and the maps, [n][height * width] row-major, each
     * in [0, 1] (all 0 where no part of the map is positive).
     */
    public record Maps(int[] classes, double[][] values) {
    }

    /**
     * The maps of {@code images} [n, channels, height, width] for {@code classes} (one per image; null for each
     * image's predicted class) at {@code layer}'s output, which must be [n, k, h', w']. The model runs in
     * evaluation mode (its mode is restored); no parameter's gradient or {@code requiresGrad} is changed.
     *
     * @return the classes explained and their maps
     */
    public static Maps maps(Module model, Module layer, Tensor images, int[] classes) {
        int n = images.dim(0);
        if (images.rank() != 4) {
            throw new IllegalArgumentException("GradCam: images must be [n, channels, height, width], got " + images.shape());
        }
        if (classes != null && classes.length != n) {
            throw new IllegalArgumentException("GradCam: one class per image: " + n + " images, " + classes.length
                    + " classes");
        }
        boolean training = model.isTraining();
        Map<Tensor, Boolean> requiresGrad = new IdentityHashMap<>();
        for (Tensor p : model.parameters()) {
            requiresGrad.put(p, p.requiresGrad());
            p.requiresGrad(false);
        }
        List<Tensor> captured = new ArrayList<>();
        // The layer's output becomes a leaf of its own: the backward pass then stops there, and no parameter sees it.
        HookHandle hook = layer.registerForwardHook((m, in, out) -> {
            Tensor leaf = out.detach().requiresGrad(true);
            captured.add(leaf);
            return leaf;
        });
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.enableGrad()) {
            model.eval();
            Tensor logits = model.call(images);
            if (captured.size() != 1) {
                throw new IllegalArgumentException("GradCam: the layer must run once in the model's forward pass, ran "
                        + captured.size() + " times");
            }
            Tensor activations = captured.get(0);
            if (activations.rank() != 4) {
                throw new IllegalArgumentException("GradCam: the layer's output must be [n, k, h, w], got "
                        + activations.shape());
            }
            int[] targets = classes != null ? classes : predicted(logits);
            Tensor score = logits.gather(1, Tensor.fromArray(toLongs(targets), n, 1)).sum();
            score.backward();
            double[][] maps = scaled(camAtLayer(activations), activations.dim(2), activations.dim(3), images.dim(2),
                    images.dim(3));
            return new Maps(targets.clone(), maps);
        } finally {
            hook.remove();
            model.train(training);
            requiresGrad.forEach(Tensor::requiresGrad);
        }
    }

    /**
     * The layer Grad-CAM looks at by default: the last, in the order forward passes finish, whose output is a spatial
     * map larger than 1 x 1, pooling layers aside (LeNet's last ReLU, a ResNet's last block), found by running
     * {@code model} on {@code example} [1, channels, height, width] without gradients.
     *
     * @throws IllegalArgumentException when no layer of the model outputs such a map
     */
    public static Module lastSpatialLayer(Module model, Tensor example) {
        List<Module> finished = new ArrayList<>();
        List<HookHandle> hooks = new ArrayList<>();
        for (Module m : model.namedModules().values()) {
            if (m != model && !isPooling(m)) {
                hooks.add(m.registerForwardHook((module, in, out) -> {
                    if (out.rank() == 4 && (long) out.dim(2) * out.dim(3) > 1) {
                        finished.add(module);
                    }
                    return null;
                }));
            }
        }
        boolean training = model.isTraining();
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            model.eval();
            model.call(example);
        } finally {
            hooks.forEach(HookHandle::remove);
            model.train(training);
        }
        if (finished.isEmpty()) {
            throw new IllegalArgumentException("GradCam: no layer of " + model.getClass().getSimpleName()
                    + " outputs a spatial map [n, k, h, w] larger than 1 x 1 for an input " + example.shape());
        }
        return finished.get(finished.size() - 1);
    }

    private static boolean isPooling(Module m) {
        return m instanceof MaxPool2d || m instanceof AvgPool2d || m instanceof AdaptiveAvgPool2d
                || m instanceof AdaptiveMaxPool2d || m instanceof GlobalAvgPool2d;
    }

    /** ReLU(sum over k of mean(dScore/dA_k) * A_k): [n][h' * w'] at the layer's resolution. */
    private static double[][] camAtLayer(Tensor activations) {
        int n = activations.dim(0);
        int k = activations.dim(1);
        int area = activations.dim(2) * activations.dim(3);
        double[] a = activations.toDoubleArray();
        double[] grad = activations.grad().toDoubleArray();
        double[][] cam = new double[n][area];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                int base = (i * k + c) * area;
                double weight = 0;
                for (int p = 0; p < area; p++) {
                    weight += grad[base + p];
                }
                weight /= area;
                for (int p = 0; p < area; p++) {
                    cam[i][p] += weight * a[base + p];
                }
            }
        }
        return cam;
    }

    /**
     * Each map [h' * w'] through a ReLU, scaled bilinearly to height x width (PyTorch's {@code interpolate} with
     * {@code align_corners=False}: half-pixel centres) and divided by its maximum.
     */
    private static double[][] scaled(double[][] cam, int layerHeight, int layerWidth, int height, int width) {
        double[][] out = new double[cam.length][height * width];
        for (int i = 0; i < cam.length; i++) {
            double max = 0;
            for (int y = 0; y < height; y++) {
                Sample sy = Sample.at(y, layerHeight, height);
                for (int x = 0; x < width; x++) {
                    Sample sx = Sample.at(x, layerWidth, width);
                    double top = lerp(relu(cam[i][sy.low * layerWidth + sx.low]),
                            relu(cam[i][sy.low * layerWidth + sx.high]), sx.fraction);
                    double bottom = lerp(relu(cam[i][sy.high * layerWidth + sx.low]),
                            relu(cam[i][sy.high * layerWidth + sx.high]), sx.fraction);
                    double v = lerp(top, bottom, sy.fraction);
                    out[i][y * width + x] = v;
                    max = Math.max(max, v);
                }
            }
            if (max > 0) {
                for (int p = 0; p < out[i].length; p++) {
                    out[i][p] /= max;
                }
            }
        }
        return out;
    }

    /** Where output pixel {@code index} of {@code size} falls between two of {@code sourceSize} source pixels. */
    private record Sample(int low, int high, double fraction) {
        static Sample at(int index, int sourceSize, int size) {
            double source = Math.max(0, (index + 0.5) * sourceSize / size - 0.5);
            int low = Math.min((int) source, sourceSize - 1);
            return new Sample(low, Math.min(low + 1, sourceSize - 1), source - low);
        }
    }

    private static double lerp(double a, double b, double t) {
        return a + (b - a) * t;
    }

    private static double relu(double v) {
        return Math.max(v, 0);
    }

    private static int[] predicted(Tensor logits) {
        long[] argmax = logits.argmax(1, false).toLongArray();
        int[] classes = new int[argmax.length];
        for (int i = 0; i < argmax.length; i++) {
            classes[i] = (int) argmax[i];
        }
        return classes;
    }

    private static long[] toLongs(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
