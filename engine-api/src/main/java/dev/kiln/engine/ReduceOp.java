package dev.kiln.engine;

/** Reductions over one axis. Mean is a sum scaled by the engine. */
public enum ReduceOp {
    SUM, MAX
}
