import type { RgbImage } from '../../src/index.js';

/** Peak signal-to-noise ratio of two 8-bit images of the same size (Infinity when identical). */
export function psnr(a: RgbImage, b: RgbImage): number {
  let se = 0;
  for (let i = 0; i < a.data.length; i++) se += (a.data[i]! - b.data[i]!) ** 2;
  const mse = se / a.data.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}
