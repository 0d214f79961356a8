// GPT-2 / CLIP byte-level alphabet: every byte 0..255 maps to one printable
// unicode character so that BPE can work on arbitrary UTF-8 without unknowns.
// Printable Latin-1 bytes map to themselves; the rest map to U+0100 onwards.

/** The byte → character table, and the characters in bytes_to_unicode()'s dict order (kept bytes first). */
function buildByteLevel(): { table: string[]; order: string[] } {
  const keep: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) keep.push(b); // '!'..'~'
  for (let b = 0xa1; b <= 0xac; b++) keep.push(b); // '¡'..'¬'
  for (let b = 0xae; b <= 0xff; b++) keep.push(b); // '®'..'ÿ'
  const table = new Array<string>(256);
  const kept = new Set(keep);
  for (const b of keep) table[b] = String.fromCodePoint(b);
  const order = keep.map((b) => table[b]!);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!kept.has(b)) order.push((table[b] = String.fromCodePoint(256 + n++)));
  }
  return { table, order };
}

const BYTE_LEVEL = buildByteLevel();
export const BYTE_TO_CHAR: readonly string[] = BYTE_LEVEL.table;
/** The 256 characters in the insertion order of GPT-2's bytes_to_unicode() dict (CLIP and Whisper build their base vocabularies from it). */
export const BYTE_LEVEL_ORDER: readonly string[] = BYTE_LEVEL.order;
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

const encoder = new TextEncoder();

/** UTF-8 encodes `text` and maps each byte to its byte-level character. */
export function toByteLevel(text: string): string[] {
  const bytes = encoder.encode(text);
  const out = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = BYTE_TO_CHAR[bytes[i]!]!;
  return out;
}

/** Inverse of toByteLevel for a joined string; characters outside the alphabet are UTF-8 encoded as-is. */
export function fromByteLevel(text: string): string {
  const bytes: number[] = [];
  for (const ch of text) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b !== undefined) bytes.push(b);
    else bytes.push(...encoder.encode(ch));
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(new Uint8Array(bytes));
}
