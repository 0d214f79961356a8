import type { KernelConfig } from '../../../backend.js';
import { isBigIntType, isFloatType } from '../../../../ir/dtype.js';
import { Tensor } from '../../../../ir/tensor.js';
import { fromFloats, readFloats, stridesOf, tensorAt } from '../../util/tensor.js';
import { gemm } from '../../util/gemm.js';
import { walkOffsets } from '../../util/broadcast.js';
import { intGemm } from './matmul-int.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

// Labels are small integers: 'A'-'Z' -> 0-25, 'a'-'z' -> 26-51 (ASCII order, used for the implicit
// output), ellipsis dimensions -> ELL + i, right-aligned across operands.
const ELL = 64;

function labelCode(ch: string): number {
  const c = ch.charCodeAt(0);
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 97 + 26;
  throw new Error(`invalid einsum label '${ch}'`);
}

/** One term's labels, with '...' expanded to `ellRank` ellipsis codes (ELL + ellMax - ellRank + i). */
function parseTerm(term: string, rank: number | undefined, ellMax: number | undefined, what: string): { labels: number[]; ellRank: number } {
  const parts = term.split('...');
  if (parts.length > 2) throw new Error(`${what} '${term}' has more than one ellipsis`);
  if (/\./.test(parts.join(''))) throw new Error(`${what} '${term}' has a stray '.'`);
  const before = [...parts[0]!].map(labelCode);
  const after = parts.length === 2 ? [...parts[1]!].map(labelCode) : [];
  let ellRank = 0;
  if (parts.length === 2) {
    ellRank = rank !== undefined ? rank - before.length - after.length : ellMax!;
    if (ellRank < 0) throw new Error(`${what} '${term}' has more labels than the operand's rank ${rank}`);
  } else if (rank !== undefined && before.length !== rank) {
    throw new Error(`${what} '${term}' has ${before.length} labels but the operand has rank ${rank}`);
  }
  const top = ellMax ?? ellRank;
  const ell = Array.from({ length: ellRank }, (_, i) => ELL + top - ellRank + i);
  return { labels: [...before, ...ell, ...after], ellRank };
}

interface Operand {
  data: any;
  /** One label per axis (unique after the first pass). */
  labels: number[];
  dims: number[];
}

/**
 * out[outLabels] = sum over sumLabels of src[...], where src axes may repeat a label (diagonal) and
 * an out label of size > 1 where src has size 1 broadcasts (stride 0).
 */
function gatherSum(src: Operand, outLabels: readonly number[], outSizes: readonly number[], sumLabels: readonly number[], zero: number | bigint, make: (n: number) => any): any {
  const st = stridesOf(src.dims);
  const strideOf = new Map<number, number>();
  const sizeOf = new Map<number, number>();
  src.labels.forEach((l, ax) => {
    const d = src.dims[ax]!;
    const prev = sizeOf.get(l);
    if (prev !== undefined && prev !== d) throw new Error(`label '${labelName(l)}' is repeated with sizes ${prev} and ${d}`);
    sizeOf.set(l, d);
    strideOf.set(l, (strideOf.get(l) ?? 0) + st[ax]!);
  });
  const oStr = outLabels.map((l, i) => (sizeOf.get(l) === 1 && outSizes[i] !== 1 ? 0 : strideOf.get(l) ?? 0));
  let nOut = 1;
  for (const d of outSizes) nOut *= d;
  let nSum = 1;
  const sDims = sumLabels.map((l) => sizeOf.get(l)!);
  for (const d of sDims) nSum *= d;
  // Offsets of every summed position.
  const sumOff = new Int32Array(nSum);
  walkOffsets(sDims, sumLabels.map((l) => strideOf.get(l)!), sumOff);
  const out = make(nOut);
  const x = src.data;
  const rank = outSizes.length;
  const cnt = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < nOut; i++) {
    if (nSum === 1) out[i] = x[off + sumOff[0]!];
    else {
      let s: any = zero;
      for (let r = 0; r < nSum; r++) s += x[off + sumOff[r]!];
      out[i] = s;
    }
    for (let ax = rank - 1; ax >= 0; ax--) {
      cnt[ax]!++;
      off += oStr[ax]!;
      if (cnt[ax]! < outSizes[ax]!) break;
      off -= oStr[ax]! * outSizes[ax]!;
      cnt[ax] = 0;
    }
  }
  return out;
}

function labelName(l: number): string {
  if (l >= ELL) return `...[${l - ELL}]`;
  return String.fromCharCode(l < 26 ? 65 + l : 97 + l - 26);
}

/** Whether src is already laid out as `labels` with `sizes` (no diagonal, permutation, broadcast or sum). */
function isLayout(src: Operand, labels: readonly number[], sizes: readonly number[]): boolean {
  return src.labels.length === labels.length && src.labels.every((l, i) => l === labels[i] && src.dims[i] === sizes[i]);
}

export function einsum(equation: string, tensors: Tensor[]): Tensor {
  if (tensors.length === 0) throw new Error('Einsum needs at least one input');
  const type = tensors[0]!.type;
  for (const t of tensors) if (t.type !== type) throw new Error(`input types differ: ${type} and ${t.type}`);
  if (type === 'string' || type === 'bool' || type === 'complex64' || type === 'complex128') throw new Error(`type ${type} is not supported`);
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const terms = lhs.split(',');
  if (terms.length !== tensors.length) throw new Error(`equation '${equation}' has ${terms.length} operand terms for ${tensors.length} inputs`);
  const parsed = terms.map((t, i) => parseTerm(t, tensors[i]!.dims.length, undefined, `operand term ${i}`));
  const ellMax = Math.max(0, ...parsed.map((p) => p.ellRank));
  const inLabels = parsed.map((p) => relabelEllipsis(p.labels, p.ellRank, ellMax));

  // Global label sizes (size 1 broadcasts against other operands).
  const size = new Map<number, number>();
  const count = new Map<number, number>();
  inLabels.forEach((ls, i) => ls.forEach((l, ax) => {
    const d = tensors[i]!.dims[ax]!;
    const prev = size.get(l);
    if (prev === undefined || prev === 1) size.set(l, d);
    else if (d !== prev && d !== 1) throw new Error(`label '${labelName(l)}' has sizes ${prev} and ${d}`);
    count.set(l, (count.get(l) ?? 0) + 1);
  }));

  let outLabels: number[];
  if (arrow >= 0) {
    const rhs = eq.slice(arrow + 2);
    if (rhs.includes('->')) throw new Error(`equation '${equation}' has more than one '->'`);
    outLabels = parseTerm(rhs, undefined, ellMax, 'output term').labels;
    const seen = new Set<number>();
    for (const l of outLabels) {
      if (seen.has(l)) throw new Error(`output label '${labelName(l)}' is repeated`);
      if (!size.has(l)) throw new Error(`output label '${labelName(l)}' appears in no input`);
      seen.add(l);
    }
  } else {
    const ell = Array.from({ length: ellMax }, (_, i) => ELL + i);
    const once = [...count.entries()].filter(([l, c]) => c === 1 && l < ELL).map(([l]) => l).sort((a, b) => a - b);
    outLabels = [...ell, ...once];
  }
  const outSizes = outLabels.map((l) => size.get(l)!);

  const big = isBigIntType(type);
  const zero: number | bigint = big ? 0n : 0;
  const make = big
    ? (n: number) => (type === 'int64' ? new BigInt64Array(n) : new BigUint64Array(n))
    : (n: number) => new Float64Array(n);

  // Operands as compute arrays: float64 (all number types) or the 64-bit integer arrays.
  let ops: Operand[] = tensors.map((t, i) => ({
    data: big ? t.data : Float64Array.from(readFloats(t) as ArrayLike<number>),
    labels: inLabels[i]!,
    dims: [...t.dims],
  }));

  // First pass per operand: take diagonals of repeated labels, sum labels used nowhere else.
  const needed = (except: number, from: number): Set<number> => {
    const s = new Set<number>(outLabels);
    for (let j = from; j < ops.length; j++) if (j !== except) for (const l of ops[j]!.labels) s.add(l);
    return s;
  };
  ops = ops.map((op, i) => {
    const need = needed(i, 0);
    const uniq = [...new Set(op.labels)];
    const keep = uniq.filter((l) => need.has(l));
    const sum = uniq.filter((l) => !need.has(l));
    const keepSizes = keep.map((l) => op.dims[op.labels.indexOf(l)]!);
    if (sum.length === 0 && isLayout(op, keep, keepSizes)) return op;
    return { data: gatherSum(op, keep, keepSizes, sum, zero, make), labels: keep, dims: keepSizes };
  });

  // Contract left to right as batched matrix products.
  let cur = ops[0]!;
  for (let i = 1; i < ops.length; i++) {
    const y = ops[i]!;
    const later = needed(-1, i + 1);
    const inY = new Set(y.labels);
    const inX = new Set(cur.labels);
    const batch = cur.labels.filter((l) => inY.has(l) && later.has(l));
    const contr = cur.labels.filter((l) => inY.has(l) && !later.has(l));
    const xOnly = cur.labels.filter((l) => !inY.has(l));
    const yOnly = y.labels.filter((l) => !inX.has(l));
    const sz = (l: number) => size.get(l)!;
    const xLabels = [...batch, ...xOnly, ...contr];
    const xSizes = [...batch.map(sz), ...xOnly.map((l) => cur.dims[cur.labels.indexOf(l)]!), ...contr.map(sz)];
    const yLabels = [...batch, ...contr, ...yOnly];
    const ySizes = [...batch.map(sz), ...contr.map(sz), ...yOnly.map((l) => y.dims[y.labels.indexOf(l)]!)];
    const X = isLayout(cur, xLabels, xSizes) ? cur.data : gatherSum(cur, xLabels, xSizes, [], zero, make);
    const Y = isLayout(y, yLabels, ySizes) ? y.data : gatherSum(y, yLabels, ySizes, [], zero, make);
    const prod = (a: number[]) => a.reduce((p, d) => p * d, 1);
    const nb = prod(xSizes.slice(0, batch.length));
    const M = prod(xSizes.slice(batch.length, batch.length + xOnly.length));
    const K = prod(contr.map(sz));
    const N = prod(ySizes.slice(batch.length + contr.length));
    const R = make(nb * M * N);
    for (let b = 0; b < nb; b++) {
      if (big) intGemm(type, { M, N, K, A: X, aOffset: b * M * K, sai: K, sak: 1, B: Y, bOffset: b * K * N, sbk: N, sbj: 1, C: R as Float64Array, cOffset: b * M * N });
      else gemm({ M, N, K, A: X, aOffset: b * M * K, B: Y, bOffset: b * K * N, C: R as Float64Array, cOffset: b * M * N });
    }
    cur = { data: R, labels: [...batch, ...xOnly, ...yOnly], dims: [...xSizes.slice(0, batch.length + xOnly.length), ...ySizes.slice(batch.length + contr.length)] };
  }

  const rest = cur.labels.filter((l) => !outLabels.includes(l));
  const result = isLayout(cur, outLabels, outSizes) && rest.length === 0 ? cur.data : gatherSum(cur, outLabels, outSizes, rest, zero, make);
  if (big) return new Tensor(type, result, outSizes);
  if (type === 'float64') return new Tensor(type, result, outSizes);
  if (type === 'float32') return new Tensor(type, Float32Array.from(result as Float64Array), outSizes);
  if (isFloatType(type)) return fromFloats(type, result as Float64Array, outSizes);
  return fromFloats(type, result as Float64Array, outSizes);
}

/** Re-point an operand's ellipsis codes so they are right-aligned to `ellMax`. */
function relabelEllipsis(labels: number[], ellRank: number, ellMax: number): number[] {
  return labels.map((l) => (l >= ELL ? l + (ellMax - ellRank) : l));
}

/**
 * Einsum: Einstein summation over any number of operands: explicit or implicit output, repeated
 * labels (diagonals), ellipsis with broadcasting. Operands are reduced by diagonal/sum first, then
 * contracted pairwise as batched matrix products.
 */
export const einsumConfig: KernelConfig = {
  opType: 'Einsum',
  kernel: (inputs, ctx) => {
    const ts = inputs.map((_, i) => tensorAt(inputs, i, `input ${i}`));
    return [einsum(ctx.attrs.string('equation'), ts)];
  },
};
