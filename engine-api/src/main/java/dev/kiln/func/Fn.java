package dev.kiln.func;

/**
 * A function of any arguments, the thing {@code torch.func}'s transforms take and return ({@link Func}). Arguments
 * and results are trees: a {@link dev.kiln.engine.Tensor}, a {@link java.util.List} or {@link java.util.Map} of trees
 * (a module's parameters by name, as {@code Module.namedParameters()} gives them), a record of trees (the transforms'
 * own {@link GradAndValue} and {@link GradAndAux}), or any other value, which the transforms pass along untouched.
 * <pre>{@code
 * Fn loss = a -> mse.compute(model.functionalCall((Map<String, Tensor>) a[0], (Tensor) a[1]), (Tensor) a[2]);
 * }</pre>
 */
@FunctionalInterface
public interface Fn {
    /** Runs the function on {@code args}, PyTorch's {@code f(*args)}. */
    Object apply(Object... args);
}
