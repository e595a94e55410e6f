// The labelled-data options evaluate and compare share:
//   --data fashion-mnist[:test|:train] | --x X.npy --y Y.npy, [--limit N] [--task T]
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "tinyforge/evaluate.h"

namespace tinyforge::cli {

struct DataArgs {
  std::string data;
  std::string x, y;
  int64_t limit = 0;
  std::string task = "auto";

  // Throws Error when the options do not name exactly one data set.
  eval::LabelledData load() const;
  eval::EvalOptions options() const;
};

void add_data_options(CLI::App* cmd, const std::shared_ptr<DataArgs>& a);

}  // namespace tinyforge::cli
