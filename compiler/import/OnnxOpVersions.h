//===- OnnxOpVersions.h - which ONNX op versions cnnc reads -----*- C++ -*-===//

#ifndef CNNC_IMPORT_ONNXOPVERSIONS_H
#define CNNC_IMPORT_ONNXOPVERSIONS_H

#include "compiler/import/OnnxModel.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace cnnc::onnx {

/// The default-domain opsets the importer reads: up to the newest whose op
/// versions it knows (OnnxOpVersions.def, ONNX 1.21's range).
constexpr int64_t kMinOpset = 1, kMaxOpset = 26;

/// The versions ONNX defines for `op` up to kMaxOpset, oldest first; empty
/// for an op cnnc does not import.
llvm::ArrayRef<int64_t> onnxOpVersions(llvm::StringRef op);

/// Why `node` of a model of `opset` is not read ("" if it is, or if the op
/// is not one cnnc imports): the op has no version in that opset yet, or
/// its version there is a first form the importer does not read (Reshape's
/// `shape` attribute before 5, ...). Checked before constants are folded.
std::string versionReason(const Node &node, int64_t opset);

} // namespace cnnc::onnx

#endif // CNNC_IMPORT_ONNXOPVERSIONS_H
