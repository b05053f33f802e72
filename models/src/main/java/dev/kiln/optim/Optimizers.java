package dev.kiln.optim;

import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Locale;

/** Optimizers by name, for command lines and configuration files. */
public final class Optimizers {
    /** The names {@link #create} knows, in the order they are listed in errors. */
    public static final List<String> NAMES = List.of("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw",
            "nadam", "radam", "adamax", "adadelta", "lbfgs", "rprop", "asgd");

    private Optimizers() {
    }

    /**
     * A new optimizer over {@code params} with learning rate {@code lr} and otherwise PyTorch's defaults:
     * {@code sgd} (plain), {@code momentum} (SGD, momentum 0.9), {@code nesterov} (SGD, Nesterov momentum
     * 0.9), {@code adagrad}, {@code rmsprop}, {@code adam}, {@code adamw} (weight decay 0.01), {@code nadam},
     * {@code radam}, {@code adamax}, {@code adadelta}, {@code lbfgs} (L-BFGS with the strong-Wolfe line search, which a
     * training loop of batches needs: without it a step is only as good as the rate given; one group, no weight
     * decay), {@code rprop}, {@code asgd}. Names are case-insensitive.
     *
     * @throws IllegalArgumentException for an unknown name, listing the valid ones
     */
    public static Optimizer create(String name, List<Tensor> params, double lr) {
        return createForGroups(name, List.of(new ParamGroup(params, lr)));
    }

    /**
     * A new optimizer over parameter groups, each with its own learning rate and weight decay (for
     * discriminative fine-tuning); a group that sets neither takes PyTorch's default for the optimizer.
     * Names and other settings as in {@link #create}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the valid ones
     */
    public static Optimizer createForGroups(String name, List<ParamGroup> groups) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (key) {
            case "sgd" -> new SGD(groups);
            case "momentum" -> new SGD(groups).momentum(0.9);
            case "nesterov" -> new SGD(groups).momentum(0.9).nesterov(true);
            case "adagrad" -> new AdaGrad(groups);
            case "rmsprop" -> new RMSProp(groups);
            case "adam" -> new Adam(groups);
            case "adamw" -> new AdamW(groups);
            case "nadam" -> new NAdam(groups);
            case "radam" -> new RAdam(groups);
            case "adamax" -> new Adamax(groups);
            case "adadelta" -> new Adadelta(groups);
            case "lbfgs" -> new LBFGS(groups).lineSearch(LBFGS.STRONG_WOLFE);
            case "rprop" -> new Rprop(groups);
            case "asgd" -> new ASGD(groups);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; valid names: "
                    + String.join(", ", NAMES));
        };
    }
}
