//===- Winograd.cpp - 3x3 convolutions as Winograd F(4x4, 3x3) ------------===//
//
// A 3x3 stride-1 convolution computes each 4x4 block of outputs from the 6x6
// window of inputs around it with 36 multiplications per pair of input and
// output channels instead of 144 (Lavin and Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2015):
//
//   Y = A^T [ (G g G^T) . (B^T d B) ] A
//
// In NHWC, over vectors of channels, for P = N x H/4 x W/4 blocks:
//   U [36, F/tf, C, tf] = G g G^T    the weights, in blocks of the products'
//                                    register tile: at compile time, or at
//                                    the first run when too large to store
//   V [36, P, C]        = B^T d B    a forall over (block, channel vector)
//   M [36, P, F]        = V U        36 products, a batched blocked dense
//                                    op that cnnc-vectorize-conv tiles
//   Y [N, H, W, F]      = A^T M A    a forall over (block, channel vector),
//                                    plus the bias and the conv's epilogue
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Epilogue.h"
#include "compiler/transforms/Passes.h"
#include "compiler/transforms/TileSizes.h"
#include "compiler/transforms/VectorCode.h"
#include "compiler/transforms/WeightBlocks.h"

#include "cnnrt.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h" // a dependent dialect (stack: ub.poison)
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <fmt/format.h>

namespace cnnc {
#define GEN_PASS_DEF_WINOGRAD
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using cnnc::applyEpilogue;
using cnnc::readVector;
using cnnc::stack;
using cnnc::unstack;

namespace {

// F(4x4, 3x3) with the interpolation points 0, 1, -1, 2, -2 (and infinity).
constexpr double kInputMatrix[6][6] = { // B^T
    {4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
    {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
constexpr double kOutputMatrix[4][6] = { // A^T
    {1, 1, 1, 1, 1, 0},
    {0, 1, -1, 2, -2, 0},
    {0, 1, 1, 4, 4, 0},
    {0, 1, -1, 8, -8, 1}};
constexpr int64_t kOut = 4, kWindow = 6, kPoints = kWindow * kWindow;

constexpr llvm::StringLiteral kRunTimeTransform = "cnnrt_winograd_weights";

/// Transformed weights larger than this many L2 caches are taken to be
/// streamed from memory every run (they pass the core's L2 and its share of
/// L3, which the model's other weights use too); such a layer takes Winograd
/// from this many output pixels.
constexpr int64_t kStreamedWeightL2s = 8;
constexpr int64_t kStreamedMinPixels = 128;

/// What a convolution needs to be computed this way.
struct Candidate {
  linalg::Conv2DNhwcHwcfOp conv;
  ElementsAttr weights;    // HWCF, stored in any shape
  std::vector<float> hwcf; // their values
  Value bias;              // [F] or a scalar (filled init)
  linalg::GenericOp epilogue;
  linalg::PoolingNhwcMaxOp pool; // a 2x2 stride-2 max pool of the result
  Value poolInit;                // the pool's fill value
};

/// Rows sum_k coefficients[row][k] * inputs[k] of a constant matrix on
/// vectors, skipping zeros, adding or subtracting for +-1.
template <size_t Rows, size_t Cols>
SmallVector<Value> applyMatrix(OpBuilder &b, Location loc,
                               const double (&coefficients)[Rows][Cols],
                               ArrayRef<Value> inputs) {
  auto type = cast<VectorType>(inputs[0].getType());
  SmallVector<Value> rows;
  for (const auto &row : coefficients) {
    Value sum;
    for (auto [k, coefficient] : llvm::enumerate(row)) {
      double c = coefficient;
      if (c == 0)
        continue;
      Value x = inputs[k];
      auto splat = [&, c] {
        return arith::ConstantOp::create(
            b, loc, DenseElementsAttr::get(type, b.getF32FloatAttr(c)));
      };
      if (!sum)
        sum = c == 1 ? x : arith::MulFOp::create(b, loc, x, splat());
      else if (c == 1)
        sum = arith::AddFOp::create(b, loc, sum, x);
      else if (c == -1)
        sum = arith::SubFOp::create(b, loc, sum, x);
      else
        sum = vector::FMAOp::create(b, loc, x, splat(), sum);
    }
    rows.push_back(sum);
  }
  return rows;
}

/// M^T X M for a square window X of vectors (row-major, `n` x `n`), with
/// `matrix` = M^T of shape [m][n]: the result is m x m, row-major.
template <size_t M, size_t N>
SmallVector<Value> transformWindow(OpBuilder &b, Location loc,
                                   const double (&matrix)[M][N],
                                   ArrayRef<Value> window) {
  // Columns first: t[a][j] = sum_i matrix[a][i] x[i][j].
  SmallVector<Value> t(M * N);
  for (size_t j = 0; j < N; ++j) {
    SmallVector<Value> column;
    for (size_t i = 0; i < N; ++i)
      column.push_back(window[i * N + j]);
    for (auto [a, v] : llvm::enumerate(applyMatrix(b, loc, matrix, column)))
      t[a * N + j] = v;
  }
  // Then rows: r[a][c] = sum_j matrix[c][j] t[a][j].
  SmallVector<Value> result;
  for (size_t a = 0; a < M; ++a)
    llvm::append_range(
        result, applyMatrix(b, loc, matrix, ArrayRef(t).slice(a * N, N)));
  return result;
}

/// The conv's constant HWCF weights (stored flat and expanded, or as they
/// are), its bias (the broadcast or fill its init is) and its fusable
/// elementwise epilogue, or failure.
FailureOr<Candidate> match(linalg::Conv2DNhwcHwcfOp conv, int64_t lanes,
                           int64_t minBlocks, int64_t l2CacheBytes) {
  auto weightType = cast<RankedTensorType>(conv.getDpsInputs()[1].getType());
  auto out = cast<RankedTensorType>(conv->getResult(0).getType());
  if (!conv.hasPureTensorSemantics() || !out.hasStaticShape() ||
      weightType.getDimSize(0) != 3 || weightType.getDimSize(1) != 3 ||
      !llvm::all_of(conv.getStrides().getValues<int64_t>(),
                    [](int64_t s) { return s == 1; }) ||
      !llvm::all_of(conv.getDilations().getValues<int64_t>(),
                    [](int64_t d) { return d == 1; }) ||
      weightType.getDimSize(2) % lanes || out.getDimSize(3) % lanes)
    return failure();
  int64_t blocks = out.getDimSize(0) *
                   llvm::divideCeil(out.getDimSize(1), kOut) *
                   llvm::divideCeil(out.getDimSize(2), kOut);
  if (blocks < minBlocks)
    return failure();
  // Transformed weights too large to stay in cache are streamed from memory
  // each run: 144 bytes per channel pair against the direct conv's 18 FLOPs
  // per pair and output pixel. With a core's FMA throughput some ten times
  // its memory bandwidth (FLOP/s to byte/s), the direct conv is faster
  // below about 100 pixels (ResNet-18's 512-channel layers at 7x7; tiny
  // YOLO's at 13x13 are Winograd's).
  int64_t pixels = out.getDimSize(0) * out.getDimSize(1) * out.getDimSize(2);
  if (kPoints * weightType.getNumElements() / 9 * 4 >
          kStreamedWeightL2s * l2CacheBytes &&
      pixels < kStreamedMinPixels)
    return failure();
  Candidate c{conv, nullptr, {}, nullptr, nullptr, nullptr, nullptr};
  Value weight = conv.getDpsInputs()[1];
  if (auto expand = weight.getDefiningOp<tensor::ExpandShapeOp>())
    weight = expand.getSrc();
  if (!matchPattern(weight, m_Constant(&c.weights)))
    return failure();
  std::optional<std::vector<float>> values = cnnc::constantValues(c.weights);
  if (!values)
    return failure();
  c.hwcf = std::move(*values);
  c.bias = cnnc::biasOf(conv);
  if (!c.bias)
    return failure();
  c.epilogue = cnnc::vectorizableEpilogueOf(conv);
  // A 2x2 stride-2 max pool reading the result alone: each 4x4 block of
  // outputs pools to a 2x2 one (YOLO's and VGG's conv + pool pairs).
  Value result = c.epilogue ? c.epilogue->getResult(0) : conv->getResult(0);
  if (!result.hasOneUse())
    return c;
  auto pool = dyn_cast<linalg::PoolingNhwcMaxOp>(*result.getUsers().begin());
  if (!pool || !pool.hasPureTensorSemantics() ||
      pool.getDpsInputs()[0] != result ||
      cast<RankedTensorType>(pool.getDpsInputs()[1].getType()).getShape() !=
          ArrayRef<int64_t>{2, 2} ||
      !llvm::all_of(pool.getStrides().getValues<int64_t>(),
                    [](int64_t s) { return s == 2; }) ||
      !llvm::all_of(pool.getDilations().getValues<int64_t>(),
                    [](int64_t d) { return d == 1; }))
    return c;
  if (auto fill = pool.getDpsInits()[0].getDefiningOp<linalg::FillOp>()) {
    c.pool = pool;
    c.poolInit = fill.getInputs()[0];
  }
  return c;
}

/// (n, first row, first column) of block `t` of P = N x `rows` x `columns`
/// blocks of `size` x `size` pixels.
std::array<Value, 3> blockOrigin(OpBuilder &b, Location loc, Value t,
                                 int64_t rows, int64_t columns,
                                 int64_t size = kOut) {
  Value perImage = cnnc::indexConstant(b, loc, rows * columns);
  Value cols = cnnc::indexConstant(b, loc, columns);
  Value side = cnnc::indexConstant(b, loc, size);
  Value inImage = arith::RemUIOp::create(b, loc, t, perImage);
  Value row = arith::DivUIOp::create(b, loc, inImage, cols);
  Value col = arith::RemUIOp::create(b, loc, inImage, cols);
  return {arith::DivUIOp::create(b, loc, t, perImage),
          arith::MulIOp::create(b, loc, row, side),
          arith::MulIOp::create(b, loc, col, side)};
}

/// A forall over `bounds` writing, per iteration, the slice of `dest` at
/// `origin(ivs)` of `sizes`, seen as a tensor of `sliceShape` (the unit
/// dimensions dropped): `body(b, ivs, origin, slice)` returns it written.
Value buildForall(
    OpBuilder &b, Location loc, Value dest, ArrayRef<int64_t> bounds,
    ArrayRef<int64_t> sizes, ArrayRef<int64_t> sliceShape,
    function_ref<SmallVector<Value>(OpBuilder &, ValueRange)> origin,
    function_ref<Value(OpBuilder &, ValueRange, ValueRange, Value)> body) {
  SmallVector<OpFoldResult> ubs;
  for (int64_t bound : bounds)
    ubs.push_back(b.getIndexAttr(bound));
  auto forall = scf::ForallOp::create(b, loc, ubs, ValueRange{dest},
                                      /*mapping=*/std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  SmallVector<Value> ivs = forall.getInductionVars();
  Value shared = forall.getRegionIterArgs()[0];
  SmallVector<Value> at = origin(b, ivs);
  SmallVector<OpFoldResult> offsets = getAsOpFoldResult(at);
  SmallVector<OpFoldResult> sizeAttrs =
      getAsIndexOpFoldResult(b.getContext(), sizes);
  SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
  auto sliceType = RankedTensorType::get(
      sliceShape, cast<RankedTensorType>(dest.getType()).getElementType());
  Value slice = tensor::ExtractSliceOp::create(b, loc, sliceType, shared,
                                               offsets, sizeAttrs, strides);
  Value written = body(b, ivs, at, slice);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, written, shared, offsets,
                                        sizeAttrs, strides);
  return forall.getResult(0);
}

/// One conv's rewrite: its shapes, and a builder at the conv.
struct Rewrite {
  Candidate &c;
  OpBuilder b;
  Location loc, transformLoc;
  RankedTensorType out;
  Type f32;
  VectorType vec;
  int64_t lanes, n, rows, columns, f, ch, blocks;
  /// The output in whole blocks, [N, 4 rows, 4 columns, F].
  SmallVector<int64_t> blockedShape;
  /// What the output transform writes: 4x4 blocks, or 2x2 ones pooled.
  int64_t written;
  SmallVector<int64_t> writtenShape;
  Value zero;

  Rewrite(Candidate &c, int64_t lanes)
      : c(c), b(c.conv), loc(c.conv.getLoc()),
        // The transforms are not layers of their own in --report.
        transformLoc(NameLoc::get(
            StringAttr::get(c.conv.getContext(), "winograd transform"), loc)),
        out(cast<RankedTensorType>(c.conv->getResult(0).getType())),
        f32(out.getElementType()), vec(VectorType::get({lanes}, f32)),
        lanes(lanes), n(out.getDimSize(0)),
        rows(llvm::divideCeil(out.getDimSize(1), kOut)),
        columns(llvm::divideCeil(out.getDimSize(2), kOut)),
        f(out.getDimSize(3)),
        ch(cast<RankedTensorType>(c.conv.getDpsInputs()[1].getType())
               .getDimSize(2)),
        blocks(n * rows * columns),
        blockedShape({n, rows * kOut, columns * kOut, f}),
        written(c.pool ? kOut / 2 : kOut),
        writtenShape({n, rows * written, columns * written, f}),
        zero(arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0))) {}

  /// U = G g G^T, [36, F / block, C, block]: a constant when it takes at
  /// most `embedLimit` bytes; otherwise a global that the runtime fills from
  /// the conv's weights before the first run's first use (the executable
  /// then holds the weights once, not 4x; the transform runs once per
  /// process).
  Value weights(int64_t block, int64_t embedLimit, ModuleOp module) {
    std::string name = "weight";
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(c.weights))
      name = resource.getRawHandle().getKey().str();
    name += ".winograd" + std::to_string(block);
    int64_t size = kPoints * ch * f;
    auto flatType = RankedTensorType::get({size}, f32);
    auto type = RankedTensorType::get({kPoints, f / block, ch, block}, f32);
    SmallVector<ReassociationIndices> all{{0, 1, 2, 3}};
    // Their bytes, stored or made at the first run, for cnnc --stats.
    llvm::StringRef tally = size * 4 <= embedLimit
                                ? cnnc::kWinogradStoredBytes
                                : cnnc::kWinogradFirstRunBytes;
    auto previous = module->getAttrOfType<IntegerAttr>(tally);
    module->setAttr(tally, b.getI64IntegerAttr(
                               (previous ? previous.getInt() : 0) + size * 4));
    if (size * 4 <= embedLimit) {
      std::vector<float> u(size);
      cnnrt_winograd_transform(c.hwcf.data(), u.data(), ch, f, block);
      Value flat = arith::ConstantOp::create(
          b, loc,
          cast<TypedAttr>(DenseF32ResourceElementsAttr::get(
              flatType, name,
              HeapAsmResourceBlob::allocateAndCopyInferAlign(
                  ArrayRef<float>(u)))));
      return tensor::ExpandShapeOp::create(b, loc, type, flat, all);
    }
    MLIRContext *ctx = b.getContext();
    SymbolTable symbols(module);
    OpBuilder detached(ctx);
    auto global = memref::GlobalOp::create(
        detached, loc, name, detached.getStringAttr("private"),
        MemRefType::get({size}, f32), detached.getUnitAttr(),
        /*constant=*/false, detached.getI64IntegerAttr(CNNRT_ALIGNMENT));
    symbols.insert(global, module.getBody()->begin());
    auto flagType = MemRefType::get({}, b.getI32Type());
    auto ready = memref::GlobalOp::create(
        detached, loc, (global.getSymName() + ".ready").str(),
        detached.getStringAttr("private"), flagType,
        DenseElementsAttr::get(RankedTensorType::get({}, b.getI32Type()),
                               b.getI32IntegerAttr(0)),
        /*constant=*/false, nullptr);
    symbols.insert(ready, module.getBody()->begin());
    // The C function takes pointers: one declaration for all shapes.
    auto pointer = [&](Value memref) -> Value {
      Value index =
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
      Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
      return LLVM::IntToPtrOp::create(b, loc, LLVM::LLVMPointerType::get(ctx),
                                      i64);
    };
    auto i64 = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
    };
    auto hwcfType = cast<RankedTensorType>(c.weights.getType());
    Value hwcf = bufferization::ToBufferOp::create(
        b, loc, MemRefType::get(hwcfType.getShape(), f32),
        arith::ConstantOp::create(b, loc, cast<TypedAttr>(c.weights)),
        b.getUnitAttr());
    Value u = memref::GetGlobalOp::create(b, loc, global.getType(),
                                          global.getSymName());
    Value flag =
        memref::GetGlobalOp::create(b, loc, flagType, ready.getSymName());
    func::CallOp::create(b, loc, runTimeTransform(module),
                         ValueRange{pointer(hwcf), pointer(u), i64(ch), i64(f),
                                    i64(block), pointer(flag)});
    Value flat =
        bufferization::ToTensorOp::create(b, loc, flatType, u, b.getUnitAttr());
    return tensor::ExpandShapeOp::create(b, loc, type, flat, all);
  }

  /// `void cnnrt_winograd_weights(const float *hwcf, float *u, int64_t c,
  /// int64_t f, int64_t block, int32_t *ready)`, declared once.
  func::FuncOp runTimeTransform(ModuleOp module) {
    if (auto existing = module.lookupSymbol<func::FuncOp>(kRunTimeTransform))
      return existing;
    MLIRContext *ctx = module.getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    OpBuilder top = OpBuilder::atBlockEnd(module.getBody());
    auto decl = func::FuncOp::create(
        top, module.getLoc(), kRunTimeTransform,
        FunctionType::get(ctx, {ptr, ptr, i64, i64, i64, ptr}, {}));
    decl.setPrivate();
    return decl;
  }

  /// `v` (the input or a residual) zero-padded by the rows and columns the
  /// last blocks have beyond the output; a zero-padded value is padded once,
  /// further.
  Value padToBlocks(Value v) {
    int64_t extraRows = blockedShape[1] - out.getDimSize(1);
    int64_t extraColumns = blockedShape[2] - out.getDimSize(2);
    if (!extraRows && !extraColumns)
      return v;
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[1] += extraRows;
    shape[2] += extraColumns;
    SmallVector<int64_t> low(4, 0), high = {0, extraRows, extraColumns, 0};
    if (auto pad = v.getDefiningOp<tensor::PadOp>();
        pad && !pad.getNofold() && pad.getConstantPaddingValue() &&
        matchPattern(pad.getConstantPaddingValue(), m_AnyZeroFloat()) &&
        !ShapedType::isDynamicShape(pad.getStaticLow()) &&
        !ShapedType::isDynamicShape(pad.getStaticHigh())) {
      for (int64_t d = 0; d < 4; ++d) {
        low[d] = pad.getStaticLow()[d];
        high[d] += pad.getStaticHigh()[d];
      }
      v = pad.getSource();
    }
    MLIRContext *ctx = b.getContext();
    return tensor::PadOp::create(b, loc, RankedTensorType::get(shape, f32), v,
                                 getAsIndexOpFoldResult(ctx, low),
                                 getAsIndexOpFoldResult(ctx, high), zero)
        .getResult();
  }

  /// lanes * i.
  Value channel(OpBuilder &b, Value i) {
    return arith::MulIOp::create(b, transformLoc, i,
                                 cnnc::indexConstant(b, transformLoc, lanes));
  }

  /// V = B^T d B, [36, P, C]: each iteration reads a 6x6 window of one
  /// channel vector (a row of 6 pixels at a time) and writes its 36 points.
  Value inputTransform(Value input) {
    Location l = transformLoc;
    Value empty = tensor::EmptyOp::create(
        b, l, ArrayRef<int64_t>{kPoints, blocks, ch}, f32);
    return buildForall(
        b, l, empty, {blocks, ch / lanes}, {kPoints, 1, lanes},
        {kPoints, lanes},
        [&](OpBuilder &b, ValueRange ivs) -> SmallVector<Value> {
          return {cnnc::indexConstant(b, l, 0), ivs[0], channel(b, ivs[1])};
        },
        [&](OpBuilder &b, ValueRange ivs, ValueRange at, Value slice) {
          auto [img, row, col] = blockOrigin(b, l, ivs[0], rows, columns);
          SmallVector<Value> window = cnnc::readPatch(
              b, l, input, {img, row, col, at[2]}, kWindow, kWindow, lanes);
          Value points =
              stack(b, l, transformWindow(b, l, kInputMatrix, window),
                    {kPoints, lanes});
          Value zero = cnnc::indexConstant(b, l, 0);
          return vector::TransferWriteOp::create(b, l, points, slice,
                                                 ValueRange{zero, zero},
                                                 SmallVector<bool>{true, true})
              .getResult();
        });
  }

  /// M = V U, [36, P, F]: per point, [P, C] x [C, F], U in blocks of
  /// `block` output channels (loops b, m, nb, k, nl).
  Value products(Value v, Value u, int64_t block) {
    auto type = RankedTensorType::get({kPoints, blocks, f / block, block}, f32);
    Value init =
        linalg::FillOp::create(
            b, loc, zero,
            ValueRange{tensor::EmptyOp::create(b, loc, type.getShape(), f32)})
            .getResult(0);
    MLIRContext *ctx = b.getContext();
    AffineExpr pt, m, nb, k, nl;
    bindDims(ctx, pt, m, nb, k, nl);
    SmallVector<AffineMap> maps = {AffineMap::get(5, 0, {pt, m, k}, ctx),
                                   AffineMap::get(5, 0, {pt, nb, k, nl}, ctx),
                                   AffineMap::get(5, 0, {pt, m, nb, nl}, ctx)};
    auto par = utils::IteratorType::parallel;
    Value product =
        linalg::GenericOp::create(
            b, loc, type, ValueRange{v, u}, ValueRange{init}, maps,
            {par, par, par, utils::IteratorType::reduction, par},
            [](OpBuilder &b, Location l, ValueRange args) {
              Value mul = arith::MulFOp::create(b, l, args[0], args[1]);
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::AddFOp::create(b, l, args[2], mul)});
            })
            .getResult(0);
    return tensor::CollapseShapeOp::create(
        b, loc, product, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
  }

  /// Y = A^T M A + bias, then the epilogue (its other inputs `extras`, read
  /// a row of 4 pixels at a time), [N, 4 rows, 4 columns, F], or pooled,
  /// [N, 2 rows, 2 columns, F]: each iteration a block of one channel vector.
  Value outputTransform(Value m, ArrayRef<Value> extras) {
    Location l = transformLoc;
    Value empty = tensor::EmptyOp::create(b, l, writtenShape, f32);
    return buildForall(
        b, l, empty, {blocks, f / lanes}, {1, written, written, lanes},
        {written, written, lanes},
        [&](OpBuilder &b, ValueRange ivs) -> SmallVector<Value> {
          auto [img, row, col] =
              blockOrigin(b, l, ivs[0], rows, columns, written);
          return {img, row, col, channel(b, ivs[1])};
        },
        [&](OpBuilder &b, ValueRange ivs, ValueRange at, Value slice) {
          Value zero = cnnc::indexConstant(b, l, 0);
          // The block's 36 points of this channel vector, one read.
          Value points = tensor::ExtractSliceOp::create(
              b, l, RankedTensorType::get({kPoints, lanes}, f32), m,
              ArrayRef<OpFoldResult>{b.getIndexAttr(0), ivs[0], at[3]},
              getAsIndexOpFoldResult(b.getContext(), {kPoints, 1, lanes}),
              SmallVector<OpFoldResult>(3, b.getIndexAttr(1)));
          SmallVector<Value> outputs = transformWindow(
              b, l, kOutputMatrix,
              unstack(b, l,
                      readVector(b, l, VectorType::get({kPoints, lanes}, f32),
                                 points, {zero, zero}),
                      kPoints));
          Value bias = cnnc::biasVector(b, l, c.bias, at[3], lanes);
          for (Value &o : outputs)
            o = arith::AddFOp::create(b, l, o, bias);
          if (!c.epilogue)
            return writeBlock(b, outputs, slice);
          SmallVector<SmallVector<Value>> extraValues;
          auto [img, row, col] = blockOrigin(b, l, ivs[0], rows, columns);
          for (Value extra : extras)
            extraValues.push_back(cnnc::readPatch(
                b, l, extra, {img, row, col, at[3]}, kOut, kOut, lanes));
          for (auto [k, o] : llvm::enumerate(outputs)) {
            SmallVector<Value> args = {o};
            for (ArrayRef<Value> values : extraValues)
              args.push_back(values[k]);
            o = applyEpilogue(b, l, c.epilogue, args, lanes);
          }
          return writeBlock(b, outputs, slice);
        });
  }

  /// The 16 vectors of a 4x4 block, or its 2x2 max pool, written to the
  /// block's slice.
  Value writeBlock(OpBuilder &b, ArrayRef<Value> outputs, Value slice) {
    Location l = transformLoc;
    SmallVector<Value> values(outputs);
    if (c.pool) {
      // max(init, the 4 outputs of each 2x2 window), as the pool computes.
      Value init = vector::BroadcastOp::create(b, l, vec, c.poolInit);
      values.clear();
      for (int64_t i = 0; i < kOut; i += 2)
        for (int64_t j = 0; j < kOut; j += 2) {
          Value v = init;
          for (int64_t k : {i * kOut + j, i * kOut + j + 1, (i + 1) * kOut + j,
                            (i + 1) * kOut + j + 1})
            v = arith::MaximumFOp::create(b, l, v, outputs[k]);
          values.push_back(v);
        }
    }
    Value zero = cnnc::indexConstant(b, l, 0);
    return vector::TransferWriteOp::create(
               b, l, stack(b, l, values, {written, written, lanes}), slice,
               ValueRange{zero, zero, zero},
               SmallVector<bool>{true, true, true})
        .getResult();
  }
};

struct Winograd : cnnc::impl::WinogradBase<Winograd> {
  using Base::Base;

  void runOnOperation() override {
    int64_t lanes = vectorBits / 32;
    SmallVector<Candidate> candidates;
    getOperation().walk([&](linalg::Conv2DNhwcHwcfOp conv) {
      if (FailureOr<Candidate> c = match(conv, lanes, minBlocks, l2CacheBytes);
          succeeded(c))
        candidates.push_back(*c);
    });
    for (Candidate &c : candidates)
      rewrite(c, lanes);
  }

  void rewrite(Candidate &c, int64_t lanes) {
    Rewrite r(c, lanes);
    // The products' register tile; its channels block the weights.
    int64_t block =
        cnnc::chooseTiles(r.blocks, r.f, r.ch, /*kernelWidth=*/1,
                          vectorRegisters * 3 / 4,
                          /*widePixels=*/false, lanes, vectorRegisters)
            .channels;
    Value u = r.weights(block, embedLimit, getOperation());
    Value v = r.inputTransform(r.padToBlocks(c.conv.getDpsInputs()[0]));
    Value m = r.products(v, u, block);
    // The output transform replaces the pool, or else the epilogue, when
    // there is one.
    Operation *replaced = c.pool       ? c.pool.getOperation()
                          : c.epilogue ? c.epilogue.getOperation()
                                       : c.conv.getOperation();
    auto resultType = cast<RankedTensorType>(replaced->getResult(0).getType());
    r.b.setInsertionPoint(replaced);
    SmallVector<Value> extras;
    if (c.epilogue) {
      SmallVector<Value> inputs = c.epilogue.getDpsInputs();
      for (Value extra : llvm::drop_begin(inputs))
        extras.push_back(r.padToBlocks(extra));
    }
    Value y = r.outputTransform(m, extras);
    // Blocks past the output's last row or column: sliced off (a pool of
    // an odd size drops the last row and column anyway).
    if (ArrayRef<int64_t>(r.writtenShape) != resultType.getShape())
      y = tensor::ExtractSliceOp::create(
          r.b, r.loc, resultType, y,
          getAsIndexOpFoldResult(r.b.getContext(), {0, 0, 0, 0}),
          getAsIndexOpFoldResult(r.b.getContext(), resultType.getShape()),
          SmallVector<OpFoldResult>(4, r.b.getIndexAttr(1)));
    replaced->getResult(0).replaceAllUsesWith(y);
    std::optional<Location> poolLoc;
    if (c.pool)
      poolLoc = c.pool.getLoc();
    for (Operation *op : {c.pool.getOperation(), c.epilogue.getOperation()})
      if (op)
        op->erase();
    c.conv->erase();
    if (!report)
      return;
    emitRemark(r.loc) << fmt::format(
        "winograd F(4x4, 3x3): {} products of {} blocks x {} ch x {} ch, "
        "transformed weights {:.1f} MB{}{}",
        kPoints, r.blocks, r.ch, r.f, kPoints * r.ch * r.f * 4 / 1e6,
        kPoints * r.ch * r.f * 4 > embedLimit ? " (at the first run)" : "",
        poolLoc ? ", 2x2 max pool fused" : "");
    if (poolLoc)
      emitRemark(*poolLoc)
          << "computed in the Winograd output transform of the conv it "
             "reads (fused)";
  }
};

} // namespace
