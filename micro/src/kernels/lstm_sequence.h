// Walks an LSTM's input sequence one time step at a time. Time-major input [T, B, I]
// runs every batch row in the same step; batch-major input [B, T, I] runs one batch row
// at a time, each with its own row of hidden and cell state.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lstm_step.h"

namespace tinyforge {
namespace micro {
namespace lstm {

// step(input_rows, hidden_rows, cell_rows, output_rows, row_count) is called once per step.
template <typename Act, typename Cell, typename Step>
void for_each_step(const Params& p, const Tensors& t, Step step) {
  const Act* input = static_cast<const Act*>(t.input);
  Act* output = static_cast<Act*>(t.output);
  Act* hidden = static_cast<Act*>(t.hidden);
  Cell* cell = static_cast<Cell*>(t.cell);
  const size_t in_size = static_cast<size_t>(p.input_size);
  const size_t state_size = static_cast<size_t>(p.state_size);
  if (p.time_major) {
    const size_t rows = static_cast<size_t>(p.batches);
    for (int32_t s = 0; s < p.time_steps; ++s) {
      const size_t first_row = static_cast<size_t>(s) * rows;
      step(input + first_row * in_size, hidden, cell, output + first_row * state_size, p.batches);
    }
    return;
  }
  for (int32_t b = 0; b < p.batches; ++b) {
    Act* h = hidden + static_cast<size_t>(b) * state_size;
    Cell* c = cell + static_cast<size_t>(b) * state_size;
    for (int32_t s = 0; s < p.time_steps; ++s) {
      const size_t row = static_cast<size_t>(b) * static_cast<size_t>(p.time_steps) + static_cast<size_t>(s);
      step(input + row * in_size, h, c, output + row * state_size, 1);
    }
  }
}

}  // namespace lstm
}  // namespace micro
}  // namespace tinyforge
