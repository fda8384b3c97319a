//===- SanitizerDefaults.cpp - AddressSanitizer options of our tools ------===//
//
// Linked into cnnc, cnnc-opt and the fuzz targets of a sanitizer build
// (-DCNNC_SANITIZE). LLVM's headers poison the unused tails of its
// allocators' slabs when the code including them is built with
// AddressSanitizer; Debian's libLLVM and libMLIR, where the same allocators
// also run, are not, so the two disagree about which bytes are poisoned and
// ASan reports uses of memory that is in fact allocated. Manual poisoning is
// therefore ignored; ASan's own checks of our code stay.
//
//===----------------------------------------------------------------------===//

extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}
