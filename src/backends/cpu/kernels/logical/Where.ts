import type { KernelConfig } from '../../../backend.js';
import { outArray } from '../alloc.js';
import { Tensor } from '../../../../ir/tensor.js';
import { broadcastShapes } from '../../util/broadcast.js';
import { tensorAt } from '../../util/tensor.js';
import { forEachRun } from '../../util/binary.js';

/**
 * Where: elementwise condition ? X : Y with three-way numpy broadcasting. Works on raw storage,
 * so every element type (strings, float16 bits, bigints) is copied exactly.
 */
export const whereConfig: KernelConfig = {
  opType: 'Where',
  kernel: (inputs, ctx) => {
    const c = tensorAt(inputs, 0, 'condition');
    const x = tensorAt(inputs, 1, 'X');
    const y = tensorAt(inputs, 2, 'Y');
    if (c.type !== 'bool') throw new Error(`condition must be bool, got ${c.type}`);
    if (x.type !== y.type) throw new Error(`X and Y types differ: ${x.type} and ${y.type}`);
    const dims = broadcastShapes(c.dims, x.dims, y.dims);
    let n = 1;
    for (const d of dims) n *= d;
    const out = outArray(ctx, 0, x.type, dims) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const C = c.data as Uint8Array;
    const X = x.data as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const Y = y.data as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    forEachRun(dims, [c.dims, x.dims, y.dims], (o, offs, st, len) => {
      let ic = offs[0]!;
      let ix = offs[1]!;
      let iy = offs[2]!;
      const sc = st[0]!;
      const sx = st[1]!;
      const sy = st[2]!;
      for (let i = o, end = o + len; i < end; i++, ic += sc, ix += sx, iy += sy) out[i] = C[ic] ? X[ix] : Y[iy];
    });
    return [new Tensor(x.type, out, dims)];
  },
};
