// BatchNormalization's memory passes. Every loop comes in two shapes: channels last (inner == 1,
// the common case: the channel loop is the contiguous one, so it is the innermost and vectorizes)
// and channels elsewhere (the inner loop is contiguous). The fused activation is a template
// argument, so each variant is a plain branch-free loop.
#include "nn/layers/batch_norm_passes.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "nn/parallel_chunks.h"

namespace tinyforge::nn::batch_norm {
namespace {

using structural::AxisSplit;

// Values per block of the reductions: small enough that a block read twice is read from the
// first-level cache the second time.
constexpr int64_t kBlockValues = 8192;

int64_t rows_per_block(const AxisSplit& s) {
  return std::max<int64_t>(1, kBlockValues / std::max<int64_t>(1, s.size * s.inner));
}

template <Fused A>
inline float activate(float z) {
  if constexpr (A == Fused::kRelu) return z > 0 ? z : 0.0f;
  if constexpr (A == Fused::kRelu6) return std::min(std::max(z, 0.0f), 6.0f);
  return z;
}

// d, where the activation's derivative at z is 1, else 0 (as the Activation layer decides it
// from its output). d is loaded whatever z is: a conditional load would keep GCC from
// vectorizing the loops.
template <Fused A>
inline float through_activation(float z, float d) {
  if constexpr (A == Fused::kRelu) return z > 0 ? d : 0.0f;
  if constexpr (A == Fused::kRelu6) return (z > 0) & (z < 6.0f) ? d : 0.0f;
  return d;
}

// Channels last: rows go in groups of kGroup whose per-channel sums run in float, each added to
// the block's double sums. Converting and adding every value in double left this pass twice as
// slow as a normalize (twice the vector operations, half the width); a float sum of 8 values
// keeps the double sums' precision.
constexpr int64_t kGroup = 8;
constexpr int64_t kChannelRun = 256;  // channels per stack buffer

void block_moments_last(const float* x, int64_t rows, int64_t C, double* __restrict mean, double* __restrict m2) {
  const double n = static_cast<double>(rows);
  for (int64_t c0 = 0; c0 < C; c0 += kChannelRun) {
    const int64_t cn = std::min(kChannelRun, C - c0);
    float part[kChannelRun], centre[kChannelRun];
    double* __restrict mu = mean + c0;
    double* __restrict sq = m2 + c0;
    std::fill(mu, mu + cn, 0.0);
    std::fill(sq, sq + cn, 0.0);
    for (int64_t r0 = 0; r0 < rows; r0 += kGroup) {
      std::fill(part, part + cn, 0.0f);
      for (int64_t r = r0; r < std::min(rows, r0 + kGroup); ++r)
        for (int64_t c = 0; c < cn; ++c) part[c] += x[r * C + c0 + c];
      for (int64_t c = 0; c < cn; ++c) mu[c] += part[c];
    }
    for (int64_t c = 0; c < cn; ++c) {
      mu[c] /= n;
      centre[c] = static_cast<float>(mu[c]);
    }
    // Squares about the float centre a, then m2 = sum (x - a)^2 - n (mean - a)^2: the sum about
    // the block's own mean, which Chan's merge expects.
    for (int64_t r0 = 0; r0 < rows; r0 += kGroup) {
      std::fill(part, part + cn, 0.0f);
      for (int64_t r = r0; r < std::min(rows, r0 + kGroup); ++r)
        for (int64_t c = 0; c < cn; ++c) {
          const float d = x[r * C + c0 + c] - centre[c];
          part[c] += d * d;
        }
      for (int64_t c = 0; c < cn; ++c) sq[c] += part[c];
    }
    for (int64_t c = 0; c < cn; ++c) {
      const double off = mu[c] - centre[c];
      sq[c] = std::max(0.0, sq[c] - n * off * off);
    }
  }
}

// Per channel of one block of rows: the mean and the sum of squared deviations from it. The
// second pass reads the block from cache.
void block_moments(const float* x, int64_t rows, int64_t C, int64_t inner, double* __restrict mean,
                   double* __restrict m2) {
  if (inner == 1) return block_moments_last(x, rows, C, mean, m2);
  std::fill(mean, mean + C, 0.0);
  std::fill(m2, m2 + C, 0.0);
  const int64_t row = C * inner;
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * row;
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < inner; ++i) mean[c] += xr[c * inner + i];
  }
  const double n = static_cast<double>(rows * inner);
  for (int64_t c = 0; c < C; ++c) mean[c] /= n;
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * row;
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < inner; ++i) m2[c] += (xr[c * inner + i] - mean[c]) * (xr[c * inner + i] - mean[c]);
  }
}

// Runs fn(first_row, rows, block) for every block of rows, blocks split between threads.
template <typename F>
void over_blocks(const AxisSplit& s, F&& fn) {
  const int64_t per = rows_per_block(s);
  const int64_t blocks = (s.outer + per - 1) / per;
  for_chunks(blocks, per * s.size * s.inner, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) fn(b * per, std::min(per, s.outer - b * per), b);
  });
}

int64_t block_count(const AxisSplit& s) {
  const int64_t per = rows_per_block(s);
  return (s.outer + per - 1) / per;
}

template <Fused A>
void normalize_rows(const float* x, int64_t rows, int64_t C, int64_t inner, const float* __restrict mean,
                    const float* __restrict inv_std, const float* __restrict scale, const float* __restrict shift,
                    float* y) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C * inner;
    float* yr = y + r * C * inner;
    if (inner == 1) {
      for (int64_t c = 0; c < C; ++c) yr[c] = activate<A>(scale[c] * ((xr[c] - mean[c]) * inv_std[c]) + shift[c]);
      continue;
    }
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = c * inner; i < (c + 1) * inner; ++i)
        yr[i] = activate<A>(scale[c] * ((xr[i] - mean[c]) * inv_std[c]) + shift[c]);
  }
}

// Channels last: per channel of one block of rows, sum(g) and sum(g * xhat). The block's sums
// run in float (a block holds a few hundred values per channel; the blocks are merged in double):
// a double accumulator would cost a conversion per value and halve the vector width, and this
// pass is the longest of BatchNormalization's backward.
template <Fused A>
void block_gradient_sums_last(const float* dy, const float* x, int64_t rows, int64_t C, const float* __restrict mean,
                              const float* __restrict inv_std, const float* __restrict scale,
                              const float* __restrict shift, float* __restrict sum_g, float* __restrict sum_g_xhat) {
  std::fill(sum_g, sum_g + C, 0.0f);
  std::fill(sum_g_xhat, sum_g_xhat + C, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    const float* dr = dy + r * C;
    for (int64_t c = 0; c < C; ++c) {
      const float xhat = (xr[c] - mean[c]) * inv_std[c];
      const float g = through_activation<A>(scale[c] * xhat + shift[c], dr[c]);
      sum_g[c] += g;
      sum_g_xhat[c] += g * xhat;
    }
  }
}

// Channels elsewhere: the masked gradient g and xhat of up to kRun values of one channel, then
// their sums in double (a separate loop: GCC leaves a select feeding a float-to-double conversion
// scalar, and then branchy, with a mask as unpredictable as the data).
constexpr int64_t kRun = 256;

template <Fused A>
void block_gradient_sums_inner(const float* dy, const float* x, int64_t rows, int64_t C, int64_t inner,
                               const float* __restrict mean, const float* __restrict inv_std,
                               const float* __restrict scale, const float* __restrict shift, double* __restrict sum_g,
                               double* __restrict sum_g_xhat) {
  std::fill(sum_g, sum_g + C, 0.0);
  std::fill(sum_g_xhat, sum_g_xhat + C, 0.0);
  float g[kRun], xhat[kRun];
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C * inner;
    const float* dr = dy + r * C * inner;
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i0 = 0; i0 < inner; i0 += kRun) {
        const int64_t n = std::min(kRun, inner - i0);
        const float* xi = xr + c * inner + i0;
        const float* di = dr + c * inner + i0;
        for (int64_t j = 0; j < n; ++j) {
          xhat[j] = (xi[j] - mean[c]) * inv_std[c];
          g[j] = through_activation<A>(scale[c] * xhat[j] + shift[c], di[j]);
        }
        double a = sum_g[c], b = sum_g_xhat[c];
        for (int64_t j = 0; j < n; ++j) {
          a += g[j];
          b += static_cast<double>(g[j]) * xhat[j];
        }
        sum_g[c] = a;
        sum_g_xhat[c] = b;
      }
  }
}

template <Fused A>
void input_gradient_rows(const float* dy, const float* x, int64_t rows, int64_t C, int64_t inner, const Affine& a,
                         const float* __restrict k, const float* __restrict mean_g, const float* __restrict mean_g_xhat,
                         float* dx) {
  const float* __restrict mean = a.mean;
  const float* __restrict inv_std = a.inv_std;
  const float* __restrict scale = a.scale;
  const float* __restrict shift = a.shift;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t base = r * C * inner;
    if (inner == 1) {
      for (int64_t c = 0; c < C; ++c) {
        const float xhat = (x[base + c] - mean[c]) * inv_std[c];
        const float g = through_activation<A>(scale[c] * xhat + shift[c], dy[base + c]);
        dx[base + c] = k[c] * (g - mean_g[c] - xhat * mean_g_xhat[c]);
      }
      continue;
    }
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = base + c * inner; i < base + (c + 1) * inner; ++i) {
        const float xhat = (x[i] - mean[c]) * inv_std[c];
        const float g = through_activation<A>(scale[c] * xhat + shift[c], dy[i]);
        dx[i] = k[c] * (g - mean_g[c] - xhat * mean_g_xhat[c]);
      }
  }
}

// Calls fn with the activation as a compile-time constant.
template <typename F>
void with_activation(Fused act, F&& fn) {
  switch (act) {
    case Fused::kRelu: fn(std::integral_constant<Fused, Fused::kRelu>{}); return;
    case Fused::kRelu6: fn(std::integral_constant<Fused, Fused::kRelu6>{}); return;
    case Fused::kNone: fn(std::integral_constant<Fused, Fused::kNone>{}); return;
  }
}

}  // namespace

void statistics(const float* x, const AxisSplit& s, double* mean, double* variance) {
  const int64_t C = s.size, blocks = block_count(s);
  std::vector<double> block_mean(static_cast<size_t>(blocks * C)), block_m2(static_cast<size_t>(blocks * C));
  over_blocks(s, [&](int64_t r0, int64_t rows, int64_t b) {
    block_moments(x + r0 * C * s.inner, rows, C, s.inner, block_mean.data() + b * C, block_m2.data() + b * C);
  });
  // Merge the blocks in order: for counts n (so far) and m (this block) and delta = the block's
  // mean minus the running mean, mean += delta * m / (n + m) and
  // m2 += m2_block + delta^2 * n * m / (n + m).
  std::vector<double> m2(static_cast<size_t>(C), 0.0);
  std::fill(mean, mean + C, 0.0);
  const int64_t per = rows_per_block(s);
  double n = 0.0;
  for (int64_t b = 0; b < blocks; ++b) {
    const double m = static_cast<double>(std::min(per, s.outer - b * per) * s.inner);
    const double total = n + m;
    for (int64_t c = 0; c < C; ++c) {
      const double delta = block_mean[static_cast<size_t>(b * C + c)] - mean[c];
      mean[c] += delta * (m / total);
      m2[static_cast<size_t>(c)] += block_m2[static_cast<size_t>(b * C + c)] + delta * delta * (n * m / total);
    }
    n = total;
  }
  for (int64_t c = 0; c < C; ++c) variance[c] = n > 0 ? m2[static_cast<size_t>(c)] / n : 0.0;
}

void normalize(const float* x, const AxisSplit& s, const Affine& a, Fused act, float* y) {
  const int64_t row = s.size * s.inner;
  with_activation(act, [&](auto A) {
    for_chunks(s.outer, row, [&](int64_t r0, int64_t r1) {
      normalize_rows<decltype(A)::value>(x + r0 * row, r1 - r0, s.size, s.inner, a.mean, a.inv_std, a.scale, a.shift,
                                         y + r0 * row);
    });
  });
}

void gradient_sums(const float* dy, const float* x, const AxisSplit& s, const Affine& a, Fused act, double* sum_g,
                   double* sum_g_xhat) {
  const int64_t C = s.size, blocks = block_count(s), row = C * s.inner;
  std::vector<double> block_g(static_cast<size_t>(blocks * C)), block_gx(static_cast<size_t>(blocks * C));
  with_activation(act, [&](auto A) {
    constexpr Fused kAct = decltype(A)::value;
    over_blocks(s, [&](int64_t r0, int64_t rows, int64_t b) {
      double* bg = block_g.data() + b * C;
      double* bgx = block_gx.data() + b * C;
      if (s.inner != 1) {
        block_gradient_sums_inner<kAct>(dy + r0 * row, x + r0 * row, rows, C, s.inner, a.mean, a.inv_std, a.scale,
                                        a.shift, bg, bgx);
        return;
      }
      std::vector<float> g(static_cast<size_t>(2 * C));
      block_gradient_sums_last<kAct>(dy + r0 * row, x + r0 * row, rows, C, a.mean, a.inv_std, a.scale, a.shift,
                                     g.data(), g.data() + C);
      std::copy(g.begin(), g.begin() + C, bg);
      std::copy(g.begin() + C, g.end(), bgx);
    });
  });
  std::fill(sum_g, sum_g + C, 0.0);
  std::fill(sum_g_xhat, sum_g_xhat + C, 0.0);
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t c = 0; c < C; ++c) {
      sum_g[c] += block_g[static_cast<size_t>(b * C + c)];
      sum_g_xhat[c] += block_gx[static_cast<size_t>(b * C + c)];
    }
}

void input_gradient(const float* dy, const float* x, const AxisSplit& s, const Affine& a, Fused act, const float* k,
                    const float* mean_g, const float* mean_g_xhat, float* dx) {
  const int64_t row = s.size * s.inner;
  with_activation(act, [&](auto A) {
    for_chunks(s.outer, row, [&](int64_t r0, int64_t r1) {
      input_gradient_rows<decltype(A)::value>(dy + r0 * row, x + r0 * row, r1 - r0, s.size, s.inner, a, k, mean_g,
                                              mean_g_xhat, dx + r0 * row);
    });
  });
}

}  // namespace tinyforge::nn::batch_norm
