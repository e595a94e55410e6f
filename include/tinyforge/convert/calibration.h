// Calibration: run a float32 Graph over a representative data set through the micro runtime
// (the same kernels that run on the chip) and record, per activation tensor, the range an
// observer picks. Quantization turns these ranges into scales and zero points.
//
//   RepresentativeData data = load_representative_npy({"x.npy"}, graph);
//   Calibration cal = calibrate(graph, data, {.observer = Observer::kPercentile, .percentile = 99.99});
//   std::puts(format_ranges(cal.ranges).c_str());
//
// Everything here is deterministic: the same graph and data give the same ranges.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tinyforge/convert/graph.h"

namespace tinyforge::convert {

// One sample: one float buffer per model input, in the graph's input order, each holding the
// input tensor's element count (batch included) in C order.
using Sample = std::vector<std::vector<float>>;
using RepresentativeData = std::vector<Sample>;

// Reads one .npy per model input, each N x <input shape> (or N x <input shape without its
// leading batch dimension of 1>), float32 or float64; returns N samples. Throws Error naming the
// file when the dtype or shape does not fit the graph's input, or when the files disagree on N.
RepresentativeData load_representative_npy(const std::vector<std::string>& paths, const Graph& graph);

enum class Observer {
  kMinMax,      // smallest and largest value seen over all samples (TF's converter default)
  kEma,         // moving average of each sample's min and max (as TF's quantization-aware training)
  kPercentile,  // [100 - p, p] percentiles of all values seen (linear interpolation, as numpy)
  kMse,         // the clipping range with the least quantization mean squared error over a histogram
};

// "minmax", "ema", "percentile", "mse" -> Observer; throws Error listing the valid names.
Observer parse_observer(const std::string& name);
const char* observer_name(Observer o);

struct ObserverOptions {
  Observer observer = Observer::kMinMax;
  float ema_decay = 0.99f;        // kEma: new = decay * old + (1 - decay) * batch; the first batch sets it
  int32_t ema_batch_size = 1;     // kEma: samples per batch
  double percentile = 99.99;      // kPercentile: upper percentile in (50, 100]
  int32_t histogram_bins = 1024;  // kMse
  int32_t mse_bits = 8;           // kMse: the integer width the range is chosen for (8 or 16)
};

struct TensorRange {
  int32_t tensor = -1;  // index in the graph
  std::string name;
  float min = 0.0f;
  float max = 0.0f;
};

struct Calibration {
  // Every float activation tensor (graph inputs and op outputs) and every LSTM cell state (over
  // all time steps), by tensor index.
  std::vector<TensorRange> ranges;
  // Per tensor index: the mean of each element over all samples (empty for tensors not
  // recorded). Bias correction uses the means of the weighted ops' inputs.
  std::vector<std::vector<double>> element_means;
  int64_t samples = 0;

  const TensorRange* find(int32_t tensor) const;
};

// Runs `graph` (float32 activations) once per sample and observes every float32 tensor that is
// a graph input or an op output. Throws Error when the data does not fit the inputs, the data set
// is empty, or the runtime cannot run the graph (naming the op).
Calibration calibrate(const Graph& graph, const RepresentativeData& data, const ObserverOptions& options = {});

// The range one observer picks for one tensor, given its values per sample (exposed for tests
// and for callers that collect values themselves).
TensorRange observe_range(const std::vector<std::vector<float>>& values_per_sample, const ObserverOptions& options);

// One line per tensor: "  12  min=-1.2345  max=3.4567  name".
std::string format_ranges(const std::vector<TensorRange>& ranges);

}  // namespace tinyforge::convert
