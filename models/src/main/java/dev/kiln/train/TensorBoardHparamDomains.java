package dev.kiln.train;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * The discrete domains of the HParams plugin's experiment, as PyTorch 1.13's {@code add_hparams} writes them for
 * {@code hparam_domain_discrete}: a hyperparameter's {@code HParamInfo} ({@link TensorBoardHparams}) holds, where a
 * domain is given, {@code domain_discrete}: the list of values the hyperparameter can take, which TensorBoard's
 * HParams tab offers as its filter's checkboxes. Values are written as the hyperparameter's own: a string as a
 * string, a number as a double, a boolean as the number 1 or 0.
 *
 * <p>A domain's values must be of the hyperparameter's type as Python's {@code isinstance} tests it, which PyTorch
 * asks: strings for a string, booleans for a boolean, floating-point numbers ({@link Double}, {@link Float}) for a
 * floating-point one, integers (or booleans, which Python counts as integers) for an integer.
 */
final class TensorBoardHparamDomains {
    // google.protobuf.ListValue's values
    private static final int LIST_VALUES = 1;

    private TensorBoardHparamDomains() {
    }

    /**
     * Refuses a domain that names no hyperparameter or a null one, or holds a value of another type.
     *
     * @throws IllegalArgumentException naming the domain and the value
     */
    static void check(Map<String, ?> hparams, Map<String, ? extends List<?>> domains) {
        domains.forEach((name, domain) -> check(hparams, name, domain));
    }

    /** The domain as a {@code google.protobuf.ListValue}; an empty one too, as PyTorch sets the field to it. */
    static byte[] listValue(List<?> domain) {
        return TensorBoardEvent.message(list -> {
            for (Object v : domain) {
                list.writeByteArray(LIST_VALUES, TensorBoardEvent.message(entry -> TensorBoardHparams.writeValue(entry, v)));
            }
        });
    }

    private static void check(Map<String, ?> hparams, String name, List<?> domain) {
        if (!hparams.containsKey(name)) {
            throw new IllegalArgumentException("hparams: hparamDomainDiscrete names '" + name + "', which is not one of"
                    + " the hyperparameters " + hparams.keySet());
        }
        Object value = hparams.get(name);
        if (value == null || domain == null) {
            throw new IllegalArgumentException("hparams: hparamDomainDiscrete['" + name + "'] needs a hyperparameter"
                    + " and a list of values, got the value " + value + " and the list " + domain);
        }
        String type = type(value);
        for (int i = 0; i < domain.size(); i++) {
            Object d = domain.get(i);
            String dType = type(d);
            if (!dType.equals(type) && !(type.equals("integer") && dType.equals("boolean"))) {
                throw new IllegalArgumentException("hparams: hparamDomainDiscrete['" + name + "'] must hold values of"
                        + " the hyperparameter's type (" + type + ", as " + value + "), as PyTorch asks; got " + d
                        + " (" + dType + ") at " + i);
            }
        }
    }

    /** The value's type as Python's {@code isinstance} tells them apart. */
    private static String type(Object v) {
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Boolean) {
            return "boolean";
        }
        if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long
                || v instanceof BigInteger) {
            return "integer";
        }
        if (v instanceof Number) {
            return "floating-point number";
        }
        return v == null ? "null" : v.getClass().getSimpleName();
    }
}
