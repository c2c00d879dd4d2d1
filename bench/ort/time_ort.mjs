// Times one ONNX model in ONNX Runtime (the npm package onnxruntime-node), so
// that the ONNX Runtime side of bench/run.py is not lut-mlir's code.
//
// Usage: node time_ort.mjs MODEL.onnx THREADS RUNS INPUT.npy [INPUT.npy ...]
//   MODEL.onnx  the dense model
//   THREADS     intra-op threads (inter-op: 1, sequential execution)
//   RUNS        timed runs after 3 warm-up runs
//   INPUT.npy   one file per graph input, in graph-input order (float32 or
//               int64, C order, little endian)
// Prints one JSON line: {"median_ms", "min_ms", "max_ms", "runs", "threads",
// "ort_version", "outputs": [[name, first values...]]}. Errors go to stderr
// with exit code 1.
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';

function readNpy(path) {
  const buf = readFileSync(path);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const hlen = major >= 2 ? buf.readUInt32LE(8) : buf.readUInt16LE(8);
  const hstart = major >= 2 ? 12 : 10;
  const header = buf.toString('latin1', hstart, hstart + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${path}: Fortran order is not supported`);
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',').map(s => s.trim()).filter(s => s.length).map(Number);
  const data = buf.subarray(hstart + hlen);
  const copy = new Uint8Array(data.length); copy.set(data);
  if (descr === '<f4') return new ort.Tensor('float32', new Float32Array(copy.buffer), shape);
  if (descr === '<i8') return new ort.Tensor('int64', new BigInt64Array(copy.buffer), shape);
  throw new Error(`${path}: dtype ${descr} is not supported (float32 or int64)`);
}

async function main() {
  const [model, threadsArg, runsArg, ...inputs] = process.argv.slice(2);
  if (!model || !runsArg || inputs.length === 0)
    throw new Error('usage: node time_ort.mjs MODEL.onnx THREADS RUNS INPUT.npy...');
  const threads = Number(threadsArg), runs = Number(runsArg);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  if (session.inputNames.length !== inputs.length)
    throw new Error(`${model} has ${session.inputNames.length} inputs, ${inputs.length} given`);
  const feeds = {};
  session.inputNames.forEach((n, i) => { feeds[n] = readNpy(inputs[i]); });
  let out;
  for (let i = 0; i < 3; ++i) out = await session.run(feeds);
  const times = [];
  for (let i = 0; i < runs; ++i) {
    const t0 = process.hrtime.bigint();
    out = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  const outputs = session.outputNames.map(n => [n, ...Array.from(out[n].data.slice(0, 4), Number)]);
  console.log(JSON.stringify({ median_ms: median, min_ms: times[0], max_ms: times[times.length - 1],
    runs, threads, ort_version: ort.env.versions?.common ?? 'unknown', outputs }));
}

main().catch(e => { console.error(`time_ort: error: ${e.message}`); process.exit(1); });
