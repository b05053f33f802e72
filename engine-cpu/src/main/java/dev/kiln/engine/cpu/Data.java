package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;

/**
 * Reads and writes a CPU tensor's elements as doubles, whatever its dtype; index 0 is the tensor's first
 * element. Generic kernels use it; the hot F32 paths use the FloatBuffer directly.
 */
abstract class Data {
    abstract double get(int i);

    abstract void set(int i, double v);

    static Data of(Tensor t) {
        CpuStorage s = (CpuStorage) t.storage();
        int base = Math.toIntExact(t.offset());
        return switch (t.dtype()) {
            case F32 -> new Data() {
                double get(int i) {
                    return s.f32.get(base + i);
                }

                void set(int i, double v) {
                    s.f32.put(base + i, (float) v);
                }
            };
            case F64 -> new Data() {
                double get(int i) {
                    return s.f64.get(base + i);
                }

                void set(int i, double v) {
                    s.f64.put(base + i, v);
                }
            };
            case I32 -> new Data() {
                double get(int i) {
                    return s.i32.get(base + i);
                }

                void set(int i, double v) {
                    s.i32.put(base + i, (int) v);
                }
            };
            case I64 -> new Data() {
                double get(int i) {
                    return s.i64.get(base + i);
                }

                void set(int i, double v) {
                    s.i64.put(base + i, (long) v);
                }
            };
        };
    }

    /** Integer indices (I32 or I64) of a tensor as longs. */
    static long[] indices(Tensor t) {
        CpuStorage s = (CpuStorage) t.storage();
        int base = Math.toIntExact(t.offset());
        int n = Math.toIntExact(t.size());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = t.dtype() == dev.kiln.engine.DType.I64 ? s.i64.get(base + i) : s.i32.get(base + i);
        }
        return out;
    }
}
