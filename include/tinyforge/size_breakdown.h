// What the bytes of a .tflite file are spent on. Every byte of the file is given to exactly one
// part, by walking the FlatBuffer from its root the way a reader does, so the parts always sum to
// the file size; bytes no known field reaches are shown as "unaccounted" rather than hidden.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "tinyforge/micro/model.h"

namespace tinyforge {

struct SizePart {
  std::string name;  // see kSizePartNames
  size_t bytes = 0;
};

// The parts, in the order reports list them:
//   header       root offset and "TFL3" identifier
//   weights      constant tensor data (the elements only)
//   quantization QuantizationParameters tables and their scale/zero_point/min/max arrays
//   operators    operator and operator-code tables, their input/output lists and options
//   tensors      tensor tables and their shapes
//   buffers      buffer tables, the buffer list and the length words of their data
//   strings      tensor, subgraph and metadata names, description, custom op codes
//   metadata     metadata tables and the bytes of the buffers they name
//   structure    the model and subgraph tables, their lists, signature definitions
//   vtables      FlatBuffers vtables (shared between tables of the same layout)
//   padding      runs of zero bytes under 16 long between objects (alignment)
//   unaccounted  any other byte: reached by no field this walker knows (e.g. orphaned objects
//                an old converter left behind: magic_wand.tflite has 14 such bytes)
extern const std::vector<std::string> kSizePartNames;

struct WeightTensor {
  int32_t tensor = -1;
  std::string name;
  std::string type;
  std::string consumer;  // opcode of the first operator that reads it ("(unused)" if none)
  size_t bytes = 0;
};

struct SizeBreakdown {
  size_t file_bytes = 0;
  std::vector<SizePart> parts;          // kSizePartNames order; sums to file_bytes
  std::vector<SizePart> weights_by_op;  // opcode -> constant bytes first read by it, largest first
  std::vector<WeightTensor> weights;    // constant tensors, largest first
};

// The model must have passed verify(). Throws Error when a field points outside the file.
SizeBreakdown size_breakdown(const micro::Model& model);

std::string size_breakdown_text(const SizeBreakdown& b, size_t max_tensors = 10);
nlohmann::json size_breakdown_json(const SizeBreakdown& b);

}  // namespace tinyforge
