//===- DarknetSections.h - the cfg sections and keys cnnc knows -*- C++ -*-===//

#ifndef CNNC_IMPORT_DARKNETSECTIONS_H
#define CNNC_IMPORT_DARKNETSECTIONS_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace cnnc::darknet {

/// A section type with the keys cnnc reads and the keys it accepts but
/// ignores because Darknet uses them only for training or box decoding
/// (both space-separated).
/// A section cnnc imports: the keys it reads, the keys it ignores (only
/// training or box decoding reads them) and the keys that change inference
/// results but that cnnc does not implement (an error); any other key is
/// ignored with a warning, as Darknet does.
struct SectionSpec {
  llvm::StringRef type;
  llvm::StringRef keys;
  llvm::StringRef ignored;
  llvm::StringRef unsupported = "";

  bool accepts(llvm::StringRef key) const;
  bool rejects(llvm::StringRef key) const;
  /// "filters, size, stride" for diagnostics.
  std::string listKeys() const;
};

/// Darknet's long name for a short one ([conv] is [convolutional], ...).
llvm::StringRef canonicalType(llvm::StringRef type);

/// The spec of a section type (short names too), or null if cnnc does not
/// support it.
const SectionSpec *findSection(llvm::StringRef type);

/// "[net], [convolutional], ... and [region]" for diagnostics.
std::string listSections();

/// Whether `type` is one of Darknet's recurrent layers ([rnn], [lstm],
/// [gru], [crnn], [conv_lstm], [history]).
bool isRecurrent(llvm::StringRef type);

/// Whether `type` is a layer that only training computes ([contrastive]).
bool isTrainingOnly(llvm::StringRef type);

} // namespace cnnc::darknet

#endif // CNNC_IMPORT_DARKNETSECTIONS_H
