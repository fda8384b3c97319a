//===- OnnxModel.cpp - read an .onnx file into plain structs --------------===//
//
// The only TU that sees protobuf; compiled with -frtti (see CMakeLists.txt).
//
//===----------------------------------------------------------------------===//

#include "compiler/import/OnnxModel.h"

#include "onnx/onnx_pb.h"

#include <algorithm>

#include <cstring>
#include <fstream>

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

template <typename T> std::vector<T> fromRaw(const std::string &raw) {
  std::vector<T> values(raw.size() / sizeof(T));
  if (!values.empty())
    std::memcpy(values.data(), raw.data(), values.size() * sizeof(T));
  return values;
}

Tensor convertTensor(const pb::TensorProto &proto) {
  Tensor t;
  t.name = proto.name();
  t.dims.assign(proto.dims().begin(), proto.dims().end());
  t.typeName = typeName(proto.data_type());
  if (proto.data_location() == pb::TensorProto::EXTERNAL) {
    t.typeName += " (external data)";
    return t;
  }
  bool raw = proto.has_raw_data();
  switch (proto.data_type()) {
  case pb::TensorProto::FLOAT:
    t.type = Tensor::Type::Float;
    t.floats = raw ? fromRaw<float>(proto.raw_data())
                   : std::vector<float>(proto.float_data().begin(),
                                        proto.float_data().end());
    break;
  case pb::TensorProto::DOUBLE: {
    std::vector<double> d =
        raw ? fromRaw<double>(proto.raw_data())
            : std::vector<double>(proto.double_data().begin(),
                                  proto.double_data().end());
    t.type = Tensor::Type::Float;
    t.floats.assign(d.begin(), d.end());
    break;
  }
  case pb::TensorProto::INT64:
    t.type = Tensor::Type::Int64;
    t.ints = raw ? fromRaw<int64_t>(proto.raw_data())
                 : std::vector<int64_t>(proto.int64_data().begin(),
                                        proto.int64_data().end());
    break;
  case pb::TensorProto::BOOL: // Dropout's training_mode; one byte each
  case pb::TensorProto::INT32: {
    if (raw && proto.data_type() == pb::TensorProto::BOOL) {
      t.type = Tensor::Type::Int64;
      t.ints.assign(proto.raw_data().begin(), proto.raw_data().end());
      break;
    }
    std::vector<int32_t> i =
        raw ? fromRaw<int32_t>(proto.raw_data())
            : std::vector<int32_t>(proto.int32_data().begin(),
                                   proto.int32_data().end());
    t.type = Tensor::Type::Int64;
    t.ints.assign(i.begin(), i.end());
    break;
  }
  default:
    return t;
  }
  if (std::any_of(t.dims.begin(), t.dims.end(),
                  [](int64_t d) { return d < 0; })) {
    t.type = Tensor::Type::Other;
    t.typeName += " with a negative dimension";
    return t;
  }
  // A tensor whose data does not match its dims is as bad as no data.
  size_t count =
      t.type == Tensor::Type::Float ? t.floats.size() : t.ints.size();
  if (static_cast<int64_t>(count) != t.numElements()) {
    t.type = Tensor::Type::Other;
    t.typeName += " with " + std::to_string(count) + " values for " +
                  std::to_string(t.numElements()) + " elements";
  }
  return t;
}

Attribute convertAttribute(const pb::AttributeProto &proto) {
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
    a.tensor = convertTensor(proto.t());
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
                                           std::string &error) {
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
  for (const pb::TensorProto &t : g.initializer())
    graph.initializers.push_back(convertTensor(t));
  for (const pb::NodeProto &n : g.node()) {
    Node node;
    node.name = n.name();
    node.opType = n.op_type();
    node.domain = n.domain();
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    for (const pb::AttributeProto &a : n.attribute())
      node.attributes[a.name()] = convertAttribute(a);
    graph.nodes.push_back(std::move(node));
  }
  return graph;
}
