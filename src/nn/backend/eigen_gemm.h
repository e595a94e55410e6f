// Single-threaded row-major GEMM through Eigen: C = alpha * op(A) * op(B) + beta * C.
// The cpu backend splits work across its own threads and calls this per block. Defined in one
// file (cpu_eigen_gemm.cc): Eigen's kernels are the costliest code in the project to compile,
// above all under the sanitizers, so they are instantiated once.
#pragma once

#include <cstdint>

namespace tinyforge::nn {

void eigen_gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

}  // namespace tinyforge::nn
