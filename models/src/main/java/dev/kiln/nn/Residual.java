package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * A skip connection {@code x + inner(x)}, as in ResNet (PyTorch has no module for it; this is the
 * usual {@code out = x + block(x)}): the inner module must map [batch, features] to the same shape.
 * The inner module is registered as {@code "inner"}, so its keys read {@code inner.weight}.
 */
public class Residual extends Module {
    public Residual(Module inner) {
        registerModule("inner", inner);
    }

    public Module inner() {
        return module("inner");
    }

    @Override
    public Tensor forward(Tensor x) {
        Module inner = inner();
        Tensor y = inner.call(x);
        if (!y.shape().equals(x.shape())) {
            throw new IllegalArgumentException("Residual: inner module " + inner.describe() + " maps " + x.shape()
                    + " to " + y.shape()
                    + "; x + inner(x) needs the output shape to equal the input shape");
        }
        Tensor out = x.add(y);
        releaseConsumed(y, out, x);
        return out;
    }
}
