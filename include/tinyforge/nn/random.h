// Seeded randomness: every random choice in training (initializers, shuffling, dropout,
// augmentation) draws from an Rng built from the user's seed, so runs repeat exactly.
#pragma once

#include <cstdint>

namespace tinyforge::nn {

// SplitMix64-seeded xoshiro256** generator: fast, well distributed, identical on every platform
// (std::uniform_*_distribution is implementation-defined, so it is not used).
class Rng {
 public:
  explicit Rng(uint64_t seed = 42);
  uint64_t next_u64();
  float uniform();                      // [0, 1)
  float uniform(float lo, float hi);    // [lo, hi)
  float normal();                       // mean 0, stddev 1 (Box-Muller)
  float truncated_normal(float stddev);  // redrawn beyond 2 stddev, as Keras does
  uint64_t below(uint64_t n);           // [0, n)
  // An independent stream derived from this one (e.g. one per layer).
  Rng fork();

 private:
  uint64_t s_[4];
};

}  // namespace tinyforge::nn
