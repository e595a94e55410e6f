#include "cli/data_args.h"

#include "tinyforge/error.h"

namespace tinyforge::cli {

eval::LabelledData DataArgs::load() const {
  const bool npy = !x.empty() || !y.empty();
  if (npy && !data.empty()) throw Error("give either --data or --x/--y, not both");
  if (npy) {
    if (x.empty() || y.empty()) throw Error("--x and --y go together: the samples and their labels");
    return eval::load_npy_data(x, y);
  }
  if (data.empty()) throw Error("give the data: --data fashion-mnist[:test|:train], or --x X.npy --y Y.npy");
  return eval::load_fashion_mnist_data(data);
}

eval::EvalOptions DataArgs::options() const {
  eval::EvalOptions o;
  o.task = eval::parse_task(task);
  o.limit = limit;
  return o;
}

void add_data_options(CLI::App* cmd, const std::shared_ptr<DataArgs>& a) {
  cmd->add_option("--data", a->data, "A built-in data set: fashion-mnist[:test|:train] (pixels scaled to [0,1])");
  cmd->add_option("--x", a->x, "Samples as .npy, first dimension N (one model input each)");
  cmd->add_option("--y", a->y, "Labels as .npy: class indices [N], one-hot [N,K] or regression targets");
  cmd->add_option("--limit", a->limit, "Use only the first N samples")->check(CLI::PositiveNumber);
  cmd->add_option("--task", a->task, "auto (default), classification or regression");
}

}  // namespace tinyforge::cli
