//===- DarknetCfg.h - Darknet .cfg files as sections of options -*- C++ -*-===//
//
// The INI syntax only: `[section]` headers and `key=value` lines, with every
// piece located in the source buffer. What the sections and keys mean is the
// importer's business (DarknetImporter.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_IMPORT_DARKNETCFG_H
#define CNNC_IMPORT_DARKNETCFG_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"

#include <optional>
#include <vector>

namespace cnnc::darknet {

/// `key=value`, both trimmed; they point into the SourceMgr's buffer.
struct CfgOption {
  llvm::StringRef key;
  llvm::StringRef value;
  llvm::SMLoc keyLoc;
  llvm::SMLoc valueLoc;
};

/// `[type]` and the options below it, in file order.
struct CfgSection {
  llvm::StringRef type; // without the brackets: "convolutional"
  llvm::SMLoc loc;      // the '['
  std::vector<CfgOption> options;

  const CfgOption *find(llvm::StringRef key) const;
};

/// Parses the main buffer of `sourceMgr`. As in Darknet, whitespace around
/// keys and values is ignored and lines starting with '#' or ';' are
/// comments; a '#' after a value starts a comment too; a key set twice in
/// a section takes its last value (with a warning). Every syntax error (a
/// line that is neither a header nor `key=value`, an option before the
/// first header) is reported through the SourceMgr with its line and a
/// caret; the result is empty after any.
std::optional<std::vector<CfgSection>>
parseCfg(const llvm::SourceMgr &sourceMgr);

} // namespace cnnc::darknet

#endif // CNNC_IMPORT_DARKNETCFG_H
