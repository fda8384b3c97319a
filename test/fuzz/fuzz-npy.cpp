//===- fuzz-npy.cpp - the runtime's .npy reader ---------------------------===//
//
// cnnrt_npy_read as a model executable calls it, for an input of shape
// [2, 3, 4] and for a scalar-like [1].
//
//===----------------------------------------------------------------------===//

#include "runtime/cnnrt.h"
#include "test/fuzz/FuzzSupport.h"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = cnnc::fuzz::writeScratchFile(data, size, ".npy");
  const cnnrt_tensor_info shapes[] = {{"image", 3, {2, 3, 4}},
                                      {"scale", 1, {1}}};
  for (const cnnrt_tensor_info &info : shapes) {
    std::vector<float> values(cnnrt_num_elements(&info));
    char error[256];
    (void)cnnrt_npy_read(path.c_str(), &info, values.data(), error,
                         sizeof(error));
  }
  return 0;
}
