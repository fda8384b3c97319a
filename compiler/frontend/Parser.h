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

/// The stack a thread compiling a model needs (the main thread's is usually
/// 8 MB): the syntax tree and the IR are walked recursively, as deep as the
/// parser lets a model nest.
constexpr unsigned kCompilerStackBytes = 512u << 20;

} // namespace cnnc

#endif // CNNC_FRONTEND_PARSER_H
