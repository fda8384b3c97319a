//===- OnnxConstantFolding.cpp - evaluate constant ONNX subgraphs ---------===//
//
// Exporters leave shape arithmetic in graphs that is constant once the input
// shapes are: PyTorch 1.13 writes F.pad's pads as ConstantOfShape, Concat,
// Reshape, Slice, Transpose and Cast of constants; `x.view(x.size(0), -1)`
// without constant folding is Shape, Gather, Unsqueeze, Concat. Nodes of the
// data-movement ops below whose inputs are all constants (Shape: whose input
// has a static shape) are evaluated here, and their outputs become constants
// like a Constant node's; integer arithmetic, Equal and Where are evaluated
// too (`x.expand(...)` exports as Where(Equal(shape, -1), ...)). No cnn op
// is built for them.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/GraphImporter.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

using namespace cnnc::onnx;

namespace {

using Dims = std::vector<int64_t>;

int64_t product(llvm::ArrayRef<int64_t> dims) {
  return std::accumulate(dims.begin(), dims.end(), int64_t(1),
                         std::multiplies<int64_t>());
}

Dims stridesOf(llvm::ArrayRef<int64_t> dims) {
  Dims strides(dims.size(), 1);
  for (size_t d = dims.size(); d-- > 1;)
    strides[d - 1] = strides[d] * dims[d];
  return strides;
}

Tensor like(const Tensor &t, Dims dims) {
  Tensor result;
  result.type = t.type;
  result.typeName = t.typeName;
  result.dims = std::move(dims);
  return result;
}

void append(Tensor &dst, const Tensor &src, int64_t index) {
  if (src.type == Tensor::Type::Float)
    dst.floats.push_back(src.floats[index]);
  else
    dst.ints.push_back(src.ints[index]);
}

/// Folded tensors are shape arithmetic and small constants; a larger one
/// (a corrupt shape) is not evaluated. ConstantOfShape makes its result
/// from a shape alone (pads, masks): a smaller limit keeps a corrupt shape
/// from feeding millions of elements to every folder after it.
constexpr int64_t kMaxFoldedElements = int64_t(1) << 24;
constexpr int64_t kMaxFilledElements = int64_t(1) << 20;

bool tooLarge(llvm::ArrayRef<int64_t> dims,
              int64_t limit = kMaxFoldedElements) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || (d > 0 && n > limit / d))
      return true;
    n *= d;
  }
  return false;
}

/// `dims`-shaped tensor whose element at each index is `src`'s element at
/// `source(index)`: transpose, slice, gather, broadcast. The caller checked
/// `dims` (non-negative, at most kMaxFoldedElements).
Tensor gather(const Tensor &src, Dims dims,
              llvm::function_ref<int64_t(llvm::ArrayRef<int64_t>)> source) {
  Tensor result = like(src, dims);
  int64_t count = product(dims);
  Dims index(dims.size(), 0);
  for (int64_t i = 0; i < count; ++i) {
    append(result, src, source(index));
    for (size_t d = dims.size(); d-- > 0;) {
      if (++index[d] < dims[d])
        break;
      index[d] = 0;
    }
  }
  return result;
}

/// Folds one node: `error` says why a node that looked foldable is not.
class Folder {
public:
  Folder(const Node &node, const GraphImporter &g, std::string &error)
      : node(node), g(g), error(error) {}

  std::optional<Tensor> run();

private:
  const Tensor *in(size_t i) { return g.constant(node.input(i)); }
  std::optional<Tensor> fail(const std::string &why) {
    error = why;
    return std::nullopt;
  }
  std::optional<int64_t> axis(int64_t a, int64_t rank) {
    if (a < -rank || a >= rank)
      return std::nullopt;
    return a < 0 ? a + rank : a;
  }
  /// An attribute before `sinceOpset`, the constant input `index` after.
  std::optional<Dims> ints(const char *attr, size_t index, int64_t sinceOpset) {
    if (g.opset() < sinceOpset) {
      const cnnc::onnx::Attribute *a = node.attr(attr);
      return a ? std::optional<Dims>(a->ints) : std::nullopt;
    }
    return node.input(index).empty() ? std::nullopt
                                     : g.constantInts(node.input(index));
  }

  std::optional<Tensor> constantOfShape();
  std::optional<Tensor> concat();
  std::optional<Tensor> reshape();
  std::optional<Tensor> slice();
  std::optional<Tensor> transpose();
  std::optional<Tensor> cast();
  std::optional<Tensor> gatherOp();
  std::optional<Tensor> squeeze(bool unsqueeze);
  /// The inputs, each gathered to their common (numpy broadcast) shape.
  std::optional<std::vector<Tensor>> broadcastInputs();
  std::optional<Tensor> arithmetic();
  std::optional<Tensor> where();

  const Node &node;
  const GraphImporter &g;
  std::string &error;
};

std::optional<Tensor> Folder::run() {
  const std::string &op = node.opType;
  if (op == "ConstantOfShape")
    return constantOfShape();
  if (op == "Concat")
    return concat();
  if (op == "Reshape")
    return reshape();
  if (op == "Slice")
    return slice();
  if (op == "Transpose")
    return transpose();
  if (op == "Cast" || op == "CastLike")
    return cast();
  if (op == "Gather")
    return gatherOp();
  if (op == "Squeeze" || op == "Unsqueeze")
    return squeeze(op == "Unsqueeze");
  if (op == "Identity")
    return *in(0);
  if (op == "Where")
    return where();
  return arithmetic();
}

std::optional<Tensor> Folder::constantOfShape() {
  const Tensor *shape = in(0);
  if (shape->type != Tensor::Type::Int64)
    return fail("its shape is not an integer tensor");
  Tensor fill;
  fill.type = Tensor::Type::Float;
  fill.floats = {0.0f};
  if (const cnnc::onnx::Attribute *value = node.attr("value")) {
    if (!value->tensor || value->tensor->numElements() != 1 ||
        value->tensor->type == Tensor::Type::Other)
      return fail("its value is not a one-element number tensor");
    fill = *value->tensor;
  }
  if (tooLarge(shape->ints, kMaxFilledElements))
    return fail("its shape is negative or too large");
  return gather(fill, shape->ints, [](llvm::ArrayRef<int64_t>) { return 0; });
}

std::optional<Tensor> Folder::concat() {
  const Tensor *first = in(0);
  int64_t rank = first->dims.size();
  std::optional<int64_t> a = axis(node.getInt("axis", 0), rank);
  if (!a)
    return fail("its axis is out of range");
  Dims dims = first->dims;
  dims[*a] = 0;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const Tensor *t = in(i);
    if (t->type != first->type || t->dims.size() != first->dims.size())
      return fail("its inputs differ in type or rank");
    for (int64_t d = 0; d < rank; ++d)
      if (d != *a && t->dims[d] != first->dims[d])
        return fail("its inputs differ outside the axis");
    dims[*a] += t->dims[*a];
  }
  // Rows of the result: one chunk (dims axis..) of each input in turn.
  Tensor result = like(*first, dims);
  int64_t outer = product(llvm::ArrayRef(dims).take_front(*a));
  for (int64_t o = 0; o < outer; ++o)
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const Tensor *t = in(i);
      int64_t chunk = product(llvm::ArrayRef(t->dims).drop_front(*a));
      for (int64_t k = 0; k < chunk; ++k)
        append(result, *t, o * chunk + k);
    }
  return result;
}

std::optional<Tensor> Folder::reshape() {
  const Tensor *data = in(0), *shape = in(1);
  if (shape->type != Tensor::Type::Int64)
    return fail("its shape is not an integer tensor");
  Dims dims = shape->ints;
  bool allowZero = node.getInt("allowzero", 0) != 0;
  int64_t known = 1, inferred = -1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == 0 && !allowZero) { // 0 copies the input's dimension
      if (i >= data->dims.size())
        return fail("its shape copies a dimension the data does not have");
      dims[i] = data->dims[i];
    }
    if (dims[i] == -1 && inferred < 0) {
      inferred = i;
      continue;
    }
    if (dims[i] < 0)
      return fail("its shape is invalid");
    known *= dims[i];
  }
  int64_t count = data->numElements();
  if (inferred >= 0 && known > 0 && count % known == 0)
    dims[inferred] = count / known;
  if (product(dims) != count)
    return fail("its shape does not hold the data");
  Tensor result = *data;
  result.dims = dims;
  return result;
}

std::optional<Tensor> Folder::slice() {
  const Tensor *data = in(0);
  std::optional<SliceBounds> bounds = sliceBounds(node, g, data->dims, error);
  if (!bounds)
    return std::nullopt;
  Dims strides = stridesOf(data->dims);
  return gather(*data, bounds->size, [&](llvm::ArrayRef<int64_t> index) {
    int64_t offset = 0;
    for (size_t d = 0; d < index.size(); ++d)
      offset += (bounds->begin[d] + index[d] * bounds->step[d]) * strides[d];
    return offset;
  });
}

std::optional<Tensor> Folder::transpose() {
  const Tensor *data = in(0);
  int64_t rank = data->dims.size();
  Dims perm(rank);
  std::iota(perm.rbegin(), perm.rend(), 0);
  perm = node.getInts("perm", perm);
  Dims sorted = perm;
  llvm::sort(sorted);
  Dims identity(rank);
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity)
    return fail("its perm is not a permutation");
  Dims dims(rank), strides = stridesOf(data->dims);
  for (int64_t d = 0; d < rank; ++d)
    dims[d] = data->dims[perm[d]];
  return gather(*data, dims, [&](llvm::ArrayRef<int64_t> index) {
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d)
      offset += index[d] * strides[perm[d]];
    return offset;
  });
}

/// TensorProto.DataType codes of the types Cast folds to.
enum DataType : int64_t {
  Float = 1,
  Uint8 = 2,
  Int8 = 3,
  Uint16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  Bool = 9,
  Float16 = 10,
  Double = 11,
  Uint32 = 12,
  Uint64 = 13,
  Bfloat16 = 16
};

/// The DataType of a constant as stored (its typeName), if Cast folds to it.
std::optional<int64_t> dataTypeOf(const Tensor &t) {
  static const llvm::StringMap<int64_t> codes = {
      {"FLOAT", Float},      {"UINT8", Uint8},   {"INT8", Int8},
      {"UINT16", Uint16},    {"INT16", Int16},   {"INT32", Int32},
      {"INT64", Int64},      {"BOOL", Bool},     {"FLOAT16", Float16},
      {"DOUBLE", Double},    {"UINT32", Uint32}, {"UINT64", Uint64},
      {"BFLOAT16", Bfloat16}};
  auto it = codes.find(t.typeName);
  return it == codes.end() ? std::nullopt : std::optional(it->second);
}

/// `value` rounded to the precision of `semantics`, back in f32.
float roundTo(const llvm::fltSemantics &semantics, float value) {
  llvm::APFloat f(value);
  bool lost;
  f.convert(semantics, llvm::APFloat::rmNearestTiesToEven, &lost);
  f.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
            &lost);
  return f.convertToFloat();
}

std::optional<Tensor> Folder::cast() {
  // CastLike: to the type of its second input, a constant as stored or a
  // computed tensor (f32 in cnnc).
  std::optional<int64_t> to = node.getInt("to", 0);
  if (node.opType == "CastLike")
    to = g.constant(node.input(1)) ? dataTypeOf(*in(1)) : Float;
  if (!to)
    return fail("it casts to the type of '" + in(1)->typeName + "'");
  bool toFloat = llvm::is_contained({Float, Double, Float16, Bfloat16}, *to);
  bool toInt = llvm::is_contained(
      {Uint8, Int8, Uint16, Int16, Int32, Int64, Bool, Uint32, Uint64}, *to);
  if (!toFloat && !toInt)
    return fail("it casts to data type " + std::to_string(*to));
  Tensor result = *in(0);
  if (toFloat && result.type == Tensor::Type::Int64) {
    result.floats.assign(result.ints.begin(), result.ints.end());
    result.ints.clear();
  } else if (toInt && result.type == Tensor::Type::Float) {
    for (float f : result.floats) {
      // Integers in range; C++ leaves other conversions undefined.
      if (!std::isfinite(f) || std::fabs(f) >= 0x1p63f)
        return fail("a value is out of the integer type's range");
      result.ints.push_back(*to == Bool ? f != 0 : static_cast<int64_t>(f));
    }
    result.floats.clear();
  } else if (*to == Bool) {
    for (int64_t &v : result.ints)
      v = v != 0;
  }
  if (*to == Float16 || *to == Bfloat16)
    for (float &f : result.floats)
      f = roundTo(*to == Float16 ? llvm::APFloat::IEEEhalf()
                                 : llvm::APFloat::BFloat(),
                  f);
  result.type = toFloat ? Tensor::Type::Float : Tensor::Type::Int64;
  result.typeName = toFloat ? "FLOAT" : "INT64";
  return result;
}

std::optional<Tensor> Folder::gatherOp() {
  const Tensor *data = in(0), *indices = in(1);
  int64_t rank = data->dims.size();
  std::optional<int64_t> a = axis(node.getInt("axis", 0), rank);
  if (!a || indices->type != Tensor::Type::Int64)
    return fail("its axis or indices are invalid");
  int64_t size = data->dims[*a];
  for (int64_t i : indices->ints)
    if (i < -size || i >= size)
      return fail("an index is out of range");
  // Result dims: data's before the axis, the indices', data's after it.
  Dims dims(data->dims.begin(), data->dims.begin() + *a);
  llvm::append_range(dims, indices->dims);
  dims.insert(dims.end(), data->dims.begin() + *a + 1, data->dims.end());
  if (tooLarge(dims))
    return fail("its result is too large");
  Dims strides = stridesOf(data->dims), indexStrides = stridesOf(indices->dims);
  int64_t indexRank = indices->dims.size();
  return gather(*data, dims, [&](llvm::ArrayRef<int64_t> index) {
    int64_t flat = 0;
    for (int64_t d = 0; d < indexRank; ++d)
      flat += index[*a + d] * indexStrides[d];
    int64_t i = indices->ints[flat];
    int64_t offset = (i < 0 ? i + size : i) * strides[*a];
    for (int64_t d = 0; d < *a; ++d)
      offset += index[d] * strides[d];
    for (int64_t d = *a + 1; d < rank; ++d)
      offset += index[d - 1 + indexRank] * strides[d];
    return offset;
  });
}

std::optional<Tensor> Folder::squeeze(bool unsqueeze) {
  Tensor result = *in(0);
  std::optional<Dims> axes = ints("axes", 1, 13);
  int64_t rank = result.dims.size() + (unsqueeze && axes ? axes->size() : 0);
  Dims normalised;
  for (int64_t a : axes.value_or(Dims())) {
    std::optional<int64_t> n = axis(a, rank);
    if (!n)
      return fail("an axis is out of range");
    normalised.push_back(*n);
  }
  Dims dims;
  if (unsqueeze) {
    auto next = result.dims.begin();
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(llvm::is_contained(normalised, d) ? 1 : *next++);
  } else {
    for (auto [d, size] : llvm::enumerate(result.dims))
      if (axes ? !llvm::is_contained(normalised, d) : size != 1)
        dims.push_back(size);
  }
  if (product(dims) != result.numElements())
    return fail("it squeezes a dimension that is not 1");
  result.dims = dims;
  return result;
}

std::optional<std::vector<Tensor>> Folder::broadcastInputs() {
  size_t rank = 0;
  for (size_t i = 0; i < node.inputs.size(); ++i)
    rank = std::max(rank, in(i)->dims.size());
  std::vector<Dims> padded;
  Dims dims(rank, 1);
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    Dims d(rank - in(i)->dims.size(), 1);
    llvm::append_range(d, in(i)->dims);
    for (size_t a = 0; a < rank; ++a) {
      if (d[a] != dims[a] && d[a] != 1 && dims[a] != 1) {
        fail("its operands do not broadcast");
        return std::nullopt;
      }
      if (d[a] != 1)
        dims[a] = d[a]; // a 1 takes the other size, 0 too
    }
    padded.push_back(std::move(d));
  }
  if (tooLarge(dims)) {
    fail("its result is too large");
    return std::nullopt;
  }
  std::vector<Tensor> result;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    Dims strides = stridesOf(padded[i]);
    result.push_back(gather(*in(i), dims, [&](llvm::ArrayRef<int64_t> index) {
      int64_t o = 0;
      for (size_t a = 0; a < rank; ++a)
        o += (padded[i][a] == 1 ? 0 : index[a]) * strides[a];
      return o;
    }));
  }
  return result;
}

/// Integer Add/Sub/Mul/Div/Neg and Equal with numpy broadcasting (shape
/// arithmetic; Equal: which dimensions a shape leaves at -1).
std::optional<Tensor> Folder::arithmetic() {
  std::optional<std::vector<Tensor>> operands = broadcastInputs();
  if (!operands)
    return std::nullopt;
  Tensor &lhs = (*operands)[0];
  const std::string &op = node.opType;
  if (op == "Neg") {
    for (int64_t &x : lhs.ints) {
      if (x == std::numeric_limits<int64_t>::min())
        return fail("its result overflows 64 bits");
      x = -x;
    }
    return lhs;
  }
  const Tensor &rhs = (*operands)[1];
  if (op == "Equal")
    lhs.typeName = "BOOL";
  for (size_t i = 0; i < lhs.ints.size(); ++i) {
    int64_t x = lhs.ints[i], y = rhs.ints[i];
    if (op == "Equal") {
      lhs.ints[i] = x == y;
      continue;
    }
    if (op == "Div" && y == 0)
      return fail("it divides by zero");
    bool overflow = op == "Add"   ? llvm::AddOverflow(x, y, lhs.ints[i])
                    : op == "Sub" ? llvm::SubOverflow(x, y, lhs.ints[i])
                    : op == "Mul"
                        ? llvm::MulOverflow(x, y, lhs.ints[i])
                        : x == std::numeric_limits<int64_t>::min() && y == -1;
    if (overflow)
      return fail("its result overflows 64 bits");
    if (op == "Div")
      lhs.ints[i] = x / y;
  }
  return lhs;
}

/// Where(condition, X, Y) with numpy broadcasting: X's element where the
/// condition holds, else Y's.
std::optional<Tensor> Folder::where() {
  if (in(1)->type != in(2)->type)
    return fail("its X and Y differ in type");
  std::optional<std::vector<Tensor>> operands = broadcastInputs();
  if (!operands)
    return std::nullopt;
  const Tensor &condition = (*operands)[0];
  Tensor &x = (*operands)[1];
  const Tensor &y = (*operands)[2];
  for (size_t i = 0; i < condition.ints.size(); ++i) {
    if (condition.ints[i])
      continue;
    if (x.type == Tensor::Type::Float)
      x.floats[i] = y.floats[i];
    else
      x.ints[i] = y.ints[i];
  }
  return x;
}

bool isFoldable(const Node &node, const GraphImporter &g) {
  static const llvm::StringSet<> dataMovement = {
      "ConstantOfShape", "Concat",  "Reshape",  "Slice",
      "Transpose",       "Cast",    "CastLike", "Gather",
      "Unsqueeze",       "Squeeze", "Identity", "Where"};
  static const llvm::StringSet<> arithmetic = {"Add", "Sub", "Mul",
                                               "Div", "Neg", "Equal"};
  bool data = dataMovement.contains(node.opType);
  bool integer = arithmetic.contains(node.opType);
  if ((!data && !integer) || node.inputs.empty() || node.outputs.size() != 1)
    return false;
  // Inputs the folders read without checking: the data, the second operand
  // of the binary ones, every input of Concat.
  static const llvm::StringSet<> binary = {
      "Reshape", "Gather", "Add", "Sub", "Mul", "Div", "Equal", "CastLike"};
  size_t required = node.opType == "Concat"        ? node.inputs.size()
                    : node.opType == "Where"       ? 3
                    : binary.contains(node.opType) ? 2
                                                   : 1;
  if (node.inputs.size() < required)
    return false;
  // Every non-empty input is a constant (an omitted optional one is ""),
  // but for the computed tensor whose type CastLike takes (f32).
  size_t constants = node.opType == "CastLike" ? 1 : node.inputs.size();
  for (size_t i = 0; i < constants; ++i) {
    const std::string &name = node.inputs[i];
    if (name.empty() && i < required)
      return false;
    if (name.empty())
      continue;
    const Tensor *t = g.constant(name);
    bool integerInput = integer || (node.opType == "Where" && i == 0);
    if (!t || t->type == Tensor::Type::Other ||
        (integerInput && t->type != Tensor::Type::Int64))
      return false;
  }
  return true;
}

} // namespace

std::optional<Tensor> cnnc::onnx::foldConstantNode(const Node &node,
                                                   const GraphImporter &g,
                                                   std::string &error) {
  error.clear();
  if (!node.inDefaultDomain())
    return std::nullopt;
  std::optional<Tensor> result;
  bool isSize = node.opType == "Size";
  if ((node.opType == "Shape" || isSize) && node.inputs.size() == 1 &&
      node.outputs.size() == 1) {
    // A static shape is a constant; opset 15 added start/end. Size: the
    // product of its dimensions, a scalar.
    std::optional<llvm::SmallVector<int64_t, 4>> dims =
        g.staticShape(node.input(0));
    if (!dims)
      return std::nullopt;
    if (isSize) {
      result.emplace();
      result->type = Tensor::Type::Int64;
      result->typeName = "INT64";
      result->ints = {1};
      for (int64_t d : *dims)
        result->ints[0] *= d;
      result->name = node.outputs[0];
      return result;
    }
    int64_t rank = dims->size();
    auto bound = [&](int64_t v) {
      return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank);
    };
    int64_t start = bound(node.getInt("start", 0));
    int64_t end = bound(node.getInt("end", rank));
    result.emplace();
    result->type = Tensor::Type::Int64;
    result->typeName = "INT64";
    result->ints.assign(dims->begin() + start,
                        dims->begin() + std::max(start, end));
    result->dims = {static_cast<int64_t>(result->ints.size())};
  } else if (isFoldable(node, g)) {
    result = Folder(node, g, error).run();
  }
  if (result)
    result->name = node.outputs[0];
  return result;
}
