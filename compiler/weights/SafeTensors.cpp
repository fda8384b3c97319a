//===- SafeTensors.cpp - read .safetensors weight files -------------------===//

#include "compiler/weights/SafeTensors.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/JSON.h"

using namespace cnnc;
using llvm::createStringError;

/// Deeper than a safetensors header needs (an object of objects of lists).
constexpr int kMaxHeaderNesting = 16;

/// The deepest nesting of JSON objects and arrays in `text` (brackets inside
/// strings do not count).
static int nestingDepth(llvm::StringRef text) {
  int depth = 0, deepest = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

static size_t dtypeSize(llvm::StringRef dtype) {
  return llvm::StringSwitch<size_t>(dtype)
      .Cases({"F64", "I64", "U64"}, 8)
      .Cases({"F32", "I32", "U32"}, 4)
      .Cases({"F16", "BF16", "I16", "U16"}, 2)
      .Cases({"I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2"}, 1)
      .Default(0);
}

llvm::Expected<SafeTensorsFile> SafeTensorsFile::open(llvm::StringRef path) {
  auto bufferOr = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
  if (!bufferOr)
    return createStringError(bufferOr.getError(), "cannot read '%s': %s",
                             path.str().c_str(),
                             bufferOr.getError().message().c_str());
  SafeTensorsFile file;
  file.filePath = path.str();
  file.buffer = std::move(*bufferOr);
  llvm::StringRef contents = file.buffer->getBuffer();
  auto malformed = [&](const llvm::Twine &why) {
    return createStringError(std::make_error_code(std::errc::invalid_argument),
                             "'" + path +
                                 "' is not a valid safetensors file: " + why);
  };

  if (contents.size() < 8)
    return malformed("shorter than its 8-byte header length");
  uint64_t headerSize = llvm::support::endian::read64le(contents.data());
  if (headerSize > contents.size() - 8)
    return malformed("header length " + llvm::Twine(headerSize) +
                     " exceeds the file size " + llvm::Twine(contents.size()));
  llvm::StringRef header = contents.substr(8, headerSize);
  llvm::StringRef data = contents.substr(8 + headerSize);

  // A safetensors header is a flat object of tensor entries; llvm::json's
  // recursive parser would exhaust the stack on deep nesting.
  if (nestingDepth(header) > kMaxHeaderNesting)
    return malformed("the header nests deeper than " +
                     llvm::Twine(kMaxHeaderNesting) + " levels");
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(header);
  if (!json)
    return malformed("bad JSON header: " + llvm::toString(json.takeError()));
  const llvm::json::Object *root = json->getAsObject();
  if (!root)
    return malformed("the header is not a JSON object");

  for (const auto &[key, value] : *root) {
    if (key == "__metadata__")
      continue;
    std::string name = key.str();
    const llvm::json::Object *entry = value.getAsObject();
    if (!entry)
      return malformed("entry '" + name + "' is not an object");
    SafeTensor tensor;
    std::optional<llvm::StringRef> dtype = entry->getString("dtype");
    const llvm::json::Array *shape = entry->getArray("shape");
    const llvm::json::Array *offsets = entry->getArray("data_offsets");
    if (!dtype || !shape || !offsets || offsets->size() != 2)
      return malformed("entry '" + name +
                       "' needs dtype, shape and data_offsets [begin, end]");
    tensor.dtype = dtype->str();
    uint64_t elements = 1;
    for (const llvm::json::Value &dim : *shape) {
      std::optional<int64_t> d = dim.getAsInteger();
      if (!d || *d < 0 || *d > (int64_t(1) << 40))
        return malformed("entry '" + name + "' has an invalid shape");
      tensor.shape.push_back(*d);
      elements *= *d;
      if (elements > (uint64_t(1) << 40))
        return malformed("entry '" + name + "' is too large");
    }
    std::optional<int64_t> begin = (*offsets)[0].getAsInteger();
    std::optional<int64_t> end = (*offsets)[1].getAsInteger();
    if (!begin || !end || *begin < 0 || *end < *begin ||
        static_cast<uint64_t>(*end) > data.size())
      return malformed("entry '" + name + "' has data_offsets outside the " +
                       llvm::Twine(data.size()) + "-byte data section");
    size_t elementSize = dtypeSize(tensor.dtype);
    if (elementSize == 0)
      return malformed("entry '" + name + "' has unknown dtype '" +
                       tensor.dtype + "'");
    if (static_cast<uint64_t>(*end - *begin) != elements * elementSize)
      return malformed("entry '" + name + "' has " +
                       llvm::Twine(*end - *begin) + " bytes of data but its " +
                       tensor.dtype + " shape needs " +
                       llvm::Twine(elements * elementSize));
    tensor.bytes = llvm::ArrayRef<char>(data.data() + *begin, *end - *begin);
    file.entries[name] = std::move(tensor);
  }
  // As the format requires, the tensors' bytes cover the data section
  // exactly: no overlaps, no holes, nothing after the last tensor.
  std::vector<std::pair<uint64_t, std::string>> starts;
  for (const auto &entry : file.entries)
    starts.push_back(
        {static_cast<uint64_t>(entry.getValue().bytes.data() - data.data()),
         entry.getKey().str()});
  llvm::sort(starts);
  uint64_t covered = 0;
  for (const auto &[begin, name] : starts) {
    if (begin < covered)
      return malformed("entry '" + name +
                       "' overlaps the data of another entry");
    if (begin > covered)
      return malformed("bytes " + llvm::Twine(covered) + ".." +
                       llvm::Twine(begin) +
                       " of the data section belong to no entry");
    covered += file.entries[name].bytes.size();
  }
  if (covered != data.size())
    return malformed("bytes " + llvm::Twine(covered) + ".." +
                     llvm::Twine(data.size()) +
                     " of the data section belong to no entry");
  return std::move(file);
}
