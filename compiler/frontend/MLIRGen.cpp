//===- MLIRGen.cpp - .cnn AST to the cnn dialect --------------------------===//
//
// Walks the AST once, Toy style: one gen function per construct. Blocks are
// instantiated at each call (hierarchical weight names, call-site
// locations). Built-in ops come from a table (opSpecs()): each op's
// parameters, against which every call's arguments are matched (so that
// every op reports unknown, missing and ill-typed arguments alike), and
// the builder that creates it.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/MLIRGen.h"
#include "dialects/cnn/CnnOps.h"
#include "dialects/cnn/CnnShapes.h"
#include "dialects/cnn/CnnUnary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <cstring>

using namespace cnnc;
using namespace mlir;
using cnn::Shape;

namespace {

//===----------------------------------------------------------------------===//
// Op signatures
//===----------------------------------------------------------------------===//

enum class ParamKind {
  Tensor,    // an expression producing a tensor
  Tensors,   // all positional arguments, each a tensor (concat)
  Int,       // 3
  IntPair,   // 3 or (3, 5)
  Padding,   // 1, (1, 2), (top, left, bottom, right) or `same`
  Float,     // 0.1 or 1
  Bool,      // true / false
  Bias,      // true / false / a tensor literal
  Literal,   // a tensor literal [[..]]
  String,    // "name"
  IntList,   // [1, -1, 2]: one integer per dimension
  FloatPair, // 2 or (1.5, 2)
};

struct ParamSpec {
  const char *name;
  ParamKind kind;
  bool required = false;
};

class MLIRGenImpl;
struct OpCall;

/// A built-in op: its parameters and the MLIRGenImpl member that builds it.
struct OpSpec {
  using Builder = FailureOr<Value> (MLIRGenImpl::*)(OpCall &);
  const char *name;
  std::vector<ParamSpec> params;
  Builder build;
  bool hasWeights = false;
};

//===----------------------------------------------------------------------===//
// Scopes
//===----------------------------------------------------------------------===//

/// What a name stands for: a tensor, or (for block parameters) a literal
/// attribute value such as `filters=64`.
struct Symbol {
  Value tensor;
  const Expr *literal = nullptr;
  SMLoc loc;
};

struct Scope {
  llvm::StringMap<Symbol> symbols;
  std::string prefix;               // weight-name prefix, "layer1.0."
  std::optional<Location> callSite; // set inside a block instance
};

/// Names the weighted layers of the statement being generated: a lone layer
/// takes the statement's name, several are numbered `name.0`, `name.1`, ...
struct NamingState {
  std::string name;
  int total = 0;
  int next = 0;
};

/// The arguments of one call, matched to an op's or block's parameters.
struct BoundArgs {
  llvm::StringMap<const Expr *> values;
  llvm::StringMap<SMLoc> locs;
  std::vector<const Expr *> variadic;
  SMLoc callLoc;
  const Expr *get(llvm::StringRef name) const { return values.lookup(name); }
};

/// A call of a built-in op, its arguments bound to the op's parameters and
/// its tensor operands generated (in source order): what the op's builder
/// reads.
struct OpCall {
  const OpSpec &spec;
  const Expr &expr;
  const BoundArgs &args;
  Scope &scope;
  Location loc;
  SmallVector<Value> operands;

  Value input() const { return operands.front(); }
  Shape inShape() const {
    return Shape(cast<RankedTensorType>(input().getType()).getShape());
  }
  /// Errors of the shape inference functions, at the call.
  auto errorEmitter() const {
    return [l = loc] { return emitError(l); };
  }
};

class MLIRGenImpl {
public:
  MLIRGenImpl(MLIRContext &context, const llvm::SourceMgr &sourceMgr,
              WeightSource &weights)
      : builder(&context), sourceMgr(sourceMgr), weights(weights) {}

  OwningOpRef<ModuleOp> gen(const ModelAST &model);

  // One builder per built-in op, or family of ops (opSpecs() names each
  // op's).
  FailureOr<Value> genConvOrDense(OpCall &c);
  FailureOr<Value> genBatchNorm(OpCall &c);
  FailureOr<Value> genPool(OpCall &c);
  FailureOr<Value> genGlobalAvgPool(OpCall &c);
  FailureOr<Value> genFlatten(OpCall &c);
  /// An op of one input, no attributes and the input's shape (activations).
  template <typename OpTy> FailureOr<Value> genSameShape(OpCall &c);
  FailureOr<Value> genLeakyRelu(OpCall &c);
  FailureOr<Value> genHardSigmoid(OpCall &c);
  FailureOr<Value> genClip(OpCall &c);
  /// cnn.unary, its function named by the op.
  FailureOr<Value> genUnary(OpCall &c);
  /// An op of two inputs broadcast to one shape.
  template <typename OpTy> FailureOr<Value> genBroadcast(OpCall &c);
  /// a ^ b of two tensors, or x ^ exponent (a cnn.unary).
  FailureOr<Value> genPow(OpCall &c);
  FailureOr<Value> genReshape(OpCall &c);
  FailureOr<Value> genPad(OpCall &c);
  FailureOr<Value> genConcat(OpCall &c);
  FailureOr<Value> genSlice(OpCall &c);
  FailureOr<Value> genTranspose(OpCall &c);
  FailureOr<Value> genUpsample(OpCall &c);
  FailureOr<Value> genResize(OpCall &c);
  FailureOr<Value> genSoftmax(OpCall &c);
  /// cnn.reduce, its kind named by the op (reduce_KIND).
  FailureOr<Value> genReduce(OpCall &c);

private:
  // Locations and errors.
  Location loc(SMLoc l, const Scope &scope) {
    auto [line, col] = sourceMgr.getLineAndColumn(l);
    llvm::StringRef file =
        sourceMgr.getMemoryBuffer(sourceMgr.FindBufferContainingLoc(l))
            ->getBufferIdentifier();
    Location result =
        FileLineColLoc::get(builder.getContext(), file, line, col);
    if (scope.callSite)
      result = CallSiteLoc::get(result, *scope.callSite);
    return result;
  }
  InFlightDiagnostic error(SMLoc l, const Scope &scope) {
    return emitError(loc(l, scope));
  }

  // Statements and expressions.
  LogicalResult genStatement(const Statement &stmt, Scope &scope,
                             Value *returned);
  FailureOr<Value> genExpr(const Expr &expr, Scope &scope);
  FailureOr<Value> genCall(const Expr &call, Scope &scope);
  FailureOr<Value> genBlockCall(const Expr &call, const BlockDecl &block,
                                Scope &scope);
  /// A built-in op: its arguments bound, its operands generated, then built
  /// by its spec's builder.
  FailureOr<Value> genOp(const Expr &call, const OpSpec &spec, Scope &scope);
  /// An op of type OpTy at the call, of the given result shape (failed:
  /// an error was reported), operands and attributes.
  template <typename OpTy>
  FailureOr<Value> make(const OpCall &c, FailureOr<Shape> shape,
                        ValueRange operands,
                        llvm::ArrayRef<NamedAttribute> attrs) {
    if (failed(shape))
      return failure();
    return OpTy::create(builder, c.loc, TypeRange{tensorType(*shape)}, operands,
                        attrs)
        ->getResult(0);
  }
  /// The call's `axis` argument (default `defaultAxis`), counted from the
  /// end when negative, as in PyTorch.
  FailureOr<int64_t> getAxis(OpCall &c, int64_t defaultAxis);
  FailureOr<Value> genLiteralTensor(const Expr &expr, Scope &scope);

  // Argument matching and typed access.
  FailureOr<BoundArgs> bindArgs(const Expr &call,
                                llvm::ArrayRef<ParamSpec> params, Scope &scope);
  const Expr *resolveLiteral(const Expr *expr, const Scope &scope);
  FailureOr<int64_t> getInt(const BoundArgs &args, llvm::StringRef name,
                            int64_t defaultValue, const Scope &scope);
  /// An integer or a pair (h, w) (`getPairOf<double>`: numbers).
  template <typename T>
  FailureOr<SmallVector<T, 2>>
  getPairOf(const BoundArgs &args, llvm::StringRef name, SmallVector<T, 2> dflt,
            const Scope &scope);
  FailureOr<SmallVector<int64_t, 2>> getPair(const BoundArgs &args,
                                             llvm::StringRef name,
                                             SmallVector<int64_t, 2> dflt,
                                             const Scope &scope) {
    return getPairOf<int64_t>(args, name, dflt, scope);
  }
  FailureOr<SmallVector<int64_t, 4>>
  getPadding(const BoundArgs &args, llvm::ArrayRef<int64_t> inputShape,
             llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> stride,
             llvm::ArrayRef<int64_t> dilation, const Scope &scope);
  FailureOr<double> getFloat(const BoundArgs &args, llvm::StringRef name,
                             double defaultValue, const Scope &scope);
  /// A string argument naming a value of an enum (`symbolize` reads it);
  /// `choices` lists them for the error.
  template <typename Enum>
  FailureOr<Enum> getEnum(const BoundArgs &args, llvm::StringRef name,
                          Enum defaultValue,
                          std::optional<Enum> (*symbolize)(llvm::StringRef),
                          llvm::StringRef choices, const Scope &scope) {
    const Expr *expr = args.get(name);
    if (!expr)
      return defaultValue;
    const Expr *lit = resolveLiteral(expr, scope);
    std::optional<Enum> value = lit && lit->kind == Expr::Kind::String
                                    ? symbolize(lit->text)
                                    : std::nullopt;
    if (!value)
      return error(expr->loc, scope)
             << "argument '" << name << "' must be one of " << choices;
    return *value;
  }
  FailureOr<SmallVector<int64_t>> getIntList(const BoundArgs &args,
                                             llvm::StringRef name,
                                             SmallVector<int64_t> dflt,
                                             const Scope &scope);
  FailureOr<bool> getBool(const BoundArgs &args, llvm::StringRef name,
                          bool defaultValue, const Scope &scope);
  LogicalResult flattenLiteral(const Expr &expr, size_t depth, Shape &shape,
                               std::vector<float> &values, const Scope &scope);

  // Weights.
  FailureOr<std::string> layerName(const BoundArgs &args, const Scope &scope);
  FailureOr<Value> weight(const BoundArgs &args, llvm::StringRef argName,
                          const std::string &layer, llvm::StringRef suffix,
                          Shape shape, WeightInit init, int64_t fanIn,
                          Location opLoc, const Scope &scope);

  Shape shapeOf(Value v) {
    return Shape(cast<RankedTensorType>(v.getType()).getShape());
  }
  RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  OpBuilder builder;
  const llvm::SourceMgr &sourceMgr;
  WeightSource &weights;
  llvm::StringMap<const BlockDecl *> blocks;
  std::vector<std::string> activeBlocks; // instantiation stack
  llvm::StringMap<Location> weightNames; // where each weight was made
  NamingState naming;
};

//===----------------------------------------------------------------------===//
// The built-in ops
//===----------------------------------------------------------------------===//

const std::vector<OpSpec> &opSpecs() {
  using K = ParamKind;
  using G = MLIRGenImpl;
  static const std::vector<OpSpec> specs = {
      {"conv2d",
       {{"input", K::Tensor, true},
        {"filters", K::Int, true},
        {"kernel", K::IntPair, true},
        {"stride", K::IntPair},
        {"padding", K::Padding},
        {"dilation", K::IntPair},
        {"groups", K::Int},
        {"bias", K::Bias},
        {"weight", K::Literal},
        {"name", K::String}},
       &G::genConvOrDense,
       true},
      {"dense",
       {{"input", K::Tensor, true},
        {"units", K::Int, true},
        {"bias", K::Bias},
        {"weight", K::Literal},
        {"name", K::String}},
       &G::genConvOrDense,
       true},
      {"batchnorm",
       {{"input", K::Tensor, true},
        {"eps", K::Float},
        {"gamma", K::Literal},
        {"beta", K::Literal},
        {"mean", K::Literal},
        {"var", K::Literal},
        {"name", K::String}},
       &G::genBatchNorm,
       true},
      {"maxpool2d",
       {{"input", K::Tensor, true},
        {"kernel", K::IntPair, true},
        {"stride", K::IntPair},
        {"padding", K::Padding},
        {"ceil_mode", K::Bool}},
       &G::genPool},
      {"avgpool2d",
       {{"input", K::Tensor, true},
        {"kernel", K::IntPair, true},
        {"stride", K::IntPair},
        {"padding", K::Padding},
        {"ceil_mode", K::Bool},
        {"count_include_pad", K::Bool}},
       &G::genPool},
      {"global_avgpool", {{"input", K::Tensor, true}}, &G::genGlobalAvgPool},
      {"flatten", {{"input", K::Tensor, true}}, &G::genFlatten},
      {"relu", {{"input", K::Tensor, true}}, &G::genSameShape<cnn::ReluOp>},
      {"relu6", {{"input", K::Tensor, true}}, &G::genSameShape<cnn::Relu6Op>},
      {"sigmoid",
       {{"input", K::Tensor, true}},
       &G::genSameShape<cnn::SigmoidOp>},
      {"tanh", {{"input", K::Tensor, true}}, &G::genSameShape<cnn::TanhOp>},
      {"silu", {{"input", K::Tensor, true}}, &G::genSameShape<cnn::SiluOp>},
      {"mish", {{"input", K::Tensor, true}}, &G::genSameShape<cnn::MishOp>},
      {"leaky_relu",
       {{"input", K::Tensor, true}, {"alpha", K::Float}},
       &G::genLeakyRelu},
      {"hardsigmoid",
       {{"input", K::Tensor, true}, {"alpha", K::Float}, {"beta", K::Float}},
       &G::genHardSigmoid},
      {"hardswish",
       {{"input", K::Tensor, true}},
       &G::genSameShape<cnn::HardSwishOp>},
      {"clip",
       {{"input", K::Tensor, true}, {"min", K::Float}, {"max", K::Float}},
       &G::genClip},
      {"add",
       {{"lhs", K::Tensor, true}, {"rhs", K::Tensor, true}},
       &G::genBroadcast<cnn::AddOp>},
      {"sub",
       {{"lhs", K::Tensor, true}, {"rhs", K::Tensor, true}},
       &G::genBroadcast<cnn::SubOp>},
      {"mul",
       {{"lhs", K::Tensor, true}, {"rhs", K::Tensor, true}},
       &G::genBroadcast<cnn::MulOp>},
      {"div",
       {{"lhs", K::Tensor, true}, {"rhs", K::Tensor, true}},
       &G::genBroadcast<cnn::DivOp>},
      {"reshape",
       {{"input", K::Tensor, true}, {"shape", K::IntList, true}},
       &G::genReshape},
      {"pad",
       {{"input", K::Tensor, true},
        {"low", K::IntList},
        {"high", K::IntList},
        {"mode", K::String},
        {"value", K::Float}},
       &G::genPad},
      {"concat",
       {{"inputs", K::Tensors, true}, {"axis", K::Int}},
       &G::genConcat},
      {"slice",
       {{"input", K::Tensor, true},
        {"offset", K::Int, true},
        {"size", K::Int, true},
        {"axis", K::Int}},
       &G::genSlice},
      {"transpose",
       {{"input", K::Tensor, true}, {"perm", K::IntList, true}},
       &G::genTranspose},
      {"upsample",
       {{"input", K::Tensor, true}, {"scale", K::IntPair}},
       &G::genUpsample},
      {"resize",
       {{"input", K::Tensor, true},
        {"size", K::IntPair, true},
        {"mode", K::String},
        {"coordinates", K::String},
        {"rounding", K::String},
        {"scale", K::FloatPair},
        {"cubic_coeff_a", K::Float},
        {"exclude_outside", K::Bool}},
       &G::genResize},
      {"softmax",
       {{"input", K::Tensor, true}, {"axis", K::Int}},
       &G::genSoftmax},
      {"log_softmax",
       {{"input", K::Tensor, true}, {"axis", K::Int}},
       &G::genSoftmax},
      {"max",
       {{"lhs", K::Tensor, true}, {"rhs", K::Tensor, true}},
       &G::genBroadcast<cnn::MaxOp>},
      {"min",
       {{"lhs", K::Tensor, true}, {"rhs", K::Tensor, true}},
       &G::genBroadcast<cnn::MinOp>},
      // a ^ b of two tensors, or x ^ exponent (a cnn.unary)
      {"pow",
       {{"lhs", K::Tensor, true}, {"rhs", K::Tensor}, {"exponent", K::Float}},
       &G::genPow},
  };
  static const std::vector<OpSpec> withUnary = [] {
    std::vector<OpSpec> all = specs;
    // cnn.reduce's kinds as reduce_KIND.
    static const std::vector<std::string> reduceNames = [] {
      std::vector<std::string> names;
      for (uint32_t k = 0; k <= cnn::getMaxEnumValForReduceKind(); ++k)
        names.push_back(
            "reduce_" +
            cnn::stringifyReduceKind(static_cast<cnn::ReduceKind>(k)).str());
      return names;
    }();
    for (const std::string &name : reduceNames)
      all.push_back(
          OpSpec{name.c_str(),
                 {{"input", K::Tensor, true}, {"axes", K::IntList, true}},
                 &G::genReduce});
    // cnn.unary's functions by name, with their parameters.
    for (const cnn::UnaryFnInfo &info : cnn::unaryFns()) {
      if (info.fn == cnn::UnaryFn::pow)
        continue;
      OpSpec spec{cnn::stringifyUnaryFn(info.fn).data(),
                  {{"input", K::Tensor, true}},
                  &G::genUnary};
      for (size_t i = 0; i < info.numParams(); ++i)
        spec.params.push_back({info.params[i], K::Float});
      all.push_back(std::move(spec));
    }
    return all;
  }();
  return withUnary;
}

const OpSpec *findOp(llvm::StringRef name) {
  for (const OpSpec &spec : opSpecs())
    if (name == spec.name)
      return &spec;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Model and statements
//===----------------------------------------------------------------------===//

/// How many layers with weights (or block instances) an expression creates.
int countNamedLayers(const Expr &expr,
                     const llvm::StringMap<const BlockDecl *> &blocks) {
  int count = 0;
  if (expr.kind == Expr::Kind::Call) {
    const OpSpec *spec = findOp(expr.text);
    if ((spec && spec->hasWeights) || blocks.count(expr.text))
      ++count;
    for (const Arg &arg : expr.args)
      count += countNamedLayers(*arg.value, blocks);
  }
  return count;
}

OwningOpRef<ModuleOp> MLIRGenImpl::gen(const ModelAST &model) {
  Scope top;
  Location modelLoc = loc(model.loc, top);
  OwningOpRef<ModuleOp> module = ModuleOp::create(modelLoc);
  builder.setInsertionPointToEnd(module->getBody());

  for (const auto &block : model.blocks) {
    if (findOp(block->name)) {
      error(block->loc, top)
          << "block '" << block->name << "' has the name of a built-in op";
      return nullptr;
    }
    if (!blocks.try_emplace(block->name, block.get()).second) {
      error(block->loc, top)
          << "block '" << block->name << "' is already defined";
      return nullptr;
    }
  }

  SmallVector<Type> inputTypes;
  for (const InputDecl &input : model.inputs) {
    if (failed(cnn::checkTensorSize([&] { return error(input.loc, top); },
                                    "input '" + input.name + "'", input.shape)))
      return nullptr;
    inputTypes.push_back(tensorType(input.shape));
  }
  auto func = func::FuncOp::create(builder, modelLoc, model.name,
                                   builder.getFunctionType(inputTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  for (auto [i, input] : llvm::enumerate(model.inputs)) {
    func.setArgAttr(i, "cnn.name", builder.getStringAttr(input.name));
    Symbol &sym = top.symbols[input.name];
    if (sym.tensor) {
      error(input.loc, top)
          << "input '" << input.name << "' is already defined";
      return nullptr;
    }
    sym = {entry->getArgument(i), nullptr, input.loc};
  }

  SmallVector<Value> outputs;
  SmallVector<std::string> outputNames;
  for (const Statement &stmt : model.statements) {
    if (failed(genStatement(stmt, top, nullptr)))
      return nullptr;
    if (stmt.kind != Statement::Kind::Output)
      continue;
    if (llvm::is_contained(outputNames, stmt.name)) {
      error(stmt.loc, top) << "output '" << stmt.name << "' is already listed";
      return nullptr;
    }
    outputs.push_back(top.symbols[stmt.name].tensor);
    outputNames.push_back(stmt.name);
  }
  if (outputs.empty()) {
    error(model.loc, top) << "model '" << model.name
                          << "' has no outputs; add 'output NAME = ...'";
    return nullptr;
  }
  func::ReturnOp::create(builder, modelLoc, outputs);
  func.setType(
      builder.getFunctionType(inputTypes, ValueRange(outputs).getTypes()));
  for (auto [i, name] : llvm::enumerate(outputNames))
    func.setResultAttr(i, "cnn.name", builder.getStringAttr(name));

  if (failed(weights.checkAllUsed()) || failed(verify(*module)))
    return nullptr;
  return module;
}

LogicalResult MLIRGenImpl::genStatement(const Statement &stmt, Scope &scope,
                                        Value *returned) {
  if (stmt.kind == Statement::Kind::Output && !stmt.value) {
    auto it = scope.symbols.find(stmt.name);
    if (it == scope.symbols.end() || !it->second.tensor)
      return error(stmt.loc, scope)
             << "output '" << stmt.name << "' names no defined tensor";
    return success();
  }
  if (stmt.kind != Statement::Kind::Return) {
    auto it = scope.symbols.find(stmt.name);
    if (it != scope.symbols.end()) {
      auto [line, col] = sourceMgr.getLineAndColumn(it->second.loc);
      return error(stmt.loc, scope)
             << "'" << stmt.name << "' is already defined at line " << line
             << ", column " << col;
    }
  }
  NamingState saved = naming;
  naming = {stmt.kind == Statement::Kind::Return ? "out" : stmt.name,
            countNamedLayers(*stmt.value, blocks), 0};
  llvm::scope_exit restore([&] { naming = saved; });
  FailureOr<Value> value = genExpr(*stmt.value, scope);
  if (failed(value))
    return failure();
  if (stmt.kind == Statement::Kind::Return)
    *returned = *value;
  else
    scope.symbols[stmt.name] = {*value, nullptr, stmt.loc};
  return success();
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

FailureOr<Value> MLIRGenImpl::genExpr(const Expr &expr, Scope &scope) {
  switch (expr.kind) {
  case Expr::Kind::Name: {
    auto it = scope.symbols.find(expr.text);
    if (it == scope.symbols.end())
      return error(expr.loc, scope) << "undefined name '" << expr.text << "'";
    if (!it->second.tensor)
      return error(expr.loc, scope)
             << "'" << expr.text << "' is an attribute value, not a tensor";
    return it->second.tensor;
  }
  case Expr::Kind::Call:
    return genCall(expr, scope);
  case Expr::Kind::List:
    return genLiteralTensor(expr, scope);
  default:
    return error(expr.loc, scope) << "expected a tensor expression";
  }
}

FailureOr<Value> MLIRGenImpl::genCall(const Expr &call, Scope &scope) {
  if (const OpSpec *spec = findOp(call.text))
    return genOp(call, *spec, scope);
  if (const BlockDecl *block = blocks.lookup(call.text))
    return genBlockCall(call, *block, scope);
  return error(call.loc, scope) << "unknown op or block '" << call.text << "'";
}

FailureOr<Value> MLIRGenImpl::genLiteralTensor(const Expr &expr, Scope &scope) {
  Shape shape;
  std::vector<float> values;
  if (failed(flattenLiteral(expr, 0, shape, values, scope)))
    return failure();
  std::string name = scope.prefix + naming.name;
  auto type = tensorType(shape);
  auto attr = DenseElementsAttr::get(type, llvm::ArrayRef<float>(values));
  return cnn::WeightOp::create(builder, loc(expr.loc, scope),
                               builder.getStringAttr(name), attr)
      .getResult();
}

FailureOr<Value> MLIRGenImpl::genBlockCall(const Expr &call,
                                           const BlockDecl &block,
                                           Scope &scope) {
  if (llvm::is_contained(activeBlocks, block.name))
    return error(call.loc, scope)
           << "block '" << block.name << "' calls itself (recursion through '"
           << activeBlocks.back() << "')";

  std::vector<ParamSpec> params;
  for (const BlockParam &param : block.params)
    params.push_back(
        {param.name.c_str(), ParamKind::Tensor, param.defaultValue == nullptr});
  FailureOr<BoundArgs> args = bindArgs(call, params, scope);
  if (failed(args))
    return failure();

  // The instance name prefixes every weight inside: "layer1.0.conv1.weight".
  std::string instance = naming.total > 1
                             ? naming.name + "." + std::to_string(naming.next)
                             : naming.name;
  ++naming.next;
  Scope inner;
  inner.prefix = scope.prefix + instance + ".";
  inner.callSite = loc(call.loc, scope);
  for (const BlockParam &param : block.params) {
    const Expr *arg = args->get(param.name);
    bool fromCaller = arg != nullptr;
    if (!arg)
      arg = param.defaultValue.get();
    Symbol sym{Value(), nullptr, param.loc};
    if (const Expr *lit = resolveLiteral(arg, fromCaller ? scope : inner)) {
      sym.literal = lit;
    } else {
      FailureOr<Value> value = genExpr(*arg, fromCaller ? scope : inner);
      if (failed(value))
        return failure();
      sym.tensor = *value;
    }
    inner.symbols[param.name] = sym;
  }

  activeBlocks.push_back(block.name);
  llvm::scope_exit pop([&] { activeBlocks.pop_back(); });
  Value result;
  for (const Statement &stmt : block.body)
    if (failed(genStatement(stmt, inner, &result)))
      return failure();
  return result;
}

//===----------------------------------------------------------------------===//
// Arguments
//===----------------------------------------------------------------------===//

FailureOr<BoundArgs> MLIRGenImpl::bindArgs(const Expr &call,
                                           llvm::ArrayRef<ParamSpec> params,
                                           Scope &scope) {
  BoundArgs bound;
  bound.callLoc = call.loc;
  size_t position = 0;
  for (const Arg &arg : call.args) {
    if (!arg.name) {
      if (!params.empty() && params.front().kind == ParamKind::Tensors) {
        bound.variadic.push_back(arg.value.get());
        bound.values[params.front().name] = arg.value.get();
        continue;
      }
      if (position >= params.size())
        return error(arg.loc, scope)
               << "'" << call.text << "' takes at most " << params.size()
               << " positional argument(s)";
      llvm::StringRef name = params[position++].name;
      bound.values[name] = arg.value.get();
      bound.locs[name] = arg.loc;
      continue;
    }
    auto spec = llvm::find_if(
        params, [&](const ParamSpec &p) { return *arg.name == p.name; });
    if (spec == params.end()) {
      InFlightDiagnostic diag = error(arg.loc, scope);
      diag << "'" << call.text << "' has no argument '" << *arg.name
           << "'; it takes ";
      llvm::interleaveComma(params, diag,
                            [&](const ParamSpec &p) { diag << p.name; });
      return diag;
    }
    if (bound.values.count(spec->name))
      return error(arg.loc, scope)
             << "argument '" << spec->name << "' is given twice";
    bound.values[spec->name] = arg.value.get();
    bound.locs[spec->name] = arg.loc;
  }
  for (const ParamSpec &param : params)
    if (param.required && !bound.values.count(param.name))
      return error(call.loc, scope)
             << "'" << call.text << "' needs argument '" << param.name << "'";
  return bound;
}

/// A literal, or a name bound to one (a block parameter); null otherwise.
const Expr *MLIRGenImpl::resolveLiteral(const Expr *expr, const Scope &scope) {
  if (expr->kind == Expr::Kind::Name) {
    auto it = scope.symbols.find(expr->text);
    if (it != scope.symbols.end())
      return it->second.literal;
    // The padding keyword is a literal too, so it can be a block argument.
    return expr->text == "same" ? expr : nullptr;
  }
  // Tensor literals are tensors, except where an attribute is expected.
  return expr->kind == Expr::Kind::Call ? nullptr : expr;
}

FailureOr<int64_t> MLIRGenImpl::getInt(const BoundArgs &args,
                                       llvm::StringRef name,
                                       int64_t defaultValue,
                                       const Scope &scope) {
  const Expr *expr = args.get(name);
  if (!expr)
    return defaultValue;
  const Expr *lit = resolveLiteral(expr, scope);
  if (!lit || lit->kind != Expr::Kind::Number || !lit->isInteger)
    return error(expr->loc, scope)
           << "argument '" << name << "' must be an integer";
  return static_cast<int64_t>(lit->number);
}

template <typename T>
FailureOr<SmallVector<T, 2>>
MLIRGenImpl::getPairOf(const BoundArgs &args, llvm::StringRef name,
                       SmallVector<T, 2> dflt, const Scope &scope) {
  const Expr *expr = args.get(name);
  if (!expr)
    return dflt;
  const Expr *lit = resolveLiteral(expr, scope);
  constexpr bool integers = std::is_integral_v<T>;
  auto accepts = [](const Expr *e) {
    return e->kind == Expr::Kind::Number && (!integers || e->isInteger);
  };
  if (lit && accepts(lit))
    return SmallVector<T, 2>{static_cast<T>(lit->number),
                             static_cast<T>(lit->number)};
  if (lit && lit->items.size() == 2 && accepts(lit->items[0].get()) &&
      accepts(lit->items[1].get()))
    return SmallVector<T, 2>{static_cast<T>(lit->items[0]->number),
                             static_cast<T>(lit->items[1]->number)};
  return error(expr->loc, scope)
         << "argument '" << name << "' must be "
         << (integers ? "an integer" : "a number") << " or a pair (h, w)";
}

FailureOr<SmallVector<int64_t, 4>>
MLIRGenImpl::getPadding(const BoundArgs &args, llvm::ArrayRef<int64_t> in,
                        llvm::ArrayRef<int64_t> kernel,
                        llvm::ArrayRef<int64_t> stride,
                        llvm::ArrayRef<int64_t> dilation, const Scope &scope) {
  const Expr *expr = args.get("padding");
  if (!expr)
    return SmallVector<int64_t, 4>{0, 0, 0, 0};
  const Expr *lit = resolveLiteral(expr, scope);
  if (lit && lit->kind == Expr::Kind::Name && lit->text == "same") {
    // SAME_UPPER as in ONNX/TensorFlow: the odd pixel goes bottom/right.
    return cnn::samePadding(in, kernel, stride, dilation);
  }
  if (lit && lit->items.size() == 4) {
    SmallVector<int64_t, 4> pad;
    for (const ExprPtr &item : lit->items) {
      if (item->kind != Expr::Kind::Number || !item->isInteger)
        break;
      pad.push_back(static_cast<int64_t>(item->number));
    }
    if (pad.size() == 4)
      return pad;
  }
  FailureOr<SmallVector<int64_t, 2>> pair = getPair(args, "padding", {}, scope);
  if (failed(pair))
    return error(expr->loc, scope)
           << "padding is an integer, a pair (h, w), a 4-tuple (top, left, "
              "bottom, right) or 'same'";
  return SmallVector<int64_t, 4>{(*pair)[0], (*pair)[1], (*pair)[0],
                                 (*pair)[1]};
}

FailureOr<double> MLIRGenImpl::getFloat(const BoundArgs &args,
                                        llvm::StringRef name,
                                        double defaultValue,
                                        const Scope &scope) {
  const Expr *expr = args.get(name);
  if (!expr)
    return defaultValue;
  const Expr *lit = resolveLiteral(expr, scope);
  if (!lit || lit->kind != Expr::Kind::Number)
    return error(expr->loc, scope)
           << "argument '" << name << "' must be a number";
  return lit->number;
}

FailureOr<SmallVector<int64_t>>
MLIRGenImpl::getIntList(const BoundArgs &args, llvm::StringRef name,
                        SmallVector<int64_t> dflt, const Scope &scope) {
  const Expr *expr = args.get(name);
  if (!expr)
    return dflt;
  const Expr *lit = resolveLiteral(expr, scope);
  SmallVector<int64_t> values;
  if (lit && (lit->kind == Expr::Kind::List || lit->kind == Expr::Kind::Tuple))
    for (const ExprPtr &item : lit->items)
      if (item->kind == Expr::Kind::Number && item->isInteger)
        values.push_back(static_cast<int64_t>(item->number));
  if (!lit || values.empty() || values.size() != lit->items.size())
    return error(expr->loc, scope)
           << "argument '" << name << "' must be a list of integers";
  return values;
}

FailureOr<bool> MLIRGenImpl::getBool(const BoundArgs &args,
                                     llvm::StringRef name, bool defaultValue,
                                     const Scope &scope) {
  const Expr *expr = args.get(name);
  if (!expr)
    return defaultValue;
  const Expr *lit = resolveLiteral(expr, scope);
  if (!lit || lit->kind != Expr::Kind::Bool)
    return error(expr->loc, scope)
           << "argument '" << name << "' must be true or false";
  return lit->boolean;
}

LogicalResult MLIRGenImpl::flattenLiteral(const Expr &expr, size_t depth,
                                          Shape &shape,
                                          std::vector<float> &values,
                                          const Scope &scope) {
  if (expr.kind == Expr::Kind::Number) {
    if (depth != shape.size())
      return error(expr.loc, scope)
             << "ragged tensor literal: expected a list here";
    values.push_back(static_cast<float>(expr.number));
    return success();
  }
  if (expr.kind != Expr::Kind::List && expr.kind != Expr::Kind::Tuple)
    return error(expr.loc, scope) << "tensor literals hold only numbers";
  if (expr.items.empty())
    return error(expr.loc, scope) << "empty tensor literal";
  if (depth == shape.size() && values.empty())
    shape.push_back(expr.items.size());
  if (depth >= shape.size() ||
      shape[depth] != static_cast<int64_t>(expr.items.size()))
    return error(expr.loc, scope)
           << "ragged tensor literal: expected "
           << (depth < shape.size() ? shape[depth] : 0) << " elements";
  for (const ExprPtr &item : expr.items)
    if (failed(flattenLiteral(*item, depth + 1, shape, values, scope)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

FailureOr<std::string> MLIRGenImpl::layerName(const BoundArgs &args,
                                              const Scope &scope) {
  std::string local;
  if (const Expr *name = args.get("name")) {
    const Expr *lit = resolveLiteral(name, scope);
    if (!lit || lit->kind != Expr::Kind::String)
      return error(name->loc, scope) << "argument 'name' must be a string";
    local = lit->text;
  } else if (naming.total > 1)
    local = naming.name + "." + std::to_string(naming.next);
  else
    local = naming.name;
  ++naming.next;
  return scope.prefix + local;
}

FailureOr<Value> MLIRGenImpl::weight(const BoundArgs &args,
                                     llvm::StringRef argName,
                                     const std::string &layer,
                                     llvm::StringRef suffix, Shape shape,
                                     WeightInit init, int64_t fanIn,
                                     Location opLoc, const Scope &scope) {
  std::string name = layer + "." + suffix.str();
  ElementsAttr value;
  const Expr *arg = args.get(argName);
  const Expr *lit = arg ? resolveLiteral(arg, scope) : nullptr;
  if (arg && (!lit ||
              (lit->kind != Expr::Kind::Bool && lit->kind != Expr::Kind::List)))
    return error(arg->loc, scope)
           << "argument '" << argName << "' must be a tensor literal";
  if (lit && lit->kind == Expr::Kind::List) {
    Shape literalShape;
    std::vector<float> values;
    if (failed(flattenLiteral(*lit, 0, literalShape, values, scope)))
      return failure();
    if (literalShape != shape)
      return error(arg->loc, scope)
             << "literal '" << argName << "' has shape "
             << cnn::formatShape(literalShape) << " but the layer needs "
             << cnn::formatShape(shape);
    value = DenseElementsAttr::get(tensorType(shape),
                                   llvm::ArrayRef<float>(values));
  } else {
    FailureOr<ElementsAttr> loaded =
        weights.get({name, shape, init, fanIn, opLoc});
    if (failed(loaded))
      return failure();
    value = *loaded;
  }
  // Two layers with one name would silently share a tensor of the file.
  auto [previous, inserted] = weightNames.try_emplace(name, opLoc);
  if (!inserted) {
    InFlightDiagnostic diag = emitError(opLoc)
                              << "weight '" << name
                              << "' is already defined by another layer; "
                                 "give one of them a different name";
    diag.attachNote(previous->second) << "the other layer";
    return diag;
  }
  return cnn::WeightOp::create(builder, opLoc, builder.getStringAttr(name),
                               value)
      .getResult();
}

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

FailureOr<Value> MLIRGenImpl::genOp(const Expr &call, const OpSpec &spec,
                                    Scope &scope) {
  FailureOr<BoundArgs> args = bindArgs(call, spec.params, scope);
  if (failed(args))
    return failure();
  OpCall c{spec, call, *args, scope, loc(call.loc, scope), {}};
  // Tensor operands first, in source order.
  for (const ParamSpec &param : spec.params) {
    if (param.kind == ParamKind::Tensors) {
      for (const Expr *e : args->variadic) {
        FailureOr<Value> v = genExpr(*e, scope);
        if (failed(v))
          return failure();
        c.operands.push_back(*v);
      }
    } else if (param.kind == ParamKind::Tensor && args->get(param.name)) {
      FailureOr<Value> v = genExpr(*args->get(param.name), scope);
      if (failed(v))
        return failure();
      c.operands.push_back(*v);
    }
  }
  return (this->*spec.build)(c);
}

FailureOr<int64_t> MLIRGenImpl::getAxis(OpCall &c, int64_t defaultAxis) {
  FailureOr<int64_t> axis = getInt(c.args, "axis", defaultAxis, c.scope);
  if (failed(axis))
    return failure();
  return cnn::normalizeAxis(c.errorEmitter(), *axis, c.inShape().size());
}

FailureOr<Value> MLIRGenImpl::genConvOrDense(OpCall &c) {
  const BoundArgs &args = c.args;
  Scope &scope = c.scope;
  Value input = c.input();
  Shape inShape = c.inShape();
  auto emitErr = c.errorEmitter();
  bool isConv = llvm::StringRef(c.spec.name) == "conv2d";
  FailureOr<int64_t> units =
      getInt(args, isConv ? "filters" : "units", 0, scope);
  if (failed(units))
    return failure();
  if (*units < 1)
    return error(args.get(isConv ? "filters" : "units")->loc, scope)
           << "must be >= 1";
  FailureOr<std::string> layerOr = layerName(args, scope);
  if (failed(layerOr))
    return failure();
  std::string layer = *layerOr;
  Shape weightShape;
  SmallVector<int64_t, 2> stride = {1, 1}, dilation = {1, 1};
  SmallVector<int64_t, 4> padding;
  int64_t groups = 1;
  if (isConv) {
    if (inShape.size() != 4)
      return emitErr() << "conv2d expects an NCHW input, got shape "
                       << cnn::formatShape(inShape);
    FailureOr<SmallVector<int64_t, 2>> kernel =
        getPair(args, "kernel", {}, scope);
    FailureOr<SmallVector<int64_t, 2>> strideOr =
        getPair(args, "stride", stride, scope);
    FailureOr<SmallVector<int64_t, 2>> dilationOr =
        getPair(args, "dilation", dilation, scope);
    FailureOr<int64_t> groupsOr = getInt(args, "groups", groups, scope);
    if (failed(kernel) || failed(strideOr) || failed(dilationOr) ||
        failed(groupsOr))
      return failure();
    stride = *strideOr;
    dilation = *dilationOr;
    groups = *groupsOr;
    if (llvm::any_of(llvm::concat<int64_t>(*kernel, stride, dilation),
                     [](int64_t v) { return v < 1; }) ||
        groups < 1)
      return emitErr() << "kernel, stride, dilation and groups must be >= 1";
    FailureOr<SmallVector<int64_t, 4>> paddingOr =
        getPadding(args, inShape, *kernel, stride, dilation, scope);
    if (failed(paddingOr))
      return failure();
    padding = *paddingOr;
    if (inShape[1] % groups != 0 || *units % groups != 0)
      return emitErr() << "groups=" << groups
                       << " must divide the input channels (" << inShape[1]
                       << ") and filters (" << *units << ")";
    weightShape = {*units, inShape[1] / groups, (*kernel)[0], (*kernel)[1]};
  } else {
    if (inShape.size() != 2)
      return emitErr() << "dense expects a 2-D [N, K] input, got shape "
                       << cnn::formatShape(inShape) << " (use flatten)";
    weightShape = {*units, inShape[1]};
  }
  int64_t fanIn =
      weightShape[1] * (isConv ? weightShape[2] * weightShape[3] : 1);
  FailureOr<Value> w = weight(args, "weight", layer, "weight", weightShape,
                              WeightInit::KaimingUniform, fanIn, c.loc, scope);
  if (failed(w))
    return failure();
  Value bias;
  std::optional<Shape> biasShape;
  bool hasBias = true;
  if (const Expr *b = args.get("bias");
      b && resolveLiteral(b, scope) &&
      resolveLiteral(b, scope)->kind == Expr::Kind::Bool)
    hasBias = resolveLiteral(b, scope)->boolean;
  if (hasBias) {
    FailureOr<Value> b =
        weight(args, "bias", layer, "bias", {*units},
               WeightInit::KaimingUniform, fanIn, c.loc, scope);
    if (failed(b))
      return failure();
    bias = *b;
    biasShape = Shape{*units};
  }
  FailureOr<Shape> shape =
      isConv ? cnn::inferConv2dShape(emitErr, inShape, weightShape, biasShape,
                                     stride, padding, dilation, groups)
             : cnn::inferDenseShape(emitErr, inShape, weightShape, biasShape);
  if (failed(shape))
    return failure();
  llvm::APFloat alpha(0.01);
  if (isConv)
    return cnn::Conv2dOp::create(builder, c.loc, tensorType(*shape), input, *w,
                                 bias, /*residual=*/Value(), stride, padding,
                                 dilation, groups, cnn::Activation::none, alpha)
        .getResult();
  return cnn::DenseOp::create(builder, c.loc, tensorType(*shape), input, *w,
                              bias, cnn::Activation::none, alpha)
      .getResult();
}

FailureOr<Value> MLIRGenImpl::genBatchNorm(OpCall &c) {
  FailureOr<double> eps = getFloat(c.args, "eps", 1e-5, c.scope);
  if (failed(eps))
    return failure();
  Shape inShape = c.inShape();
  if (inShape.size() < 2)
    return emitError(c.loc)
           << "batchnorm expects an [N, C, ...] input, got shape "
           << cnn::formatShape(inShape);
  FailureOr<std::string> layer = layerName(c.args, c.scope);
  if (failed(layer))
    return failure();
  Shape channels = {inShape[1]};
  struct {
    const char *arg, *suffix;
    WeightInit init;
  } params[] = {{"gamma", "weight", WeightInit::Ones},
                {"beta", "bias", WeightInit::Zeros},
                {"mean", "running_mean", WeightInit::Zeros},
                {"var", "running_var", WeightInit::Ones}};
  SmallVector<Value> ins = {c.input()};
  for (auto &p : params) {
    FailureOr<Value> v = weight(c.args, p.arg, *layer, p.suffix, channels,
                                p.init, 0, c.loc, c.scope);
    if (failed(v))
      return failure();
    ins.push_back(*v);
  }
  return make<cnn::BatchNormOp>(
      c, inShape, ins,
      {builder.getNamedAttr("epsilon", builder.getF64FloatAttr(*eps))});
}

FailureOr<Value> MLIRGenImpl::genPool(OpCall &c) {
  const BoundArgs &args = c.args;
  Scope &scope = c.scope;
  Shape inShape = c.inShape();
  llvm::StringRef op = c.spec.name;
  FailureOr<SmallVector<int64_t, 2>> kernel =
      getPair(args, "kernel", {}, scope);
  if (failed(kernel))
    return failure();
  FailureOr<SmallVector<int64_t, 2>> stride =
      getPair(args, "stride", *kernel, scope);
  FailureOr<bool> ceil = getBool(args, "ceil_mode", false, scope);
  FailureOr<bool> countPad = getBool(args, "count_include_pad", true, scope);
  if (failed(stride) || failed(ceil) || failed(countPad))
    return failure();
  if (inShape.size() != 4)
    return emitError(c.loc) << op << " expects an NCHW input, got shape "
                            << cnn::formatShape(inShape);
  FailureOr<SmallVector<int64_t, 4>> padding =
      getPadding(args, inShape, *kernel, *stride, {1, 1}, scope);
  if (failed(padding))
    return failure();
  SmallVector<NamedAttribute> attrs = {
      builder.getNamedAttr("kernel", builder.getDenseI64ArrayAttr(*kernel)),
      builder.getNamedAttr("strides", builder.getDenseI64ArrayAttr(*stride)),
      builder.getNamedAttr("padding", builder.getDenseI64ArrayAttr(*padding)),
      builder.getNamedAttr("ceil_mode", builder.getBoolAttr(*ceil))};
  FailureOr<Shape> shape = cnn::inferPool2dShape(
      c.errorEmitter(), inShape, *kernel, *stride, *padding, *ceil);
  if (op == "maxpool2d")
    return make<cnn::MaxPool2dOp>(c, shape, c.input(), attrs);
  attrs.push_back(builder.getNamedAttr("count_include_pad",
                                       builder.getBoolAttr(*countPad)));
  return make<cnn::AvgPool2dOp>(c, shape, c.input(), attrs);
}

FailureOr<Value> MLIRGenImpl::genGlobalAvgPool(OpCall &c) {
  Shape inShape = c.inShape();
  if (inShape.size() != 4)
    return emitError(c.loc)
           << "global_avgpool expects an NCHW input, got shape "
           << cnn::formatShape(inShape);
  return make<cnn::GlobalAvgPoolOp>(c, Shape{inShape[0], inShape[1], 1, 1},
                                    c.input(), {});
}

FailureOr<Value> MLIRGenImpl::genFlatten(OpCall &c) {
  return make<cnn::FlattenOp>(
      c, cnn::inferFlattenShape(c.errorEmitter(), c.inShape()), c.input(), {});
}

template <typename OpTy> FailureOr<Value> MLIRGenImpl::genSameShape(OpCall &c) {
  return make<OpTy>(c, c.inShape(), c.input(), {});
}

FailureOr<Value> MLIRGenImpl::genLeakyRelu(OpCall &c) {
  FailureOr<double> alpha = getFloat(c.args, "alpha", 0.01, c.scope);
  if (failed(alpha))
    return failure();
  return make<cnn::LeakyReluOp>(
      c, c.inShape(), c.input(),
      {builder.getNamedAttr("alpha", builder.getF64FloatAttr(*alpha))});
}

FailureOr<Value> MLIRGenImpl::genHardSigmoid(OpCall &c) {
  FailureOr<double> alpha = getFloat(c.args, "alpha", 0.2, c.scope);
  FailureOr<double> beta = getFloat(c.args, "beta", 0.5, c.scope);
  if (failed(alpha) || failed(beta))
    return failure();
  return make<cnn::HardSigmoidOp>(
      c, c.inShape(), c.input(),
      {builder.getNamedAttr("alpha", builder.getF64FloatAttr(*alpha)),
       builder.getNamedAttr("beta", builder.getF64FloatAttr(*beta))});
}

FailureOr<Value> MLIRGenImpl::genClip(OpCall &c) {
  // An absent bound does not clip.
  SmallVector<NamedAttribute> attrs;
  for (const char *bound : {"min", "max"}) {
    if (!c.args.get(bound))
      continue;
    FailureOr<double> v = getFloat(c.args, bound, 0, c.scope);
    if (failed(v))
      return failure();
    attrs.push_back(builder.getNamedAttr(bound, builder.getF64FloatAttr(*v)));
  }
  if (attrs.size() == 2 &&
      cast<FloatAttr>(attrs[0].getValue()).getValueAsDouble() >
          cast<FloatAttr>(attrs[1].getValue()).getValueAsDouble())
    return error(c.args.get("max")->loc, c.scope)
           << "clip's max is below its min";
  return make<cnn::ClipOp>(c, c.inShape(), c.input(), attrs);
}

FailureOr<Value> MLIRGenImpl::genUnary(OpCall &c) {
  cnn::UnaryFn fn = *cnn::symbolizeUnaryFn(c.spec.name);
  const cnn::UnaryFnInfo &info = cnn::unaryFnInfo(fn);
  double params[2] = {0, 0};
  for (size_t i = 0; i < info.numParams(); ++i) {
    FailureOr<double> v =
        getFloat(c.args, info.params[i], info.defaults[i], c.scope);
    if (failed(v))
      return failure();
    params[i] = *v;
  }
  if (fn == cnn::UnaryFn::celu && params[0] == 0)
    return error(c.args.get("alpha")->loc, c.scope)
           << "celu's alpha must not be 0";
  return make<cnn::UnaryOp>(
      c, c.inShape(), c.input(),
      {builder.getNamedAttr("fn",
                            cnn::UnaryFnAttr::get(builder.getContext(), fn)),
       builder.getNamedAttr("p0", builder.getF64FloatAttr(params[0])),
       builder.getNamedAttr("p1", builder.getF64FloatAttr(params[1]))});
}

template <typename OpTy> FailureOr<Value> MLIRGenImpl::genBroadcast(OpCall &c) {
  return make<OpTy>(c,
                    cnn::inferBroadcastShape(c.errorEmitter(), c.inShape(),
                                             shapeOf(c.operands[1])),
                    c.operands, {});
}

FailureOr<Value> MLIRGenImpl::genPow(OpCall &c) {
  bool tensorRhs = c.operands.size() > 1;
  if (tensorRhs == (c.args.get("exponent") != nullptr))
    return emitError(c.loc) << "pow takes a tensor rhs or an exponent, not "
                            << (tensorRhs ? "both" : "neither");
  return tensorRhs ? genBroadcast<cnn::PowOp>(c) : genUnary(c);
}

FailureOr<Value> MLIRGenImpl::genReshape(OpCall &c) {
  // -1 is inferred, as in PyTorch's reshape.
  FailureOr<SmallVector<int64_t>> target =
      getIntList(c.args, "shape", {}, c.scope);
  if (failed(target))
    return failure();
  return make<cnn::ReshapeOp>(c,
                              cnn::inferReshapeShape(c.errorEmitter(),
                                                     c.inShape(), *target,
                                                     /*copyZeros=*/false),
                              c.input(), {});
}

FailureOr<Value> MLIRGenImpl::genPad(OpCall &c) {
  Shape inShape = c.inShape();
  SmallVector<int64_t> zeros(inShape.size(), 0);
  FailureOr<SmallVector<int64_t>> low =
      getIntList(c.args, "low", zeros, c.scope);
  FailureOr<SmallVector<int64_t>> high =
      getIntList(c.args, "high", zeros, c.scope);
  FailureOr<double> value = getFloat(c.args, "value", 0, c.scope);
  if (failed(low) || failed(high) || failed(value))
    return failure();
  std::optional<cnn::PadMode> mode = cnn::PadMode::constant;
  if (const Expr *m = c.args.get("mode")) {
    const Expr *lit = resolveLiteral(m, c.scope);
    mode = lit && lit->kind == Expr::Kind::String
               ? cnn::symbolizePadMode(lit->text)
               : std::nullopt;
    if (!mode)
      return error(m->loc, c.scope)
             << "argument 'mode' must be \"constant\", \"reflect\" or "
                "\"edge\"";
  }
  return make<cnn::PadOp>(
      c,
      cnn::inferPadShape(c.errorEmitter(), inShape, *low, *high,
                         *mode == cnn::PadMode::reflect),
      c.input(),
      {builder.getNamedAttr("low", builder.getDenseI64ArrayAttr(*low)),
       builder.getNamedAttr("high", builder.getDenseI64ArrayAttr(*high)),
       builder.getNamedAttr("mode",
                            cnn::PadModeAttr::get(builder.getContext(), *mode)),
       builder.getNamedAttr("value", builder.getF64FloatAttr(*value))});
}

FailureOr<Value> MLIRGenImpl::genConcat(OpCall &c) {
  FailureOr<int64_t> axis = getAxis(c, 1);
  if (failed(axis))
    return failure();
  SmallVector<Shape> shapes;
  for (Value v : c.operands)
    shapes.push_back(shapeOf(v));
  return make<cnn::ConcatOp>(
      c, cnn::inferConcatShape(c.errorEmitter(), shapes, *axis), c.operands,
      {builder.getNamedAttr("axis", builder.getI64IntegerAttr(*axis))});
}

FailureOr<Value> MLIRGenImpl::genSlice(OpCall &c) {
  FailureOr<int64_t> axis = getAxis(c, 1);
  FailureOr<int64_t> offset = getInt(c.args, "offset", 0, c.scope);
  FailureOr<int64_t> size = getInt(c.args, "size", 0, c.scope);
  if (failed(axis) || failed(offset) || failed(size))
    return failure();
  return make<cnn::SliceOp>(
      c,
      cnn::inferSliceShape(c.errorEmitter(), c.inShape(), *axis, *offset,
                           *size),
      c.input(),
      {builder.getNamedAttr("axis", builder.getI64IntegerAttr(*axis)),
       builder.getNamedAttr("offset", builder.getI64IntegerAttr(*offset)),
       builder.getNamedAttr("size", builder.getI64IntegerAttr(*size))});
}

FailureOr<Value> MLIRGenImpl::genTranspose(OpCall &c) {
  FailureOr<SmallVector<int64_t>> perm =
      getIntList(c.args, "perm", {}, c.scope);
  if (failed(perm))
    return failure();
  return make<cnn::TransposeOp>(
      c, cnn::inferTransposeShape(c.errorEmitter(), c.inShape(), *perm),
      c.input(),
      {builder.getNamedAttr("perm", builder.getDenseI64ArrayAttr(*perm))});
}

FailureOr<Value> MLIRGenImpl::genUpsample(OpCall &c) {
  FailureOr<SmallVector<int64_t, 2>> scale =
      getPair(c.args, "scale", {2, 2}, c.scope);
  if (failed(scale))
    return failure();
  return make<cnn::UpsampleOp>(
      c, cnn::inferUpsampleShape(c.errorEmitter(), c.inShape(), *scale),
      c.input(),
      {builder.getNamedAttr("scale", builder.getDenseI64ArrayAttr(*scale))});
}

FailureOr<Value> MLIRGenImpl::genResize(OpCall &c) {
  const BoundArgs &args = c.args;
  Scope &scope = c.scope;
  Shape inShape = c.inShape();
  if (inShape.size() != 4)
    return error(c.expr.loc, scope)
           << "resize expects an NCHW tensor, got shape "
           << cnn::formatShape(inShape);
  FailureOr<SmallVector<int64_t, 2>> size = getPair(args, "size", {}, scope);
  if (failed(size))
    return failure();
  if ((*size)[0] < 1 || (*size)[1] < 1)
    return error(args.get("size")->loc, scope)
           << "argument 'size' must be positive";
  FailureOr<SmallVector<double, 2>> scale =
      getPairOf<double>(args, "scale",
                        {static_cast<double>((*size)[0]) / inShape[2],
                         static_cast<double>((*size)[1]) / inShape[3]},
                        scope);
  FailureOr<cnn::ResizeMode> mode =
      getEnum(args, "mode", cnn::ResizeMode::nearest, cnn::symbolizeResizeMode,
              "\"nearest\", \"linear\" or \"cubic\"", scope);
  FailureOr<cnn::ResizeCoordinates> coordinates =
      getEnum(args, "coordinates", cnn::ResizeCoordinates::half_pixel,
              cnn::symbolizeResizeCoordinates,
              "\"half_pixel\", \"pytorch_half_pixel\", \"align_corners\", "
              "\"asymmetric\" or \"tf_half_pixel_for_centers\"",
              scope);
  FailureOr<cnn::NearestRounding> rounding =
      getEnum(args, "rounding", cnn::NearestRounding::round_prefer_floor,
              cnn::symbolizeNearestRounding,
              "\"round_prefer_floor\", \"round_prefer_ceil\", \"floor\" or "
              "\"ceil\"",
              scope);
  FailureOr<double> cubicA = getFloat(args, "cubic_coeff_a", -0.75, scope);
  FailureOr<bool> exclude = getBool(args, "exclude_outside", false, scope);
  if (failed(scale) || failed(mode) || failed(coordinates) ||
      failed(rounding) || failed(cubicA) || failed(exclude))
    return failure();
  if (!((*scale)[0] > 0) || !((*scale)[1] > 0))
    return error(args.get("scale")->loc, scope)
           << "argument 'scale' must be positive";
  MLIRContext *ctx = builder.getContext();
  return make<cnn::ResizeOp>(
      c, Shape{inShape[0], inShape[1], (*size)[0], (*size)[1]}, c.input(),
      {builder.getNamedAttr("mode", cnn::ResizeModeAttr::get(ctx, *mode)),
       builder.getNamedAttr("coordinates",
                            cnn::ResizeCoordinatesAttr::get(ctx, *coordinates)),
       builder.getNamedAttr("rounding",
                            cnn::NearestRoundingAttr::get(ctx, *rounding)),
       builder.getNamedAttr("scale", builder.getDenseF64ArrayAttr(*scale)),
       builder.getNamedAttr("cubic_coeff_a", builder.getF64FloatAttr(*cubicA)),
       builder.getNamedAttr("exclude_outside", builder.getBoolAttr(*exclude))});
}

FailureOr<Value> MLIRGenImpl::genSoftmax(OpCall &c) {
  FailureOr<int64_t> axis = getAxis(c, -1);
  if (failed(axis))
    return failure();
  return make<cnn::SoftmaxOp>(
      c, c.inShape(), c.input(),
      {builder.getNamedAttr("axis", builder.getI64IntegerAttr(*axis)),
       builder.getNamedAttr("log",
                            builder.getBoolAttr(llvm::StringRef(c.spec.name) ==
                                                "log_softmax"))});
}

FailureOr<Value> MLIRGenImpl::genReduce(OpCall &c) {
  FailureOr<SmallVector<int64_t>> axes =
      getIntList(c.args, "axes", {}, c.scope);
  if (failed(axes))
    return failure();
  cnn::ReduceKind kind = *cnn::symbolizeReduceKind(
      llvm::StringRef(c.spec.name).drop_front(std::strlen("reduce_")));
  return make<cnn::ReduceOp>(
      c, cnn::inferReduceShape(c.errorEmitter(), c.inShape(), *axes), c.input(),
      {builder.getNamedAttr(
           "kind", cnn::ReduceKindAttr::get(builder.getContext(), kind)),
       builder.getNamedAttr("axes", builder.getDenseI64ArrayAttr(*axes))});
}

} // namespace

bool cnnc::isBuiltinOp(llvm::StringRef name) { return findOp(name); }

OwningOpRef<ModuleOp> cnnc::mlirGen(MLIRContext &context,
                                    const llvm::SourceMgr &sourceMgr,
                                    const ModelAST &model,
                                    WeightSource &weights) {
  context.loadDialect<cnn::CnnDialect, func::FuncDialect>();
  return MLIRGenImpl(context, sourceMgr, weights).gen(model);
}
