//===- Target.cpp - the LLVM target machine cnnc compiles for -------------===//

#include "compiler/codegen/Target.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include <unistd.h>

using namespace llvm;

static bool isHostTriple(const Triple &triple) {
  return triple.normalize() ==
         Triple(sys::getDefaultTargetTriple()).normalize();
}

Expected<std::unique_ptr<TargetMachine>>
cnnc::createTargetMachine(const TargetOptions &options) {
  InitializeAllTargetInfos();
  InitializeAllTargets();
  InitializeAllTargetMCs();
  InitializeAllAsmPrinters();

  Triple triple(options.triple.empty() ? sys::getDefaultTargetTriple()
                                       : options.triple);
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return createStringError(inconvertibleErrorCode(),
                             "unknown target triple '" + triple.str() +
                                 "': " + error);

  std::string cpu = options.cpu;
  SubtargetFeatures features;
  // "native" means the host only when compiling for the host: another
  // triple gets its own generic CPU, not the host's name and features.
  if (cpu == "native" && !isHostTriple(triple))
    cpu = "generic";
  if (cpu == "native") {
    cpu = sys::getHostCPUName().str();
    for (const auto &[feature, enabled] : sys::getHostCPUFeatures())
      features.AddFeature(feature, enabled);
  }
  CodeGenOptLevel level = *CodeGenOpt::getLevel(options.optLevel);
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features.getString(), llvm::TargetOptions(), Reloc::PIC_,
      std::nullopt, level));
  if (!machine)
    return createStringError(inconvertibleErrorCode(),
                             "cannot create a target machine for '" +
                                 triple.str() + "' and CPU '" + cpu + "'");
  return std::move(machine);
}

cnnc::VectorRegisters
cnnc::vectorRegisters(const llvm::TargetMachine &machine) {
  const MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  auto has = [&](StringRef feature) {
    return info && info->checkFeatures("+" + feature.str());
  };
  if (machine.getTargetTriple().isX86()) {
    if (has("avx512f"))
      return {512, 32};
    if (has("avx"))
      return {256, 16};
    return {128, 16};
  }
  if (machine.getTargetTriple().isAArch64())
    return {128, 32};
  return {128, 16};
}

std::optional<int64_t> cnnc::hostL2CacheBytes(const TargetOptions &options) {
  if (options.cpu != "native" ||
      !isHostTriple(Triple(options.triple.empty()
                               ? sys::getDefaultTargetTriple()
                               : options.triple)))
    return std::nullopt;
#ifdef _SC_LEVEL2_CACHE_SIZE
  long bytes = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (bytes > 0)
    return bytes;
#endif
  return std::nullopt;
}
