// Denormal (subnormal) floats flushed to zero while training and inference run.
//
// Values below 1.2e-38 appear in training as optimizer moments decay and as gradients vanish,
// and x86 processes arithmetic on them through a slow microcode path: fmnist_mlp trained ~20%
// slower with them (one thread: 104-110k against 130k samples/s). Flushing them changes no result
// that matters (they are below 2^-126), and TensorFlow's executor trains the same way.
//
// The caller's thread flushes inside Model's entry points (fit, evaluate, predict, forward,
// backward), through this guard, and gets its own mode back when they return. The engine's worker
// threads take the mode of the thread that hands them a job, so work split across threads computes
// exactly what it would on the caller alone. No-op off x86.
#pragma once

#include <cstdint>

namespace tinyforge::nn {

class ScopedFlushDenormals {
 public:
  ScopedFlushDenormals();
  ~ScopedFlushDenormals();
  ScopedFlushDenormals(const ScopedFlushDenormals&) = delete;
  ScopedFlushDenormals& operator=(const ScopedFlushDenormals&) = delete;

 private:
  uint32_t saved_ = 0;
};

// Whether the calling thread flushes denormals right now.
bool flushing_denormals();
// Turns flushing on or off for the calling thread (the thread pool's workers follow their caller).
void set_flushing_denormals(bool on);

}  // namespace tinyforge::nn
