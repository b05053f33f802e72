package dev.kiln.engine;

/** Element-wise functions of two broadcast arguments. Comparisons give 1 where true and 0 where false. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAX, MIN, EQ, NE, LT, LE, GT, GE;

    /** True for the comparisons, which have no gradient. */
    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }
}
