package dev.kiln.train;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The HParams plugin's three summaries, as PyTorch's {@code add_hparams} builds them: the experiment (each
 * hyperparameter's name and type, each metric's tag), the session's start (the hyperparameters' values) and its end
 * (status success). Each is a summary value with no data, only its plugin metadata, whose content is a
 * {@code HParamsPluginData} message.
 *
 * <p>Values are written as PyTorch writes them: a {@link Number} as a double ({@code DATA_TYPE_FLOAT64}), a
 * {@link String} as a string, a {@link Boolean} as the number 1 or 0 (Python's bool is an int, which PyTorch tests
 * for first), and null is left out.
 */
final class TensorBoardHparams {
    static final String EXPERIMENT_TAG = "_hparams_/experiment";
    static final String SESSION_START_TAG = "_hparams_/session_start_info";
    static final String SESSION_END_TAG = "_hparams_/session_end_info";
    private static final String PLUGIN = "hparams";
    // HParamsPluginData
    private static final int EXPERIMENT = 2;
    private static final int SESSION_START_INFO = 3;
    private static final int SESSION_END_INFO = 4;
    // Experiment, HParamInfo, MetricInfo and MetricName
    private static final int HPARAM_INFOS = 4;
    private static final int METRIC_INFOS = 5;
    private static final int NAME = 1;
    private static final int TYPE = 4;
    private static final int DOMAIN_DISCRETE = 5;
    private static final int METRIC_NAME = 1;
    private static final int METRIC_TAG = 2;
    private static final int DATA_TYPE_STRING = 1;
    private static final int DATA_TYPE_FLOAT64 = 3;
    // SessionStartInfo's map<string, google.protobuf.Value> and its entries; Value's cases
    private static final int HPARAMS = 1;
    private static final int KEY = 1;
    private static final int ENTRY_VALUE = 2;
    private static final int NUMBER_VALUE = 2;
    private static final int STRING_VALUE = 3;
    // SessionEndInfo
    private static final int STATUS = 1;
    private static final int STATUS_SUCCESS = 1;

    private TensorBoardHparams() {
    }

    /** One hyperparameter as written: its name and either a string or a number. */
    private record Hparam(String name, String string, double number) {
    }

    /**
     * The three events, at no step, in the order PyTorch writes them: experiment (with the discrete {@code domains}
     * of {@link TensorBoardHparamDomains} where given), session start, session end.
     */
    static List<byte[]> events(double wallTime, Map<String, ?> hparams, Map<String, ? extends List<?>> domains,
                               Iterable<String> metricTags) {
        List<Hparam> values = values(hparams);
        TensorBoardHparamDomains.check(hparams, domains);
        byte[] experiment = TensorBoardEvent.message(out -> {
            for (Hparam h : values) {
                out.writeByteArray(HPARAM_INFOS, TensorBoardEvent.message(info -> {
                    info.writeString(NAME, h.name());
                    info.writeEnum(TYPE, h.string() != null ? DATA_TYPE_STRING : DATA_TYPE_FLOAT64);
                    List<?> domain = domains.get(h.name());
                    if (domain != null) {
                        info.writeByteArray(DOMAIN_DISCRETE, TensorBoardHparamDomains.listValue(domain));
                    }
                }));
            }
            for (String tag : metricTags) {
                out.writeByteArray(METRIC_INFOS, TensorBoardEvent.message(info -> info.writeByteArray(METRIC_NAME,
                        TensorBoardEvent.message(name -> name.writeString(METRIC_TAG, tag)))));
            }
        });
        byte[] start = TensorBoardEvent.message(out -> {
            for (Hparam h : values) {
                out.writeByteArray(HPARAMS, TensorBoardEvent.message(entry -> {
                    entry.writeString(KEY, h.name());
                    entry.writeByteArray(ENTRY_VALUE, TensorBoardEvent.message(
                            v -> writeValue(v, h.string() != null ? h.string() : h.number())));
                }));
            }
        });
        byte[] end = TensorBoardEvent.message(out -> out.writeEnum(STATUS, STATUS_SUCCESS));
        return List.of(event(wallTime, EXPERIMENT_TAG, EXPERIMENT, experiment),
                event(wallTime, SESSION_START_TAG, SESSION_START_INFO, start),
                event(wallTime, SESSION_END_TAG, SESSION_END_INFO, end));
    }

    /** The values in the map's order, refusing a type PyTorch refuses. */
    private static List<Hparam> values(Map<String, ?> hparams) {
        List<Hparam> values = new ArrayList<>();
        hparams.forEach((name, value) -> {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("hparams: a hyperparameter's name must not be empty");
            }
            if (value instanceof String s) {
                values.add(new Hparam(name, s, 0));
            } else if (value instanceof Number n) {
                values.add(new Hparam(name, null, n.doubleValue()));
            } else if (value instanceof Boolean b) {
                values.add(new Hparam(name, null, b ? 1 : 0));
            } else if (value != null) {
                throw new IllegalArgumentException("hparams: '" + name + "' must be a number, string or boolean, got "
                        + value.getClass().getSimpleName());
            }
        });
        return values;
    }

    /**
     * A {@code google.protobuf.Value} of a hyperparameter's value or a domain's: a string as a string, a number as a
     * double, a boolean as the number 1 or 0 (as PyTorch writes Python's bools); its case is a oneof, so a 0 or "" is
     * still written.
     */
    static void writeValue(CodedOutputStream out, Object v) throws IOException {
        if (v instanceof String s) {
            out.writeString(STRING_VALUE, s);
        } else if (v instanceof Boolean b) {
            out.writeDouble(NUMBER_VALUE, b ? 1 : 0);
        } else {
            out.writeDouble(NUMBER_VALUE, ((Number) v).doubleValue());
        }
    }

    /** A summary value of no data whose metadata carries {@code HParamsPluginData} (version 0, left out). */
    private static byte[] event(double wallTime, String tag, int dataField, byte[] data) {
        byte[] content = TensorBoardEvent.message(out -> out.writeByteArray(dataField, data));
        byte[] metadata = TensorBoardEvent.pluginMetadata(PLUGIN, content);
        return TensorBoardEvent.summary(wallTime, 0, TensorBoardEvent.value(tag,
                out -> out.writeByteArray(TensorBoardEvent.METADATA, metadata)));
    }
}
