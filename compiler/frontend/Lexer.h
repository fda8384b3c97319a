//===- Lexer.h - tokens of the .cnn language --------------------*- C++ -*-===//

#ifndef CNNC_FRONTEND_LEXER_H
#define CNNC_FRONTEND_LEXER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <string>

namespace cnnc {

enum class TokenKind {
  Eof,
  Error,
  Identifier, // conv2d, layer1.0, image
  Integer,    // 42
  Float,      // 1e-5, 0.5
  String,     // "weights.safetensors"
  // Keywords.
  KwModel,
  KwInput,
  KwOutput,
  KwWeights,
  KwBlock,
  KwReturn,
  KwTrue,
  KwFalse,
  // Punctuation.
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Equal,
  Minus,
  Pipe, // |>
};

struct Token {
  TokenKind kind;
  llvm::StringRef spelling; // points into the source buffer
  llvm::SMLoc loc() const {
    return llvm::SMLoc::getFromPointer(spelling.data());
  }
  bool is(TokenKind k) const { return kind == k; }
};

/// Splits a .cnn buffer into tokens. Comments run from '#' to the end of the
/// line; newlines are whitespace (statements are self-delimiting).
class Lexer {
public:
  explicit Lexer(llvm::StringRef buffer)
      : buffer(buffer), cur(buffer.begin()) {}
  Token next();

private:
  Token make(TokenKind kind, const char *start) {
    return {kind, llvm::StringRef(start, cur - start)};
  }
  Token lexIdentifier(const char *start);
  Token lexNumber(const char *start);
  Token lexString(const char *start);

  llvm::StringRef buffer;
  const char *cur;
};

} // namespace cnnc

#endif // CNNC_FRONTEND_LEXER_H
