// Shape values: the part of a graph that computes only from the input *shapes*. Exported models are
// full of it (torch.onnx writes `Shape -> Gather -> Unsqueeze -> Concat -> Reshape` for every
// view / flatten with a symbolic batch or sequence axis: about 150 of the 394 nodes of the trained
// shapes UNet). For a fixed set of input shapes their values never change, so a run with shapes seen
// before replays them from the first run with those shapes instead of calling 150 tiny kernels.
//
// A step is *shape-derived* when its outputs are a function of the input shapes alone:
//   - Shape / Size of a value whose shape is fixed by the input shapes (`shapeStatic` below), or
//   - a deterministic op, without subgraphs, all of whose present inputs are initializers or outputs
//     of shape-derived steps (and at least one is such an output).
// A value's shape is fixed by the input shapes unless it comes from an op whose output shape depends
// on data (NonZero, Unique, TopK with a computed k, Reshape to a computed shape, Loop, ...): those
// ops' shape-controlling inputs must themselves be shape-derived or constant. Ops this table does
// not know (other than ai.onnx and com.onnxflow) count as data-dependent.

import type { Graph } from '../ir/graph.js';
import type { Value } from '../backends/backend.js';
import { Tensor } from '../ir/tensor.js';
import type { PlannedNode } from './plan.js';
import { bufferOf } from './arena-run.js';

/** Output shape depends on input values in a way no input names: never shape-static. */
const DATA_SHAPED = new Set([
  'NonZero', 'Unique', 'Compress', 'NonMaxSuppression', 'StringSplit', 'Loop', 'If', 'Scan',
  'SequenceConstruct', 'SequenceInsert', 'SequenceErase', 'SequenceAt', 'SequenceEmpty', 'SplitToSequence',
  'ConcatFromSequence', 'SequenceMap', 'Optional', 'OptionalGetElement', 'OptionalHasElement', 'TfIdfVectorizer',
  'RegexFullMatch', 'StringNormalizer',
]);

/** Inputs (by index) whose values set the output shape; index -1: every input. */
const SHAPE_INPUTS: Record<string, readonly number[]> = {
  Reshape: [1], Expand: [1], Tile: [1], Slice: [1, 2, 3, 4], Range: [0, 1, 2], ConstantOfShape: [0], Pad: [1, 3],
  Resize: [1, 2, 3], Upsample: [1], Squeeze: [1], Unsqueeze: [1], Split: [1], OneHot: [1], TopK: [1],
  CenterCropPad: [1], Col2Im: [1, 2], DFT: [1, 2], STFT: [1, 2, 3], MaxUnpool: [2], MelWeightMatrix: [-1],
  BlackmanWindow: [0], HannWindow: [0], HammingWindow: [0], ReduceSum: [1], ReduceMean: [1], ReduceMax: [1],
  ReduceMin: [1], ReduceProd: [1], ReduceL1: [1], ReduceL2: [1], ReduceLogSum: [1], ReduceLogSumExp: [1],
  ReduceSumSquare: [1], AffineGrid: [1], Bernoulli: [], RandomNormalLike: [], RandomUniformLike: [],
};

/** Never cached: results differ from run to run (or the op has side effects). */
const NON_DETERMINISTIC = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Bernoulli', 'Multinomial', 'Dropout']);

const hasSubgraph = (n: PlannedNode['node']) => Object.values(n.attrs).some((a) => a.type === 'graph' || a.type === 'graphs');

/**
 * Per step of `steps` (the main graph's plan), 1 when its outputs depend only on the input shapes.
 * `graph` gives the inputs and initializers.
 */
export function shapeDerivedSteps(graph: Graph, steps: readonly PlannedNode[], initializers: ReadonlyMap<string, unknown>): Uint8Array {
  const flags = new Uint8Array(steps.length);
  const staticShape = new Set<string>([...graph.inputs.map((i) => i.name), ...initializers.keys()]);
  const derived = new Set<string>(); // outputs of shape-derived steps
  const known = (domain: string) => domain === '' || domain === 'ai.onnx' || domain === 'com.onnxflow';
  steps.forEach((step, s) => {
    const n = step.node;
    const present = n.inputs.filter((x) => x);
    const allStatic = present.every((x) => staticShape.has(x));
    const constOrDerived = (x: string) => initializers.has(x) || derived.has(x);
    let isDerived = false;
    if (known(n.domain) && !NON_DETERMINISTIC.has(n.opType) && !hasSubgraph(n)) {
      if ((n.opType === 'Shape' || n.opType === 'Size') && n.domain === '') isDerived = allStatic;
      else isDerived = present.length > 0 && present.every(constOrDerived) && present.some((x) => derived.has(x));
    }
    if (isDerived) {
      flags[s] = 1;
      for (const o of n.outputs) if (o) { derived.add(o); staticShape.add(o); }
      return;
    }
    let outStatic = known(n.domain) && !DATA_SHAPED.has(n.opType) && !hasSubgraph(n) && allStatic;
    const ctl = n.domain === '' ? SHAPE_INPUTS[n.opType] : undefined;
    if (outStatic && ctl) {
      const idx = ctl.includes(-1) ? n.inputs.map((_, i) => i) : ctl;
      outStatic = idx.every((i) => !n.inputs[i] || constOrDerived(n.inputs[i]!));
    }
    if (outStatic) for (const o of n.outputs) if (o) staticShape.add(o);
  });
  return flags;
}

/** Largest tensor (bytes) a replay keeps; bigger shape-derived outputs are recomputed each run. */
const MAX_KEPT_BYTES = 1 << 20;

/** A run's use of a ShapeValues: record into it (first run with these shapes) or replay from it. */
export interface ShapeRun {
  values: ShapeValues;
  replay: boolean;
}

/**
 * Outputs of the shape-derived steps of one run (by step index), to replay in later runs with the
 * same input shapes. Only tensors up to MAX_KEPT_BYTES are kept (a step with a bigger or non-tensor
 * output runs every time); storage inside the recording run's arena is copied out.
 */
export class ShapeValues {
  readonly byStep = new Map<number, Value[]>();
  private readonly buffers = new Set<ArrayBufferLike>();

  record(step: number, outSlots: Int32Array, values: readonly unknown[], arena?: { buffer: ArrayBuffer }): void {
    const kept: Value[] = [];
    for (let i = 0; i < outSlots.length; i++) {
      if (outSlots[i]! < 0) { kept.push(null); continue; }
      let v = values[outSlots[i]!] as Value;
      if (!(v instanceof Tensor) || v.type === 'string') return;
      const d = v.data as ArrayBufferView;
      if (d.byteLength > MAX_KEPT_BYTES) return;
      if (arena && bufferOf.call(d) === arena.buffer) v = new Tensor(v.type, (v.data as Float32Array).slice(), v.dims);
      kept.push(v);
    }
    for (const v of kept) if (v instanceof Tensor) this.buffers.add(bufferOf.call(v.data as ArrayBufferView));
    this.byStep.set(step, kept);
  }

  /** `v`, or a copy when its storage is a kept value's (a run's result must not alias the cache); sequences element by element. */
  detach(v: Value): Value {
    if (Array.isArray(v)) {
      let changed = false;
      const out = v.map((x) => {
        const y = this.detach(x) as typeof x;
        if (y !== x) changed = true;
        return y;
      });
      return changed ? out : v;
    }
    if (v instanceof Tensor && !Array.isArray(v.data) && this.buffers.has(bufferOf.call(v.data as ArrayBufferView))) {
      return new Tensor(v.type, (v.data as Float32Array).slice(), v.dims);
    }
    return v;
  }
}
