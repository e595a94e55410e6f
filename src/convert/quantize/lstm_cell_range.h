// The range of an UNIDIRECTIONAL_SEQUENCE_LSTM's cell state over every time step. The runtime
// keeps only the last step's cell state, so calibration replays the float recurrence on the op's
// input (the same equations as the float kernel) to see every step, as TF's calibrator does by
// logging the kernel's intermediates.
#pragma once

#include "tinyforge/convert/graph.h"

namespace tinyforge::convert::detail {

// Runs the op's float recurrence from zero states on `input` (the op's input 0) and widens
// [*min, *max] by every cell state value. Throws Error for LSTM variants it does not replay
// (peephole, projection, layer norm, CIFG), naming the op.
void widen_lstm_cell_range(const Graph& g, size_t op_index, const float* input, float* min, float* max);

}  // namespace tinyforge::convert::detail
