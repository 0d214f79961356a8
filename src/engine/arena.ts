// Activation memory planning: every intermediate tensor of a graph run gets an offset in one
// ArrayBuffer (the run's arena). Values are grouped into buffers: a view op's output (Reshape,
// Flatten, Squeeze, Unsqueeze, Identity, Dropout) shares its input's buffer, and an elementwise
// op may write its output over an input whose buffer dies at that node (in place). Each buffer
// lives from its first producer to the last reader of any of its values; buffers are placed
// greedily, largest first, at the best-fitting gap among the placed buffers they overlap in time
// (64-byte aligned).

import { type DataType, wireBits } from '../ir/dtype.js';

export const ARENA_ALIGN = 64;

/** What the planner needs of a node (in execution order). */
export interface ArenaNode {
  opType: string;
  domain: string;
  inputs: readonly string[];
  outputs: readonly string[];
  /** Names its subgraphs read from the enclosing scope. */
  outerRefs: ReadonlySet<string> | readonly string[];
  /** The node has subgraph attributes (If, Loop, Scan, ...). */
  hasSubgraphs: boolean;
}

export interface ValueSpec {
  type: DataType;
  bytes: number;
}

export interface Placement {
  offset: number;
  /** Bytes of the buffer (the value's own size: views and in-place outputs have the same size). */
  bytes: number;
  type: DataType;
  /** The value that allocates the buffer (itself, unless this is a view or an in-place output). */
  root: string;
  /** Written by its own kernel into the buffer (false for views, which share it). */
  owns: boolean;
}

export interface ArenaPlan {
  /** Arena bytes: the end of the highest placed buffer. */
  size: number;
  /** Every arena-backed value (views included) and where its storage is. */
  placements: Map<string, Placement>;
  /** Sum of the bytes of every planned value that has storage of its own (views excluded): no reuse at all. */
  naiveBytes: number;
  /** The largest sum of simultaneously live buffers (a lower bound for `size`). */
  peakLiveBytes: number;
  /** Buffers placed, values sharing a buffer as views, outputs written in place. */
  buffers: number;
  aliases: number;
  inPlace: number;
  /** Intermediates left out of the arena (unknown shape, non-numeric, read by a subgraph). */
  unplanned: number;
}

/** Ops whose kernel returns (or may return) its first input's storage as output 0 (also a Cast to the same type). */
export const VIEW_OPS = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout']);

/**
 * Elementwise ops whose cpu kernel reads element i of every input before writing element i of the
 * output, so the output may take the storage of a same-sized input (keyed `domain:opType`).
 */
export const IN_PLACE_OPS = new Set([
  ':Relu', ':Sigmoid', ':Tanh', ':Erf', ':Add', ':Sub', ':Mul', ':Div',
  'com.onnxflow:Gelu', 'com.onnxflow:SiLU', 'com.onnxflow:QuickGelu',
]);

export function alignUp(n: number, a = ARENA_ALIGN): number {
  return Math.ceil(n / a) * a;
}

/** Storage bytes of `count` elements of `type` (as the cpu backend stores them), or undefined. */
export function storageBytes(type: DataType | undefined, count: number): number | undefined {
  if (!type || type === 'string') return undefined;
  try {
    const bits = wireBits(type);
    // Sub-byte types take a byte per element in memory; complex types two floats.
    return count * Math.max(1, Math.ceil(bits / 8));
  } catch {
    return undefined;
  }
}

export interface Block {
  start: number;
  end: number;
  bytes: number;
}

/**
 * Offsets for blocks live over [start, end] (inclusive steps): blocks whose intervals intersect get
 * disjoint byte ranges. Greedy by size (largest first), best fit among the gaps left by the
 * already-placed blocks that overlap in time.
 */
export function assignOffsets(blocks: readonly Block[], align = ARENA_ALIGN): { offsets: number[]; size: number } {
  const order = blocks.map((_, i) => i).sort((a, b) => blocks[b]!.bytes - blocks[a]!.bytes || blocks[a]!.start - blocks[b]!.start || a - b);
  const offsets = new Array<number>(blocks.length).fill(0);
  const placed: number[] = [];
  let size = 0;
  for (const i of order) {
    const b = blocks[i]!;
    const need = alignUp(b.bytes, align);
    const busy = placed
      .filter((j) => blocks[j]!.start <= b.end && b.start <= blocks[j]!.end)
      .map((j) => [offsets[j]!, offsets[j]! + alignUp(blocks[j]!.bytes, align)] as const)
      .sort((x, y) => x[0] - y[0]);
    let best = -1;
    let bestGap = Infinity;
    let cursor = 0;
    for (const [s, e] of busy) {
      const gap = s - cursor;
      if (gap >= need && gap < bestGap) { best = cursor; bestGap = gap; }
      cursor = Math.max(cursor, e);
    }
    const off = best >= 0 ? best : cursor;
    offsets[i] = off;
    placed.push(i);
    size = Math.max(size, off + need);
  }
  return { offsets, size };
}

export interface PlanArenaOptions {
  /** Graph inputs, initializers and anything else the run does not produce. */
  external: ReadonlySet<string>;
  /** Graph outputs: handed to the caller, never arena-backed. */
  outputs: ReadonlySet<string>;
  /** Type and storage bytes of a value, or undefined when unknown before the run. */
  spec(name: string): ValueSpec | undefined;
  /** Allow in-place elementwise outputs (default true). */
  inPlace?: boolean;
  align?: number;
}

interface Group {
  root: string;
  type: DataType;
  bytes: number;
  start: number;
  end: number;
  members: string[];
  ok: boolean;
}

/** Plan the arena for nodes in execution order. */
export function planArena(nodes: readonly ArenaNode[], o: PlanArenaOptions): ArenaPlan {
  const groupOf = new Map<string, Group>();
  const lastUse = new Map<string, number>();
  const blocked = new Set<string>();
  nodes.forEach((n, i) => {
    for (const x of n.inputs) if (x) lastUse.set(x, i);
    for (const x of n.outerRefs) { lastUse.set(x, i); blocked.add(x); }
    if (n.hasSubgraphs) for (const x of n.inputs) if (x) blocked.add(x);
  });
  const views = new Set<string>();
  const foreign = new Set<string>();
  let unplanned = 0;
  let aliases = 0;
  let inPlace = 0;
  const allowInPlace = o.inPlace !== false;
  const endOf = (name: string, produced: number): number => Math.max(produced, lastUse.get(name) ?? produced);
  nodes.forEach((n, i) => {
    const sameTypeCast = (n.opType === 'Cast' || n.opType === 'CastLike') && n.domain === '' && !!n.inputs[0] && !!n.outputs[0] &&
      o.spec(n.inputs[0])?.type !== undefined && o.spec(n.inputs[0])?.type === o.spec(n.outputs[0])?.type;
    const viewOf = (VIEW_OPS.has(n.opType) && n.domain === '') || sameTypeCast ? n.inputs[0] : undefined;
    n.outputs.forEach((out, k) => {
      if (!out || o.external.has(out)) return;
      const spec = o.spec(out);
      const end = endOf(out, i);
      const bad = o.outputs.has(out) || blocked.has(out) || !spec || spec.bytes <= 0;
      if (k === 0 && viewOf) {
        const g = groupOf.get(viewOf);
        if (g) {
          // A view keeps its whole buffer alive; a view handed to the caller or to a subgraph keeps
          // the buffer out of the arena.
          g.members.push(out);
          g.end = Math.max(g.end, end);
          if (o.outputs.has(out) || blocked.has(out)) g.ok = false;
          groupOf.set(out, g);
          views.add(out);
          aliases++;
          return;
        }
        // A view of a weight, a graph input or a view of one: storage that is not ours.
        if (o.external.has(viewOf) || foreign.has(viewOf)) { foreign.add(out); return; }
      }
      const g: Group = { root: out, type: spec?.type ?? 'float32', bytes: spec?.bytes ?? 0, start: i, end, members: [out], ok: !bad };
      groupOf.set(out, g);
    });
  });
  // In place: an elementwise output takes over an input buffer that dies at this node.
  if (allowInPlace) {
    nodes.forEach((n, i) => {
      if (!IN_PLACE_OPS.has(`${n.domain}:${n.opType}`)) return;
      const out = n.outputs[0];
      const go = out ? groupOf.get(out) : undefined;
      if (!go || !go.ok || go.root !== out || go.start !== i) return;
      for (const x of n.inputs) {
        const gi = x ? groupOf.get(x) : undefined;
        if (!gi || gi === go || !gi.ok || gi.end !== i || gi.start >= i) continue;
        if (gi.bytes !== go.bytes || gi.type !== go.type) continue;
        for (const m of go.members) { gi.members.push(m); groupOf.set(m, gi); }
        gi.end = Math.max(gi.end, go.end);
        go.ok = false;
        go.members = [];
        inPlace++;
        break;
      }
    });
  }
  const groups = [...new Set(groupOf.values())].filter((g) => g.members.length > 0);
  const live = groups.filter((g) => g.ok);
  for (const g of groups) if (!g.ok) unplanned += g.members.filter((m) => !o.outputs.has(m)).length;
  const blocks = live.map((g) => ({ start: g.start, end: g.end, bytes: g.bytes }));
  const { offsets, size } = assignOffsets(blocks, o.align);
  const placements = new Map<string, Placement>();
  live.forEach((g, j) => {
    for (const m of g.members) placements.set(m, { offset: offsets[j]!, bytes: g.bytes, type: g.type, root: g.root, owns: !views.has(m) });
  });
  // Live-bytes profile: a lower bound for any placement.
  const delta = new Array<number>(nodes.length + 1).fill(0);
  for (const g of live) {
    delta[g.start]! += g.bytes;
    delta[g.end + 1]! -= g.bytes;
  }
  let naive = 0;
  for (const p of placements.values()) if (p.owns) naive += p.bytes;
  let cur = 0;
  let peakLive = 0;
  for (const d of delta) { cur += d; peakLive = Math.max(peakLive, cur); }
  return { size, placements, naiveBytes: naive, peakLiveBytes: peakLive, buffers: live.length, aliases, inPlace, unplanned };
}
