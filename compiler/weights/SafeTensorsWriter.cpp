//===- SafeTensorsWriter.cpp - write .safetensors weight files ------------===//

#include "compiler/weights/SafeTensorsWriter.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace cnnc;

llvm::Error cnnc::writeSafeTensors(llvm::StringRef path,
                                   llvm::ArrayRef<NamedTensor> tensors) {
  llvm::json::Object header;
  uint64_t offset = 0;
  for (const NamedTensor &t : tensors) {
    uint64_t bytes = t.values.size() * sizeof(float);
    llvm::json::Array shape;
    for (int64_t d : t.shape)
      shape.push_back(d);
    header[t.name] = llvm::json::Object{
        {"dtype", "F32"},
        {"shape", std::move(shape)},
        {"data_offsets", llvm::json::Array{offset, offset + bytes}}};
    offset += bytes;
  }
  std::string json;
  llvm::raw_string_ostream(json) << llvm::json::Value(std::move(header));
  json.append((8 - json.size() % 8) % 8, ' ');

  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError(ec, "cannot write '%s': %s",
                                   path.str().c_str(), ec.message().c_str());
  char size[8];
  llvm::support::endian::write64le(size, json.size());
  out.os().write(size, sizeof(size));
  out.os() << json;
  for (const NamedTensor &t : tensors)
    for (float v : t.values) {
      char bytes[4];
      llvm::support::endian::write32le(bytes, llvm::bit_cast<uint32_t>(v));
      out.os().write(bytes, sizeof(bytes));
    }
  out.os().flush();
  if (out.os().has_error())
    return llvm::createStringError(std::make_error_code(std::errc::io_error),
                                   "cannot write '%s'", path.str().c_str());
  out.keep();
  return llvm::Error::success();
}
