//===- Lexer.cpp - tokens of the .cnn language ----------------------------===//

#include "compiler/frontend/Lexer.h"

#include "llvm/ADT/StringSwitch.h"

#include <cctype>

using namespace cnnc;

static bool isIdentChar(char c) { return std::isalnum(c) || c == '_'; }

Token Lexer::next() {
  // Skip whitespace and comments.
  while (cur != buffer.end()) {
    if (std::isspace(static_cast<unsigned char>(*cur))) {
      ++cur;
    } else if (*cur == '#') {
      while (cur != buffer.end() && *cur != '\n')
        ++cur;
    } else {
      break;
    }
  }
  const char *start = cur;
  if (cur == buffer.end())
    return make(TokenKind::Eof, start);

  char c = *cur++;
  if (std::isalpha(static_cast<unsigned char>(c)) || c == '_')
    return lexIdentifier(start);
  if (std::isdigit(static_cast<unsigned char>(c)) ||
      (c == '.' && cur != buffer.end() && std::isdigit(*cur)))
    return lexNumber(start);
  switch (c) {
  case '(':
    return make(TokenKind::LParen, start);
  case ')':
    return make(TokenKind::RParen, start);
  case '[':
    return make(TokenKind::LBracket, start);
  case ']':
    return make(TokenKind::RBracket, start);
  case '{':
    return make(TokenKind::LBrace, start);
  case '}':
    return make(TokenKind::RBrace, start);
  case ',':
    return make(TokenKind::Comma, start);
  case ':':
    return make(TokenKind::Colon, start);
  case '=':
    return make(TokenKind::Equal, start);
  case '-':
    return make(TokenKind::Minus, start);
  case '"':
    return lexString(start);
  case '|':
    if (cur != buffer.end() && *cur == '>') {
      ++cur;
      return make(TokenKind::Pipe, start);
    }
    break;
  }
  return make(TokenKind::Error, start);
}

/// Identifiers may be dotted (`layer1.0`, `downsample.1`) so that layer names
/// can match PyTorch module paths.
Token Lexer::lexIdentifier(const char *start) {
  while (cur != buffer.end()) {
    if (isIdentChar(*cur)) {
      ++cur;
    } else if (*cur == '.' && cur + 1 != buffer.end() && isIdentChar(cur[1])) {
      cur += 2;
    } else {
      break;
    }
  }
  Token tok = make(TokenKind::Identifier, start);
  tok.kind = llvm::StringSwitch<TokenKind>(tok.spelling)
                 .Case("model", TokenKind::KwModel)
                 .Case("input", TokenKind::KwInput)
                 .Case("output", TokenKind::KwOutput)
                 .Case("weights", TokenKind::KwWeights)
                 .Case("block", TokenKind::KwBlock)
                 .Case("return", TokenKind::KwReturn)
                 .Case("true", TokenKind::KwTrue)
                 .Case("false", TokenKind::KwFalse)
                 .Default(TokenKind::Identifier);
  return tok;
}

Token Lexer::lexNumber(const char *start) {
  bool isFloat = *start == '.';
  auto digits = [&] {
    while (cur != buffer.end() &&
           std::isdigit(static_cast<unsigned char>(*cur)))
      ++cur;
  };
  digits();
  if (cur != buffer.end() && *cur == '.') {
    isFloat = true;
    ++cur;
    digits();
  }
  if (cur != buffer.end() && (*cur == 'e' || *cur == 'E')) {
    const char *save = cur++;
    if (cur != buffer.end() && (*cur == '+' || *cur == '-'))
      ++cur;
    if (cur == buffer.end() ||
        !std::isdigit(static_cast<unsigned char>(*cur))) {
      cur = save;
    } else {
      isFloat = true;
      digits();
    }
  }
  // "3x3" or "1.5abc" is one malformed token, not a number and a name.
  if (cur != buffer.end() && isIdentChar(*cur)) {
    while (cur != buffer.end() && isIdentChar(*cur))
      ++cur;
    return make(TokenKind::Error, start);
  }
  return make(isFloat ? TokenKind::Float : TokenKind::Integer, start);
}

Token Lexer::lexString(const char *start) {
  while (cur != buffer.end() && *cur != '"' && *cur != '\n')
    ++cur;
  if (cur == buffer.end() || *cur != '"')
    return make(TokenKind::Error, start);
  ++cur;
  return make(TokenKind::String, start);
}
