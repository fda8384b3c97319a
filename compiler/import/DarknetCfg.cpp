//===- DarknetCfg.cpp - Darknet .cfg files as sections of options ---------===//

#include "compiler/import/DarknetCfg.h"

#include "llvm/ADT/StringExtras.h"

using namespace cnnc::darknet;
using llvm::SMLoc;
using llvm::StringRef;

static constexpr const char *kSpace = " \t\r\v\f";

const CfgOption *CfgSection::find(StringRef key) const {
  for (const CfgOption &option : options)
    if (option.key == key)
      return &option;
  return nullptr;
}

/// `text` without a trailing `# comment` and surrounding whitespace.
static StringRef withoutComment(StringRef text) {
  return text.take_until([](char c) { return c == '#'; }).trim(kSpace);
}

std::optional<std::vector<CfgSection>>
cnnc::darknet::parseCfg(const llvm::SourceMgr &sourceMgr) {
  StringRef buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())->getBuffer();
  bool failed = false;
  auto error = [&](const char *at, const llvm::Twine &message) {
    sourceMgr.PrintMessage(SMLoc::getFromPointer(at), llvm::SourceMgr::DK_Error,
                           message);
    failed = true;
  };

  std::vector<CfgSection> sections;
  while (!buffer.empty()) {
    auto [rawLine, rest] = buffer.split('\n');
    buffer = rest;
    StringRef line = rawLine.trim(kSpace);
    if (line.empty() || line.front() == '#' || line.front() == ';')
      continue;

    if (line.front() == '[') {
      size_t close = line.find(']');
      if (close == StringRef::npos) {
        error(line.end(), "expected ']' to close the section header");
        continue;
      }
      StringRef after = line.drop_front(close + 1).ltrim(kSpace);
      if (!after.empty() && after.front() != '#' && after.front() != ';') {
        error(after.data(), "unexpected text after the section header");
        continue;
      }
      StringRef type = line.slice(1, close).trim(kSpace);
      if (type.empty()) {
        error(line.data(), "empty section name");
        continue;
      }
      sections.push_back({type, SMLoc::getFromPointer(line.data()), {}});
      continue;
    }

    size_t eq = line.find('=');
    if (eq == StringRef::npos) {
      error(line.data(), "expected 'key=value' or a '[section]' header");
      continue;
    }
    StringRef key = line.take_front(eq).rtrim(kSpace);
    StringRef afterEq = line.drop_front(eq + 1);
    StringRef value = withoutComment(afterEq);
    if (key.empty()) {
      error(line.data(), "expected a key before '='");
      continue;
    }
    if (value.empty()) {
      error(afterEq.data(), "expected a value after '" + key + "='");
      continue;
    }
    if (sections.empty()) {
      error(key.data(), "'" + key +
                            "' is outside any section; a Darknet cfg starts "
                            "with a [net] section");
      continue;
    }
    CfgSection &section = sections.back();
    // Darknet reads the last value of a key set twice.
    if (auto previous = llvm::find_if(
            section.options, [&](const CfgOption &o) { return o.key == key; });
        previous != section.options.end()) {
      sourceMgr.PrintMessage(SMLoc::getFromPointer(key.data()),
                             llvm::SourceMgr::DK_Warning,
                             "'" + key + "' is set twice in this [" +
                                 section.type + "] section; this value wins");
      sourceMgr.PrintMessage(previous->keyLoc, llvm::SourceMgr::DK_Note,
                             "first set here");
      previous->value = value;
      previous->valueLoc = SMLoc::getFromPointer(value.data());
      continue;
    }
    section.options.push_back({key, value, SMLoc::getFromPointer(key.data()),
                               SMLoc::getFromPointer(value.data())});
  }
  if (failed)
    return std::nullopt;
  return sections;
}
