//===- DarknetWeights.h - Darknet .weights files ----------------*- C++ -*-===//
//
// A header (int32 major, minor, revision; `seen` as uint64 from version 0.2
// on, uint32 before), then every parameter as a little-endian f32, layer by
// layer in cfg order. The file says nothing about shapes: the cfg does, so
// the importer reads the parameters one request at a time and checks the
// sizes (DarknetImporter.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_IMPORT_DARKNETWEIGHTS_H
#define CNNC_IMPORT_DARKNETWEIGHTS_H

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace cnnc::darknet {

class WeightsFile {
public:
  /// Reads the whole file and its header; fails on I/O errors and on files
  /// too short for the header.
  static llvm::Expected<WeightsFile> open(llvm::StringRef path);

  llvm::StringRef path() const { return filePath; }
  int32_t major() const { return versionMajor; }
  int32_t minor() const { return versionMinor; }
  int32_t revision() const { return versionRevision; }
  uint64_t seen() const { return imagesSeen; }

  /// Darknet stores [connected] weights as [inputs][outputs] when the major
  /// or minor version is above 1000 (and [outputs][inputs] otherwise).
  bool transposedConnected() const {
    return versionMajor > 1000 || versionMinor > 1000;
  }

  uint64_t headerBytes() const { return header; }
  uint64_t sizeBytes() const { return buffer->getBufferSize(); }
  /// The byte offset of the next parameter.
  uint64_t offset() const { return cursor; }
  uint64_t remainingBytes() const { return sizeBytes() - cursor; }

  /// The next `count` floats, advancing past them; fails (reading nothing)
  /// when fewer remain.
  bool read(uint64_t count, std::vector<float> &values);

private:
  WeightsFile(std::unique_ptr<llvm::MemoryBuffer> buffer, std::string path)
      : buffer(std::move(buffer)), filePath(std::move(path)) {}

  std::unique_ptr<llvm::MemoryBuffer> buffer;
  std::string filePath;
  int32_t versionMajor = 0, versionMinor = 0, versionRevision = 0;
  uint64_t imagesSeen = 0;
  uint64_t header = 0;
  uint64_t cursor = 0;
};

} // namespace cnnc::darknet

#endif // CNNC_IMPORT_DARKNETWEIGHTS_H
