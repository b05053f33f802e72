package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;

/**
 * For a module whose state lives in Java fields and is mirrored into buffers for its state dict (the fake
 * quantisations and their observers): whether the buffers were written from outside, by
 * {@link Module#loadStateDict}, since the module last wrote them, and the small host writes that mirror the fields.
 */
final class BufferVersions {
    private BufferVersions() {
    }

    /** The sum of the tensors' {@link Tensor#version()}s: it grows whenever any of them is written in place. */
    static long of(Tensor... buffers) {
        long sum = 0;
        for (Tensor t : buffers) {
            sum += t.version();
        }
        return sum;
    }

    /** Writes {@code values} into {@code target} of as many elements, in its dtype (I32, or another after to()). */
    static void writeInts(Tensor target, int... values) {
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            target.assign(Tensor.fromArray(values, values.length).reshape(target.shape().dims()).to(target.dtype()));
        }
    }

    /** Writes {@code values} into {@code target} of as many elements, in its dtype (F32, or F64 after to()). */
    static void writeFloats(Tensor target, float... values) {
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            target.assign(Tensor.fromArray(values, values.length).reshape(target.shape().dims()).to(target.dtype()));
        }
    }
}
