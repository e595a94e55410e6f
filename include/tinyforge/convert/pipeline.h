// The whole conversion as one call, the library behind `tinyforge convert`:
//
//   .tfm  ──lower──┐
//                  ├─► float32 Graph ──quantize (calibrate on representative data)──► .tflite bytes
//   .tflite ─read──┘                                                           (+ arena metadata, C array)
//
//   ConvertRequest req{.input_path = "fmnist_cnn.tfm", .mode = "int8", .representative = {"fashion-mnist:500"}};
//   ConvertResult r = convert_model(req);
//   write_file_atomic("fmnist_cnn_int8.tflite", r.bytes);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tinyforge/convert/calibration.h"
#include "tinyforge/convert/graph.h"

namespace tinyforge::convert {

struct ConvertRequest {
  std::string input_path;                   // .tfm (a TinyForge model) or .tflite (float or already quantized)
  std::string mode = "float32";             // float32 | float16 | dynamic | int8 | int16x8
  std::string io = "";                      // int8 | uint8 | int16 | float ("" = the mode's activation type)
  std::vector<std::string> representative;  // one .npy per model input, or "fashion-mnist[:N]"
  int64_t max_samples = 0;                  // use at most this many representative samples (0: all)
  ObserverOptions calibration;
  bool per_channel_fc = false;
  bool bias_correction = false;
};

struct ConvertResult {
  std::vector<uint8_t> bytes;         // the .tflite file, with the exact arena in its metadata when it runs here
  Graph graph;                        // what was written
  std::vector<std::string> warnings;  // e.g. hybrid ops that TFLM does not run
  std::vector<TensorRange> ranges;    // calibrated activation ranges (int8 / int16x8)
  int64_t representative_samples = 0;
  uint64_t input_file_bytes = 0;    // size of the input file (.tfm or .tflite)
  uint64_t float_tflite_bytes = 0;  // size of the float32 .tflite of the same model
  int64_t arena_bytes = -1;         // exact arena the micro runtime needs (-1: it cannot run the model)
};

// Throws Error naming the problem (unreadable input, a layer or op that cannot be converted,
// representative data that does not fit the model's inputs, an unknown mode or io type).
ConvertResult convert_model(const ConvertRequest& request);

// Representative samples from a spec: one .npy path per model input, or "fashion-mnist[:N]"
// (the first N training images, scaled to [0, 1] as training does; default N = 500).
RepresentativeData load_representative(const std::vector<std::string>& spec, const Graph& float_graph,
                                       int64_t max_samples);

}  // namespace tinyforge::convert
