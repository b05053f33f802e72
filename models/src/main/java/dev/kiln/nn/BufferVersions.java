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
    private final Tensor[] buffers;
    private final int[] versions;

    private BufferVersions(Tensor[] buffers) {
        this.buffers = buffers;
        this.versions = new int[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            versions[i] = buffers[i].version();
        }
    }

    /** The tensors and their {@link Tensor#version()}s now. */
    static BufferVersions of(Tensor... buffers) {
        return new BufferVersions(buffers.clone());
    }

    /**
     * Whether {@code now} are the same tensors at the same versions: a tensor replaced (a copy's, to()'s) counts as
     * changed, since a new tensor's version restarts and may meet the old one's again.
     */
    boolean matches(Tensor... now) {
        if (now.length != buffers.length) {
            return false;
        }
        for (int i = 0; i < now.length; i++) {
            if (now[i] != buffers[i] || now[i].version() != versions[i]) {
                return false;
            }
        }
        return true;
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
