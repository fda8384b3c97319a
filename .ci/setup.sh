#!/usr/bin/env bash
# Installs what cnnc needs on Debian 12 (as root) and builds it in ./build.
# Used by the README quick start and by .ci/run. Packages are installed with
# apt-get update + apt-get install -y when any is missing; ONNX Runtime for
# the tests (onnxruntime-node) with npm into build/ort when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # The LLVM/MLIR 22 toolchain cnnc is built on and with.
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  libfmt-dev cmake ninja-build
  # The ONNX importer: Debian's ONNX 1.12 (with protobuf 3.21).
  libonnx-dev libprotobuf-dev
  # Tests: numpy oracles; PyTorch parity and ONNX models (skipped by lit
  # when torch/onnx are absent).
  python3-numpy python3-torch python3-torchvision python3-onnx
  # Cross-compilation to AArch64 (the AArch64 libcnnrt is built against
  # Debian's cross C library) and its tests under qemu-aarch64.
  libc6-dev-arm64-cross libgcc-12-dev-arm64-cross qemu-user
  # Sanitizer and libFuzzer builds (-DCNNC_SANITIZE, -DCNNC_FUZZ).
  libclang-rt-22-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

cmake -G Ninja -S . -B build \
  -DCMAKE_BUILD_TYPE=Release \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DCMAKE_C_COMPILER=/usr/lib/llvm-22/bin/clang \
  -DCMAKE_CXX_COMPILER=/usr/lib/llvm-22/bin/clang++ \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
ninja -C build cnnc cnnc-opt cnnrt cnnrt-fake-model cnnrt-parallel-for-check

# ONNX Runtime 1.30, which the ONNX import tests compare against (lit
# feature 'ort'), where Node.js and npm are installed. Without it those
# comparisons are skipped, so say so.
if [ ! -f build/ort/node_modules/onnxruntime-node/package.json ]; then
  if command -v npm >/dev/null && command -v node >/dev/null; then
    mkdir -p build/ort
    (cd build/ort && npm install --ignore-scripts --no-audit --no-fund \
      onnxruntime-node@1.30.0) ||
      echo "setup.sh: warning: npm could not install onnxruntime-node;" \
        "tests will not compare against ONNX Runtime" >&2
  else
    echo "setup.sh: warning: no node/npm; tests will not compare against" \
      "ONNX Runtime" >&2
  fi
fi
