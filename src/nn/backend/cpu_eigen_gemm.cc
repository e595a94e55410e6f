// eigen_gemm (see eigen_gemm.h): Eigen maps over the caller's row-major buffers.
#include "nn/backend/eigen_gemm.h"

#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Core>

namespace tinyforge::nn {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMap = Eigen::Map<RowMatrix, Eigen::Unaligned, Eigen::OuterStride<>>;
using ConstRowMap = Eigen::Map<const RowMatrix, Eigen::Unaligned, Eigen::OuterStride<>>;

namespace {

template <typename A, typename B>
void gemm_apply(RowMap& c, float alpha, const A& a, const B& b, float beta) {
  if (beta == 0.0f) {
    if (alpha == 1.0f)
      c.noalias() = a * b;
    else
      c.noalias() = alpha * (a * b);
  } else {
    if (beta != 1.0f) c *= beta;
    if (alpha == 1.0f)
      c.noalias() += a * b;
    else
      c.noalias() += alpha * (a * b);
  }
}

}  // namespace

void eigen_gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  RowMap cm(c, m, n, Eigen::OuterStride<>(ldc));
  if (k <= 0) {
    if (beta == 0.0f)
      cm.setZero();
    else
      cm *= beta;
    return;
  }
  // A stored [m, k] (or [k, m] when transposed); likewise B.
  const ConstRowMap am(a, trans_a ? k : m, trans_a ? m : k, Eigen::OuterStride<>(lda));
  const ConstRowMap bm(b, trans_b ? n : k, trans_b ? k : n, Eigen::OuterStride<>(ldb));
  if (!trans_a && !trans_b)
    gemm_apply(cm, alpha, am, bm, beta);
  else if (!trans_a && trans_b)
    gemm_apply(cm, alpha, am, bm.transpose(), beta);
  else if (trans_a && !trans_b)
    gemm_apply(cm, alpha, am.transpose(), bm, beta);
  else
    gemm_apply(cm, alpha, am.transpose(), bm.transpose(), beta);
}

}  // namespace tinyforge::nn
