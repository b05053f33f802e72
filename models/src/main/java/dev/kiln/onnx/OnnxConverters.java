package dev.kiln.onnx;

import dev.kiln.nn.Module;
import java.util.HashMap;
import java.util.Map;

/**
 * The converters the exporter knows, by module class. The lookup is by exact class, not by superclass: a subclass may
 * compute something else in its forward (a {@code Sequential} subclass that skips a layer), so it needs a converter
 * of its own.
 */
final class OnnxConverters {
    private final Map<Class<?>, OnnxConverter<?>> byType = new HashMap<>();
    private final Map<Class<?>, OnnxTwoInputConverter<?>> twoInputs = new HashMap<>();
    private final Map<Class<?>, OnnxThreeInputConverter<?>> threeInputs = new HashMap<>();

    /** Every converter that ships with Kiln, then {@code extra}, which may take the place of one of them. */
    static OnnxConverters with(Map<Class<? extends Module>, OnnxConverter<?>> extra) {
        OnnxConverters c = defaults();
        c.byType.putAll(extra);
        return c;
    }

    /** Every converter that ships with Kiln. */
    private static OnnxConverters defaults() {
        OnnxConverters c = new OnnxConverters();
        DenseConverters.register(c);
        ConvolutionConverters.register(c);
        NormalizationConverters.register(c);
        ActivationConverters.register(c);
        PoolingConverters.register(c);
        ShapeConverters.register(c);
        BlockConverters.register(c);
        RecurrentConverters.register(c);
        TransformerConverters.register(c);
        PlainLayerConverters.register(c);
        UnpoolingConverters.register(c);
        QuantizedConverters.register(c);
        return c;
    }

    <M extends Module> OnnxConverters put(Class<M> type, OnnxConverter<? super M> converter) {
        byType.put(type, converter);
        return this;
    }

    /**
     * The converter of {@code module}'s class.
     *
     * @throws IllegalArgumentException naming the type and its path in the model when there is none
     */
    @SuppressWarnings("unchecked")
    OnnxConverter<Module> forType(Module module, String path) {
        OnnxConverter<?> converter = byType.get(module.getClass());
        if (converter == null) {
            String type = module.getClass().getSimpleName().isEmpty() ? module.getClass().getName()
                    : module.getClass().getSimpleName();
            String where = path.isEmpty() ? "the model's root" : "'" + path + "'";
            throw new IllegalArgumentException("ONNX export: no converter for " + type + " at " + where + " ("
                    + module.describe()
                    + ")");
        }
        return (OnnxConverter<Module>) converter;
    }

    <M extends Module> OnnxConverters putTwoInput(Class<M> type, OnnxTwoInputConverter<? super M> converter) {
        twoInputs.put(type, converter);
        return this;
    }

    /**
     * The two-input converter of {@code module}'s class.
     *
     * @throws IllegalArgumentException naming the type and its path in the model when there is none
     */
    @SuppressWarnings("unchecked")
    OnnxTwoInputConverter<Module> forTwoInputType(Module module, String path) {
        OnnxTwoInputConverter<?> converter = twoInputs.get(module.getClass());
        if (converter == null) {
            String where = path.isEmpty() ? "the model's root" : "'" + path + "'";
            throw new IllegalArgumentException("ONNX export: no converter for " + module.getClass().getSimpleName()
                    + " with two inputs at " + where + " (" + module.describe() + "); Kiln converts MaxUnpool1d,"
                    + " MaxUnpool2d and MaxUnpool3d (input, indices), TransformerEncoderLayer and TransformerEncoder"
                    + " (input, mask)");
        }
        return (OnnxTwoInputConverter<Module>) converter;
    }

    <M extends Module> OnnxConverters putThreeInput(Class<M> type, OnnxThreeInputConverter<? super M> converter) {
        threeInputs.put(type, converter);
        return this;
    }

    /**
     * The three-input converter of {@code module}'s class.
     *
     * @throws IllegalArgumentException naming the type and its path in the model when there is none
     */
    @SuppressWarnings("unchecked")
    OnnxThreeInputConverter<Module> forThreeInputType(Module module, String path) {
        OnnxThreeInputConverter<?> converter = threeInputs.get(module.getClass());
        if (converter == null) {
            String where = path.isEmpty() ? "the model's root" : "'" + path + "'";
            throw new IllegalArgumentException("ONNX export: no converter for " + module.getClass().getSimpleName()
                    + " with three inputs at " + where + " (" + module.describe() + "); Kiln converts"
                    + " MultiHeadAttention (query, key, value)");
        }
        return (OnnxThreeInputConverter<Module>) converter;
    }
}
