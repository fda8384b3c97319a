//===- DarknetWeights.cpp - Darknet .weights files ------------------------===//

#include "compiler/import/DarknetWeights.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"

using namespace cnnc::darknet;
namespace endian = llvm::support::endian;

llvm::Expected<WeightsFile> WeightsFile::open(llvm::StringRef path) {
  auto fail = [&](const llvm::Twine &message) {
    return llvm::createStringError("'" + path + "': " + message);
  };
  if (llvm::sys::fs::is_directory(path))
    return fail("is a directory, not a Darknet .weights file");
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail("cannot read the weights file: " + buffer.getError().message());
  WeightsFile file(std::move(*buffer), path.str());

  const char *data = file.buffer->getBufferStart();
  uint64_t size = file.sizeBytes();
  if (size < 12)
    return fail("too short for a Darknet .weights header (" +
                llvm::Twine(size) + " bytes; the version alone takes 12)");
  file.versionMajor = endian::read32le(data);
  file.versionMinor = endian::read32le(data + 4);
  file.versionRevision = endian::read32le(data + 8);
  // Version 0.2 widened the `seen` image counter to 64 bits.
  bool wideSeen = int64_t(file.versionMajor) * 10 + file.versionMinor >= 2;
  file.header = wideSeen ? 20 : 16;
  if (size < file.header)
    return fail("too short for a Darknet .weights header (" +
                llvm::Twine(size) + " bytes; version " +
                llvm::Twine(file.versionMajor) + "." +
                llvm::Twine(file.versionMinor) + " needs " +
                llvm::Twine(file.header) + ")");
  file.imagesSeen =
      wideSeen ? endian::read64le(data + 12) : endian::read32le(data + 12);
  file.cursor = file.header;
  return file;
}

bool WeightsFile::read(uint64_t count, std::vector<float> &values) {
  if (count > remainingBytes() / sizeof(float))
    return false;
  const char *data = buffer->getBufferStart() + cursor;
  values.resize(count);
  for (uint64_t i = 0; i < count; ++i)
    values[i] =
        endian::read<float, llvm::endianness::little>(data + i * sizeof(float));
  cursor += count * sizeof(float);
  return true;
}
