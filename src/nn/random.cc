#include "tinyforge/nn/random.h"

#include <cmath>

namespace tinyforge::nn {

namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(uint64_t seed) {
  // SplitMix64 spreads any seed (even 0) over the whole xoshiro state, as its authors advise.
  uint64_t x = seed;
  for (uint64_t& s : s_) s = splitmix64(x);
}

uint64_t Rng::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

// The top 24 bits fill a float's mantissa exactly, so the result is uniform and never 1.
float Rng::uniform() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }

float Rng::uniform(float lo, float hi) {
  const float v = lo + (hi - lo) * uniform();
  return v < hi ? v : lo;  // rounding could land on hi; keep the interval half-open
}

float Rng::normal() {
  // Box-Muller in double; u1 in (0, 1] keeps log() finite. One value per call keeps the
  // stream position independent of how draws are interleaved.
  const double u1 = 1.0 - static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
  const double u2 = static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2));
}

float Rng::truncated_normal(float stddev) {
  for (;;) {
    const float z = normal();
    if (std::fabs(z) <= 2.0f) return z * stddev;
  }
}

uint64_t Rng::below(uint64_t n) {
  if (n == 0) return 0;
  // Rejection sampling: drop the top partial block of 2^64 so every residue is equally likely.
  const uint64_t threshold = (0 - n) % n;
  for (;;) {
    const uint64_t r = next_u64();
    if (r >= threshold) return r % n;
  }
}

Rng Rng::fork() { return Rng(next_u64()); }

}  // namespace tinyforge::nn
