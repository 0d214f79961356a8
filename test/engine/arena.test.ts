// The memory arena: offsets never overlap for simultaneously live tensors (random DAGs), in-place
// elementwise reuse, outputs identical with and without the arena (torch fixtures, sd-tiny UNet),
// concurrent runs, outputs never clobbered by a later run, planned peak below the naive sum.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InferenceSession, Tensor, makeGraph, makeModel, makeNode, makeTensor, makeTensorValueInfo, type Model } from '../../src/index.js';
import { type ArenaNode, assignOffsets, planArena, alignUp } from '../../src/engine/arena.js';
import { ArenaPool, PlanCache } from '../../src/engine/arena-run.js';
import { planModelMemory } from '../../src/engine/memory-plan.js';
import { planPeakMemory } from '../../src/optimize/memory.js';
import { cpuBackend } from '../../src/backends/cpu/index.js';
import type { KernelContext, Value } from '../../src/backends/backend.js';
import { Attrs } from '../../src/backends/attrs.js';
import { generateStableDiffusion } from '../../src/generate/index.js';
import { rng, randomFloats } from '../helpers/rng.js';

const FIX = join(__dirname, '..', 'fixtures', 'torch');

function bytesOf(v: Value): Buffer {
  const t = v as Tensor;
  const d = t.data as Float32Array;
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

/** A random DAG in execution order: elementwise, view, binary and multi-output nodes of random sizes. */
function randomDag(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const sizes = new Map<string, number>();
  const avail: string[] = ['in0', 'in1'];
  sizes.set('in0', 64);
  sizes.set('in1', 64);
  const nodes: ArenaNode[] = [];
  const n = 5 + Math.floor(r() * 40);
  for (let i = 0; i < n; i++) {
    const kind = pick(['Relu', 'Add', 'Reshape', 'MatMul', 'Split', 'Identity', 'Mul', 'Concat']);
    const a = pick(avail.slice(-6));
    const b = pick(avail);
    const outs = kind === 'Split' ? [`v${i}a`, `v${i}b`] : [`v${i}`];
    const ins = kind === 'Add' || kind === 'Mul' || kind === 'MatMul' || kind === 'Concat' ? [a, b] : [a];
    for (const o of outs) {
      const same = kind === 'Relu' || kind === 'Reshape' || kind === 'Identity' || ((kind === 'Add' || kind === 'Mul') && r() < 0.7);
      sizes.set(o, same ? sizes.get(a)! : 4 * (1 + Math.floor(r() * 64)));
      avail.push(o);
    }
    nodes.push({ opType: kind, domain: '', inputs: ins, outputs: outs, outerRefs: [], hasSubgraphs: false });
  }
  const outputs = new Set([avail[avail.length - 1]!, ...(r() < 0.5 ? [pick(avail.slice(2))] : [])]);
  return { nodes, sizes, outputs };
}

describe('arena planner', () => {
  it('never overlaps the storage of simultaneously live tensors (random DAGs)', () => {
    let inPlace = 0;
    let aliases = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { nodes, sizes, outputs } = randomDag(seed);
      const plan = planArena(nodes, {
        external: new Set(['in0', 'in1']), outputs,
        spec: (name) => (sizes.has(name) ? { type: 'float32', bytes: sizes.get(name)! } : undefined),
      });
      inPlace += plan.inPlace;
      aliases += plan.aliases;
      // Each value's own live interval: from its producer to its last reader.
      const prod = new Map<string, number>();
      const last = new Map<string, number>();
      nodes.forEach((nd, i) => {
        for (const x of nd.inputs) last.set(x, i);
        for (const o of nd.outputs) prod.set(o, i);
      });
      const placed = [...plan.placements.entries()];
      for (const [name] of placed) {
        expect(outputs.has(name), `graph output ${name} in the arena (seed ${seed})`).toBe(false);
      }
      for (let i = 0; i < placed.length; i++) {
        const [na, pa] = placed[i]!;
        expect(pa.offset % 64).toBe(0);
        expect(pa.offset + pa.bytes).toBeLessThanOrEqual(plan.size);
        const sa = prod.get(na)!, ea = Math.max(sa, last.get(na) ?? sa);
        for (let j = i + 1; j < placed.length; j++) {
          const [nb, pb] = placed[j]!;
          if (pa.root === pb.root) continue; // views and in-place outputs share a buffer on purpose
          const sb = prod.get(nb)!, eb = Math.max(sb, last.get(nb) ?? sb);
          if (sa <= eb && sb <= ea) {
            const disjoint = pa.offset + pa.bytes <= pb.offset || pb.offset + pb.bytes <= pa.offset;
            expect(disjoint, `seed ${seed}: ${na} [${sa},${ea}] @${pa.offset}+${pa.bytes} and ${nb} [${sb},${eb}] @${pb.offset}+${pb.bytes}`).toBe(true);
          }
        }
      }
      // An in-place output shares its input's buffer only where that input dies.
      for (const [name, p] of placed) {
        if (p.root === name || !p.owns) continue;
        const i = prod.get(name)!;
        for (const [other, q] of placed) if (q.root === p.root && other !== name && prod.get(other)! < i) expect(last.get(other) ?? prod.get(other)!).toBeLessThanOrEqual(i);
      }
      expect(plan.size).toBeLessThanOrEqual(alignUp(plan.naiveBytes) + 64 * plan.buffers);
      expect(plan.size).toBeGreaterThanOrEqual(plan.peakLiveBytes);
    }
    expect(inPlace).toBeGreaterThan(0);
    expect(aliases).toBeGreaterThan(0);
  });

  it('best fit reuses the freed gap', () => {
    const { offsets, size } = assignOffsets([
      { start: 0, end: 1, bytes: 100 }, { start: 1, end: 2, bytes: 64 }, { start: 2, end: 3, bytes: 100 },
    ]);
    expect(offsets[0]).toBe(offsets[2]);
    expect(size).toBe(128 + 64);
  });

  it('keeps values read by subgraphs and graph outputs (and their views) out of the arena', () => {
    const nodes: ArenaNode[] = [
      { opType: 'Relu', domain: '', inputs: ['x'], outputs: ['a'], outerRefs: [], hasSubgraphs: false },
      { opType: 'Relu', domain: '', inputs: ['a'], outputs: ['b'], outerRefs: [], hasSubgraphs: false },
      { opType: 'Reshape', domain: '', inputs: ['b', 's'], outputs: ['c'], outerRefs: [], hasSubgraphs: false },
      { opType: 'If', domain: '', inputs: ['cond'], outputs: ['d'], outerRefs: ['a'], hasSubgraphs: true },
      { opType: 'Add', domain: '', inputs: ['c', 'd'], outputs: ['e'], outerRefs: [], hasSubgraphs: false },
    ];
    const plan = planArena(nodes, { external: new Set(['x', 's', 'cond']), outputs: new Set(['c', 'e']), spec: () => ({ type: 'float32', bytes: 16 }) });
    expect([...plan.placements.keys()].sort()).toEqual(['d']);
  });

  it('plan cache is LRU and the pool hands each run its own buffer', () => {
    const c = new PlanCache<number>(2);
    let made = 0;
    c.get('a', () => ++made); c.get('b', () => ++made); c.get('a', () => ++made); c.get('c', () => ++made);
    expect(c.get('a', () => ++made)).toBe(1);
    expect(c.get('b', () => ++made)).toBe(4); // b was evicted by c
    const pool = new ArenaPool(2);
    const x = pool.acquire(100);
    const y = pool.acquire(100);
    expect(x).not.toBe(y);
    pool.release(x);
    expect(pool.acquire(50)).toBe(x);
  });
});

describe('in-place kernels', () => {
  const ctxWith = (opType: string, domain: string, out: (i: number) => Float32Array): KernelContext => {
    const node = makeNode(opType, ['a', 'b'], ['y'], {}, { domain });
    return { node, attrs: new Attrs(node), opset: 21, outputCount: 1, outputWanted: [true], runSubgraph: async () => [], alloc: (i) => out(i) };
  };
  const cases: [string, string, number, (a: number, b: number) => number][] = [
    ['Add', '', 2, (a, b) => Math.fround(a + b)], ['Sub', '', 2, (a, b) => Math.fround(a - b)],
    ['Mul', '', 2, (a, b) => Math.fround(a * b)], ['Div', '', 2, (a, b) => Math.fround(a / b)],
    ['Relu', '', 1, (a) => Math.max(a, 0)], ['Sigmoid', '', 1, (a) => Math.fround(1 / (1 + Math.exp(-a)))],
    ['Tanh', '', 1, (a) => Math.fround(Math.tanh(a))], ['Erf', '', 1, NaN as never],
    ['SiLU', 'com.onnxflow', 1, NaN as never], ['Gelu', 'com.onnxflow', 1, NaN as never], ['QuickGelu', 'com.onnxflow', 1, NaN as never],
  ];
  for (const [op, domain, arity] of cases) {
    it(`${domain || 'ai.onnx'}:${op} writes over its own input correctly`, async () => {
      const kernel = cpuBackend.getKernel(op, domain, domain ? 1 : 21)!;
      const a = new Tensor('float32', randomFloats(48, 7, 3), [4, 12]);
      const b = new Tensor('float32', randomFloats(12, 8, 3).map((v) => v + 4), [12]); // broadcast, never zero
      const args = arity === 2 ? [a, b] : [a];
      const ref = (await kernel(args.map((t) => new Tensor('float32', (t.data as Float32Array).slice(), t.dims)), ctxWith(op, domain, () => new Float32Array(48))))[0] as Tensor;
      const shared = (a.data as Float32Array);
      const got = (await kernel(args, ctxWith(op, domain, () => shared)))[0] as Tensor;
      expect(got.data).toBe(shared); // the output is the input's storage
      expect(bytesOf(got).equals(bytesOf(ref))).toBe(true);
    });
  }
});

function fixtureFeeds(name: string): Record<string, Tensor> {
  const j = JSON.parse(readFileSync(join(FIX, name.replace(/\.onnx$/, '.json')), 'utf8')) as { inputs: Record<string, { dims: number[]; type: 'float32' | 'int64'; data: number[] }> };
  const feeds: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(j.inputs)) feeds[k] = new Tensor(v.type, v.type === 'int64' ? v.data.map(BigInt) : v.data, v.dims);
  return feeds;
}

function perturbed(feeds: Record<string, Tensor>, seed: number): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(feeds)) {
    out[k] = t.type === 'float32' ? new Tensor('float32', (t.data as Float32Array).map((v, i) => v + randomFloats(1, seed + i, 0.5)[0]!), t.dims) : t;
  }
  return out;
}

describe('arena runs', () => {
  const fixtures = readdirSync(FIX).filter((f) => f.endsWith('.onnx')).sort();

  it('torch fixtures: byte-identical outputs with and without the arena; in place fires; peak below the naive sum', async () => {
    let inPlace = 0;
    let served = 0;
    for (const f of fixtures) {
      const feeds = fixtureFeeds(f);
      const on = await InferenceSession.create(join(FIX, f));
      const off = await InferenceSession.create(join(FIX, f), { enableCpuMemArena: false });
      await on.run(feeds); // new input shapes: runs without the arena, records sizes, plans
      const a = await on.run(feeds);
      const again = await on.run(feeds); // a reused (dirty) arena
      const b = await off.run(feeds);
      for (const k of Object.keys(b)) {
        expect(bytesOf(a[k]!).equals(bytesOf(b[k]!)), `${f} ${k}`).toBe(true);
        expect(bytesOf(again[k]!).equals(bytesOf(b[k]!)), `${f} ${k} (second run)`).toBe(true);
      }
      expect(on.arenaStats.runs).toBe(2);
      served += on.arenaStats.served; // kernels that do not ask for arena storage (yet) simply allocate
      const rep = on.memoryReport({ batch: 2, sequence: 6, height: 8, width: 8 });
      expect(rep.arenaBytes, f).toBeGreaterThan(0);
      expect(rep.arenaBytes, f).toBeLessThan(rep.naiveBytes);
      expect(rep.weightBytesShared / rep.weightBytes, f).toBeGreaterThan(0.99); // weights held once
      inPlace += rep.inPlace;
    }
    expect(inPlace).toBeGreaterThan(0);
    expect(served).toBeGreaterThan(100);
  }, 120_000);

  it('concurrent runs of one session give the results of sequential runs', async () => {
    const f = 'unet_block_opset17.onnx';
    const s = await InferenceSession.create(join(FIX, f));
    const feeds = [0, 1, 2, 3].map((i) => perturbed(fixtureFeeds(f), 100 * i));
    const seq: Record<string, Value>[] = [];
    for (const fd of feeds) seq.push(await s.run(fd));
    const par = await Promise.all(feeds.map((fd) => s.run(fd)));
    par.forEach((r, i) => { for (const k of Object.keys(r)) expect(bytesOf(r[k]!).equals(bytesOf(seq[i]![k]!))).toBe(true); });
  });

  it('runs that interleave (an If awaits its branch) each keep their own arena', async () => {
    // b is an arena value live across the If: a shared arena would let the other run overwrite it.
    const branch = (op: string) => makeGraph([makeNode(op, ['x'], ['t'])], op, [], [makeTensorValueInfo('t', 'float32', ['n', 64])]);
    const model = makeModel(makeGraph([
      makeNode('Relu', ['x'], ['a']), makeNode('Sigmoid', ['a'], ['b']),
      makeNode('If', ['cond'], ['d'], { then_branch: branch('Neg'), else_branch: branch('Abs') }),
      makeNode('Mul', ['b', 'd'], ['e']), makeNode('Tanh', ['e'], ['y']),
    ], 'g', [makeTensorValueInfo('x', 'float32', ['n', 64]), makeTensorValueInfo('cond', 'bool', [])], [makeTensorValueInfo('y', 'float32', ['n', 64])]));
    const s = await InferenceSession.create(model, { graphOptimizationLevel: 'disabled' });
    const feeds = [0, 1, 2, 3, 4, 5].map((i) => ({ x: new Tensor('float32', randomFloats(256, 50 + i, 2), [4, 64]), cond: new Tensor('bool', [i % 2 === 0], []) }));
    const seq: Record<string, Value>[] = [];
    for (const fd of feeds) seq.push(await s.run(fd));
    const par = await Promise.all(feeds.map((fd) => s.run(fd)));
    par.forEach((r, i) => expect(bytesOf(r.y!).equals(bytesOf(seq[i]!.y!)), `run ${i}`).toBe(true));
    expect(s.memoryReport({ n: 4 }).arenaBytes).toBeGreaterThan(0);
  });

  it('a nearest Resize writes into the arena (no zeroing needed: every element written), same bytes as without it', async () => {
    // x -> Relu -> Resize (nearest, 2x and 3x) -> Mul: the Resize output is an intermediate, placed in the arena.
    const g = makeGraph([
      makeNode('Relu', ['x'], ['r']),
      makeNode('Resize', ['r', '', 'scales'], ['u'], { mode: 'nearest' }),
      makeNode('Mul', ['u', 'two'], ['y']),
    ], 'g', [makeTensorValueInfo('x', 'float32', [1, 3, 5, 4])], [makeTensorValueInfo('y', 'float32')], [
      makeTensor('scales', 'float32', [4], [1, 1, 2, 3]), makeTensor('two', 'float32', [], [2]),
    ]);
    const model = makeModel(g, { opsets: { '': 19 } });
    const s = await InferenceSession.create(model, { graphOptimizationLevel: 'disabled' });
    const ref = await InferenceSession.create(model, { graphOptimizationLevel: 'disabled', enableCpuMemArena: false });
    for (let i = 0; i < 3; i++) {
      const x = { x: new Tensor('float32', randomFloats(60, 20 + i), [1, 3, 5, 4]) };
      const served = s.arenaStats.served;
      const [a, b] = [await s.run(x), await ref.run(x)];
      expect((a.y as Tensor).dims).toEqual([1, 3, 10, 12]);
      expect(bytesOf(a.y!).equals(bytesOf(b.y!))).toBe(true);
      if (i > 0) expect(s.arenaStats.served - served).toBeGreaterThanOrEqual(2);  // Relu and Resize outputs
    }
  });

  it('graph outputs are not clobbered by a later run, views of arena values included', async () => {
    // y1 = Relu(x) + 1 read through a Reshape, y2 an Expand no-op and a Transpose no-op of arena values.
    const g = makeGraph([
      makeNode('Relu', ['x'], ['r']),
      makeNode('Add', ['r', 'one'], ['s']),
      makeNode('Reshape', ['s', 'shape'], ['y1']),
      makeNode('Mul', ['s', 's'], ['m']),
      makeNode('Expand', ['m', 'xshape'], ['y2']),
      makeNode('Sigmoid', ['m'], ['q']),
      makeNode('Transpose', ['q'], ['y3'], { perm: [0, 1] }),
    ], 'g', [makeTensorValueInfo('x', 'float32', [2, 'n'])], [
      makeTensorValueInfo('y1', 'float32'), makeTensorValueInfo('y2', 'float32'), makeTensorValueInfo('y3', 'float32'),
    ], [
      makeTensor('one', 'float32', [], [1]), makeTensor('shape', 'int64', [1], [-1n]), makeTensor('xshape', 'int64', [2], [2n, 1n]),
    ]);
    const model = makeModel(g);
    const s = await InferenceSession.create(model, { graphOptimizationLevel: 'disabled' });
    await s.run({ x: new Tensor('float32', randomFloats(8, 9), [2, 4]) }); // plans for [2, 4]
    const x1 = new Tensor('float32', randomFloats(8, 1), [2, 4]);
    const x2 = new Tensor('float32', randomFloats(8, 2), [2, 4]);
    const r1 = await s.run({ x: x1 });
    const keep = Object.fromEntries(Object.entries(r1).map(([k, v]) => [k, Buffer.from(bytesOf(v))]));
    const r2 = await s.run({ x: x2 });
    for (const k of Object.keys(r1)) {
      expect(bytesOf(r1[k]!).equals(keep[k]!), k).toBe(true);
      expect(bytesOf(r2[k]!).equals(keep[k]!), k).toBe(false);
    }
    const ref = await (await InferenceSession.create(model, { graphOptimizationLevel: 'disabled', enableCpuMemArena: false })).run({ x: x2 });
    for (const k of Object.keys(r2)) expect(bytesOf(r2[k]!).equals(bytesOf(ref[k]!)), k).toBe(true);
    expect(s.arenaStats.fenced).toBeGreaterThan(0); // Expand and Transpose no-ops returned arena views
    // A second dims set gets its own plan.
    const runs = s.arenaStats.runs;
    const x3 = new Tensor('float32', randomFloats(6, 3), [2, 3]);
    await s.run({ x: x3 });
    expect(s.arenaStats.runs).toBe(runs); // first sight of [2, 3]: no plan yet
    const r3 = await s.run({ x: x3 });
    expect(s.arenaStats.runs).toBe(runs + 1);
    expect((r3.y3 as Tensor).dims).toEqual([2, 3]);
  });

  it('reports planned peak activation memory below the naive sum (model and optimizer views agree)', () => {
    const m: Model = makeModel(makeGraph([
      makeNode('Relu', ['x'], ['a']), makeNode('Sigmoid', ['a'], ['b']), makeNode('Tanh', ['b'], ['c']), makeNode('Add', ['c', 'x'], ['y']),
    ], 'g', [makeTensorValueInfo('x', 'float32', ['n', 16])], [makeTensorValueInfo('y', 'float32', ['n', 16])]));
    const p = planModelMemory(m, { n: 4 });
    expect(p.inPlace).toBe(2); // Sigmoid over a, Tanh over b
    expect(p.size).toBe(256);
    expect(p.naiveBytes).toBe(3 * 256);
    expect(planPeakMemory(m, { n: 4 })).toMatchObject({ planned: 256, naive: 768 });
  });
});

describe('sd-tiny UNet', () => {
  const root = mkdtempSync(join(tmpdir(), 'onnxflow-arena-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('byte-identical with and without the arena; in place fires', async () => {
    generateStableDiffusion(root, { size: 'tiny', seed: 0 });
    const path = join(root, 'unet', 'model.onnx');
    const feeds = {
      sample: new Tensor('float32', randomFloats(2 * 4 * 8 * 8, 1), [2, 4, 8, 8]),
      timestep: new Tensor('float32', [10], []),
      encoder_hidden_states: new Tensor('float32', randomFloats(2 * 7 * 32, 2), [2, 7, 32]),
    };
    const on = await InferenceSession.create(path);
    const off = await InferenceSession.create(path, { enableCpuMemArena: false });
    const first = await on.run(feeds);
    const a = await on.run(feeds); // the arena run
    const b = await off.run(feeds);
    expect(bytesOf(a.out_sample!).equals(bytesOf(b.out_sample!))).toBe(true);
    expect(bytesOf(first.out_sample!).equals(bytesOf(b.out_sample!))).toBe(true);
    expect(on.arenaStats.runs).toBe(1);
    const rep = on.memoryReport({ batch_size: 2, height: 8, width: 8, sequence_length: 7 });
    expect(rep.inPlace).toBeGreaterThan(0);
    expect(rep.arenaBytes).toBeLessThan(rep.naiveBytes / 4);
    expect(on.arenaStats.served).toBeGreaterThan(100);
  }, 60_000);
});
