//===- OnnxModel.cpp - read an .onnx file into plain structs --------------===//
//
// The only TU that sees protobuf; compiled with -frtti (see CMakeLists.txt).
//
//===----------------------------------------------------------------------===//

#include "compiler/import/OnnxModel.h"

#include "onnx/onnx_pb.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <type_traits>

using namespace cnnc::onnx;
namespace pb = ::onnx;

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

const Attribute *Node::attr(const std::string &key) const {
  auto it = attributes.find(key);
  return it == attributes.end() ? nullptr : &it->second;
}

int64_t Node::getInt(const std::string &key, int64_t dflt) const {
  const Attribute *a = attr(key);
  return a && a->kind == Attribute::Kind::Int ? a->i : dflt;
}

float Node::getFloat(const std::string &key, float dflt) const {
  const Attribute *a = attr(key);
  return a && a->kind == Attribute::Kind::Float ? a->f : dflt;
}

std::string Node::getString(const std::string &key, std::string dflt) const {
  const Attribute *a = attr(key);
  return a && a->kind == Attribute::Kind::String ? a->s : dflt;
}

std::vector<int64_t> Node::getInts(const std::string &key,
                                   std::vector<int64_t> dflt) const {
  const Attribute *a = attr(key);
  return a && a->kind == Attribute::Kind::Ints ? a->ints : dflt;
}

std::string Node::input(size_t index) const {
  return index < inputs.size() ? inputs[index] : std::string();
}

namespace {

std::string typeName(int32_t type) {
  if (pb::TensorProto_DataType_IsValid(type))
    return pb::TensorProto_DataType_Name(
        static_cast<pb::TensorProto_DataType>(type));
  return "type " + std::to_string(type);
}

template <typename T> std::vector<T> fromRaw(llvm::StringRef raw) {
  std::vector<T> values(raw.size() / sizeof(T));
  if (!values.empty())
    std::memcpy(values.data(), raw.data(), values.size() * sizeof(T));
  return values;
}

/// The elements of `raw` (little-endian `Stored`) or of the repeated field
/// `typed`, converted by `convert` to `Out`.
template <typename Stored, typename Out, typename Field, typename Convert>
std::vector<Out> elements(std::optional<llvm::StringRef> raw,
                          const Field &typed, Convert convert) {
  if constexpr (std::is_same_v<Stored, Out>)
    if (raw)
      return fromRaw<Out>(*raw); // weights: one copy
  std::vector<Out> out;
  if (raw) {
    std::vector<Stored> stored = fromRaw<Stored>(*raw);
    out.reserve(stored.size());
    for (Stored v : stored)
      out.push_back(convert(v));
  } else {
    out.reserve(typed.size());
    for (auto v : typed)
      out.push_back(convert(static_cast<Stored>(v)));
  }
  return out;
}

float halfToFloat(uint16_t bits) {
  llvm::APFloat half(llvm::APFloat::IEEEhalf(), llvm::APInt(16, bits));
  bool lost;
  half.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
               &lost);
  return half.convertToFloat();
}

float bfloat16ToFloat(uint16_t bits) {
  return llvm::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

/// Tensors stored outside the model (data_location EXTERNAL): files named
/// relative to the model's directory, read whole or from offset/length.
class ExternalData {
public:
  ExternalData(const std::string &modelPath, bool allowAnyPath)
      : allowAnyPath(allowAnyPath) {
    llvm::SmallString<256> dir(modelPath);
    llvm::sys::path::remove_filename(dir);
    if (dir.empty())
      dir = ".";
    directory = std::string(dir);
  }

  /// The bytes of `proto`'s data; nothing, with `error` set, when its file
  /// is missing, outside the model's directory or shorter than declared.
  std::optional<llvm::StringRef> read(const pb::TensorProto &proto,
                                      std::string &error) {
    std::string location;
    std::optional<uint64_t> offset, length;
    for (const pb::StringStringEntryProto &entry : proto.external_data()) {
      if (entry.key() == "location")
        location = entry.value();
      else if ((entry.key() == "offset" || entry.key() == "length") &&
               !parseSize(entry.value(),
                          entry.key() == "offset" ? offset : length))
        return fail(error, proto,
                    "its " + entry.key() + " '" + entry.value() +
                        "' is not a byte count");
    }
    if (location.empty())
      return fail(error, proto, "it names no location");
    bool absolute = llvm::sys::path::is_absolute(location);
    std::string file = absolute ? location : directory + "/" + location;
    bool up =
        llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                            llvm::sys::path::end(location)),
                           "..");
    if (!allowAnyPath && (absolute || up))
      return fail(error, proto,
                  "its file '" + location + "' is " +
                      (absolute ? "an absolute path"
                                : "outside the model's directory") +
                      " (cnnc reads such files with --allow-external-path)");
    auto &buffer = files[file];
    if (!buffer) {
      llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> opened =
          llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
      if (!opened)
        return fail(error, proto,
                    "cannot read its file '" + file +
                        "': " + opened.getError().message());
      buffer = std::move(*opened);
    }
    uint64_t size = buffer->getBufferSize();
    uint64_t begin = offset.value_or(0);
    uint64_t count = length.value_or(begin <= size ? size - begin : 0);
    if (begin > size || count > size - begin)
      return fail(error, proto,
                  "its file '" + file + "' holds " + std::to_string(size) +
                      " bytes, fewer than offset " + std::to_string(begin) +
                      " + length " + std::to_string(count));
    return buffer->getBuffer().substr(begin, count);
  }

private:
  static bool parseSize(const std::string &text,
                        std::optional<uint64_t> &value) {
    uint64_t v;
    if (llvm::StringRef(text).getAsInteger(10, v))
      return false;
    value = v;
    return true;
  }
  static std::nullopt_t fail(std::string &error, const pb::TensorProto &proto,
                             const std::string &why) {
    error = "external data of tensor '" + proto.name() + "': " + why;
    return std::nullopt;
  }

  std::string directory;
  bool allowAnyPath;
  std::map<std::string, std::unique_ptr<llvm::MemoryBuffer>> files;
};

/// `proto` converted to f32 (every float type) or i64 (every integer type
/// and BOOL); Type::Other for the rest. Sets `error` when its external data
/// cannot be read.
Tensor convertTensor(const pb::TensorProto &proto, ExternalData &external,
                     std::string &error) {
  Tensor t;
  t.name = proto.name();
  t.dims.assign(proto.dims().begin(), proto.dims().end());
  t.typeName = typeName(proto.data_type());
  std::optional<llvm::StringRef> raw;
  if (proto.data_location() == pb::TensorProto::EXTERNAL) {
    raw = external.read(proto, error);
    if (!raw)
      return t;
  } else if (proto.has_raw_data()) {
    raw = proto.raw_data();
  }
  auto same = [](auto v) { return v; };
  auto toFloat = [](auto v) { return static_cast<float>(v); };
  auto toInt = [](auto v) { return static_cast<int64_t>(v); };
  switch (proto.data_type()) {
  case pb::TensorProto::FLOAT:
    t.floats = elements<float, float>(raw, proto.float_data(), same);
    break;
  case pb::TensorProto::DOUBLE:
    t.floats = elements<double, float>(raw, proto.double_data(), toFloat);
    break;
  // FLOAT16 and BFLOAT16 values are stored as bits in int32_data.
  case pb::TensorProto::FLOAT16:
    t.floats = elements<uint16_t, float>(raw, proto.int32_data(), halfToFloat);
    break;
  case pb::TensorProto::BFLOAT16:
    t.floats =
        elements<uint16_t, float>(raw, proto.int32_data(), bfloat16ToFloat);
    break;
  case pb::TensorProto::INT64:
    t.ints = elements<int64_t, int64_t>(raw, proto.int64_data(), same);
    break;
  case pb::TensorProto::INT32:
    t.ints = elements<int32_t, int64_t>(raw, proto.int32_data(), toInt);
    break;
  case pb::TensorProto::INT16:
    t.ints = elements<int16_t, int64_t>(raw, proto.int32_data(), toInt);
    break;
  case pb::TensorProto::INT8:
    t.ints = elements<int8_t, int64_t>(raw, proto.int32_data(), toInt);
    break;
  case pb::TensorProto::UINT16:
    t.ints = elements<uint16_t, int64_t>(raw, proto.int32_data(), toInt);
    break;
  case pb::TensorProto::UINT8:
  case pb::TensorProto::BOOL: // Dropout's training_mode; one byte each
    t.ints = elements<uint8_t, int64_t>(raw, proto.int32_data(), toInt);
    break;
  case pb::TensorProto::UINT32:
    t.ints = elements<uint32_t, int64_t>(raw, proto.uint64_data(), toInt);
    break;
  case pb::TensorProto::UINT64:
    t.ints = elements<uint64_t, int64_t>(raw, proto.uint64_data(), toInt);
    break;
  default:
    return t;
  }
  int32_t type = proto.data_type();
  bool isFloat =
      type == pb::TensorProto::FLOAT || type == pb::TensorProto::DOUBLE ||
      type == pb::TensorProto::FLOAT16 || type == pb::TensorProto::BFLOAT16;
  t.type = isFloat ? Tensor::Type::Float : Tensor::Type::Int64;
  if (std::any_of(t.dims.begin(), t.dims.end(),
                  [](int64_t d) { return d < 0; })) {
    t.type = Tensor::Type::Other;
    t.typeName += " with a negative dimension";
    return t;
  }
  // A tensor whose data does not match its dims is as bad as no data.
  size_t count = isFloat ? t.floats.size() : t.ints.size();
  if (static_cast<int64_t>(count) != t.numElements()) {
    t.type = Tensor::Type::Other;
    t.typeName += " with " + std::to_string(count) + " values for " +
                  std::to_string(t.numElements()) + " elements";
  }
  return t;
}

Attribute convertAttribute(const pb::AttributeProto &proto,
                           ExternalData &external, std::string &error) {
  Attribute a;
  switch (proto.type()) {
  case pb::AttributeProto::INT:
    a.kind = Attribute::Kind::Int;
    a.i = proto.i();
    break;
  case pb::AttributeProto::FLOAT:
    a.kind = Attribute::Kind::Float;
    a.f = proto.f();
    break;
  case pb::AttributeProto::STRING:
    a.kind = Attribute::Kind::String;
    a.s = proto.s();
    break;
  case pb::AttributeProto::INTS:
    a.kind = Attribute::Kind::Ints;
    a.ints.assign(proto.ints().begin(), proto.ints().end());
    break;
  case pb::AttributeProto::FLOATS:
    a.kind = Attribute::Kind::Floats;
    a.floats.assign(proto.floats().begin(), proto.floats().end());
    break;
  case pb::AttributeProto::TENSOR:
    a.kind = Attribute::Kind::Tensor;
    a.tensor = convertTensor(proto.t(), external, error);
    break;
  default:
    break;
  }
  return a;
}

ValueInfo convertValueInfo(const pb::ValueInfoProto &proto) {
  ValueInfo v;
  v.name = proto.name();
  if (!proto.type().has_tensor_type()) {
    v.typeName = "a non-tensor type";
    return v;
  }
  const pb::TypeProto::Tensor &tensor = proto.type().tensor_type();
  v.typeName = typeName(tensor.elem_type());
  v.isFloat = tensor.elem_type() == pb::TensorProto::FLOAT;
  v.hasShape = tensor.has_shape();
  for (const pb::TensorShapeProto::Dimension &dim : tensor.shape().dim()) {
    v.dims.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
    v.dimNames.push_back(dim.has_dim_param() ? dim.dim_param() : "");
  }
  return v;
}

} // namespace

std::optional<Graph> cnnc::onnx::readModel(const std::string &path,
                                           std::string &error,
                                           const ReadOptions &options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read '" + path + "'";
    return std::nullopt;
  }
  pb::ModelProto model;
  // Protobuf accepts many byte strings (an empty file is a valid empty
  // message), so a model without a graph counts as unparsable too.
  if (!model.ParseFromIstream(&in) || !model.has_graph() ||
      model.graph().node_size() == 0) {
    error = "cannot parse '" + path + "' as an ONNX model";
    return std::nullopt;
  }
  Graph graph;
  const pb::GraphProto &g = model.graph();
  graph.name = g.name();
  for (const pb::OperatorSetIdProto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      graph.opset = opset.version();
  for (const pb::ValueInfoProto &v : g.input())
    graph.inputs.push_back(convertValueInfo(v));
  for (const pb::ValueInfoProto &v : g.output())
    graph.outputs.push_back(convertValueInfo(v));
  ExternalData external(path, options.allowExternalPaths);
  for (const pb::TensorProto &t : g.initializer()) {
    graph.initializers.push_back(convertTensor(t, external, error));
    if (!error.empty())
      return std::nullopt;
  }
  for (const pb::NodeProto &n : g.node()) {
    Node node;
    node.name = n.name();
    node.opType = n.op_type();
    node.domain = n.domain();
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    for (const pb::AttributeProto &a : n.attribute()) {
      node.attributes[a.name()] = convertAttribute(a, external, error);
      if (!error.empty())
        return std::nullopt;
    }
    graph.nodes.push_back(std::move(node));
  }
  return graph;
}
