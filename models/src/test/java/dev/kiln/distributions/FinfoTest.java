package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import org.junit.jupiter.api.Test;

/** {@link Finfo} against PyTorch 1.13's {@code torch.finfo(torch.float32)} and {@code torch.finfo(torch.float64)}. */
class FinfoTest {
    @Test
    void f32ConstantsAreTorchFinfoFloat32s() {
        // torch.finfo(torch.float32): eps, tiny, min
        assertEquals(1.1920928955078125e-07, Finfo.eps(DType.F32), 0);
        assertEquals(1.1754943508222875e-38, Finfo.tiny(DType.F32), 0);
        assertEquals(-3.4028234663852886e+38, Finfo.lowest(DType.F32), 0);
    }

    @Test
    void f64ConstantsAreTorchFinfoFloat64s() {
        // torch.finfo(torch.float64): eps, tiny, min
        assertEquals(2.220446049250313e-16, Finfo.eps(DType.F64), 0);
        assertEquals(2.2250738585072014e-308, Finfo.tiny(DType.F64), 0);
        assertEquals(-1.7976931348623157e+308, Finfo.lowest(DType.F64), 0);
    }
}
