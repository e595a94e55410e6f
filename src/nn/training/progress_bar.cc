// Keras-style progress output (keras.utils.Progbar, width 20).
#include "nn/training/progress_bar.h"

#include <unistd.h>

#include <chrono>
#include <cmath>

namespace tinyforge::nn {

namespace {

constexpr int kBarWidth = 20;
constexpr double kUpdateInterval = 0.05;  // seconds between in-place redraws, as Keras

std::string printf_str(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string repeat(const char* s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string format_eta(double eta) {
  char buf[32];
  const auto t = static_cast<long long>(eta);
  if (eta > 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", t / 3600, (t % 3600) / 60, t % 60);
  } else if (eta > 60) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", t / 60, t % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%llds", t);
  }
  return buf;
}

}  // namespace

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string format_logs(const Logs& logs) {
  std::string out;
  for (const auto& [k, v] : logs) {
    out += " - " + k + ":";
    out += std::fabs(v) > 1e-3 ? printf_str(" %.4f", v) : printf_str(" %.4e", v);
  }
  return out;
}

std::string format_time_per_step(double t) {
  if (t >= 1 || t == 0) return printf_str("%.0fs/step", t);
  if (t >= 1e-3) return printf_str("%.0fms/step", t * 1e3);
  return printf_str("%.0fus/step", t * 1e6);
}

std::string format_progress_line(int64_t current, int64_t target, double elapsed_s, const Logs& logs, bool color) {
  const int digits = static_cast<int>(std::to_string(target).size());
  char count[64];
  std::snprintf(count, sizeof count, "%*lld/%lld", digits, static_cast<long long>(current),
                static_cast<long long>(target));
  const int filled =
      target > 0 ? static_cast<int>(kBarWidth * static_cast<double>(current) / static_cast<double>(target)) : kBarWidth;
  std::string line;
  if (color) {
    line = std::string("\x1b[1m") + count + "\x1b[0m ";
    if (filled > 0) line += "\x1b[32m" + repeat("━", filled) + "\x1b[0m";
    line += "\x1b[37m" + repeat("━", kBarWidth - filled) + "\x1b[0m";
  } else {
    line = std::string(count) + " " + repeat("━", filled) + repeat("─", kBarWidth - filled);
  }
  const double per_step = current > 0 ? elapsed_s / static_cast<double>(current) : 0.0;
  std::string when;
  if (current < target) {
    when = format_eta(per_step * static_cast<double>(target - current));
  } else {
    when = printf_str("%.0fs", elapsed_s);
  }
  // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "literal" + string.
  line += ' ';
  if (color) line += "\x1b[1m";
  line += when;
  if (color) line += "\x1b[0m";
  line += ' ';
  line += format_time_per_step(per_step);
  return line + format_logs(logs);
}

std::string format_epoch_line(int64_t steps, double elapsed_s, const Logs& logs) {
  const double per_step = steps > 0 ? elapsed_s / static_cast<double>(steps) : 0.0;
  return std::to_string(steps) + "/" + std::to_string(steps) + " - " + printf_str("%.0fs", elapsed_s) + " - " +
         format_time_per_step(per_step) + format_logs(logs);
}

ProgressBar::ProgressBar(int verbose, FILE* out) : verbose_(verbose), out_(out), tty_(isatty(fileno(out)) != 0) {}

void ProgressBar::epoch_begin(int epoch, int epochs, int64_t steps) {
  steps_ = steps;
  start_ = now_seconds();
  last_print_ = -1;
  if (verbose_ <= 0) return;
  std::fprintf(out_, "Epoch %d/%d\n", epoch + 1, epochs);
  std::fflush(out_);
}

void ProgressBar::emit(const std::string& line, bool final_line) {
  // Only used on a terminal: "\x1b[K" clears what a longer previous line left behind.
  std::fprintf(out_, "\r%s\x1b[K%s", line.c_str(), final_line ? "\n" : "");
  std::fflush(out_);
}

void ProgressBar::update(int64_t step, const Logs& logs) {
  // Only a terminal gets the in-place bar; the last step is drawn by epoch_end with val_* logs.
  if (verbose_ != 1 || !tty_ || step >= steps_) return;
  const double now = now_seconds();
  if (last_print_ >= 0 && now - last_print_ < kUpdateInterval) return;
  last_print_ = now;
  emit(format_progress_line(step, steps_, now - start_, logs, true), false);
}

void ProgressBar::epoch_end(const Logs& logs) {
  if (verbose_ <= 0) return;
  const double elapsed = now_seconds() - start_;
  if (verbose_ == 2) {
    std::fprintf(out_, "%s\n", format_epoch_line(steps_, elapsed, logs).c_str());
  } else if (tty_) {
    emit(format_progress_line(steps_, steps_, elapsed, logs, true), true);
  } else {
    std::fprintf(out_, "%s\n", format_progress_line(steps_, steps_, elapsed, logs, false).c_str());
  }
  std::fflush(out_);
}

}  // namespace tinyforge::nn
