// Shape rules: the optimizer's internal fused ops (domain com.onnxflow; see docs/optimizer.md).

import type { ShapeRule } from '../infer.js';
import type { Dim } from '../../graph.js';
import { convRules } from './conv.js';
import { matmulShape } from './linalg.js';
import { sameAsInput } from './util.js';

/** The shape with its last two axes swapped when `on` (rank >= 2). */
const swapped = (s: Dim[] | undefined, on: boolean): Dim[] | undefined =>
  on && s && s.length >= 2 ? [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!] : s;

const fusedGemm: ShapeRule = (c) => [{
  type: c.inputs[0]?.type,
  shape: matmulShape(swapped(c.inputs[0]?.shape, c.attrs.int('transA', 0) !== 0), swapped(c.inputs[1]?.shape, c.attrs.int('transB', 0) !== 0)),
}];

/** softmax(Q Kt) V; with `q_perm` / `k_perm` / `v_perm` input i is X and the operand Transpose(X, perm). */
const fusedAttention: ShapeRule = (c) => {
  const operand = (i: number, attr: string): Dim[] | undefined => {
    const x = c.inputs[i]?.shape;
    const perm = c.attrs.has(attr) ? c.attrs.ints(attr) : undefined;
    return perm && x ? (perm.length === x.length ? perm.map((p) => x[p] ?? null) : undefined) : x;
  };
  return [{ type: c.inputs[0]?.type, shape: matmulShape(matmulShape(operand(0, 'q_perm'), operand(1, 'k_perm')), operand(2, 'v_perm')) }];
};

/** GeGLU halves the last axis. */
const geGlu: ShapeRule = (c) => {
  const s = c.inputs[0]?.shape;
  const last = s?.[s.length - 1];
  return [{ type: c.inputs[0]?.type, shape: s && s.length ? [...s.slice(0, -1), typeof last === 'number' ? last / 2 : null] : s }];
};

export const fusedRules: Record<string, ShapeRule> = {
  'com.onnxflow:GeGLU': geGlu,
  'com.onnxflow:FusedGemm': fusedGemm,
  'com.onnxflow:FusedAttention': fusedAttention,
  // FusedConv has Conv's inputs and attributes (plus the activation, which keeps the shape).
  'com.onnxflow:FusedConv': convRules.Conv!,
  'com.onnxflow:FusedGroupNorm': sameAsInput,
  'com.onnxflow:SiLU': sameAsInput,
  'com.onnxflow:Gelu': sameAsInput,
  'com.onnxflow:QuickGelu': sameAsInput,
  'com.onnxflow:LayerNormalization': sameAsInput,
  'com.onnxflow:SkipLayerNormalization': (c) => [sameAsInput(c)[0], sameAsInput(c)[0]],
};
