//===- Passes.td - cnnc passes on buffers ------------------*- tablegen -*-===//

#ifndef CNNC_TRANSFORMS_PASSES_TD
#define CNNC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def PlanWorkspace : Pass<"cnnc-plan-workspace", "mlir::ModuleOp"> {
  let summary = "Place every intermediate buffer in one workspace argument";
  let description = [{
    After bufferization, each public function's static `memref.alloc`s become
    `memref.view`s into one extra `memref<Bxi8>` argument, the workspace the
    caller provides (so the model never allocates at run time). Offsets come
    from the buffers' live ranges in program order: two buffers share bytes
    only if their live ranges are disjoint. Offsets are 64-byte aligned. The
    size is recorded as `cnn.workspace_bytes` on the function. A buffer
    allocated inside a top-level `scf.forall` with static bounds is private
    to each iteration: it gets a slot per iteration, live over the loop, and
    each iteration's view starts at its own slot.

    Before:
    ```mlir
    func.func @m(%in: memref<8xf32>, %out: memref<8xf32>) {
      %a = memref.alloc() : memref<8xf32>
      ...
    ```
    After:
    ```mlir
    func.func @m(%in: memref<8xf32>, %out: memref<8xf32>, %ws: memref<64xi8>)
        attributes {cnn.workspace_bytes = 64 : i64} {
      %c0 = arith.constant 0 : index
      %a = memref.view %ws[%c0][] : memref<64xi8> to memref<8xf32>
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def EntryAbi : Pass<"cnnc-entry-abi", "mlir::ModuleOp"> {
  let summary = "Give each model function the C ABI of its generated header";
  let description = [{
    A public function `@m` with a `cnn.workspace_bytes` attribute becomes
    `@m_run` returning `i32` 0 (status), and a global constant
    `@m_workspace_bytes : i64` is added, matching `m.h`:
    `int m_run(const float *in..., float *out..., void *workspace);`.
    The `cnn.*` attributes, already read into the header, are dropped.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::LLVM::LLVMDialect"];
}

def SplitEmptyTensors : Pass<"cnnc-split-empty-tensors"> {
  let summary = "Give every 16 uses of a tensor.empty an empty of their own";
  let description = [{
    CSE merges identical `tensor.empty` ops, so every layer of one output
    shape writes into the same empty tensor. One-Shot Bufferize checks each
    of those destinations for conflicts against all the others aliasing it,
    which grows with the cube of their number (a long chain of same-shaped
    layers, such as elementwise ops, took minutes). Run just before
    bufferization, this pass gives each run of 16 uses (consecutive in the
    use list) an empty of its own, made beside the original; an empty with
    fewer uses stays as it is.

    ```mlir
    %e = tensor.empty() : tensor<4xf32>
    // 17 uses of %e; the 17th becomes a use of
    %e_0 = tensor.empty() : tensor<4xf32>
    ```
  }];
}

def DistinctResults : Pass<"cnnc-distinct-results"> {
  let summary = "Give a buffer returned twice a copy of its own";
  let description = [{
    A model may list one tensor as two outputs (an ONNX graph whose outputs
    both name it, or a `.cnn` `output b = a`). Each output becomes its own
    out-parameter, so every repeated return operand is copied into a fresh
    allocation, which `buffer-results-to-out-params` then replaces by that
    output's buffer (that pass crashes on a buffer returned twice).

    ```mlir
    return %a, %a : memref<4xf32>, memref<4xf32>
    // becomes
    %copy = memref.alloc() : memref<4xf32>
    memref.copy %a, %copy : memref<4xf32> to memref<4xf32>
    return %a, %copy : memref<4xf32>, memref<4xf32>
    ```
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def CopyToLinalg : Pass<"cnnc-copy-to-linalg"> {
  let summary = "Rewrite memref.copy as linalg.copy";
  let description = [{
    A strided `memref.copy` (padding, concat) otherwise lowers to a call to
    `memrefCopy` from MLIR's C runner library, which a compiled model must
    not depend on; `linalg.copy` lowers to plain loops.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def SelectConvSchedule : Pass<"cnnc-select-conv-schedule", "mlir::ModuleOp"> {
  let summary = "Choose each convolution's register tile and tile order";
  let description = [{
    For each op that cnnc-vectorize-conv tiles (`linalg.conv_2d_nhwc_hwcf`,
    depthwise convs and NHWC pooling on tensors, grouped convs marked
    `cnnc.grouped_conv`, blocked dense products) with static shapes and a
    bias/zero init, records its schedule as `cnnc.schedule = {order = ...,
    tile = array<i64: tw, tf, tc>}`: a register tile of 1 row x `tw` output
    pixels x `tf` output channels, `tc` input channels per reduction step.
    Tile sizes divide the dimensions (nothing left scalar), channel tiles are
    powers of two where one divides, and `tw * ceil(tf / lanes)` accumulator
    vectors stay within three quarters of the registers (a quarter for
    depthwise tiles and pooling), lanes = vector-bits / 32. The tiles form
    the thread-level loop row by row (`rows`), except, for an op with an
    elementwise epilogue: output-channel tiles outermost
    (`channels_outer`) when the weights pass 4x the L2 cache (each slice
    reused down all rows); column strips outermost (`columns_outer`) for a
    strided depthwise conv (a strip's input rows stay in L1); and row tiles
    innermost (`rows_inner`) for a batch of products without epilogue whose
    weights per batch element pass L2 (each slice read from memory once).
  }];
  let options = [
    Option<"keepExpandDepthwise", "keep-expand-depthwise", "bool",
           /*default=*/"false",
           "Leave the 1x1 expansions and depthwise convs that "
           "cnnc-fuse-expand-depthwise fuses (run after it) unscheduled">,
    ListOption<"tileSizes", "tile-sizes", "std::string",
               "Per-layer register tiles for experiments: "
               "LAYER:PIXELSxCHANNELS[xREDUCTION] (LAYER as --report names it)">,
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of the target's SIMD registers (cnnc: from the target's "
           "features); a vector holds vector-bits / 32 floats">,
    Option<"vectorRegisters", "vector-registers", "int64_t",
           /*default=*/"32", "Number of those registers">,
    Option<"l2CacheBytes", "l2-cache-bytes", "int64_t", /*default=*/"1 << 20",
           "One core's L2 cache (cnnc: the host's when compiling for it)">
  ];
}

def VectorizeConv : Pass<"cnnc-vectorize-conv", "mlir::ModuleOp"> {
  let summary = "Tile and vectorise NHWC convolutions into register tiles";
  let description = [{
    For each op with a `cnnc.schedule` (cnnc-select-conv-schedule), a
    transform-dialect schedule: tile its elementwise epilogue (or the op
    itself) to the register tiles, in the scheduled order, as the
    thread-level `scf.forall`, and fuse the op and its bias/zero init into
    each tile; tile the reduction to one kernel row and the scheduled input
    channels; decompose the 2-D conv to 1-D; vectorise. Between tiling and
    vectorising, a tile narrower than the layer's output channels whose
    weights are a constant reads them from a copy made at compile time in
    blocks of `tf` output channels, [F/tf, KH, KW, C, tf]: each tile's
    weights one contiguous stream, the tile code still one loop body.
    Run `loop-invariant-subset-hoisting` after it so accumulators stay in
    registers across the reduction loops. A conv whose schedule fails stays
    as it is (correct scalar loops).
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark per conv: its tile sizes, or why it stayed scalar "
           "(cnnc --report)">,
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of the target's SIMD registers">
  ];
  let dependentDialects = [
    "mlir::transform::TransformDialect", "mlir::linalg::LinalgDialect",
    "mlir::affine::AffineDialect",
    "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
    "mlir::vector::VectorDialect"
  ];
}

def Winograd : Pass<"cnnc-winograd", "mlir::ModuleOp"> {
  let summary = "Compute 3x3 stride-1 NHWC convolutions as Winograd F(4x4, 3x3)";
  let description = [{
    Each `linalg.conv_2d_nhwc_hwcf` on tensors with a constant 3x3 weight,
    unit strides and dilations, channel counts that are multiples of the
    vector lanes, at least `min-blocks` 4x4 output blocks and, when its
    transformed weights pass 8x the L2 cache (`l2-cache-bytes`: then
    streamed from memory every run), at least 128 output pixels becomes (an
    output whose rows or columns do not fill the last blocks is computed on
    its input, and residual, padded to whole blocks, and sliced):
    the transformed weights G g G^T [36, F/tf, C, tf] (in blocks of the
    products' register tile `tf`; 4x the conv's weights): a constant made at
    compile time when it takes at most `embed-limit` bytes, otherwise a
    global that the runtime's `cnnrt_winograd_weights` fills from the conv's
    weights before the first run uses it (the executable then stores the
    weights once); an
    `scf.forall` of input transforms B^T d B, one 6x6 window of one channel
    vector each, into [36, P, C] (P: the 4x4 blocks); the 36 products as one
    batched blocked dense `linalg.generic` (cnnc-vectorize-conv tiles it);
    an `scf.forall` of output transforms A^T M A, which add the bias (the
    conv's init) and apply the conv's elementwise epilogue (activation,
    residual) on vectors, and a 2x2 stride-2 max pool that reads the result
    alone (each 4x4 block pooled to 2x2 before it is written). 36 multiplications per 4x4 block and channel pair
    instead of 144; results differ from the direct conv by rounding only
    (about 1e-6 relative).
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark per conv computed this way (cnnc --report)">,
    Option<"embedLimit", "embed-limit", "int64_t", /*default=*/"0",
           "Largest transformed weights (bytes, per conv) stored in the "
           "executable (4x the conv's weights); larger ones are transformed "
           "at the first run, so by default each weight is stored once">,
    Option<"minBlocks", "min-blocks", "int64_t", /*default=*/"4",
           "Fewest 4x4 output blocks (over the batch) worth the transforms">,
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of the target's SIMD registers">,
    Option<"vectorRegisters", "vector-registers", "int64_t",
           /*default=*/"32", "Number of those registers">,
    Option<"l2CacheBytes", "l2-cache-bytes", "int64_t", /*default=*/"1 << 20",
           "One core's L2 cache (cnnc: the host's when compiling for it)">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect", "mlir::linalg::LinalgDialect",
    "mlir::LLVM::LLVMDialect", "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
    "mlir::ub::UBDialect", "mlir::vector::VectorDialect"
  ];
}

def FuseExpandDepthwise : Pass<"cnnc-fuse-expand-depthwise", "mlir::ModuleOp"> {
  let summary = "Compute a 1x1 expansion inside the depthwise conv that reads it";
  let description = [{
    Runs after `cnnc-select-conv-schedule{keep-expand-depthwise}`, which
    leaves the pairs this pass fuses unscheduled, and cnnc-vectorize-conv
    (its per-conv cleanup then does not walk the fused code).

    For each `linalg.depthwise_conv_2d_nhwc_hwc` on tensors (unit dilations,
    channels a multiple of the vector lanes, a row stride at most the
    window's height) whose input is, through an optional zero pad of rows
    and columns, the only use of a 1x1 unit-stride
    `linalg.conv_2d_nhwc_hwcf` (MobileNet's expansion), each with a bias
    init and an optional elementwise epilogue (the depthwise conv's may
    read other tensors, a residual): one `scf.forall` over (image, band of
    output rows, channel vector; bands only when images x channel vectors
    are fewer than 8 iterations, each band recomputing the expanded rows it
    shares with the one above) that computes the expansion a row at a time into a ring of as
    many rows as the window is high (padding columns zero, padding rows
    written as zeros) and each depthwise output row from the ring as soon as
    its rows are there. Both are vector code written by the pass (register
    tiles of up to 8 pixels x one channel vector, the window's weights held
    in registers); the expanded tensor is never stored. Each iteration's
    ring is a `tensor.empty` inside the forall (cnnc-plan-workspace gives
    every iteration its own slot).
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark per fused pair (cnnc --report)">,
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of the target's SIMD registers">,
    Option<"vectorRegisters", "vector-registers", "int64_t",
           /*default=*/"32", "Number of those registers">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect", "mlir::vector::VectorDialect"
  ];
}

def VectorizeTransposes : Pass<"cnnc-vectorize-transposes", "mlir::ModuleOp"> {
  let summary = "Tile layout transposes and transpose each tile in registers";
  let description = [{
    For each `linalg.transpose` on static tensors: an `scf.forall` of 2-D
    tiles over the output's last dimension and the dimension the input has
    last (up to 16 x 16; the other dimensions 1 per tile), each tile read
    with whole-vector loads, transposed in registers (`lower_transpose`
    with `shuffle_16x16`: 16 x 16 tiles by unpacks and permutes, others by
    one `vector.shuffle` of the flattened tile) and written with
    whole-vector stores. Without it the transposes at a model's edges are
    scalar loops that LLVM vectorises with gathers and scatters;
    `cnnc-parallelize` hands the foralls to the thread pool like any other.
  }];
  let dependentDialects = [
    "mlir::transform::TransformDialect", "mlir::linalg::LinalgDialect",
    "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
    "mlir::vector::VectorDialect", "mlir::affine::AffineDialect"
  ];
}

def VectorizeResample : Pass<"cnnc-vectorize-resample", "mlir::ModuleOp"> {
  let summary = "Vectorise resizes over their innermost dimension";
  let description = [{
    Each static 4-D `linalg.generic` tagged `cnnc.resample` (cnn.resize,
    which reads its taps with `tensor.extract`) is tiled to one output pixel
    per iteration (an `scf.forall` over batch and rows, an `scf.for` over
    columns, and over chunks of 16 of a longer innermost dimension that 16
    divides) and vectorised with `vectorize_nd_extract`: in NHWC each tap is
    a contiguous read of the pixel's channels. Bufferized first, the
    extracts would be scalar loads the vectoriser does not take. The tag is
    removed.
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "Remark on each resize how its taps are read (for --report)">
  ];
  let dependentDialects = [
    "mlir::transform::TransformDialect", "mlir::linalg::LinalgDialect",
    "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
    "mlir::vector::VectorDialect", "mlir::affine::AffineDialect"
  ];
}

def VectorizeBufferOps : Pass<"cnnc-vectorize-buffer-ops", "mlir::ModuleOp"> {
  let summary = "Vectorise the linalg ops left on buffers outside the "
                "thread-level loops, a row at a time";
  let description = [{
    Each static `linalg.fill`, `linalg.copy`, `linalg.broadcast`,
    `linalg.map` or `linalg.generic` on buffers that is not inside an
    `scf.forall` (elementwise layers that fuse into nothing, the border
    fills of padded buffers, the copies of concat and pad, bias
    broadcasts) is tiled to its innermost dimension and vectorised: each
    iteration writes one row with whole-vector stores (a row longer than 16
    elements that 16 divides in chunks of 16, one more loop: LLVM unrolled
    whole 512-element rows into code too long to compile fast). Left to
    LLVM, some of these loop nests were vectorised across an outer
    dimension with scatters. When every loop is parallel the outer
    dimensions form an `scf.forall`, which `cnnc-parallelize` runs on the
    thread pool or, too small for it, outlines; otherwise (a reduction)
    one `scf.for` per outer dimension. An op the vectoriser does not take
    (index arithmetic) stays a scalar op. Fills and copies get a location
    named "data movement", so that `--report` keeps their loops' remarks
    off the rows of the layers they serve. Fills and copies with the same
    schedule share one transform script (a `transform.foreach` over them).
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "Remark on each elementwise layer vectorised (for --report)">
  ];
  let dependentDialects = [
    "mlir::transform::TransformDialect", "mlir::linalg::LinalgDialect",
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
    "mlir::memref::MemRefDialect", "mlir::affine::AffineDialect"
  ];
}

def ForwardTransfers : Pass<"cnnc-forward-transfers"> {
  let summary = "Forward vector stores to the loads that read them back; "
                "drop buffers only written";
  let description = [{
    On buffers: `memref.subview`s folded into the indices of the vector
    transfers that use them (`fold-memref-alias-ops`), then each
    `vector.transfer_read` of a location a `vector.transfer_write` just wrote
    replaced by the written vector and writes that are overwritten before
    any read removed (`vector::transferOpflowOpt`), then allocations that are
    only written removed with their stores. Removes the tile-sized
    temporaries a fused conv tile bufferizes to: its accumulators stay in
    registers from the bias to the epilogue.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::affine::AffineDialect"];
}

def PadInProducer : Pass<"cnnc-pad-in-producer"> {
  let summary = "Let a padded tensor's producer write into the padding's interior";
  let description = [{
    For each `tensor.pad` with static shapes and a constant padding value
    whose source is written by a chain of destination-passing ops
    (`scf.forall`, linalg ops) starting from a `tensor.empty`: the padded
    tensor is created first (`linalg.fill` with the padding value), the
    chain's `tensor.empty` becomes the `tensor.extract_slice` of its
    interior, and the pad becomes a `tensor.insert_slice` of the producer's
    result into the same subset. One-shot bufferization then places the
    producer's output inside the padded buffer and the copy disappears
    (after CSE, the two subviews are one and the self-copy folds). Readers
    of the producer's result after the pad (a residual add) read the
    interior of the padded tensor instead: reading the result after the
    insert_slice wrote its buffer would make bufferization copy it out and
    back (ResNet-18 had 16 such copies).

    ```mlir
    %e = tensor.empty() : tensor<1x8x8x32xf32>
    %r = scf.forall ... shared_outs(%o = %e) ...
    %p = tensor.pad %r low[0, 1, 1, 0] high[0, 1, 1, 0] { ... yield %zero }
    // becomes
    %big = tensor.empty() : tensor<1x10x10x32xf32>
    %f = linalg.fill ins(%zero : f32) outs(%big : tensor<1x10x10x32xf32>) -> ...
    %slot = tensor.extract_slice %f[0, 1, 1, 0] [1, 8, 8, 32] [1, 1, 1, 1]
    %r = scf.forall ... shared_outs(%o = %slot) ...
    %p = tensor.insert_slice %r into %f[0, 1, 1, 0] [1, 8, 8, 32] [1, 1, 1, 1]
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def ApproximateMath : Pass<"cnnc-approximate-math"> {
  let summary = "Compute exp, tanh and erf with polynomials instead of libm calls";
  let description = [{
    `math.exp`, `math.tanh` and `math.erf` (sigmoid, silu, mish, tanh and
    softmax use the first two, GELU the third) become MLIR's polynomial
    approximations (Cephes' exp: relative error under 2^-22 for normal
    results, denormal results flushed to zero; a rational tanh; a piecewise
    rational erf): arithmetic that stays in vector registers. Left to
    `convert-math-to-llvm`, a vector exp becomes one libm call per lane,
    which costs more than the conv it follows. NaN stays NaN; +-inf give
    the limits.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def Parallelize : Pass<"cnnc-parallelize", "mlir::ModuleOp"> {
  let summary = "Run outermost scf.forall loops on libcnnrt's thread pool";
  let description = [{
    After bufferization, each outermost `scf.forall` with static bounds
    becomes a private task function
    `@F_loopK(%ctx: !llvm.ptr, %begin: i64, %end: i64)` that runs
    iterations [begin, end) of the loop's linearised iteration space (last
    dimension fastest), and the loop becomes
    `call @cnnrt_parallel_for(@F_loopK, %ctx, count)`. `%ctx` is an array
    of the pointers behind the memrefs the body uses, which must be
    arguments of `F` with identity layouts (the entry ABI's inputs, outputs
    and workspace); constants, globals and views of them are re-created in
    the task. A loop that captures anything else stays sequential.

    The runtime splits [0, count) into contiguous chunks that threads
    claim, so every iteration runs the same code whatever the thread count.
    Loops whose estimated work (vector elements processed, loop trip counts
    included) is under `min-work` run on the calling thread (waking workers
    costs microseconds), their task called directly as
    `call @F_loopK(%ctx, 0, count)` (marked noinline): the model's function
    stays a sequence of calls, which LLVM compiles in linear time.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"1 << 20",
           "Parallelise only loops doing at least this many element operations">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark per loop: on the pool or not, and why (cnnc --report)">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

#endif // CNNC_TRANSFORMS_PASSES_TD
