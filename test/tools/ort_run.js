// Runs an ONNX model once in ONNX Runtime (CPU, one thread) for the tests:
//
//   node ort_run.js ORT_DIR MODEL.onnx OUT_DIR NAME=IN.npy...
//
// ORT_DIR holds node_modules/onnxruntime-node. Inputs are float32 C-order
// .npy files; output i is written to OUT_DIR/i.npy and the output names are
// printed as a JSON list, in that order.
const fs = require('fs');
const path = require('path');

function readNpy(file) {
  const buf = fs.readFileSync(file);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  if (!header.includes("'<f4'") || header.includes("'fortran_order': True"))
    throw new Error(`${file}: expected a C-order float32 .npy file`);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1]
                    .split(',').map(s => s.trim()).filter(s => s).map(Number);
  const bytes = buf.subarray(start + headerLen);
  const data = new Float32Array(bytes.length / 4);
  for (let i = 0; i < data.length; ++i) data[i] = bytes.readFloatLE(4 * i);
  return {shape, data};
}

function writeNpy(file, dims, data) {
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header =
      `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(4 * data.length);
  for (let i = 0; i < data.length; ++i) body.writeFloatLE(data[i], 4 * i);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

async function main() {
  const [ortDir, model, outDir, ...inputs] = process.argv.slice(2);
  const ort = require(path.join(path.resolve(ortDir), 'node_modules', 'onnxruntime-node'));
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const feeds = {};
  for (const arg of inputs) {
    const eq = arg.indexOf('=');
    const {shape, data} = readNpy(arg.slice(eq + 1));
    feeds[arg.slice(0, eq)] = new ort.Tensor('float32', data, shape);
  }
  const results = await session.run(feeds);
  session.outputNames.forEach((name, i) => {
    const t = results[name];
    writeNpy(path.join(outDir, `${i}.npy`), t.dims, t.data);
  });
  console.log(JSON.stringify(session.outputNames));
}

main().catch(e => {
  console.error(`ort_run.js: ${e.message}`);
  process.exit(1);
});
