//===- ASTDump.cpp - print the .cnn syntax tree ---------------------------===//

#include "compiler/frontend/AST.h"

using namespace cnnc;

namespace {

class ASTDumper {
public:
  ASTDumper(const llvm::SourceMgr &sourceMgr, llvm::raw_ostream &os)
      : sourceMgr(sourceMgr), os(os) {}

  void dump(const ModelAST &model) {
    os << "Model '" << model.name << "' " << loc(model.loc) << "\n";
    for (const InputDecl &input : model.inputs) {
      os << "  Input '" << input.name << "' f32[";
      llvm::interleaveComma(input.shape, os);
      os << "] " << loc(input.loc) << "\n";
    }
    if (model.weightsFile)
      os << "  Weights \"" << *model.weightsFile << "\" "
         << loc(model.weightsLoc) << "\n";
    for (const auto &block : model.blocks) {
      os << "  Block '" << block->name << "' " << loc(block->loc) << "\n";
      for (const BlockParam &param : block->params) {
        os << "    Param '" << param.name << "' " << loc(param.loc) << "\n";
        if (param.defaultValue)
          dump(*param.defaultValue, 6);
      }
      for (const Statement &stmt : block->body)
        dump(stmt, 4);
    }
    for (const Statement &stmt : model.statements)
      dump(stmt, 2);
  }

private:
  std::string loc(llvm::SMLoc l) {
    auto [line, col] = sourceMgr.getLineAndColumn(l);
    return "@" + std::to_string(line) + ":" + std::to_string(col);
  }

  void dump(const Statement &stmt, int indent) {
    static const char *kinds[] = {"Binding", "Output", "Return"};
    os.indent(indent) << kinds[static_cast<int>(stmt.kind)];
    if (!stmt.name.empty())
      os << " '" << stmt.name << "'";
    os << " " << loc(stmt.loc) << "\n";
    if (stmt.value)
      dump(*stmt.value, indent + 2);
  }

  void dump(const Expr &expr, int indent) {
    os.indent(indent);
    switch (expr.kind) {
    case Expr::Kind::Name:
      os << "Name '" << expr.text << "'";
      break;
    case Expr::Kind::Number:
      os << "Number " << expr.number;
      break;
    case Expr::Kind::Bool:
      os << "Bool " << (expr.boolean ? "true" : "false");
      break;
    case Expr::Kind::String:
      os << "String \"" << expr.text << "\"";
      break;
    case Expr::Kind::List:
    case Expr::Kind::Tuple:
      os << (expr.kind == Expr::Kind::List ? "List" : "Tuple") << " ("
         << expr.items.size() << " items)";
      break;
    case Expr::Kind::Call:
      os << "Call '" << expr.text << "'";
      break;
    }
    os << " " << loc(expr.loc) << "\n";
    for (const ExprPtr &item : expr.items)
      dump(*item, indent + 2);
    for (const Arg &arg : expr.args) {
      if (arg.name) {
        os.indent(indent + 2)
            << "Arg '" << *arg.name << "' " << loc(arg.loc) << "\n";
        dump(*arg.value, indent + 4);
      } else {
        dump(*arg.value, indent + 2);
      }
    }
  }

  const llvm::SourceMgr &sourceMgr;
  llvm::raw_ostream &os;
};

} // namespace

void cnnc::dumpAST(const ModelAST &model, const llvm::SourceMgr &sourceMgr,
                   llvm::raw_ostream &os) {
  ASTDumper(sourceMgr, os).dump(model);
}
