package dev.kiln.distributed;

/**
 * How {@link ProcessGroup#allReduce} combines the ranks' values, element by element (PyTorch's
 * {@code torch.distributed.ReduceOp}). {@link #AVG} is the sum divided by the world size, for F32 and F64 only.
 */
public enum ReduceOp {
    SUM,
    AVG,
    MAX,
    MIN,
    PRODUCT
}
