//===- Parser.h - .cnn source to AST ----------------------------*- C++ -*-===//

#ifndef CNNC_FRONTEND_PARSER_H
#define CNNC_FRONTEND_PARSER_H

#include "compiler/frontend/AST.h"

#include "llvm/Support/SourceMgr.h"

namespace cnnc {

/// Parses the main buffer of `sourceMgr`. Syntax errors are reported through
/// the SourceMgr as `file:line:col: error: ...` with the line and a caret;
/// the result is null after an error.
std::unique_ptr<ModelAST> parseModel(llvm::SourceMgr &sourceMgr);

} // namespace cnnc

#endif // CNNC_FRONTEND_PARSER_H
