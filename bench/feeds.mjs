// Inputs for the benchmarks (bench/run.mjs, bench/memory.mjs): seeded random floats, and feeds for a
// model file built from its input metadata (symbolic dims bound from `dims`, `'*'` for the rest).

/** `n` seeded floats in [-scale/2, scale/2) (mulberry32): same seed, same data. */
export function rand(n, seed, scale = 0.2) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5) * scale;
  }
  return out;
}

/**
 * What to feed the model at `path` (`lib`: the compiled onnxflow), as plain data (it crosses process
 * boundaries: bench/memory.mjs): per input its name, type, shape and seed. int64 inputs are 50, bool
 * ones true, a `timestep` 500, other floats random; `fix` gives some inputs exact dims.
 */
export function feedSpecs(lib, path, dims, fix = {}) {
  const g = lib.loadModelFile(path).graph;  // its large weights are not read: only the inputs are wanted
  const specs = [];
  let seed = 11;
  for (const m of g.inputs.filter((i) => !g.initializers.has(i.name))) {
    const shape = fix[m.name] ?? (m.type?.shape ?? []).map((d) => (typeof d === 'number' ? d : dims[d] ?? dims['*'] ?? 1));
    const type = m.type?.elemType;
    specs.push({ name: m.name, type, shape, seed: fix[m.name] ? 21 : type === 'float32' ? seed++ : 0 });
  }
  return specs;
}

/** The feeds `specs` describe (random floats of scale 1, seeded). */
export function makeFeeds(lib, specs) {
  const { Tensor } = lib;
  const feeds = {};
  for (const { name, type, shape, seed } of specs) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (type === 'int64') feeds[name] = new Tensor('int64', new BigInt64Array(n).fill(50n), shape);
    else if (type === 'bool') feeds[name] = new Tensor('bool', new Uint8Array(n).fill(1), shape);
    else if (name === 'timestep') feeds[name] = new Tensor('float32', new Float32Array(n).fill(500), shape);
    else feeds[name] = new Tensor('float32', rand(n, seed, 1), shape);
  }
  return feeds;
}
