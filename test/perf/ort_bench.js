// Median latency of an ONNX model in ONNX Runtime (CPU), batch 1, for
// models.py. Usage: node ort_bench.js MODEL.onnx THREADS RUNS
const ort = require('onnxruntime-node');

async function main() {
  const [path, threads, runs] =
      [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
  const session = await ort.InferenceSession.create(path, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const meta = session.inputNames[0];
  const dims = [1, 3, 224, 224];
  const data = Float32Array.from({length: 3 * 224 * 224}, (_, i) => Math.sin(i));
  const feeds = {[meta]: new ort.Tensor('float32', data, dims)};
  await session.run(feeds);
  const times = [];
  for (let i = 0; i < runs; ++i) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(times[runs >> 1].toFixed(3));
}

main();
