//===- Parser.cpp - .cnn source to AST ------------------------------------===//
//
// Recursive descent over the grammar in docs/language.md:
//
//   model      := stmt*
//   stmt       := 'model' ID | 'input' ID ':' 'f32' '[' INT (',' INT)* ']'
//               | 'weights' STRING | 'block' ID '(' params ')' '{' body '}'
//               | 'output' ID ('=' expr)? | ID '=' expr
//   expr       := primary ('|>' primary)*
//   primary    := ID ('(' args ')')? | NUMBER | '-' NUMBER | STRING | BOOL
//               | '[' items ']' | '(' items ')'
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/Parser.h"

#include "compiler/frontend/Lexer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SaveAndRestore.h"

#include <cmath>

using namespace cnnc;
using llvm::SMLoc;

namespace {

/// Deepest expression nesting (calls, lists, pipeline stages) accepted: far
/// beyond any model, and well within cnnc's stack (cnnc.cpp).
constexpr unsigned kMaxNesting = 10000;

class Parser {
public:
  Parser(llvm::SourceMgr &sourceMgr)
      : sourceMgr(sourceMgr),
        lexer(
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())->getBuffer()) {
    tok = lexer.next();
  }

  std::unique_ptr<ModelAST> parseModel();

private:
  bool error(SMLoc loc, const llvm::Twine &message) {
    if (!hadError)
      sourceMgr.PrintMessage(loc, llvm::SourceMgr::DK_Error, message);
    hadError = true;
    return false;
  }
  bool errorHere(const llvm::Twine &expected) {
    if (tok.is(TokenKind::Error))
      return error(tok.loc(), "invalid token '" + tok.spelling + "'");
    std::string found =
        tok.is(TokenKind::Eof) ? "end of file" : "'" + tok.spelling.str() + "'";
    return error(tok.loc(), "expected " + expected + ", found " + found);
  }
  void consume() { tok = lexer.next(); }
  bool consumeIf(TokenKind kind) {
    if (!tok.is(kind))
      return false;
    consume();
    return true;
  }
  bool expect(TokenKind kind, const llvm::Twine &what) {
    if (consumeIf(kind))
      return true;
    return errorHere(what);
  }
  bool parseIdentifier(std::string &name, SMLoc &loc, const char *what) {
    if (!tok.is(TokenKind::Identifier))
      return errorHere(what);
    name = tok.spelling.str();
    loc = tok.loc();
    consume();
    return true;
  }

  bool parseStatement(ModelAST &model);
  bool parseInput(ModelAST &model);
  bool parseBlock(ModelAST &model);
  bool parseBodyStatement(std::vector<Statement> &body, bool inBlock);
  ExprPtr parseExpr();
  ExprPtr parsePrimary();
  ExprPtr parseNumber(SMLoc loc, bool negative);
  bool parseItems(Expr &list, TokenKind close, const char *closeText);
  bool parseArgs(Expr &call);

  llvm::SourceMgr &sourceMgr;
  Lexer lexer;
  Token tok;
  bool hadError = false;
  unsigned depth = 0; // of the expression being parsed
};

} // namespace

std::unique_ptr<ModelAST> Parser::parseModel() {
  auto model = std::make_unique<ModelAST>();
  model->loc = tok.loc();
  while (!tok.is(TokenKind::Eof))
    if (!parseStatement(*model))
      return nullptr;
  if (model->name.empty()) {
    error(model->loc, "missing 'model NAME' declaration");
    return nullptr;
  }
  return model;
}

bool Parser::parseStatement(ModelAST &model) {
  switch (tok.kind) {
  case TokenKind::KwModel: {
    SMLoc loc = tok.loc();
    consume();
    if (!model.name.empty())
      return error(loc, "the model is already named '" + model.name + "'");
    model.loc = loc;
    return parseIdentifier(model.name, loc, "a model name");
  }
  case TokenKind::KwInput:
    return parseInput(model);
  case TokenKind::KwWeights: {
    SMLoc loc = tok.loc();
    consume();
    if (model.weightsFile)
      return error(loc, "a weights file is already given");
    if (!tok.is(TokenKind::String))
      return errorHere("a quoted file name");
    model.weightsFile = tok.spelling.drop_front().drop_back().str();
    model.weightsLoc = loc;
    consume();
    return true;
  }
  case TokenKind::KwBlock:
    return parseBlock(model);
  default:
    return parseBodyStatement(model.statements, /*inBlock=*/false);
  }
}

bool Parser::parseInput(ModelAST &model) {
  consume(); // 'input'
  InputDecl input;
  if (!parseIdentifier(input.name, input.loc, "an input name") ||
      !expect(TokenKind::Colon, "':'"))
    return false;
  if (!tok.is(TokenKind::Identifier) || tok.spelling != "f32")
    return errorHere("the element type 'f32'");
  consume();
  if (!expect(TokenKind::LBracket, "'['"))
    return false;
  do {
    int64_t dim;
    if (!tok.is(TokenKind::Integer) || tok.spelling.getAsInteger(10, dim) ||
        dim < 1 || dim > (int64_t(1) << 31))
      return errorHere("a positive dimension size");
    input.shape.push_back(dim);
    consume();
  } while (consumeIf(TokenKind::Comma));
  if (!expect(TokenKind::RBracket, "',' or ']'"))
    return false;
  model.inputs.push_back(std::move(input));
  return true;
}

bool Parser::parseBlock(ModelAST &model) {
  consume(); // 'block'
  auto block = std::make_unique<BlockDecl>();
  if (!parseIdentifier(block->name, block->loc, "a block name") ||
      !expect(TokenKind::LParen, "'('"))
    return false;
  if (!tok.is(TokenKind::RParen)) {
    do {
      BlockParam param;
      if (!parseIdentifier(param.name, param.loc, "a parameter name"))
        return false;
      if (consumeIf(TokenKind::Equal) && !(param.defaultValue = parseExpr()))
        return false;
      block->params.push_back(std::move(param));
    } while (consumeIf(TokenKind::Comma));
  }
  if (!expect(TokenKind::RParen, "',' or ')'") ||
      !expect(TokenKind::LBrace, "'{'"))
    return false;
  while (!tok.is(TokenKind::RBrace)) {
    if (tok.is(TokenKind::Eof))
      return errorHere("'}' to close block '" + block->name + "'");
    if (!parseBodyStatement(block->body, /*inBlock=*/true))
      return false;
  }
  SMLoc close = tok.loc();
  consume();
  if (block->body.empty() || block->body.back().kind != Statement::Kind::Return)
    return error(close,
                 "block '" + block->name + "' must end with 'return EXPR'");
  model.blocks.push_back(std::move(block));
  return true;
}

bool Parser::parseBodyStatement(std::vector<Statement> &body, bool inBlock) {
  Statement stmt;
  stmt.loc = tok.loc();
  if (!body.empty() && body.back().kind == Statement::Kind::Return)
    return error(stmt.loc, "statement after 'return'");
  if (consumeIf(TokenKind::KwReturn)) {
    if (!inBlock)
      return error(stmt.loc, "'return' outside a block");
    stmt.kind = Statement::Kind::Return;
    stmt.value = parseExpr();
  } else if (consumeIf(TokenKind::KwOutput)) {
    if (inBlock)
      return error(stmt.loc, "'output' inside a block; return the value");
    stmt.kind = Statement::Kind::Output;
    SMLoc loc;
    if (!parseIdentifier(stmt.name, loc, "an output name"))
      return false;
    if (consumeIf(TokenKind::Equal) && !(stmt.value = parseExpr()))
      return false;
    body.push_back(std::move(stmt));
    return true;
  } else if (tok.is(TokenKind::Identifier)) {
    stmt.kind = Statement::Kind::Binding;
    SMLoc loc;
    parseIdentifier(stmt.name, loc, "a name");
    if (!expect(TokenKind::Equal, "'=' after '" + stmt.name + "'"))
      return false;
    stmt.value = parseExpr();
  } else {
    return errorHere("a statement");
  }
  if (!stmt.value)
    return false;
  body.push_back(std::move(stmt));
  return true;
}

ExprPtr Parser::parseExpr() {
  // Each nested call, list or pipeline stage is a level of the syntax tree,
  // which the passes over it walk recursively.
  llvm::SaveAndRestore<unsigned> nested(depth, depth + 1);
  if (depth > kMaxNesting) {
    error(tok.loc(), "expression nested more than " + llvm::Twine(kMaxNesting) +
                         " levels deep (split it into statements)");
    return nullptr;
  }
  ExprPtr lhs = parsePrimary();
  while (lhs && tok.is(TokenKind::Pipe)) {
    if (++depth > kMaxNesting) {
      error(tok.loc(), "pipeline of more than " + llvm::Twine(kMaxNesting) +
                           " stages (split it into statements)");
      return nullptr;
    }
    consume();
    SMLoc loc = tok.loc();
    ExprPtr rhs = parsePrimary();
    if (!rhs)
      return nullptr;
    if (rhs->kind == Expr::Kind::Name) { // `x |> relu` is `relu(x)`
      rhs->kind = Expr::Kind::Call;
    } else if (rhs->kind != Expr::Kind::Call) {
      error(loc, "the right side of '|>' must be an op or block name or call");
      return nullptr;
    }
    Arg piped{std::nullopt, lhs->loc, std::move(lhs)};
    rhs->args.insert(rhs->args.begin(), std::move(piped));
    lhs = std::move(rhs);
  }
  return lhs;
}

ExprPtr Parser::parseNumber(SMLoc loc, bool negative) {
  if (!tok.is(TokenKind::Integer) && !tok.is(TokenKind::Float)) {
    errorHere("a number");
    return nullptr;
  }
  auto expr = std::make_unique<Expr>(Expr::Kind::Number, loc);
  expr->isInteger = tok.is(TokenKind::Integer);
  if (tok.spelling.getAsDouble(expr->number)) {
    error(tok.loc(), "invalid number '" + tok.spelling + "'");
    return nullptr;
  }
  if (!std::isfinite(expr->number)) {
    error(tok.loc(), "number '" + tok.spelling + "' is out of range");
    return nullptr;
  }
  if (expr->isInteger && expr->number > 9.007199254740992e15) {
    error(tok.loc(), "integer '" + tok.spelling + "' is too large");
    return nullptr;
  }
  if (negative)
    expr->number = -expr->number;
  consume();
  return expr;
}

ExprPtr Parser::parsePrimary() {
  SMLoc loc = tok.loc();
  switch (tok.kind) {
  case TokenKind::Identifier: {
    auto expr = std::make_unique<Expr>(Expr::Kind::Name, loc);
    expr->text = tok.spelling.str();
    consume();
    if (consumeIf(TokenKind::LParen)) {
      expr->kind = Expr::Kind::Call;
      if (!parseArgs(*expr))
        return nullptr;
    }
    return expr;
  }
  case TokenKind::Integer:
  case TokenKind::Float:
    return parseNumber(loc, false);
  case TokenKind::Minus:
    consume();
    return parseNumber(loc, true);
  case TokenKind::String: {
    auto expr = std::make_unique<Expr>(Expr::Kind::String, loc);
    expr->text = tok.spelling.drop_front().drop_back().str();
    consume();
    return expr;
  }
  case TokenKind::KwTrue:
  case TokenKind::KwFalse: {
    auto expr = std::make_unique<Expr>(Expr::Kind::Bool, loc);
    expr->boolean = tok.is(TokenKind::KwTrue);
    consume();
    return expr;
  }
  case TokenKind::LBracket: {
    consume();
    auto expr = std::make_unique<Expr>(Expr::Kind::List, loc);
    if (!parseItems(*expr, TokenKind::RBracket, "']'"))
      return nullptr;
    return expr;
  }
  case TokenKind::LParen: {
    consume();
    auto expr = std::make_unique<Expr>(Expr::Kind::Tuple, loc);
    if (!parseItems(*expr, TokenKind::RParen, "')'"))
      return nullptr;
    return expr;
  }
  default:
    errorHere("an expression");
    return nullptr;
  }
}

bool Parser::parseItems(Expr &list, TokenKind close, const char *closeText) {
  if (consumeIf(close))
    return true;
  do {
    ExprPtr item = parseExpr();
    if (!item)
      return false;
    list.items.push_back(std::move(item));
  } while (consumeIf(TokenKind::Comma));
  return expect(close, llvm::Twine("',' or ") + closeText);
}

bool Parser::parseArgs(Expr &call) {
  if (consumeIf(TokenKind::RParen))
    return true;
  do {
    Arg arg;
    arg.loc = tok.loc();
    // A named argument is `IDENT '=' expr`; peek by lexing ahead on a copy.
    if (tok.is(TokenKind::Identifier)) {
      Lexer peek = lexer;
      if (peek.next().is(TokenKind::Equal)) {
        arg.name = tok.spelling.str();
        consume();
        consume();
      }
    }
    if (!arg.name && !call.args.empty() && call.args.back().name)
      return error(arg.loc, "positional argument after a named argument");
    if (!(arg.value = parseExpr()))
      return false;
    call.args.push_back(std::move(arg));
  } while (consumeIf(TokenKind::Comma));
  return expect(TokenKind::RParen, "',' or ')'");
}

std::unique_ptr<ModelAST> cnnc::parseModel(llvm::SourceMgr &sourceMgr) {
  return Parser(sourceMgr).parseModel();
}
