// The executor (src/engine/executor.ts): values by precomputed slot, subgraphs reading enclosing
// values (If branches, Loop bodies, nested), errors that name the node, hooks per node, kernels that
// return Promises (awaited) or arrays (not), `alloc` only with an arena, concurrent runs of one session.
import { describe, expect, it } from 'vitest';
import { makeGraph, makeModel, makeNode, makeTensor, makeTensorValueInfo as vi } from '../../src/onnx/builder.js';
import type { Backend, KernelFn } from '../../src/backends/backend.js';
import { cpuBackend } from '../../src/backends/cpu/index.js';
import { registerBackend } from '../../src/backends/registry.js';
import { InferenceSession } from '../../src/engine/session.js';
import { KernelError } from '../../src/errors.js';
import type { Graph, Model, Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';

const seen = { alloc: [] as boolean[], promises: 0 };
const TEST: Record<string, KernelFn> = {
  // x + 1 after a macrotask: runs interleave when sessions run concurrently
  SlowInc: (inputs, ctx) => {
    seen.alloc.push(typeof ctx.alloc === 'function');
    seen.promises++;
    const x = inputs[0] as Tensor;
    return new Promise((res) => setTimeout(() => res([new Tensor('float32', Float32Array.from(x.data as Float32Array, (v) => v + 1), x.dims)]), 1));
  },
  Fail: () => { throw new RangeError('bad things'); },
  NoOutput: () => [],
};
const backend: Backend = {
  name: 'exec-test',
  getKernel: (op, domain, opset) => (domain === 'test' ? TEST[op] : cpuBackend.getKernel(op, domain, opset)),
};
registerBackend('exec-test', () => backend);
// a backend that hands its kernels a copy of the context, as wrapping backends may do
registerBackend('exec-copy', () => ({ name: 'exec-copy', getKernel: (op, d, v) => {
  const k = cpuBackend.getKernel(op, d, v);
  return k && ((ins, ctx) => k(ins, { ...ctx }));
} }));

const f32 = (v: number[], dims = [v.length]) => new Tensor('float32', Float32Array.from(v), dims);
const vals = (t: unknown) => [...((t as Tensor).data as Float32Array)];
const node = (op: string, ins: string[], outs: string[], attrs: Parameters<typeof makeNode>[3] = {}, name = ''): Node =>
  makeNode(op, ins, outs, attrs, { name, domain: op === 'SlowInc' || op === 'Fail' || op === 'NoOutput' ? 'test' : '' });
const model = (nodes: Node[], inputs = [vi('x', 'float32', [3])], outputs = ['y'], inits: ReturnType<typeof makeTensor>[] = []): Model =>
  makeModel(makeGraph(nodes, 'g', inputs, outputs.map((o) => vi(o, 'float32')), inits), { opsets: { '': 17, test: 1 } });
const branch = (name: string, nodes: Node[], outputs: string[]): Graph => makeGraph(nodes, name, [], outputs.map((o) => vi(o, 'float32')));

describe('executor', () => {
  it('If branches read enclosing values, initializers and a nested If reads both levels', async () => {
    // main: a = x * 2; If(c) then: (If(c) then: a + b + k else: a) ; else: x - k
    const inner = makeNode('If', ['c'], ['t1'], {
      then_branch: branch('inner_then', [node('Add', ['a', 'b'], ['ab']), node('Add', ['ab', 'k'], ['t1i'])], ['t1i']),
      else_branch: branch('inner_else', [node('Identity', ['a'], ['t1e'])], ['t1e']),
    });
    const then = branch('then', [node('Mul', ['x', 'x'], ['b']), inner], ['t1']);
    const els = branch('else', [node('Sub', ['x', 'k'], ['e1'])], ['e1']);
    const m = model([
      node('Mul', ['x', 'two'], ['a']),
      makeNode('If', ['c'], ['y'], { then_branch: then, else_branch: els }),
    ], [vi('x', 'float32', [3]), vi('c', 'bool', [])], ['y'], [makeTensor('two', 'float32', [], [2]), makeTensor('k', 'float32', [], [10])]);
    for (const [level, backend] of [['disabled', 'cpu'], ['all', 'cpu'], ['all', 'exec-copy']] as const) {
      const s = await InferenceSession.create(m, { graphOptimizationLevel: level, backend });
      const x = f32([1, 2, 3]);
      expect(vals((await s.run({ x, c: new Tensor('bool', [true], []) })).y)).toEqual([1 * 2 + 1 + 10, 4 + 4 + 10, 6 + 9 + 10]);
      expect(vals((await s.run({ x, c: new Tensor('bool', [false], []) })).y)).toEqual([-9, -8, -7]);
      expect(vals((await s.run({ x, c: new Tensor('bool', [true], []) })).y)).toEqual([13, 18, 25]);
    }
  });

  it('a Loop body reads an enclosing value on every iteration and carries its state', async () => {
    const body = makeGraph([
      node('Add', ['acc_in', 'step'], ['acc_out']),
      node('Identity', ['cond_in'], ['cond_out']),
    ], 'body', [vi('i', 'int64', []), vi('cond_in', 'bool', []), vi('acc_in', 'float32')], [vi('cond_out', 'bool', []), vi('acc_out', 'float32')]);
    const m = model([
      node('Mul', ['x', 'x'], ['step']),
      makeNode('Loop', ['n', '', 'x'], ['y'], { body }),
    ], [vi('x', 'float32', [3]), vi('n', 'int64', [])]);
    const s = await InferenceSession.create(m);
    const r = await s.run({ x: f32([1, 2, 3]), n: new Tensor('int64', [4n], []) });
    expect(vals(r.y)).toEqual([1 + 4, 2 + 16, 3 + 36]);
  });

  it('a throwing kernel becomes a KernelError naming the node, with the cause', async () => {
    const s = await InferenceSession.create(model([node('Relu', ['x'], ['r']), node('Fail', ['r'], ['y'], {}, 'boom')]), { backend: 'exec-test' });
    const err = await s.run({ x: f32([1, 2, 3]) }).catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.message).toBe("Fail node 'boom': bad things");
    expect(err.cause).toBeInstanceOf(RangeError);
    const s2 = await InferenceSession.create(model([node('NoOutput', ['x'], ['y'], {}, 'empty')]), { backend: 'exec-test' });
    await expect(s2.run({ x: f32([1, 2, 3]) })).rejects.toThrow("NoOutput node 'empty': kernel produced no value for output 0 ('y')");
  });

  it('hooks see every node in order; Promise-returning kernels are awaited, alloc is given only with an arena', async () => {
    const events: string[] = [];
    const m = model([node('Relu', ['x'], ['r'], {}, 'relu'), node('SlowInc', ['r'], ['s'], {}, 'slow'), node('Neg', ['s'], ['y'], {}, 'neg')]);
    for (const arena of [true, false]) {
      events.length = 0;
      seen.alloc.length = 0;
      const s = await InferenceSession.create(m, { backend: 'exec-test', enableCpuMemArena: arena, hooks: { onNode: (e) => events.push(`${e.node}:${e.opType}:${e.ms >= 0}`) } });
      for (let i = 0; i < 2; i++) expect(vals((await s.run({ x: f32([-1, 2, 3]) })).y)).toEqual([-1, -3, -4]);
      expect(events).toEqual(['relu:Relu:true', 'slow:SlowInc:true', 'neg:Neg:true', 'relu:Relu:true', 'slow:SlowInc:true', 'neg:Neg:true']);
      // the first run with new shapes records sizes (no arena), the second runs in the planned arena
      expect(seen.alloc).toEqual(arena ? [false, true] : [false, false]);
    }
  });

  it('concurrent runs of one session (kernels interleaving across awaits) keep their own values', async () => {
    // a chain of async and sync kernels: every run's values must stay its own
    const nodes: Node[] = [];
    let prev = 'x';
    for (let i = 0; i < 6; i++) {
      nodes.push(node('SlowInc', [prev], [`s${i}`]), node('Mul', [`s${i}`, 'one'], [`m${i}`]));
      prev = `m${i}`;
    }
    nodes.push(node('Identity', [prev], ['y']));
    const s = await InferenceSession.create(model(nodes, undefined, ['y'], [makeTensor('one', 'float32', [], [1])]), { backend: 'exec-test' });
    await s.run({ x: f32([0, 0, 0]) });
    const runs = Array.from({ length: 8 }, (_, i) => s.run({ x: f32([i, 10 * i, 100 * i]) }));
    const out = await Promise.all(runs);
    out.forEach((r, i) => expect(vals(r.y)).toEqual([i + 6, 10 * i + 6, 100 * i + 6]));
  });

  it('plans an arena only for input shapes that come back (a decode loop with a growing cache never plans)', async () => {
    const m = makeModel(makeGraph([node('Relu', ['x'], ['r']), node('Neg', ['r'], ['n']), node('Add', ['n', 'x'], ['y'])], 'g',
      [vi('x', 'float32', ['n'])], [vi('y', 'float32', ['n'])]), { opsets: { '': 17 } });
    const s = await InferenceSession.create(m, { graphOptimizationLevel: 'disabled' });
    const x = (n: number) => f32(Array.from({ length: n }, (_, i) => i - 2));
    for (let n = 1; n <= 6; n++) expect(vals((await s.run({ x: x(n) })).y)).toEqual(vals(x(n)).map((v) => v - Math.max(v, 0)));
    expect(s.arenaStats.runs).toBe(0);
    const again = await s.run({ x: x(4) }); // seen before: planned now, run in the arena
    expect(s.arenaStats.runs).toBe(1);
    expect(s.arenaStats.served).toBeGreaterThan(0);
    expect(vals(again.y)).toEqual([-2, -1, 0, 0]);
  });
});
