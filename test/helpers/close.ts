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

/**
 * |a - b| <= tol · max(|b|, 1) at every element, same dims and dtype; names the worst element. NaN
 * fails, unless `nanEqual`: then a NaN must sit exactly where the reference has one.
 */
export function expectElementwiseClose(a: Tensor, b: Tensor, what: string, tol = 1e-4, nanEqual = false): void {
  expect(a.dims, what).toEqual(b.dims);
  expect(a.type, what).toBe(b.type);
  const x = a.data as ArrayLike<number>, y = b.data as ArrayLike<number>;
  if (nanEqual) {
    const nans = (v: ArrayLike<number>) => Array.from(v, (e) => Number.isNaN(e));
    expect(nans(x), `${what}: NaN positions`).toEqual(nans(y));
  }
  let worst = 0, at = -1;
  for (let i = 0; i < y.length; i++) {
    if (nanEqual && Number.isNaN(y[i]!)) continue;
    const e = Math.abs(x[i]! - y[i]!) / Math.max(Math.abs(y[i]!), 1);
    if (!(e <= worst)) { worst = e; at = i; }
  }
  expect(worst, `${what}: worst relative error at ${at}: ${x[at]} vs ${y[at]}`).toBeLessThanOrEqual(tol);
}
