// The samples compiled into a generated firmware for replay mode: from a .npy file, or by
// default the TFLite Micro golden input pattern followed by seeded pseudo-random inputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tinyforge/micro/model.h"
#include "tinyforge/npy.h"

namespace tinyforge::deploy {

struct ReplaySampleSet {
  std::vector<uint8_t> bytes;  // count x sample_bytes, in the input tensor's type
  uint32_t sample_bytes = 0;
  uint32_t count = 0;
  std::string origin;  // for the README: where the samples came from
};

// `pattern` (the input filled with the TFLM golden pattern) first, then count - 1 inputs drawn
// from `seed` (the same seed gives the same bytes).
ReplaySampleSet default_replay_samples(const std::vector<uint8_t>& pattern, const micro::TensorInfo& input,
                                       uint32_t count, uint64_t seed);
// An array of one input or of N inputs (N x the input's elements). Its dtype must be the
// input's, or float32 for a quantized int8/uint8/int16 input (quantized with the input's scale
// and zero point). Throws Error naming `what` and the mismatch.
ReplaySampleSet replay_samples_from_npy(const NpyArray& array, const micro::TensorInfo& input, const std::string& what);

std::string replay_samples_header();
std::string replay_samples_source(const ReplaySampleSet& samples);

}  // namespace tinyforge::deploy
