// BatchNormalization's passes over a batch viewed as [outer, C, inner] (C = the normalized
// axis), with an optional ReLU or ReLU6 fused after the normalization.
//
// They are memory-bound: a small model's activations outgrow the caches (kws_dscnn's are 3.2 MB
// a tensor), so the passes are arranged to cross memory as few times as possible:
// - statistics: one trip through memory (each block of rows is read twice while it is in cache);
// - forward: normalize and activate in one pass (the activation's own pass and tensor are gone);
// - backward: the activation's mask is recomputed from the input, never stored or read.
// The reductions work on fixed blocks of rows and merge them in block order, so their results do
// not depend on the number of threads.
#pragma once

#include <cstdint>

#include "nn/layers/structural_common.h"

namespace tinyforge::nn::batch_norm {

enum class Fused { kNone, kRelu, kRelu6 };

// Per channel: the statistics used and the affine transform after them,
// z = scale * ((x - mean) * inv_std) + shift; the output is the fused activation of z.
struct Affine {
  const float* mean;
  const float* inv_std;
  const float* scale;
  const float* shift;
};

// Per-channel mean and biased variance over outer x inner values (merged per block as Chan,
// Golub and LeVeque's pairwise update, in double).
void statistics(const float* x, const structural::AxisSplit& s, double* mean, double* variance);

// y = act(z); y may be x.
void normalize(const float* x, const structural::AxisSplit& s, const Affine& a, Fused act, float* y);

// Per channel, with g = dL/dz (dy where the activation passes gradient, else 0):
// sum(g) and sum(g * xhat), xhat = (x - mean) * inv_std.
void gradient_sums(const float* dy, const float* x, const structural::AxisSplit& s, const Affine& a, Fused act,
                   double* sum_g, double* sum_g_xhat);

// dx = k * (g - mean_g - xhat * mean_g_xhat) per channel; dx may be dy.
void input_gradient(const float* dy, const float* x, const structural::AxisSplit& s, const Affine& a, Fused act,
                    const float* k, const float* mean_g, const float* mean_g_xhat, float* dx);

}  // namespace tinyforge::nn::batch_norm
