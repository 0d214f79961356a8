import { expect } from 'vitest';
import type { Tensor } from '../../src/ir/tensor.js';

/** max |a - b| relative to the reference's scale (max |b|, at least 1); dims must agree. */
export function maxRelErr(a: Tensor, b: Tensor): number {
  expect(a.dims).toEqual(b.dims);
  const x = a.data as ArrayLike<number>;
  const y = b.data as ArrayLike<number>;
  let err = 0;
  let scale = 1;
  for (let i = 0; i < y.length; i++) { err = Math.max(err, Math.abs(x[i]! - y[i]!)); scale = Math.max(scale, Math.abs(y[i]!)); }
  return err / scale;
}

/** Asserts `maxRelErr(a, b) <= tol`, naming `label` on failure. */
export function expectClose(a: Tensor, b: Tensor, tol: number, label: string): void {
  expect(a.dims, label).toEqual(b.dims);
  expect(maxRelErr(a, b), label).toBeLessThanOrEqual(tol);
}
