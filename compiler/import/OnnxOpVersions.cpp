//===- OnnxOpVersions.cpp - which ONNX op versions cnnc reads -------------===//

#include "compiler/import/OnnxOpVersions.h"

#include "llvm/ADT/StringMap.h"

#include <vector>

using namespace cnnc::onnx;

llvm::ArrayRef<int64_t> cnnc::onnx::onnxOpVersions(llvm::StringRef op) {
  static const llvm::StringMap<std::vector<int64_t>> kVersions = {
#define ONNX_OP(NAME, ...) {#NAME, {__VA_ARGS__}},
#include "compiler/import/OnnxOpVersions.def"
  };
  auto it = kVersions.find(op);
  if (it == kVersions.end())
    return {};
  return it->second;
}

std::string cnnc::onnx::versionReason(const Node &node, int64_t opset) {
  if (!node.inDefaultDomain())
    return "";
  llvm::ArrayRef<int64_t> versions = onnxOpVersions(node.opType);
  if (!versions.empty() && versions.front() > opset)
    return "op (new in opset " + std::to_string(versions.front()) + ")";
  // Each op's first version whose form is read, and what changed there.
  static const struct {
    const char *op;
    int64_t since;
    const char *change;
  } kFirstForms[] = {
      {"Pad", 2, "`pads` replaced `paddings`"},
      {"Split", 2, "`split` is no longer an input"},
      {"Reshape", 5, "`shape` became an input"},
      {"Cast", 6, "`to` became an integer"},
      {"Tile", 6, "`repeats` replaced `tiles` and `axis`"},
      {"Upsample", 7, "`scales` replaced `height_scale` and `width_scale`"},
  };
  for (const auto &form : kFirstForms)
    if (node.opType == form.op && opset < form.since)
      return "form of opset " + std::to_string(opset) + " (read from opset " +
             std::to_string(form.since) + ", where " + form.change + ")";
  return "";
}
