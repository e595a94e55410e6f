#!/usr/bin/python3
"""Runs a .tflite model through Arm NN (Debian's python3-pyarmnn, reference CPU backend).

Usage: armnn_run.py MODEL.tflite OUT_DIR IN0.npy [IN1.npy ...]
Writes OUT_DIR/output_K.npy for every model output, in the model's output order.
Exit status 2 with the reason on stderr when Arm NN rejects the model (parse or load).
Arm NN is an independent TFLite reader and implementation: tests use it as an oracle.
"""
import os
import sys

import numpy as np


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 1
    model_path, out_dir, input_paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    import pyarmnn as ann

    try:
        parser = ann.ITfLiteParser()
        network = parser.CreateNetworkFromBinaryFile(model_path)
        input_names = parser.GetSubgraphInputTensorNames(0)
        output_names = parser.GetSubgraphOutputTensorNames(0)
        if len(input_names) != len(input_paths):
            sys.stderr.write("model has %d inputs, %d given\n" % (len(input_names), len(input_paths)))
            return 1
        runtime = ann.IRuntime(ann.CreationOptions())
        optimized, messages = ann.Optimize(network, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(),
                                           ann.OptimizerOptions())
        net_id, _ = runtime.LoadNetwork(optimized)
    except Exception as e:  # Arm NN raises its own exception types
        sys.stderr.write("armnn rejected the model: %s\n" % e)
        return 2

    input_bindings = [parser.GetNetworkInputBindingInfo(0, n) for n in input_names]
    output_bindings = [parser.GetNetworkOutputBindingInfo(0, n) for n in output_names]
    arrays = [np.load(p) for p in input_paths]
    input_tensors = ann.make_input_tensors(input_bindings, arrays)
    output_tensors = ann.make_output_tensors(output_bindings)
    runtime.EnqueueWorkload(net_id, input_tensors, output_tensors)
    for k, out in enumerate(ann.workload_tensors_to_ndarray(output_tensors)):
        np.save(os.path.join(out_dir, "output_%d.npy" % k), out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
