package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/** Parametrizations for the tests of {@link Parametrize}, each as the PyTorch module of the same name in the scripts. */
final class ParametrizationExamples {
    private ParametrizationExamples() {
    }

    /** PyTorch's documented example: {@code X.triu() + X.triu(1).T}, right inverse {@code A.triu()}. */
    static final class Symmetric extends Module implements Parametrize.RightInverse {
        @Override
        public Tensor forward(Tensor x) {
            return x.triu(0).add(x.triu(1).t());
        }

        @Override
        public Tensor rightInverse(Tensor value) {
            return value.triu(0);
        }
    }

    /** {@code x * scale} with a trained {@code scale} [rows, 1], ones at first; no right inverse. */
    static final class RowScale extends Module {
        RowScale(int rows) {
            registerParameter("scale", unscoped(() -> Tensor.ones(rows, 1)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.mul(param("scale"));
        }
    }

    /** {@code 2 x}, right inverse {@code x / 2}, counting its forward passes. */
    static final class Doubling extends Module implements Parametrize.RightInverse {
        int forwardPasses;

        @Override
        public Tensor forward(Tensor x) {
            forwardPasses++;
            return x.mul(2);
        }

        @Override
        public Tensor rightInverse(Tensor value) {
            return value.div(2);
        }
    }

    /** The first row of its input, [columns]: changes the shape. */
    static final class FirstRow extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x.narrow(0, 0, 1).reshape(-1);
        }
    }
}
