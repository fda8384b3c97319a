//===- AST.h - syntax tree of the .cnn language -----------------*- C++ -*-===//

#ifndef CNNC_FRONTEND_AST_H
#define CNNC_FRONTEND_AST_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cnnc {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

/// One argument of a call: positional (`x`) or named (`filters=64`).
struct Arg {
  std::optional<std::string> name;
  llvm::SMLoc loc;
  ExprPtr value;
};

/// An expression. Numbers, booleans, strings and nested lists are literals;
/// a name refers to a binding, an input or a block parameter; a call applies
/// an op or a block. `a |> f(b)` is parsed as `f(a, b)`.
struct Expr {
  enum class Kind { Name, Number, Bool, String, List, Tuple, Call };
  Kind kind;
  llvm::SMLoc loc;
  std::string text;       // Name: the name; String: the contents; Call: callee
  double number = 0;      // Number
  bool isInteger = false; // Number written without '.' or exponent
  bool boolean = false;   // Bool
  std::vector<ExprPtr> items; // List / Tuple elements
  std::vector<Arg> args;      // Call arguments

  Expr(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
  bool isLiteral() const { return kind != Kind::Name && kind != Kind::Call; }
};

/// `name = expr`, `output name = expr`, `output name` or (in a block)
/// `return expr`.
struct Statement {
  enum class Kind { Binding, Output, Return };
  Kind kind;
  llvm::SMLoc loc;
  std::string name;
  ExprPtr value; // null for `output name`
};

struct BlockParam {
  std::string name;
  llvm::SMLoc loc;
  ExprPtr defaultValue; // null when required
};

/// `block name(params) { statements; return expr }`
struct BlockDecl {
  std::string name;
  llvm::SMLoc loc;
  std::vector<BlockParam> params;
  std::vector<Statement> body; // ends with exactly one Return
};

struct InputDecl {
  std::string name;
  llvm::SMLoc loc;
  llvm::SmallVector<int64_t, 4> shape;
};

struct ModelAST {
  std::string name;
  llvm::SMLoc loc;
  std::vector<InputDecl> inputs;
  std::optional<std::string> weightsFile;
  llvm::SMLoc weightsLoc;
  std::vector<std::unique_ptr<BlockDecl>> blocks;
  std::vector<Statement> statements;
};

/// Prints the tree with `@line:col` locations (`cnnc --emit=ast`).
void dumpAST(const ModelAST &model, const llvm::SourceMgr &sourceMgr,
             llvm::raw_ostream &os);

} // namespace cnnc

#endif // CNNC_FRONTEND_AST_H
