package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * containers.py's {@code Net}: a {@link ModuleList} of three {@link Linear}s (the middle one inserted), a
 * {@link ParameterList} of scales, a {@link ModuleDict} of two heads and a {@link ParameterDict} of one shift;
 * [batch, 3] to [batch, 3]. It reads everything through {@link #module(String)} so that copy and to work.
 */
final class ContainerNet extends Module {
    ContainerNet() {
        registerModule("layers", new ModuleList(new Linear(3, 4), new Linear(4, 2))).insert(1, new Linear(4, 4));
        registerModule("scales", new ParameterList(zeros(4), zeros(4))).add(zeros(2));
        Map<String, Module> heads = new LinkedHashMap<>();
        heads.put("mean", new Linear(2, 2));
        heads.put("scale", new Linear(2, 1));
        registerModule("heads", new ModuleDict(heads));
        registerModule("offsets", new ParameterDict(Map.of("shift", zeros(3))));
    }

    private static Tensor zeros(int n) {
        return unscoped(() -> Tensor.zeros(DType.F32, n));
    }

    ModuleList layers() {
        return (ModuleList) module("layers");
    }

    ParameterList scales() {
        return (ParameterList) module("scales");
    }

    ModuleDict heads() {
        return (ModuleDict) module("heads");
    }

    ParameterDict offsets() {
        return (ParameterDict) module("offsets");
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (int i = 0; i < layers().size(); i++) {
            h = layers().get(i).call(h).tanh().mul(scales().get(i));
        }
        Tensor heads = Tensor.cat(List.of(heads().get("mean").call(h), heads().get("scale").call(h)), -1);
        return heads.add(offsets().get("shift"));
    }
}
