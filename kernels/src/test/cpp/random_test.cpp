// random.cu draws what the CPU backend draws from the engine's counter-based stream (CounterRandom): element i of
// a fill draws counter + i. The expected values were printed by CpuBackend.randomUniform, randomNormal and
// bernoulli for seed 42, counter 7 (Double.toHexString); the normals use log, sqrt and cos, whose last bit may differ
// between libraries, the rest is exact.
#include "kiln_host.h"
#include "random.cu"

int main() {
    const double uniform64[] = {0x1.006786d48c8b6p1, -0x1.338d96b31f328p-2, 0x1.17a83418cf7d4p0,
                                -0x1.f37389175671p-1, 0x1.dc1ac91d65bep-2, 0x1.224b475ef86e8p-1};
    const float uniform32[] = {0x1.006786p1f, -0x1.338d96p-2f, 0x1.17a834p0f, -0x1.f3738ap-1f, 0x1.dc1acap-2f,
                               0x1.224b48p-1f};
    const double normal64[] = {-0x1.0d674666b76fp-1, 0x1.200b54b61279ep1, -0x1.0f7c80456ce79p0,
                               -0x1.0fa5e7295c356p-2, -0x1.d0ffe79e710ep0, 0x1.6ec5560a0579ap1};
    const double bernoulli[] = {0, 0, 0, 1, 0, 0};
    double u64[6], n64[6], b64[6];
    float u32[6], n32[6], b32[6];
    random_uniform_f64(u64, 6, -2, 3, 42, 7);
    random_uniform_f32(u32, 6, -2, 3, 42, 7);
    random_normal_f64(n64, 6, 0.5, 2, 42, 7);
    random_normal_f32(n32, 6, 0.5, 2, 42, 7);
    bernoulli_f64(b64, 6, 0.3, 42, 7);
    bernoulli_f32(b32, 6, 0.3, 42, 7);
    for (int i = 0; i < 6; i++) {
        KILN_CHECK(u64[i] == uniform64[i], "uniform F64 draw %d: %a, CPU %a", i, u64[i], uniform64[i]);
        KILN_CHECK(u32[i] == uniform32[i], "uniform F32 draw %d: %a, CPU %a", i, (double) u32[i], (double) uniform32[i]);
        KILN_CHECK(kiln_close(n64[i], normal64[i], 1e-15), "normal F64 draw %d: %a, CPU %a", i, n64[i], normal64[i]);
        KILN_CHECK(kiln_close(n32[i], normal64[i], 1e-7), "normal F32 draw %d: %a, CPU %a", i, (double) n32[i],
                   normal64[i]);
        KILN_CHECK(b64[i] == bernoulli[i] && b32[i] == (float) bernoulli[i], "bernoulli draw %d", i);
    }
    // The excluded upper bound stays excluded: in [1, 1 + 2^-23) about half the draws round up to the bound in F32
    // and must come back to the float below it, 1.
    float tight[64];
    random_uniform_f32(tight, 64, 1.0, 1.0 + 0x1p-23, 3, 0);
    for (int i = 0; i < 64; i++) {
        KILN_CHECK(tight[i] == 1.0f, "uniform in [1, 1 + 2^-23): %a", (double) tight[i]);
    }
    printf("random uniform, normal and Bernoulli draws against the CPU backend's: %d failures\n", kiln_failures);
    return kiln_failures == 0 ? 0 : 1;
}
