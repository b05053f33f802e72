package dev.kiln.engine.cuda;

import dev.kiln.engine.DType;
import java.util.EnumSet;
import java.util.Set;

/**
 * Every kernel the backend launches: its source file, base name and the element types it is
 * instantiated for. The entry point of type t is {@code base + "_" + suffix(t)} (e.g. {@code binary_f32});
 * conversions are {@code convert_<from>_<to>}. A test checks each name against what nvcc compiles.
 */
enum Kernel {
    FILL(KernelSource.MEMORY, "fill", Types.ALL),
    CONVERT(KernelSource.MEMORY, "convert", Types.ALL),
    COPY_SLICES(KernelSource.MEMORY, "copy_slices", Types.ALL),
    STRIDED_COPY(KernelSource.MEMORY, "strided_copy", Types.ALL),
    ROUND_BF16(KernelSource.MEMORY, "round_bf16", Types.F32),
    TO_BF16(KernelSource.MEMORY, "to_bf16", Types.F32),
    UNARY(KernelSource.ELEMENTWISE, "unary", Types.FLOATING),
    UNARY_BACKWARD(KernelSource.ELEMENTWISE, "unary_backward", Types.FLOATING),
    BIAS_ACTIVATION(KernelSource.ELEMENTWISE, "bias_activation", Types.FLOATING),
    BIAS_ACTIVATION_BACKWARD(KernelSource.ELEMENTWISE, "bias_activation_backward", Types.FLOATING),
    CHANNEL_BIAS_ACTIVATION(KernelSource.ELEMENTWISE, "channel_bias_activation", Types.FLOATING),
    CHANNEL_ACTIVATION_BACKWARD(KernelSource.ELEMENTWISE, "channel_activation_backward", Types.FLOATING),
    CHANNEL_ACTIVATION_BACKWARD_PARTS(KernelSource.ELEMENTWISE, "channel_activation_backward_parts", Types.FLOATING),
    AFFINE(KernelSource.ELEMENTWISE, "affine", Types.ALL),
    BINARY(KernelSource.ELEMENTWISE, "binary", Types.ALL),
    BINARY_SAME_SHAPE(KernelSource.ELEMENTWISE, "binary_same_shape", Types.ALL),
    WHERE(KernelSource.ELEMENTWISE, "where", Types.ALL),
    REDUCE_ROWS(KernelSource.REDUCE, "reduce_rows", Types.ALL),
    REDUCE_ROW_PARTS(KernelSource.REDUCE, "reduce_row_parts", Types.ALL),
    REDUCE_COLUMNS(KernelSource.REDUCE, "reduce_columns", Types.ALL),
    REDUCE_COLUMN_PARTS(KernelSource.REDUCE, "reduce_column_parts", Types.ALL),
    ARGMAX(KernelSource.REDUCE, "argmax", Types.ALL),
    ACCUMULATE_HITS(KernelSource.REDUCE, "accumulate_hits", Types.FLOATING),
    SOFTMAX(KernelSource.REDUCE, "softmax", Types.FLOATING),
    SOFTMAX_BACKWARD(KernelSource.REDUCE, "softmax_backward", Types.FLOATING),
    CROSS_ENTROPY(KernelSource.REDUCE, "cross_entropy", Types.FLOATING),
    CROSS_ENTROPY_BACKWARD(KernelSource.REDUCE, "cross_entropy_backward", Types.FLOATING),
    SORT_TILES(KernelSource.SORT, "sort_tiles", Types.ALL),
    SORT_MERGE(KernelSource.SORT, "sort_merge", Types.ALL),
    INDEX_SELECT(KernelSource.INDEX, "index_select", Types.ALL),
    GATHER(KernelSource.INDEX, "gather", Types.ALL),
    INDEX_ADD(KernelSource.INDEX, "index_add", Types.ALL),
    SCATTER_ADD(KernelSource.INDEX, "scatter_add", Types.ALL),
    RANDOM_UNIFORM(KernelSource.RANDOM, "random_uniform", Types.FLOATING),
    RANDOM_NORMAL(KernelSource.RANDOM, "random_normal", Types.FLOATING),
    BERNOULLI(KernelSource.RANDOM, "bernoulli", Types.FLOATING),
    SGD_UPDATE(KernelSource.OPTIM, "sgd_update", Types.FLOATING),
    ADAM_UPDATE(KernelSource.OPTIM, "adam_update", Types.FLOATING),
    ADAM_UPDATES(KernelSource.OPTIM, "adam_updates", Types.FLOATING),
    LSTM_CELL_FORWARD(KernelSource.RECURRENT, "lstm_cell_forward", Types.FLOATING),
    LSTM_CELL_BACKWARD(KernelSource.RECURRENT, "lstm_cell_backward", Types.FLOATING),
    GRU_CELL_FORWARD(KernelSource.RECURRENT, "gru_cell_forward", Types.FLOATING),
    GRU_CELL_BACKWARD(KernelSource.RECURRENT, "gru_cell_backward", Types.FLOATING),
    MAX_POOL_FORWARD(KernelSource.POOLING, "max_pool_forward", Types.FLOATING),
    MAX_POOL_BACKWARD(KernelSource.POOLING, "max_pool_backward", Types.FLOATING),
    AVG_POOL_FORWARD(KernelSource.POOLING, "avg_pool_forward", Types.FLOATING),
    AVG_POOL_BACKWARD(KernelSource.POOLING, "avg_pool_backward", Types.FLOATING),
    BN_STATS(KernelSource.BATCHNORM, "bn_stats", Types.FLOATING),
    BN_INFERENCE_PARAMS(KernelSource.BATCHNORM, "bn_inference_params", Types.FLOATING),
    BN_APPLY(KernelSource.BATCHNORM, "bn_apply", Types.FLOATING),
    BN_BACKWARD_REDUCE(KernelSource.BATCHNORM, "bn_backward_reduce", Types.FLOATING),
    BN_STATS_PARTS(KernelSource.BATCHNORM, "bn_stats_parts", Types.FLOATING),
    BN_STATS_FINISH(KernelSource.BATCHNORM, "bn_stats_finish", Types.FLOATING),
    BN_BACKWARD_REDUCE_PARTS(KernelSource.BATCHNORM, "bn_backward_reduce_parts", Types.FLOATING),
    BN_BACKWARD_FINISH(KernelSource.BATCHNORM, "bn_backward_finish", Types.FLOATING),
    BN_BACKWARD_APPLY(KernelSource.BATCHNORM, "bn_backward_apply", Types.FLOATING),
    CHANNEL_SUM(KernelSource.BATCHNORM, "channel_sum", Types.FLOATING),
    CHANNEL_SUM_PARTS(KernelSource.BATCHNORM, "channel_sum_parts", Types.FLOATING),
    CHANNEL_SUM_FINISH(KernelSource.BATCHNORM, "channel_sum_finish", Types.FLOATING),
    BIAS_ADD(KernelSource.BATCHNORM, "bias_add", Types.FLOATING),
    LN_FORWARD(KernelSource.LAYERNORM, "ln_forward", Types.FLOATING),
    LN_BACKWARD_INPUT(KernelSource.LAYERNORM, "ln_backward_input", Types.FLOATING),
    LN_BACKWARD_PARAMS_PARTS(KernelSource.LAYERNORM, "ln_backward_params_parts", Types.FLOATING),
    LN_BACKWARD_PARAMS_FINISH(KernelSource.LAYERNORM, "ln_backward_params_finish", Types.FLOATING),
    ROUND_HALF(KernelSource.MEMORY, "round_half", Types.F32),
    TO_HALF(KernelSource.MEMORY, "to_half", Types.F32);

    private final KernelSource source;
    private final String base;
    private final Set<DType> types;

    Kernel(KernelSource source, String base, Set<DType> types) {
        this.source = source;
        this.base = base;
        this.types = types;
    }

    KernelSource source() {
        return source;
    }

    Set<DType> types() {
        return types;
    }

    /** The entry point for elements of {@code type}. */
    String name(DType type) {
        if (!types.contains(type)) {
            throw new IllegalArgumentException("CUDA kernel " + base + " has no " + type + " version; it supports " + types);
        }
        return base + "_" + suffix(type);
    }

    /** The conversion kernel from {@code from} to {@code to}. */
    static String conversion(DType from, DType to) {
        return CONVERT.base + "_" + suffix(from) + "_" + suffix(to);
    }

    static String suffix(DType type) {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Element type sets; a nested class because enum constants cannot read the enum's own statics. */
    static final class Types {
        static final Set<DType> ALL = EnumSet.allOf(DType.class);
        static final Set<DType> FLOATING = EnumSet.of(DType.F32, DType.F64);
        static final Set<DType> F32 = EnumSet.of(DType.F32);

        private Types() {
        }
    }
}
