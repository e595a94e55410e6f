// Keras' one-line progress output for fit(): "Epoch 1/5", then
// "469/469 ━━━━━━━━━━━━━━━━━━━━ 3s 6ms/step - accuracy: 0.7812 - loss: 0.6180".
// Formatting is separate from printing so tests can check the text.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "tinyforge/nn/training.h"

namespace tinyforge::nn {

// " - accuracy: 0.7812 - loss: 0.6180" (Keras: %.4f, or %.4e for magnitudes <= 1e-3).
std::string format_logs(const Logs& logs);
// "6ms/step" style time per step (s, ms or us as Keras picks).
std::string format_time_per_step(double seconds_per_step);
// The in-place bar line. Before the end it shows the ETA, at the end the elapsed seconds.
// `color` adds the ANSI colors Keras uses on a terminal; without it the unfilled part is "─".
std::string format_progress_line(int64_t current, int64_t target, double elapsed_s, const Logs& logs,
                                 bool color = false);
// verbose=2 epoch line: "469/469 - 3s - 6ms/step - accuracy: 0.7812 - loss: 0.6180".
std::string format_epoch_line(int64_t steps, double elapsed_s, const Logs& logs);

// Prints the bar for verbose 1 (in place with \r on a terminal, one line per epoch otherwise),
// one line per epoch for verbose 2, and nothing for verbose 0.
class ProgressBar {
 public:
  ProgressBar(int verbose, FILE* out = stdout);
  void epoch_begin(int epoch, int epochs, int64_t steps);  // epoch is 0-based
  void update(int64_t step, const Logs& logs);              // after `step` batches (1-based)
  void epoch_end(const Logs& logs);                         // logs include val_*

 private:
  void emit(const std::string& line, bool final_line);
  int verbose_;
  FILE* out_;
  bool tty_;
  int64_t steps_ = 0;
  double start_ = 0, last_print_ = -1;
};

double now_seconds();

}  // namespace tinyforge::nn
