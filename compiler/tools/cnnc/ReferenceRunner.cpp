//===- ReferenceRunner.cpp - cnnc --reference
//------------------------------===//
//
// .npy files are read and written by libcnnrt, the same code the compiled
// executables use, so both sides of a comparison see identical inputs.
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/cnnc/ReferenceRunner.h"
#include "compiler/codegen/CInterface.h"
#include "compiler/reference/Evaluator.h"

#include "cnnrt.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;

static LogicalResult fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "cnnc") << message << "\n";
  return failure();
}

static cnnrt_tensor_info info(const cnnc::TensorSignature &t) {
  cnnrt_tensor_info result = {
      t.name.c_str(), static_cast<int>(t.shape.size()), {}};
  llvm::copy(t.shape, result.shape);
  return result;
}

/// NAME=FILE pairs; a bare FILE binds to `soleName` when there is one.
static FailureOr<llvm::StringMap<std::string>>
parseBindings(llvm::ArrayRef<std::string> args,
              llvm::ArrayRef<cnnc::TensorSignature> tensors, const char *kind) {
  llvm::StringMap<std::string> result;
  for (llvm::StringRef arg : args) {
    auto [name, file] = arg.split('=');
    if (file.empty()) {
      if (tensors.size() != 1)
        return fail(llvm::Twine("--") + kind + " '" + arg +
                    "' must be NAME=FILE.npy");
      file = name;
      name = tensors.front().name;
    }
    llvm::StringRef wanted = name;
    if (llvm::none_of(tensors, [&](const cnnc::TensorSignature &t) {
          return t.name == wanted;
        }))
      return fail(llvm::Twine("the model has no ") + kind + " '" + name + "'");
    if (!result.try_emplace(name, file.str()).second)
      return fail(llvm::Twine(kind) + " '" + name + "' is given twice");
  }
  return result;
}

LogicalResult cnnc::runReference(func::FuncOp model,
                                 llvm::ArrayRef<std::string> inputArgs,
                                 llvm::ArrayRef<std::string> outputArgs) {
  ModelSignature signature = getModelSignature(model);
  auto inputFiles = parseBindings(inputArgs, signature.inputs, "input");
  auto outputFiles = parseBindings(outputArgs, signature.outputs, "output");
  if (failed(inputFiles) || failed(outputFiles))
    return failure();

  char error[512];
  SmallVector<reference::Tensor> inputs;
  for (const TensorSignature &t : signature.inputs) {
    auto it = inputFiles->find(t.name);
    if (it == inputFiles->end())
      return fail("missing --input " + t.name + "=FILE.npy");
    cnnrt_tensor_info tensor = info(t);
    std::vector<float> values(cnnrt_num_elements(&tensor));
    if (cnnrt_npy_read(it->second.c_str(), &tensor, values.data(), error,
                       sizeof(error)))
      return fail(error);
    inputs.push_back(
        {t.shape, std::vector<double>(values.begin(), values.end())});
  }

  FailureOr<SmallVector<reference::Tensor>> results =
      reference::evaluate(model, inputs);
  if (failed(results))
    return failure();

  for (auto [t, result] : llvm::zip_equal(signature.outputs, *results)) {
    cnnrt_tensor_info tensor = info(t);
    std::vector<float> values(result.data.begin(), result.data.end());
    auto it = outputFiles->find(t.name);
    if (it == outputFiles->end())
      cnnrt_print_tensor(&tensor, values.data());
    else if (cnnrt_npy_write(it->second.c_str(), &tensor, values.data(), error,
                             sizeof(error)))
      return fail(error);
  }
  return success();
}
