//===- ExpandDepthwise.cpp - a 1x1 expansion fused into its depthwise conv ===//
//
// MobileNet's inverted residual blocks widen their input with a 1x1 conv
// (t times the channels) and read the wide tensor once, with a depthwise
// conv. Computed apart, the wide tensor goes out to memory and back: 4.8 MB
// at MobileNetV2's 112x112 stage, whose stride-2 depthwise conv is bound by
// that read (its loads alone take as long as the whole layer). Fused, one
// loop per (image, channel vector) computes the expansion a row at a time
// into a ring of kh rows (the depthwise window's height, padding columns
// zero) and each depthwise output row from the ring as soon as its rows are
// there: every expanded value is computed once and read back from L1.
//
//   forall (n, band, c) in N x bands x M / lanes:
//     ring [kh, pad + W + pad, lanes], padding columns zero
//     expanded rows t sh .. t sh + kh - sh - 1 into the ring (slot: row
//       mod kh), t the band's first output row
//     for each output row r of the band:
//       expanded rows r sh + kh - sh .. r sh + kh - 1 into the ring
//       output row r from the ring's rows r sh .. r sh + kh - 1
//
// Bands (more iterations for the threads) only when the images' channel
// vectors are too few. Expanded rows in the padding are zero. Each
// iteration's ring is a buffer of its own (cnnc-plan-workspace gives every
// iteration of a parallel loop its slot).
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/ExpandDepthwise.h"
#include "compiler/transforms/Epilogue.h"
#include "compiler/transforms/Passes.h"
#include "compiler/transforms/TileSizes.h"
#include "compiler/transforms/VectorCode.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

#include <fmt/format.h>

namespace cnnc {
#define GEN_PASS_DEF_FUSEEXPANDDEPTHWISE
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using cnnc::indexConstant;
using cnnc::plus;
using cnnc::readVector;
using cnnc::stack;
using cnnc::unstack;

namespace {

/// A depthwise conv whose input is a 1x1 conv's result (through a zero pad).
struct Candidate {
  linalg::DepthwiseConv2DNhwcHwcOp depthwise;
  linalg::GenericOp depthwiseEpilogue; // or null
  Value depthwiseBias;
  tensor::PadOp pad; // or null
  linalg::Conv2DNhwcHwcfOp expand;
  linalg::GenericOp expandEpilogue; // or null
  Value expandBias;
};

bool allOnes(DenseIntElementsAttr values) {
  return llvm::all_of(values.getValues<int64_t>(),
                      [](int64_t v) { return v == 1; });
}

SmallVector<int64_t> strides(linalg::DepthwiseConv2DNhwcHwcOp depthwise) {
  return llvm::to_vector(depthwise.getStrides().getValues<int64_t>());
}

/// A zero pad of the rows and columns only, static.
bool padsRowsAndColumns(tensor::PadOp pad) {
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
  return !pad.getNofold() && pad.getConstantPaddingValue() &&
         matchPattern(pad.getConstantPaddingValue(), m_AnyZeroFloat()) &&
         !ShapedType::isDynamicShape(low) &&
         !ShapedType::isDynamicShape(high) && low[0] == 0 && low[3] == 0 &&
         high[0] == 0 && high[3] == 0;
}

/// The conv's vectorizable epilogue when it has one (null if none), or
/// failure when its epilogue cannot be fused here.
FailureOr<linalg::GenericOp> fusableEpilogue(linalg::LinalgOp conv,
                                             bool allowExtraInputs) {
  linalg::GenericOp any = cnnc::epilogueOf(conv);
  if (!any)
    return linalg::GenericOp();
  linalg::GenericOp fusable = cnnc::vectorizableEpilogueOf(conv);
  if (!fusable || (!allowExtraInputs && fusable.getNumDpsInputs() != 1))
    return failure();
  return fusable;
}

FailureOr<Candidate> match(linalg::DepthwiseConv2DNhwcHwcOp depthwise,
                           int64_t lanes) {
  Candidate c;
  c.depthwise = depthwise;
  auto out = cast<RankedTensorType>(depthwise->getResult(0).getType());
  auto filter = cast<RankedTensorType>(depthwise.getDpsInputs()[1].getType());
  if (!depthwise.hasPureTensorSemantics() || !out.hasStaticShape() ||
      !filter.hasStaticShape() || out.getDimSize(3) % lanes ||
      !allOnes(depthwise.getDilations()) ||
      strides(depthwise)[0] > filter.getDimSize(0))
    return failure();
  c.depthwiseBias = cnnc::biasOf(depthwise);
  FailureOr<linalg::GenericOp> epilogue =
      fusableEpilogue(depthwise, /*allowExtraInputs=*/true);
  if (!c.depthwiseBias || failed(epilogue))
    return failure();
  c.depthwiseEpilogue = *epilogue;

  Value input = depthwise.getDpsInputs()[0];
  if (auto pad = input.getDefiningOp<tensor::PadOp>()) {
    if (!padsRowsAndColumns(pad) || !pad->hasOneUse())
      return failure();
    c.pad = pad;
    input = pad.getSource();
  }
  if (!input.hasOneUse())
    return failure();
  Operation *producer = input.getDefiningOp();
  if (auto generic = dyn_cast_if_present<linalg::GenericOp>(producer);
      generic && generic.getNumDpsInputs())
    producer = generic.getDpsInputs()[0].getDefiningOp();
  c.expand = dyn_cast_if_present<linalg::Conv2DNhwcHwcfOp>(producer);
  if (!c.expand)
    return failure();
  auto weight = cast<RankedTensorType>(c.expand.getDpsInputs()[1].getType());
  auto expandIn = cast<RankedTensorType>(c.expand.getDpsInputs()[0].getType());
  auto expanded = cast<RankedTensorType>(c.expand->getResult(0).getType());
  if (!c.expand.hasPureTensorSemantics() || !expandIn.hasStaticShape() ||
      !weight.hasStaticShape() || weight.getDimSize(0) != 1 ||
      weight.getDimSize(1) != 1 || !allOnes(c.expand.getStrides()) ||
      expandIn.getShape().drop_back() != expanded.getShape().drop_back())
    return failure();
  c.expandBias = cnnc::biasOf(c.expand);
  epilogue = fusableEpilogue(c.expand, /*allowExtraInputs=*/false);
  if (!c.expandBias || failed(epilogue))
    return failure();
  c.expandEpilogue = *epilogue;
  // The pad or depthwise conv must read the expansion's final result.
  Value expansion = c.expandEpilogue ? c.expandEpilogue->getResult(0)
                                     : c.expand->getResult(0);
  if (expansion != input)
    return failure();
  return c;
}

/// The op's only user, if it has one.
Operation *onlyUser(Operation *op) {
  return op->hasOneUse() ? *op->getUsers().begin() : nullptr;
}

/// `body(b, first, count, value)` over [0, total) in tiles of `tile` (an
/// scf.for) and one last tile of the rest, threading `value` through.
Value forTiles(OpBuilder &b, Location loc, int64_t total, int64_t tile,
               Value value,
               function_ref<Value(OpBuilder &, Value, int64_t, Value)> body) {
  int64_t full = total / tile;
  if (full == 1) {
    value = body(b, indexConstant(b, loc, 0), tile, value);
  } else if (full > 1) {
    auto loop = scf::ForOp::create(
        b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, full * tile),
        indexConstant(b, loc, tile), ValueRange{value},
        [&](OpBuilder &b, Location loc, Value first, ValueRange args) {
          scf::YieldOp::create(b, loc, body(b, first, tile, args[0]));
        });
    value = loop.getResult(0);
  }
  if (total % tile)
    value = body(b, indexConstant(b, loc, full * tile), total % tile, value);
  return value;
}

/// Fewest iterations of the forall (bands x images x channel vectors)
/// wanted for the thread pool: the threads take consecutive blocks of them.
constexpr int64_t kMinIterations = 8;

/// The tile for a row of `width` pixels: the largest divisor up to `limit`
/// when it is at least half of it (no remainder), else `limit`.
int64_t rowTile(int64_t width, int64_t limit) {
  int64_t divisor = cnnc::largestDivisorAtMost(width, limit);
  return divisor * 2 >= limit ? divisor : std::min(width, limit);
}

/// One fusion's code, built before the depthwise conv's last op.
struct Rewrite {
  Candidate &c;
  OpBuilder b;
  Location loc, expandLoc;
  int64_t lanes;
  VectorType vec;
  // Input [n, h, w, ch]; output [n, outH, outW, m]; window kh x kw, strides
  // sh x sw, padding top and left; ring rows of `ringWidth` columns.
  int64_t n, h, w, ch, m, outH, outW, kh, kw, sh, sw, ringWidth;
  int64_t padTop = 0, padLeft = 0;
  int64_t expandTile, depthwiseTile, reductionStep;
  // Bands of `bandRows` output rows, each an iteration of its own (with its
  // own ring) when the images' channel vectors alone are too few.
  int64_t bands, bandRows;

  // Per iteration of the forall.
  Value image, channel;
  Value expandBias, depthwiseBias;
  SmallVector<Value> filter; // kh x kw vectors

  Rewrite(Candidate &c, Operation *last, int64_t lanes, int64_t registers)
      : c(c), b(last), loc(c.depthwise.getLoc()), expandLoc(c.expand.getLoc()),
        lanes(lanes), vec(VectorType::get({lanes}, b.getF32Type())) {
    auto in = cast<RankedTensorType>(c.expand.getDpsInputs()[0].getType());
    auto out = cast<RankedTensorType>(c.depthwise->getResult(0).getType());
    auto window =
        cast<RankedTensorType>(c.depthwise.getDpsInputs()[1].getType());
    auto padded =
        cast<RankedTensorType>(c.depthwise.getDpsInputs()[0].getType());
    n = in.getDimSize(0);
    h = in.getDimSize(1);
    w = in.getDimSize(2);
    ch = in.getDimSize(3);
    m = out.getDimSize(3);
    outH = out.getDimSize(1);
    outW = out.getDimSize(2);
    kh = window.getDimSize(0);
    kw = window.getDimSize(1);
    sh = strides(c.depthwise)[0];
    sw = strides(c.depthwise)[1];
    if (c.pad) {
      padTop = c.pad.getStaticLow()[1];
      padLeft = c.pad.getStaticLow()[2];
    }
    ringWidth = padded.getDimSize(2);
    // Expansion: a tile's accumulators, its weight vector and broadcast
    // inputs; depthwise: accumulators, the window's weights and a row of
    // input vectors in the registers.
    expandTile = rowTile(w, std::min<int64_t>(8, registers / 2));
    depthwiseTile = rowTile(outW, registers / 4);
    reductionStep = cnnc::largestDivisorAtMost(ch, 4);
    // A band recomputes the kh - sh expanded rows it shares with the band
    // above: bands of at least 8 rows, as many as it takes to reach
    // kMinIterations (dividing the output's rows).
    int64_t iterations = n * (m / lanes);
    int64_t wanted = llvm::divideCeil(kMinIterations, iterations);
    bands = cnnc::largestDivisorAtMost(
        outH, std::max<int64_t>(1, std::min(wanted, outH / 8)));
    bandRows = outH / bands;
  }

  Value index(OpBuilder &b, int64_t v) { return indexConstant(b, loc, v); }

  /// The fused layer: [n, outH, outW, m].
  Value build() {
    auto f32 = b.getF32Type();
    Value outInit = tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{n, outH, outW, m}, f32);
    auto forall = scf::ForallOp::create(
        b, loc,
        ArrayRef<OpFoldResult>{b.getIndexAttr(n), b.getIndexAttr(bands),
                               b.getIndexAttr(m / lanes)},
        ValueRange{outInit}, /*mapping=*/std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    image = forall.getInductionVars()[0];
    // The band's first output row (a constant for one band: its first
    // expanded rows are then known to be padding or not).
    Value top =
        bands == 1 ? index(b, 0)
                   : arith::MulIOp::create(b, loc, forall.getInductionVars()[1],
                                           index(b, bandRows))
                         .getResult();
    channel = arith::MulIOp::create(b, loc, forall.getInductionVars()[2],
                                    index(b, lanes));
    SmallVector<OpFoldResult> ones(4, b.getIndexAttr(1));
    SmallVector<OpFoldResult> offsets = {image, top, b.getIndexAttr(0),
                                         channel};
    SmallVector<OpFoldResult> sizes =
        getAsIndexOpFoldResult(b.getContext(), {1, bandRows, outW, lanes});
    Value shared = forall.getRegionIterArgs()[0];
    Value out = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get({bandRows, outW, lanes}, f32), shared,
        offsets, sizes, ones);
    // The iteration's own buffer (cnnc-plan-workspace gives each iteration
    // of a parallel loop its slot).
    Value ring = tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{kh, ringWidth, lanes}, f32);

    // Loop invariants: the biases and the depthwise window's weights.
    expandBias = cnnc::biasVector(b, loc, c.expandBias, channel, lanes);
    depthwiseBias = cnnc::biasVector(b, loc, c.depthwiseBias, channel, lanes);
    for (int64_t ky = 0; ky < kh; ++ky)
      for (int64_t kx = 0; kx < kw; ++kx)
        filter.push_back(readVector(b, loc, vec, c.depthwise.getDpsInputs()[1],
                                    {index(b, ky), index(b, kx), channel}));

    ring = zeroPaddingColumns(ring);
    Value topRow = b.createOrFold<arith::MulIOp>(loc, top, index(b, sh));
    for (int64_t row = 0; row < kh - sh; ++row)
      ring = expandRow(b, ring, plus(b, loc, topRow, row));
    auto rows = scf::ForOp::create(
        b, loc, index(b, 0), index(b, bandRows), index(b, 1),
        ValueRange{ring, out},
        [&](OpBuilder &b, Location loc, Value i, ValueRange args) {
          // Output row r = top + i; the rows its window reaches anew:
          // r sh + kh - sh .. r sh + kh - 1.
          Value r = arith::AddIOp::create(b, loc, top, i);
          Value first = arith::MulIOp::create(b, loc, r, index(b, sh));
          auto fresh = scf::ForOp::create(
              b, loc, plus(b, loc, first, kh - sh), plus(b, loc, first, kh),
              index(b, 1), ValueRange{args[0]},
              [&](OpBuilder &b, Location loc, Value row, ValueRange ring) {
                scf::YieldOp::create(b, loc, expandRow(b, ring[0], row));
              });
          Value ring = fresh.getResult(0);
          scf::YieldOp::create(
              b, loc, ValueRange{ring, depthwiseRow(b, ring, args[1], r, i)});
        });

    b.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, loc, rows.getResult(1), shared,
                                          offsets, sizes, ones);
    return forall.getResult(0);
  }

  /// A zero vector of `shape`.
  Value zeros(OpBuilder &b, ArrayRef<int64_t> shape) {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(VectorType::get(shape, b.getF32Type()),
                               b.getF32FloatAttr(0)));
  }

  /// `v` written in bounds to `dest` at `indices`.
  Value write(OpBuilder &b, Value v, Value dest, ArrayRef<Value> indices) {
    int64_t rank = cast<VectorType>(v.getType()).getRank();
    return vector::TransferWriteOp::create(b, loc, v, dest, indices,
                                           SmallVector<bool>(rank, true))
        .getResult();
  }

  /// `vectors` (consecutive pixels) written as one [count, lanes] vector.
  Value writeRow(OpBuilder &b, ArrayRef<Value> vectors, Value dest,
                 ArrayRef<Value> indices) {
    return write(b, stack(b, loc, vectors, {(int64_t)vectors.size(), lanes}),
                 dest, indices);
  }

  /// The ring's columns left and right of the expanded row, zero in every
  /// slot (written once: the rows overwrite the rest).
  Value zeroPaddingColumns(Value ring) {
    if (padLeft)
      ring = write(b, zeros(b, {kh, padLeft, lanes}), ring,
                   {index(b, 0), index(b, 0), index(b, 0)});
    if (int64_t right = ringWidth - padLeft - w)
      ring = write(b, zeros(b, {kh, right, lanes}), ring,
                   {index(b, 0), index(b, padLeft + w), index(b, 0)});
    return ring;
  }

  /// Row `padded` of the padded expansion (its padding rows zero) into ring
  /// slot `padded` mod kh.
  Value expandRow(OpBuilder &b, Value ring, Value padded) {
    Value slot = arith::RemUIOp::create(b, loc, padded, index(b, kh));
    auto padding = [&](OpBuilder &b, Value ring) {
      return forTiles(b, loc, w, 1, ring,
                      [&](OpBuilder &b, Value col, int64_t, Value ring) {
                        return write(
                            b, zeros(b, {lanes}), ring,
                            {slot, plus(b, loc, col, padLeft), index(b, 0)});
                      });
    };
    auto compute = [&](OpBuilder &b, Value ring) {
      Value row = arith::SubIOp::create(b, loc, padded, index(b, padTop));
      return forTiles(
          b, loc, w, expandTile, ring,
          [&](OpBuilder &b, Value first, int64_t count, Value ring) {
            return expandTileAt(b, ring, slot, row, first, count);
          });
    };
    if (std::optional<int64_t> known = getConstantIntValue(padded))
      return *known >= padTop && *known < padTop + h ? compute(b, ring)
                                                     : padding(b, ring);
    Value inside = arith::AndIOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, padded,
                              index(b, padTop)),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, padded,
                              index(b, padTop + h)));
    auto branch = scf::IfOp::create(
        b, loc, inside,
        [&](OpBuilder &b, Location loc) {
          scf::YieldOp::create(b, loc, compute(b, ring));
        },
        [&](OpBuilder &b, Location loc) {
          scf::YieldOp::create(b, loc, padding(b, ring));
        });
    return branch.getResult(0);
  }

  /// Expanded pixels [first, first + count) of input row `row` into ring
  /// slot `slot`: bias + sum_k x[k] w[k], through the expansion's epilogue.
  Value expandTileAt(OpBuilder &b, Value ring, Value slot, Value row,
                     Value first, int64_t count) {
    Value x = c.expand.getDpsInputs()[0];
    Value weights = c.expand.getDpsInputs()[1];
    SmallVector<Value> pixels;
    for (int64_t p = 0; p < count; ++p)
      pixels.push_back(plus(b, expandLoc, first, p));
    SmallVector<Value> init(count, expandBias);
    auto loop = scf::ForOp::create(
        b, expandLoc, index(b, 0), index(b, ch), index(b, reductionStep), init,
        [&](OpBuilder &b, Location l, Value k0, ValueRange args) {
          SmallVector<Value> acc(args);
          Value zero = index(b, 0);
          for (int64_t kk = 0; kk < reductionStep; ++kk) {
            Value k = plus(b, l, k0, kk);
            Value weight =
                readVector(b, l, vec, weights, {zero, zero, k, channel});
            for (int64_t p = 0; p < count; ++p) {
              Value input = tensor::ExtractOp::create(
                  b, l, x, ValueRange{image, row, pixels[p], k});
              acc[p] = vector::FMAOp::create(
                  b, l, vector::BroadcastOp::create(b, l, vec, input), weight,
                  acc[p]);
            }
          }
          scf::YieldOp::create(b, l, acc);
        });
    SmallVector<Value> results(loop.getResults());
    if (c.expandEpilogue)
      for (Value &v : results)
        v = cnnc::applyEpilogue(b, expandLoc, c.expandEpilogue, {v}, lanes);
    return writeRow(b, results, ring,
                    {slot, plus(b, expandLoc, first, padLeft), index(b, 0)});
  }

  /// Output row `r` of the depthwise conv (bias, window, epilogue) from the
  /// ring's slots of padded rows r sh .. r sh + kh - 1.
  Value depthwiseRow(OpBuilder &b, Value ring, Value out, Value r,
                     Value outRow) {
    Value top = arith::MulIOp::create(b, loc, r, index(b, sh));
    SmallVector<Value> slots;
    for (int64_t ky = 0; ky < kh; ++ky)
      slots.push_back(
          arith::RemUIOp::create(b, loc, plus(b, loc, top, ky), index(b, kh)));
    return forTiles(
        b, loc, outW, depthwiseTile, out,
        [&](OpBuilder &b, Value first, int64_t count, Value out) {
          SmallVector<Value> acc(count, depthwiseBias);
          Value left = arith::MulIOp::create(b, loc, first, index(b, sw));
          for (int64_t ky = 0; ky < kh; ++ky) {
            // The columns the tile's windows cover in this row, read once.
            int64_t span = (count - 1) * sw + kw;
            SmallVector<Value> columns = unstack(
                b, loc,
                readVector(b, loc,
                           VectorType::get({span, lanes}, b.getF32Type()), ring,
                           {slots[ky], left, index(b, 0)}),
                span);
            for (int64_t kx = 0; kx < kw; ++kx)
              for (int64_t q = 0; q < count; ++q)
                acc[q] = vector::FMAOp::create(b, loc, columns[q * sw + kx],
                                               filter[ky * kw + kx], acc[q]);
          }
          if (c.depthwiseEpilogue) {
            // Its other inputs (a residual), a row of `count` pixels each.
            SmallVector<SmallVector<Value>> extras;
            // Named: getDpsInputs() returns a vector, which drop_begin
            // would not keep alive.
            SmallVector<Value> inputs = c.depthwiseEpilogue.getDpsInputs();
            for (Value extra : llvm::drop_begin(inputs))
              extras.push_back(cnnc::readPatch(
                  b, loc, extra, {image, r, first, channel}, 1, count, lanes));
            for (int64_t q = 0; q < count; ++q) {
              SmallVector<Value> args = {acc[q]};
              for (ArrayRef<Value> row : extras)
                args.push_back(row[q]);
              acc[q] =
                  cnnc::applyEpilogue(b, loc, c.depthwiseEpilogue, args, lanes);
            }
          }
          return writeRow(b, acc, out, {outRow, first, index(b, 0)});
        });
  }
};

struct FuseExpandDepthwise
    : cnnc::impl::FuseExpandDepthwiseBase<FuseExpandDepthwise> {
  using Base::Base;

  void runOnOperation() override {
    int64_t lanes = vectorBits / 32;
    SmallVector<Candidate> candidates;
    getOperation().walk([&](linalg::DepthwiseConv2DNhwcHwcOp depthwise) {
      if (FailureOr<Candidate> c = match(depthwise, lanes); succeeded(c))
        candidates.push_back(*c);
    });
    for (Candidate &c : candidates)
      rewrite(c, lanes);
  }

  void rewrite(Candidate &c, int64_t lanes) {
    Operation *last = c.depthwiseEpilogue ? c.depthwiseEpilogue.getOperation()
                                          : c.depthwise.getOperation();
    Rewrite r(c, last, lanes, vectorRegisters);
    Value fused = r.build();
    last->getResult(0).replaceAllUsesWith(fused);
    // Each op's only user goes first.
    if (c.depthwiseEpilogue)
      c.depthwiseEpilogue->erase();
    c.depthwise->erase();
    if (c.pad)
      c.pad->erase();
    if (c.expandEpilogue)
      c.expandEpilogue->erase();
    c.expand->erase();
    if (!report)
      return;
    emitRemark(r.loc) << fmt::format(
        "fused with its 1x1 expansion: expanded rows computed into a ring of "
        "{} rows per {} ch{}; vectorized: expansion tile {} px x {} ch, "
        "reduction {} ch; depthwise tile {} px x {} ch",
        r.kh, lanes,
        r.bands > 1 ? fmt::format(" and band of {} rows", r.bandRows) : "",
        r.expandTile, lanes, r.reductionStep, r.depthwiseTile, lanes);
    emitRemark(r.expandLoc)
        << "computed inside the depthwise conv that reads it (fused)";
  }
};

} // namespace

bool cnnc::fusesExpandDepthwise(linalg::LinalgOp op, int64_t lanes) {
  // From an expansion, through its epilogue and pad, to its reader.
  Operation *reader = op;
  if (isa<linalg::Conv2DNhwcHwcfOp>(op)) {
    reader = onlyUser(op);
    if (isa_and_present<linalg::GenericOp>(reader))
      reader = onlyUser(reader);
    if (isa_and_present<tensor::PadOp>(reader))
      reader = onlyUser(reader);
  }
  auto depthwise =
      dyn_cast_if_present<linalg::DepthwiseConv2DNhwcHwcOp>(reader);
  if (!depthwise)
    return false;
  FailureOr<Candidate> c = match(depthwise, lanes);
  return succeeded(c) && (op == depthwise || op == c->expand);
}
