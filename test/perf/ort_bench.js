// Median latency of an ONNX model in ONNX Runtime (CPU), batch 1, for
// models.py, printed like a cnnc executable's --bench.
// Usage: node ort_bench.js MODEL.onnx THREADS RUNS D0,D1,...
const ort = require('onnxruntime-node');

async function main() {
  const [path, threads, runs] =
      [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
  const dims = process.argv[5].split(',').map(Number);
  const session = await ort.InferenceSession.create(path, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const meta = session.inputNames[0];
  const size = dims.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({length: size}, (_, i) => Math.sin(i));
  const feeds = {[meta]: new ort.Tensor('float32', data, dims)};
  await session.run(feeds);
  const times = [];
  for (let i = 0; i < runs; ++i) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`latency ms: median ${times[runs >> 1].toFixed(4)}`);
  // VmHWM, as the cnnc executable reports it (includes Node.js itself).
  const hwm = /VmHWM:\s*(\d+) kB/.exec(
      require('fs').readFileSync('/proc/self/status', 'utf8'));
  console.log(`peak RSS MB: ${(Number(hwm[1]) * 1024 / 1e6).toFixed(1)}`);
}

main();
