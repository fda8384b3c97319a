//===- cnnc.cpp - the cnnc compiler driver --------------------------------===//
//
// model.cnn -> AST -> cnn dialect (or model.onnx / model.cfg, imported) ->
// linalg -> buffers/loops -> LLVM dialect
// -> LLVM IR -> object (in-process) -> executable (system C compiler driver).
// `--emit=STAGE` stops after any stage; `--reference` evaluates the cnn
// dialect directly instead of compiling.
//
//===----------------------------------------------------------------------===//

#include "cnnrt.h"
#include "compiler/codegen/CInterface.h"
#include "compiler/codegen/Emitter.h"
#include "compiler/codegen/Linker.h"
#include "compiler/codegen/Target.h"
#include "compiler/frontend/CnnPrinter.h"
#include "compiler/frontend/MLIRGen.h"
#include "compiler/frontend/Parser.h"
#include "compiler/import/DarknetImporter.h"
#include "compiler/import/OnnxImporter.h"
#include "compiler/pipeline/GraphDot.h"
#include "compiler/pipeline/IRDumper.h"
#include "compiler/pipeline/Pipeline.h"
#include "compiler/pipeline/Registration.h"
#include "compiler/pipeline/Report.h"
#include "compiler/reference/Evaluator.h"
#include "compiler/tools/cnnc/ReferenceRunner.h"
#include "compiler/transforms/Passes.h"
#include "dialects/cnn/CnnOps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/thread.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <cstdlib>
#include <map>
#include <set>

using namespace mlir;
namespace cl = llvm::cl;

namespace {

enum class Emit {
  AST,
  CnnText,
  Cnn,
  CnnOpt,
  Dot,
  Linalg,
  LLVMMlir,
  LLVMIR,
  Asm,
  Obj,
  Exe
};

cl::OptionCategory category("cnnc options");

cl::opt<std::string> inputFile(cl::Positional,
                               cl::desc("<model.cnn|model.onnx|model.cfg>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                cl::value_desc("file"), cl::cat(category));
cl::opt<Emit>
    emit("emit", cl::desc("Stop after this stage and write its result:"),
         cl::init(Emit::Exe),
         cl::values(clEnumValN(Emit::AST, "ast", "the syntax tree"),
                    clEnumValN(Emit::CnnText, "cnn-text",
                               "the model as .cnn source (weights to "
                               "OUTPUT-STEM.safetensors beside it)"),
                    clEnumValN(Emit::Cnn, "cnn", "the cnn dialect"),
                    clEnumValN(Emit::Dot, "dot",
                               "the optimised model's graph for Graphviz"),
                    clEnumValN(Emit::CnnOpt, "cnn-opt",
                               "the cnn dialect after its optimisations"),
                    clEnumValN(Emit::Linalg, "linalg", "linalg on tensors"),
                    clEnumValN(Emit::LLVMMlir, "llvm-mlir", "the LLVM dialect"),
                    clEnumValN(Emit::LLVMIR, "llvm", "LLVM IR"),
                    clEnumValN(Emit::Asm, "asm", "assembly"),
                    clEnumValN(Emit::Obj, "obj", "an object file and C header"),
                    clEnumValN(Emit::Exe, "exe", "an executable (default)")),
         cl::cat(category));
cl::opt<bool> compileOnly("c",
                          cl::desc("Write an object file and C header "
                                   "(same as --emit=obj)"),
                          cl::cat(category));
cl::opt<unsigned> optLevel("O", cl::desc("Optimisation level 0-3 (default 2)"),
                           cl::Prefix, cl::init(2), cl::cat(category));
cl::opt<bool> noFuse("no-fuse",
                     cl::desc("Do not fuse activations and residual adds "
                              "into conv2d/dense, nor 1x1 expansions into "
                              "the depthwise conv that reads them (for "
                              "comparison)"),
                     cl::cat(category));
cl::opt<bool> noWinograd(
    "no-winograd",
    cl::desc("Compute 3x3 convolutions directly, not as Winograd F(4x4, 3x3) "
             "(for comparison)"),
    cl::cat(category));
cl::opt<long> winogradEmbedLimit(
    "winograd-embed-limit",
    cl::desc("Largest Winograd-transformed weights of one conv stored in the "
             "executable, in bytes (default 0: each weight is stored once and "
             "the transforms run at the model's first run)"),
    cl::value_desc("bytes"), cl::cat(category));
cl::opt<std::string>
    targetCpu("target-cpu",
              cl::desc("CPU to tune for (default: $CNNC_TARGET_CPU if set "
                       "and no --target-triple is given, else native; a "
                       "non-host --target-triple: generic)"),
              cl::init("native"), cl::cat(category));
cl::opt<std::string> targetTriple("target-triple",
                                  cl::desc("Target triple (default: host)"),
                                  cl::cat(category));
cl::opt<std::string>
    weightsFile("weights",
                cl::desc("Weights: .safetensors for a .cnn model (overriding "
                         "its own), Darknet .weights for a .cfg"),
                cl::value_desc("file"), cl::cat(category));
cl::opt<std::string>
    modelName("name",
              cl::desc("C name of the model: the prefix of the generated "
                       "symbols and header macros (default: the model's "
                       "name, or the file's stem)"),
              cl::value_desc("identifier"), cl::cat(category));
cl::opt<unsigned> batchSize(
    "batch",
    cl::desc("Images per run: of a Darknet .cfg (default 1; the cfg's own "
             "batch is its training batch), an ONNX model's symbolic first "
             "input dimension, every .cnn input's first dimension"),
    cl::value_desc("n"), cl::init(0), cl::cat(category));
cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("An input's shape, NAME=D0xD1x...: fixes an ONNX input's "
             "symbolic dimensions, replaces a .cnn input's declared shape"),
    cl::value_desc("name=shape"), cl::cat(category));
cl::opt<bool> allowExternalPath(
    "allow-external-path",
    cl::desc("Read an ONNX model's external data from any path, not only "
             "from the model's directory"),
    cl::cat(category));
cl::opt<uint64_t> seed("seed",
                       cl::desc("Seed for weights when no file is given"),
                       cl::init(0), cl::cat(category));
cl::opt<std::string> ccPath("cc",
                            cl::desc("C compiler driver used to link "
                                     "(default: cc on PATH)"),
                            cl::cat(category));
cl::opt<std::string>
    dumpIrDir("dump-ir",
              cl::desc("Write the IR after every pass to DIR/NN-PASS.mlir"),
              cl::value_desc("dir"), cl::cat(category));
cl::opt<bool> report("report",
                     cl::desc("Print a row per layer: its fused form, output "
                              "shape, FLOPs, tile sizes and vector width, "
                              "and whether it runs on the thread pool"),
                     cl::cat(category));
cl::list<std::string> tileSizes(
    "tile-sizes",
    cl::desc("Register tiles for chosen convolutions, for experiments "
             "(-O2): LAYER:PIXELSxCHANNELS[xREDUCTION],... with LAYER as "
             "--report names it"),
    cl::CommaSeparated, cl::cat(category));
cl::opt<bool> reference("reference",
                        cl::desc("Evaluate the model with the naive "
                                 "reference evaluator instead of compiling"),
                        cl::cat(category));
cl::list<std::string> inputs("input",
                             cl::desc("--reference input: NAME=FILE.npy"),
                             cl::value_desc("name=file"), cl::cat(category));
cl::list<std::string> outputs("output",
                              cl::desc("--reference output: NAME=FILE.npy "
                                       "(others are printed)"),
                              cl::value_desc("name=file"), cl::cat(category));

LogicalResult fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "cnnc") << message << "\n";
  return failure();
}

Location locationOf(MLIRContext &context, const llvm::SourceMgr &sourceMgr,
                    llvm::SMLoc loc) {
  auto [line, col] = sourceMgr.getLineAndColumn(loc);
  return FileLineColLoc::get(&context, inputFile, line, col);
}

/// The weights: --weights, else the model's `weights "file"` (relative to
/// the model file), else seeded initialisation.
FailureOr<std::unique_ptr<cnnc::WeightSource>>
openWeights(MLIRContext &context, const llvm::SourceMgr &sourceMgr,
            const cnnc::ModelAST &model) {
  std::string path = weightsFile;
  // Diagnostics about a --weights file point at the file itself.
  Location loc = FileLineColLoc::get(&context, path, 0, 0);
  if (path.empty() && model.weightsFile) {
    llvm::SmallString<256> resolved(llvm::sys::path::parent_path(inputFile));
    llvm::sys::path::append(resolved, *model.weightsFile);
    path = resolved.str().str();
    loc = locationOf(context, sourceMgr, model.weightsLoc);
  }
  if (path.empty())
    return std::make_unique<cnnc::WeightSource>(seed);
  llvm::Expected<cnnc::SafeTensorsFile> file =
      cnnc::SafeTensorsFile::open(path);
  if (!file) {
    std::string message = llvm::toString(file.takeError());
    if (!model.weightsFile || !weightsFile.empty())
      return fail(message);
    return emitError(loc) << message;
  }
  return std::make_unique<cnnc::WeightSource>(std::move(*file), loc);
}

LogicalResult writeOutput(llvm::StringRef path,
                          llvm::function_ref<void(llvm::raw_ostream &)> write,
                          bool binary = false) {
  std::error_code ec;
  llvm::ToolOutputFile out(
      path, ec, binary ? llvm::sys::fs::OF_None : llvm::sys::fs::OF_Text);
  if (ec)
    return fail("cannot write '" + path + "': " + ec.message());
  write(out.os());
  out.os().flush();
  if (out.os().has_error())
    return fail("cannot write '" + path + "'");
  out.keep();
  return success();
}

void printIR(ModuleOp module, llvm::raw_ostream &os) {
  // Weights are printed as handles; their bytes would swamp the listing.
  module->print(os, OpPrintingFlags().elideLargeResourceString(64));
}

std::string defaultOutput(llvm::StringRef extension) {
  llvm::SmallString<256> path(llvm::sys::path::stem(inputFile));
  if (!extension.empty())
    path += extension;
  return path.str().str();
}

/// The bytes of Winograd-transformed weights stored in the module and made
/// at the first run (cnnc-winograd's tallies, taken off the module).
struct WinogradBytes {
  int64_t stored = 0, firstRun = 0;
};
WinogradBytes takeWinogradBytes(ModuleOp module) {
  WinogradBytes bytes;
  for (auto [name, count] :
       {std::pair{cnnc::kWinogradStoredBytes, &bytes.stored},
        std::pair{cnnc::kWinogradFirstRunBytes, &bytes.firstRun}})
    if (auto attr = module->getAttrOfType<IntegerAttr>(name)) {
      *count = attr.getInt();
      module->removeAttr(name);
    }
  return bytes;
}

/// --stats: what an object (and its executable) hold: the weights and
/// other constants, the Winograd transforms stored at compile time, the
/// code; the transforms made at the first run (memory, not file); the rest
/// of an executable (runtime, main, C startup).
void printParts(const llvm::Module &module, WinogradBytes winograd,
                llvm::StringRef object, llvm::StringRef executable) {
  const llvm::DataLayout &layout = module.getDataLayout();
  uint64_t constants = 0, code = 0;
  for (const llvm::GlobalVariable &global : module.globals())
    if (global.isConstant() && global.hasInitializer())
      constants += layout.getTypeAllocSize(global.getValueType());
  auto file = llvm::object::ObjectFile::createObjectFile(object);
  if (!file) {
    llvm::consumeError(file.takeError());
    return;
  }
  for (const llvm::object::SectionRef &section : file->getBinary()->sections())
    if (section.isText())
      code += section.getSize();
  auto mb = [](double bytes) { return llvm::format("%.2f MB", bytes / 1e6); };
  uint64_t objectBytes = 0, executableBytes = 0;
  llvm::sys::fs::file_size(object, objectBytes);
  llvm::errs() << "object " << mb(objectBytes) << ": weights and constants "
               << mb(constants - winograd.stored)
               << ", stored Winograd transforms " << mb(winograd.stored)
               << ", code " << mb(code)
               << "; Winograd transforms made at the first run "
               << mb(winograd.firstRun) << " (memory, not in the file)\n";
  if (!executable.empty() &&
      !llvm::sys::fs::file_size(executable, executableBytes))
    llvm::errs() << "executable " << mb(executableBytes) << ": the object and "
                 << mb(executableBytes - objectBytes)
                 << " of runtime, main and C startup\n";
}

/// Object, header, or executable from the LLVM dialect module.
LogicalResult emitNative(ModuleOp module, cnnc::ModelSignature signature,
                         Emit stage, const char *argv0) {
  if (auto bytes = module.lookupSymbol<LLVM::GlobalOp>(signature.name +
                                                       "_workspace_bytes"))
    signature.workspaceBytes =
        cast<IntegerAttr>(*bytes.getValue()).getValue().getSExtValue();

  WinogradBytes winograd = takeWinogradBytes(module);
  auto machine = cnnc::createTargetMachine({targetTriple, targetCpu, optLevel});
  if (!machine)
    return fail(llvm::toString(machine.takeError()));
  llvm::LLVMContext llvmContext;
  auto llvmModule =
      cnnc::translateToLLVMIR(module, llvmContext, **machine, optLevel);
  if (!llvmModule)
    return fail(llvm::toString(llvmModule.takeError()));
  llvm::StringRef output = outputFile;

  if (stage == Emit::LLVMIR)
    return writeOutput(
        output.empty() ? "-" : output,
        [&](llvm::raw_ostream &os) { (*llvmModule)->print(os, nullptr); });

  auto emitTo = [&](llvm::StringRef path, llvm::CodeGenFileType type) {
    std::error_code ec;
    llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
    if (ec)
      return fail("cannot write '" + path + "': " + ec.message());
    if (llvm::Error error =
            cnnc::emitMachineCode(**llvmModule, **machine, type, out.os()))
      return fail(llvm::toString(std::move(error)));
    out.keep();
    return success();
  };
  if (stage == Emit::Asm)
    return emitTo(output.empty() ? "-" : output,
                  llvm::CodeGenFileType::AssemblyFile);

  auto writeHeader = [&](llvm::StringRef path) {
    return writeOutput(
        path, [&](llvm::raw_ostream &os) { cnnc::writeHeader(signature, os); });
  };
  if (stage == Emit::Obj) {
    std::string object = output.empty() ? defaultOutput(".o") : output.str();
    llvm::SmallString<256> header(object);
    llvm::sys::path::replace_extension(header, ".h");
    if (failed(emitTo(object, llvm::CodeGenFileType::ObjectFile)) ||
        failed(writeHeader(header)))
      return failure();
    if (llvm::AreStatisticsEnabled())
      printParts(**llvmModule, winograd, object, "");
    return success();
  }

  // An executable: object, header and main in a scratch directory, linked.
  llvm::SmallString<256> scratch;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("cnnc", scratch))
    return fail("cannot create a temporary directory: " + ec.message());
  llvm::scope_exit cleanup([&] { llvm::sys::fs::remove_directories(scratch); });
  auto inScratch = [&](llvm::StringRef name) {
    llvm::SmallString<256> path(scratch);
    llvm::sys::path::append(path, name);
    return path.str().str();
  };
  std::string headerName = signature.name + ".h";
  if (failed(emitTo(inScratch("model.o"), llvm::CodeGenFileType::ObjectFile)) ||
      failed(writeHeader(inScratch(headerName))) ||
      failed(writeOutput(inScratch("main.c"), [&](llvm::raw_ostream &os) {
        cnnc::writeExecutableMain(signature, headerName, os);
      })))
    return failure();
  cnnc::LinkJob job;
  job.compiler = ccPath;
  job.sources = {inScratch("main.c"), inScratch("model.o")};
  job.includeDirs = {scratch.str().str(),
                     cnnc::findRuntimeFile(argv0, "include", "")};
  job.runtimeLibrary = cnnc::findRuntimeFile(argv0, "lib", "libcnnrt.a");
#ifdef CNNC_RUNTIME_SANITIZE
  // A sanitizer build's runtime needs clang's sanitizer runtime to link.
  if (ccPath.empty())
    job.compiler = CNNC_CROSS_CC;
  job.runtimeFlags = {"-fsanitize=" CNNC_RUNTIME_SANITIZE};
#endif
  // Another target: its runtime, linked by the LLVM toolchain's clang (the
  // host's cc cannot) with lld, against the target's C library.
  llvm::Triple host(llvm::sys::getDefaultTargetTriple());
  if (!targetTriple.empty() &&
      llvm::Triple(targetTriple).normalize() != host.normalize()) {
    if (ccPath.empty())
      job.compiler = CNNC_CROSS_CC;
    job.targetFlags = {"--target=" + targetTriple.getValue(), "-fuse-ld=lld"};
    job.runtimeLibrary = cnnc::findRuntimeFile(
        argv0, "lib/" + targetTriple.getValue(), "libcnnrt.a");
    job.runtimeFlags.clear(); // other targets' runtimes are not instrumented
  }
  job.output = output.empty() ? defaultOutput("") : output.str();
  if (!llvm::sys::fs::exists(job.runtimeLibrary))
    return fail("cannot find the runtime library '" + job.runtimeLibrary + "'" +
                (job.targetFlags.empty()
                     ? ""
                     : " for " + targetTriple.getValue() +
                           " (cnnc builds it where that target's C library "
                           "is installed; -c writes an object without it)"));
  if (llvm::Error error = cnnc::link(job))
    return fail(llvm::toString(std::move(error)));
  if (llvm::AreStatisticsEnabled())
    printParts(**llvmModule, winograd, inScratch("model.o"), job.output);
  return success();
}

/// The model as .cnn source, its parameters in a safetensors file beside
/// the output (named after it), so that `cnnc OUTPUT` compiles it again.
LogicalResult emitCnnText(func::FuncOp model) {
  std::string output = outputFile.empty() ? "-" : outputFile.getValue();
  llvm::SmallString<256> weightsPath(output);
  llvm::sys::path::replace_extension(weightsPath, ".safetensors");
  FailureOr<cnnc::CnnText> text =
      cnnc::printCnnText(model, llvm::sys::path::filename(weightsPath),
                         llvm::sys::path::filename(inputFile));
  if (failed(text))
    return failure();
  if (!text->weights.empty()) {
    if (output == "-")
      return fail("--emit=cnn-text writes the weights to a .safetensors file "
                  "beside its output; give -o FILE.cnn");
    if (llvm::Error error = cnnc::writeSafeTensors(weightsPath, text->weights))
      return fail(llvm::toString(std::move(error)));
  }
  return writeOutput(output,
                     [&](llvm::raw_ostream &os) { os << text->source; });
}

/// A Darknet .cfg with the --weights .weights file, or seeded weights.
LogicalResult importCfg(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                        OwningOpRef<ModuleOp> &module) {
  std::optional<cnnc::darknet::WeightsFile> weights;
  if (!weightsFile.empty()) {
    llvm::Expected<cnnc::darknet::WeightsFile> file =
        cnnc::darknet::WeightsFile::open(weightsFile);
    if (!file)
      return fail(llvm::toString(file.takeError()));
    weights = std::move(*file);
  }
  module = cnnc::importDarknet(context, sourceMgr, std::move(weights), seed,
                               batchSize ? batchSize : 1);
  return success(static_cast<bool>(module));
}

/// --input-shape's NAME=D0xD1x... values, by name.
FailureOr<std::map<std::string, std::vector<int64_t>>> parseInputShapes() {
  std::map<std::string, std::vector<int64_t>> shapes;
  for (llvm::StringRef option : inputShapes) {
    auto [name, dims] = option.rsplit('=');
    std::vector<int64_t> shape;
    bool ok = !name.empty() && !dims.empty();
    llvm::SmallVector<llvm::StringRef> parts;
    dims.split(parts, 'x');
    for (llvm::StringRef part : parts) {
      int64_t d;
      ok &= !part.getAsInteger(10, d) && d >= 1;
      shape.push_back(d);
    }
    if (!ok)
      return fail("--input-shape '" + option +
                  "' is not NAME=D0xD1x... with sizes of at least 1");
    if (!shapes.emplace(name.str(), shape).second)
      return fail("--input-shape gives '" + name + "' twice");
  }
  return shapes;
}

/// A .cnn model's inputs with the shapes the command line gives them.
LogicalResult
applyInputShapes(cnnc::ModelAST &ast,
                 const std::map<std::string, std::vector<int64_t>> &shapes) {
  std::set<std::string> declared;
  for (cnnc::InputDecl &input : ast.inputs) {
    declared.insert(input.name);
    if (auto it = shapes.find(input.name); it != shapes.end())
      input.shape.assign(it->second.begin(), it->second.end());
    else if (batchSize && !input.shape.empty())
      input.shape[0] = batchSize;
  }
  for (const auto &[name, shape] : shapes)
    if (!declared.count(name))
      return fail("--input-shape names '" + name +
                  "', which is not an input of the model");
  return success();
}

/// The cnn-dialect module from a .cnn file (through its AST), an .onnx file
/// (imported, with its own weights) or a Darknet .cfg; null after an error,
/// or when the AST was the requested output.
LogicalResult buildModule(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                          Emit stage, OwningOpRef<ModuleOp> &module) {
  llvm::StringRef extension = llvm::sys::path::extension(inputFile);
  bool isOnnx = extension.equals_insensitive(".onnx");
  if (batchSize.getNumOccurrences() && batchSize == 0)
    return fail("--batch must be at least 1");
  if (allowExternalPath && !isOnnx)
    return fail("--allow-external-path is for ONNX models");
  FailureOr<std::map<std::string, std::vector<int64_t>>> shapes =
      parseInputShapes();
  if (failed(shapes))
    return failure();
  if (extension.equals_insensitive(".cfg")) {
    if (!shapes->empty())
      return fail("--input-shape is for ONNX and .cnn models; a Darknet "
                  "cfg's [net] section gives its input (--batch its batch)");
    if (stage == Emit::AST)
      return fail("--emit=ast is for .cnn files; '" + inputFile +
                  "' is a Darknet cfg (try --emit=cnn)");
    return importCfg(context, sourceMgr, module);
  }
  if (isOnnx) {
    if (stage == Emit::AST)
      return fail("--emit=ast is for .cnn files; '" + inputFile +
                  "' is an ONNX model (try --emit=cnn)");
    if (!weightsFile.empty())
      return fail("--weights is for .cnn files; an ONNX model carries its "
                  "own weights");
    cnnc::OnnxImportOptions options;
    options.inputShapes = *shapes;
    if (batchSize)
      options.batch = batchSize;
    options.allowExternalPaths = allowExternalPath;
    module = cnnc::importOnnx(context, inputFile, options);
    return success(static_cast<bool>(module));
  }
  std::unique_ptr<cnnc::ModelAST> ast = cnnc::parseModel(sourceMgr);
  if (!ast || failed(applyInputShapes(*ast, *shapes)))
    return failure();
  if (stage == Emit::AST)
    return writeOutput(
        outputFile.empty() ? std::string("-") : outputFile.getValue(),
        [&](llvm::raw_ostream &os) { cnnc::dumpAST(*ast, sourceMgr, os); });

  FailureOr<std::unique_ptr<cnnc::WeightSource>> weights =
      openWeights(context, sourceMgr, *ast);
  if (failed(weights))
    return failure();
  module = cnnc::mlirGen(context, sourceMgr, *ast, **weights);
  return success(static_cast<bool>(module));
}

LogicalResult compile(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                      const char *argv0) {
  Emit stage = compileOnly ? Emit::Obj : emit.getValue();
  OwningOpRef<ModuleOp> module;
  if (failed(buildModule(context, sourceMgr, stage, module)))
    return failure();
  if (!module)
    return success(); // the AST was the output
  // The model is the module's only function, whichever front end built it.
  auto modelFunc = *module->getOps<func::FuncOp>().begin();
  if (modelName.getNumOccurrences()) {
    llvm::StringRef name = modelName;
    if (name.empty() || llvm::isDigit(name.front()) ||
        !llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; }))
      return fail("--name must be a C identifier (letters, digits, '_', not "
                  "starting with a digit), not '" +
                  name + "'");
    modelFunc.setSymName(name);
  }
  cnnc::ModelSignature signature = cnnc::getModelSignature(modelFunc);
  // The runtime describes a model's inputs and outputs with up to
  // CNNRT_MAX_RANK dimensions.
  if (stage == Emit::Obj || stage == Emit::Exe)
    for (const auto *tensors : {&signature.inputs, &signature.outputs})
      for (const cnnc::TensorSignature &t : *tensors)
        if (t.shape.size() > CNNRT_MAX_RANK)
          return modelFunc.emitError()
                 << "'" << t.name << "' has " << t.shape.size()
                 << " dimensions; a compiled model's inputs and outputs have "
                    "at most "
                 << CNNRT_MAX_RANK;

  if (stage == Emit::CnnText)
    return emitCnnText(modelFunc);
  if (!tileSizes.empty() && optLevel < 2)
    return fail("--tile-sizes steers the -O2 convolution schedule; it has no "
                "effect at -O" +
                llvm::Twine(optLevel.getValue()));
  if (reference)
    return cnnc::runReference(modelFunc, inputs, outputs);
  if (failed(cnnc::checkLayerCount(modelFunc)))
    return failure();

  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  applyDefaultTimingPassManagerCLOptions(pm);
  if (!dumpIrDir.empty()) {
    auto dumper = std::make_unique<cnnc::IRDumper>(dumpIrDir);
    if (failed(dumper->start(*module)))
      return failure();
    pm.addInstrumentation(std::move(dumper));
  }
  cnnc::Stage stop = stage == Emit::Cnn ? cnnc::Stage::Cnn
                     : stage == Emit::CnnOpt || stage == Emit::Dot
                         ? cnnc::Stage::CnnOpt
                     : stage == Emit::Linalg ? cnnc::Stage::Linalg
                                             : cnnc::Stage::LLVMMlir;
  cnnc::LayerReport *layers = nullptr;
  if (report) {
    auto owned = std::make_unique<cnnc::LayerReport>(context);
    layers = owned.get();
    pm.addInstrumentation(std::move(owned));
  }
  // The vectoriser tiles for the target's SIMD registers.
  auto machine = cnnc::createTargetMachine({targetTriple, targetCpu, optLevel});
  if (!machine)
    return fail(llvm::toString(machine.takeError()));
  cnnc::VectorRegisters vectors = cnnc::vectorRegisters(**machine);
  cnnc::PipelineOptions options{
      optLevel,
      !noFuse,
      !noWinograd,
      report,
      std::vector<std::string>(tileSizes.begin(), tileSizes.end()),
      vectors.bits,
      vectors.count,
      winogradEmbedLimit.getNumOccurrences()
          ? std::optional<int64_t>(winogradEmbedLimit)
          : std::nullopt,
      cnnc::hostL2CacheBytes({targetTriple, targetCpu, optLevel})};
  cnnc::buildPipeline(pm, stop, options);
  int64_t parameters = 0;
  module->walk([&](cnn::WeightOp weight) {
    parameters += weight.getValue().getNumElements();
  });
  if (failed(pm.run(*module)))
    return failure();
  if (layers) {
    layers->snapshot(*module); // the model is still cnn at --emit=cnn(-opt)
    llvm::outs() << signature.name << ": ";
    layers->print(llvm::outs());
    llvm::outs().flush();
  }
  // LLVM owns --stats (its statistics); cnnc adds the model's own.
  if (llvm::AreStatisticsEnabled()) {
    auto bytes = module->lookupSymbol<LLVM::GlobalOp>(signature.name +
                                                      "_workspace_bytes");
    llvm::errs() << signature.name << ": workspace "
                 << (bytes ? cast<IntegerAttr>(*bytes.getValue()).getInt() : 0)
                 << " bytes (every intermediate, one planned arena); "
                 << parameters << " parameters ("
                 << llvm::format("%.1f", parameters * 4 / 1e6) << " MB)\n";
  }
  if (stage == Emit::Dot)
    return writeOutput(
        outputFile.empty() ? std::string("-") : outputFile.getValue(),
        [&](llvm::raw_ostream &os) {
          cnnc::writeGraphDot(*module->getOps<func::FuncOp>().begin(), os);
        });
  if (stage <= Emit::LLVMMlir)
    return writeOutput(outputFile.empty() ? std::string("-")
                                          : outputFile.getValue(),
                       [&](llvm::raw_ostream &os) { printIR(*module, os); });
  return emitNative(*module, signature, stage, argv0);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // First: the --mlir-print-ir-after=PASS option lists the registered passes.
  cnnc::registerAllPasses();
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  // Printing an op first verifies it unless told it is verified; transform
  // ops print ops into the notes of diagnostics they then drop (a failed
  // first attempt of fuse_into_containing_op, at every conv), and that
  // verification made the schedules quadratic in the layer count. The
  // pass manager verifies after
  // each pass anyway. --mlir-print-assume-verified=false restores it.
  if (auto *option =
          cl::getRegisteredOptions().lookup("mlir-print-assume-verified"))
    static_cast<cl::opt<bool> *>(option)->setInitialValue(true);
  // --help lists cnnc's own options; LLVM's and MLIR's many others (the
  // --mlir-print-ir-* family among them) still work and --help-hidden
  // lists them.
  cl::HideUnrelatedOptions(category);
  static const char *self = argv[0];
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "cnnc " CNNRT_VERSION " (LLVM/MLIR " << LLVM_VERSION_STRING
       << "); runtime " << cnnc::findRuntimeFile(self, "lib", "libcnnrt.a")
       << "\n";
  });
  cl::ParseCommandLineOptions(
      argc, argv,
      "cnnc: compile a convolutional network (.cnn) to native code\n\n"
      "  cnnc model.cnn -o model          executable (./model --help)\n"
      "  cnnc model.cnn -c -o model.o     object file + model.h\n"
      "  cnnc model.cnn --emit=linalg     print a stage\n"
      "  cnnc model.onnx --emit=cnn-text -o model.cnn\n"
      "                                   the model as .cnn source\n"
      "  cnnc model.cnn --reference --input image=x.npy --output "
      "logits=y.npy\n"
      "  cnnc model.cnn --stats           also print the planned workspace\n"
      "  cnnc model.cnn --report          also print what happened to each "
      "layer\n"
      "  cnnc model.onnx -o model         an ONNX model\n"
      "  cnnc yolo.cfg --weights yolo.weights -o yolo   a Darknet model\n"
      "\n"
      "  MLIR and LLVM options (--mlir-print-ir-after=PASS, "
      "--mlir-timing, ...):\n"
      "  see --help-hidden\n");
  // The environment sets the default CPU for the host's triple (a test
  // suite run for another CPU than the host's); --target-cpu still wins, and
  // another --target-triple takes its own generic CPU.
  if (const char *cpu = std::getenv("CNNC_TARGET_CPU");
      cpu && *cpu && targetCpu.getNumOccurrences() == 0 && targetTriple.empty())
    targetCpu = cpu;

  DialectRegistry registry;
  cnnc::registerAllDialects(registry);
  MLIRContext context(registry);
  // Errors point at the model's source; a dump of the failing op is noise.
  context.printOpOnDiagnostic(false);

  llvm::SourceMgr sourceMgr;
  std::string includedFrom;
  if (sourceMgr.AddIncludeFile(inputFile, llvm::SMLoc(), includedFrom) == 0) {
    (void)fail("cannot read '" + inputFile + "'");
    return 1;
  }
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  // On a thread with a large stack (deeply nested models).
  int status = 1;
  llvm::thread worker(std::optional<unsigned>(cnnc::kCompilerStackBytes), [&] {
    status = failed(compile(context, sourceMgr, argv[0])) ? 1 : 0;
  });
  worker.join();
  return status;
}
