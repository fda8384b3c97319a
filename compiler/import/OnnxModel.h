//===- OnnxModel.h - an ONNX graph as plain C++ data ------------*- C++ -*-===//
//
// The protobuf side of the importer. ONNX's generated classes need RTTI and
// the rest of cnnc is built without it, so one TU reads the file and copies
// what the importer needs into these plain structs; no MLIR type appears here.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_IMPORT_ONNXMODEL_H
#define CNNC_IMPORT_ONNXMODEL_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cnnc::onnx {

/// A constant tensor (initializer or Constant node), converted to f32 (from
/// every float type) or i64 (from every integer type and BOOL).
struct Tensor {
  enum class Type { Float, Int64, Other };
  std::string name;
  std::vector<int64_t> dims;
  Type type = Type::Other;
  std::string typeName; // as stored, for diagnostics: "FLOAT16", "INT32", ...
  std::vector<float> floats;
  std::vector<int64_t> ints;
  int64_t numElements() const;
};

struct Attribute {
  enum class Kind { Int, Float, String, Ints, Floats, Tensor, Other };
  Kind kind = Kind::Other;
  int64_t i = 0;
  float f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::optional<Tensor> tensor;
};

struct Node {
  std::string name; // may be empty
  std::string opType;
  std::string domain;
  std::vector<std::string> inputs; // "" for an omitted optional input
  std::vector<std::string> outputs;
  std::map<std::string, Attribute> attributes;

  /// Whether the op is of ONNX's default domain ("" or "ai.onnx").
  bool inDefaultDomain() const { return domain.empty() || domain == "ai.onnx"; }
  const Attribute *attr(const std::string &key) const;
  int64_t getInt(const std::string &key, int64_t dflt) const;
  float getFloat(const std::string &key, float dflt) const;
  std::string getString(const std::string &key, std::string dflt) const;
  std::vector<int64_t> getInts(const std::string &key,
                               std::vector<int64_t> dflt) const;
  /// The input at `index`, or "" when omitted.
  std::string input(size_t index) const;
};

/// A graph input or output.
struct ValueInfo {
  std::string name;
  bool isFloat = false;
  std::string typeName;
  bool hasShape = false;
  std::vector<int64_t> dims;         // -1 where dynamic
  std::vector<std::string> dimNames; // the symbolic name of a dynamic dim
};

struct Graph {
  std::string name;
  int64_t opset = 0; // of the default domain
  std::vector<ValueInfo> inputs, outputs;
  std::vector<Tensor> initializers;
  std::vector<Node> nodes;
};

struct ReadOptions {
  /// Read external data from absolute paths and from outside the model's
  /// directory too.
  bool allowExternalPaths = false;
};

/// Reads `path` and the external data it names; on failure returns nothing
/// and sets `error`.
std::optional<Graph> readModel(const std::string &path, std::string &error,
                               const ReadOptions &options = {});

} // namespace cnnc::onnx

#endif // CNNC_IMPORT_ONNXMODEL_H
