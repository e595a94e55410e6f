// .tflite bytes <-> Graph. The writer produces what TFLite's converter produces for the same
// graph (schema version 3, "TFL3", buffer 0 the empty sentinel, constant data 16-byte
// aligned); the reader accepts what Google's converter writes, within what Graph can hold
// (one subgraph, no sparse tensors, no data outside the FlatBuffer).
#pragma once

#include <cstdint>
#include <vector>

#include "tinyforge/convert/graph.h"

namespace tinyforge::convert {

// Throws Error naming the problem when the bytes are not a well-formed model the Graph can
// represent. The result has passed Graph::validate().
Graph read_tflite(const std::vector<uint8_t>& bytes);

// Validates the graph, then serializes it. The same graph always gives the same bytes.
std::vector<uint8_t> write_tflite(const Graph& graph);

}  // namespace tinyforge::convert
