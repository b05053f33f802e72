package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import java.util.Map;

/**
 * PyTorch's {@code fuse_modules} of each {@link Conv2d} and the {@link BatchNorm2d} applied right after it, in eval
 * mode, done in place for {@link StaticQuantization#prepare}: the pair becomes the one convolution
 * {@link Fusion#fuseConvBatchNorm(Conv2d, BatchNorm)} gives. In a {@link Sequential} the pair is adjacent and the
 * norm's slot becomes an {@link Identity}, keeping the indices as {@code fuse_modules(model, [["0", "1"]])} does; in
 * a {@link ConvBatchNormBlock} ({@link BasicBlock}, {@link dev.kiln.zoo.ResNet}'s stem) the block names its pairs and
 * the norm is removed, which the block runs without (no state is lost: an Identity holds none). The folded
 * convolution computes what the pair computes in eval mode, so StaticQuantization quantises it as one layer, with a
 * ReLU after it fused too, as PyTorch's {@code ConvReLU2d}.
 */
final class ConvBatchNormFolding {
    private ConvBatchNormFolding() {
    }

    /** Folds every such pair inside {@code m} (m included), in place. */
    static void foldInside(Module m) {
        if (m.getClass() == Sequential.class) {
            Sequential seq = (Sequential) m;
            for (int i = 0; i + 1 < seq.size(); i++) {
                if (fold(seq, Integer.toString(i), Integer.toString(i + 1))) {
                    seq.replaceModule(Integer.toString(i + 1), new Identity());
                }
            }
        }
        if (m instanceof ConvBatchNormBlock block) {
            for (Map.Entry<String, String> pair : block.convBatchNormPairs().entrySet()) {
                if (fold(m, pair.getKey(), pair.getValue())) {
                    m.removeModule(pair.getValue());
                }
            }
        }
        for (Module child : m.namedChildren().values()) {
            foldInside(child);
        }
    }

    /**
     * Puts the folded convolution in the place of {@code convName} when it and {@code normName} are a plain Conv2d
     * and a BatchNorm2d of its output channels, closing both; the caller then empties the norm's slot.
     */
    private static boolean fold(Module parent, String convName, String normName) {
        Module conv = parent.namedChildren().get(convName);
        Module norm = parent.namedChildren().get(normName);
        if (conv == null || conv.getClass() != Conv2d.class || norm == null || norm.getClass() != BatchNorm2d.class
                || ((Conv2d) conv).outChannels() != ((BatchNorm2d) norm).channels()) {
            return false;
        }
        parent.replaceModule(convName, Fusion.fuseConvBatchNorm((Conv2d) conv, (BatchNorm2d) norm));
        conv.close();
        norm.close();
        return true;
    }

    /**
     * A plain Conv2d computing {@code conv} then {@code norm} in evaluation mode, whatever mode either is in (a
     * {@link QatConvBn2d} at {@code convert}): Fusion's folding of a plain copy of conv's weights and an evaluation-mode
     * copy of norm; both are left as they are, and the result takes conv's mode.
     */
    static Conv2d folded(Conv2d conv, BatchNorm2d norm) {
        try (Conv2d plain = new Conv2d(conv.inChannels(), conv.outChannels(), conv.kernelSize(), conv.stride(),
                conv.padding(), conv.dilation(), conv.groups(), conv.bias() != null, conv.paddingMode());
             Module evalNorm = norm.copy()) {
            plain.eval();
            evalNorm.eval();
            try (Autograd.Guard g = Autograd.noGrad()) {
                plain.weight().assign(conv.weight());
                if (conv.bias() != null) {
                    plain.bias().assign(conv.bias());
                }
            }
            Conv2d out = Fusion.fuseConvBatchNorm(plain, (BatchNorm2d) evalNorm);
            out.train(conv.isTraining());
            return out;
        }
    }
}
