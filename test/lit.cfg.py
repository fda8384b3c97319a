# lit configuration for cnnc. Run with `ninja -C build check-cnnc`.
import os
import shutil

import lit.formats

config.name = "cnnc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".cnn", ".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cnnc_obj_root, "test")

# Our tools first, then LLVM's FileCheck/not/count.
config.environment["PATH"] = os.pathsep.join(
    [config.cnnc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])]
)
# The compiled models link with the C compiler driver; keep the user's choice.
# CNNC_TARGET_CPU: cnnc's default CPU (the suite run for another target than
# the host's; tests whose output depends on the CPU pin --target-cpu).
for var in ["CC", "HOME", "TMPDIR", "CNNC_TARGET_CPU"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

config.substitutions.append(("%cnnc-opt", os.path.join(config.cnnc_tools_dir, "cnnc-opt")))
config.substitutions.append(("%cnnc", os.path.join(config.cnnc_tools_dir, "cnnc")))
config.substitutions.append(("%fake_model", os.path.join(config.cnnc_tools_dir, "cnnrt-fake-model")))
config.substitutions.append(("%parallel_for_check", os.path.join(config.cnnc_tools_dir, "cnnrt-parallel-for-check")))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%samples", os.path.join(config.cnnc_src_root, "samples")))
config.substitutions.append(("%testtools", os.path.join(config.cnnc_src_root, "test", "tools")))
config.substitutions.append(("%runtime_include", os.path.join(config.cnnc_obj_root, "include")))
config.substitutions.append(("%build_root", config.cnnc_obj_root))
config.substitutions.append(("%runtime_lib", os.path.join(config.cnnc_obj_root, "lib", "libcnnrt.a")))
# The C compiler for programs linking libcnnrt; a sanitizer build's runtime
# (-DCNNC_SANITIZE) links with clang and its sanitizer runtime.
if config.cnnc_sanitize:
    config.available_features.add("sanitizer")
    config.substitutions.append(
        ("%cc", os.path.join(config.llvm_tools_dir, "clang") + " -fsanitize=" + config.cnnc_sanitize)
    )
else:
    config.substitutions.append(("%cc", "cc"))
# A build of the runtime alone (.ci/reliability's ThreadSanitizer build) runs
# the runtime's tests; those that compile a model need cnnc.
if os.path.exists(os.path.join(config.cnnc_tools_dir, "cnnc")):
    config.available_features.add("cnnc")
# The libFuzzer targets (-DCNNC_FUZZ=ON) replay their corpora.
if config.cnnc_fuzz.upper() in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("fuzz")
for var in ["ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

# Optional Python packages: PyTorch parity tests need Debian's python3-torch,
# the ONNX import tests python3-onnx (to build models).
import importlib.util

for module in ["torch", "onnx"]:
    if importlib.util.find_spec(module) is not None:
        config.available_features.add(module)

# ONNX Runtime (onnxruntime-node, which .ci/setup.sh installs into build/ort;
# CNNC_ORT_DIR overrides): where it is present, the ONNX import tests also
# compare against it. %ort_args passes it to their scripts.
ort_dir = os.environ.get("CNNC_ORT_DIR", os.path.join(config.cnnc_obj_root, "ort"))
ort_package = os.path.join(ort_dir, "node_modules", "onnxruntime-node", "package.json")
if shutil.which("node") and os.path.isfile(ort_package):
    config.available_features.add("ort")
    config.substitutions.append(("%ort_args", "--ort-dir " + ort_dir))
else:
    config.substitutions.append(("%ort_args", ""))

# Cross-compilation to AArch64 Linux, run under qemu-aarch64 (Debian's
# qemu-user) with Debian's cross C library: where both and the AArch64
# runtime the build made are present.
# They pin their CPU (--target-cpu=generic): a run with another default CPU
# (CNNC_TARGET_CPU, CI's second pass) would repeat them unchanged.
if "CNNC_TARGET_CPU" in os.environ:
    config.available_features.add("default-cpu-overridden")
aarch64_runtime = os.path.join(config.cnnc_obj_root, "lib", "aarch64-linux-gnu", "libcnnrt.a")
if shutil.which("qemu-aarch64") and os.path.isfile(aarch64_runtime):
    config.available_features.add("aarch64-cross")
config.substitutions.append(("%qemu_aarch64", "qemu-aarch64 -L /usr/aarch64-linux-gnu"))
config.substitutions.append(("%aarch64_runtime_lib", aarch64_runtime))
config.substitutions.append(("%llvm_clang", os.path.join(config.llvm_tools_dir, "clang")))
