// A small but real Whisper (GPT-2 style byte-level BPE) tokenizer, generated deterministically, with the
// special tokens in Whisper's real relative layout. Regular tokens: the 256 byte symbols in GPT-2's
// bytes_to_unicode order (so '"' is 1, '#' is 2, 'Ġ' (space) is 220, as in Whisper), then one token per
// BPE merge learnt from an English word list (with and without the leading-space 'Ġ'), then systematic
// letter merges up to the requested size. After the N regular tokens come, as in the multilingual
// Whisper vocabulary (N = 50257 there):
//   N      <|endoftext|>          N+1    <|startoftranscript|>
//   N+2 .. N+100 the 99 language tokens (<|en|> first, Whisper's order)
//   N+101  <|translate|>  N+102 <|transcribe|>  N+103 <|startoflm|>  N+104 <|startofprev|>
//   N+105  <|nocaptions|> (renamed <|nospeech|> only in large-v3)  N+106 <|notimestamps|>
//   N+107 .. N+1607  <|0.00|> .. <|30.00|> (1501 timestamp tokens, 0.02 s apart)
// so vocab_size = N + 1608 (51865 for N = 50257).

import { mergeLowestRank } from '../common/bpe.js';
import { BYTE_LEVEL_ORDER, BYTE_TO_CHAR } from '../../components/tokenizers/byte-level.js';

export const WHISPER_LANGUAGES = [
  'en', 'zh', 'de', 'es', 'ru', 'ko', 'fr', 'ja', 'pt', 'tr', 'pl', 'ca', 'nl', 'ar', 'sv', 'it', 'id', 'hi', 'fi', 'vi',
  'he', 'uk', 'el', 'ms', 'cs', 'ro', 'da', 'hu', 'ta', 'no', 'th', 'ur', 'hr', 'bg', 'lt', 'la', 'mi', 'ml', 'cy', 'sk',
  'te', 'fa', 'lv', 'bn', 'sr', 'az', 'sl', 'kn', 'et', 'mk', 'br', 'eu', 'is', 'hy', 'ne', 'mn', 'bs', 'kk', 'sq', 'sw',
  'gl', 'mr', 'pa', 'si', 'km', 'sn', 'yo', 'so', 'af', 'oc', 'ka', 'be', 'tg', 'sd', 'gu', 'am', 'yi', 'lo', 'uz', 'fo',
  'ht', 'ps', 'tk', 'nn', 'mt', 'sa', 'lb', 'my', 'bo', 'tl', 'mg', 'as', 'tt', 'haw', 'ln', 'ha', 'ba', 'jw', 'su',
] as const;

/** Common spoken-English words; each becomes a single token (with and without a leading space). */
export const SPEECH_WORDS = `the be to of and a in that have i it for not on with he as you do at this but his by from they we
say her she or an will my one all would there their what so up out if about who get which go me when make can like time no
just him know take people into year your good some could them see other than then now look only come its over think also
back after use two how our work first well way even new want because any these give day most us is are was were been has had
did said going yes okay oh hello thank thanks please sorry right here where why very much many more really today tomorrow
morning night home house water food love life world man woman child children mother father family friend friends name
thing things something nothing everything everyone someone always never again still last long great little old big small
high different large next early young important few public bad same able let put mean keep begin seem help talk turn start
show hear play run move live believe hold bring happen write provide sit stand lose pay meet include continue set learn
change lead understand watch follow stop create speak read allow add spend grow open walk win offer remember consider
appear buy wait serve die send expect build stay fall cut reach kill remain suggest raise pass sell require report decide
pull story music sound voice speech audio word words language english question answer problem point number part place case
week company system program group government country city state school student teacher money business night point fact
hand eye head face door car road book letter morning minute hour second moment today yesterday weather rain sun sky tree
one two three four five six seven eight nine ten hundred thousand million first second third
ask tell call try feel leave need become find give think know look want
mr mrs dr ok yeah hey hi bye good bad nice fine sure maybe perhaps already almost enough quite rather together
away down off through before between under around during without again against among
every each both either neither another such own same other whole
red blue green black white yellow`;

/** Punctuation pieces that are single tokens in GPT-2's vocabulary. */
export const PUNCTUATION_FORMS = [' -', " '", ' "', ' (', ' [', ' ,', ' .', '--', ' --', '...', "'s", "'t", ' ♪'];

/** GPT-2 bytes_to_unicode in dict order, and by byte. */
export function bytesToUnicode(): { order: string[]; byByte: string[] } {
  return { order: [...BYTE_LEVEL_ORDER], byByte: [...BYTE_TO_CHAR] };
}

const BYTES = bytesToUnicode();
const utf8 = new TextEncoder();

/** UTF-8 bytes of `text` mapped to byte-level symbols, joined. */
export function byteLevel(text: string): string {
  let s = '';
  for (const b of utf8.encode(text)) s += BYTES.byByte[b]!;
  return s;
}

/** GPT-2's pre-tokenizer regex (what tokenizers' ByteLevel pre-tokenizer uses). */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2 bpe() on one byte-level word. */
export function bpe(word: string, ranks: Map<string, number>): string[] {
  return mergeLowestRank([...word], ranks);
}

export interface WhisperSpecialIds {
  eot: number;
  sot: number;
  languages: Record<string, number>;
  translate: number;
  transcribe: number;
  startoflm: number;
  startofprev: number;
  nocaptions: number;
  notimestamps: number;
  timestampBegin: number;
}

export interface WhisperTokenizer {
  /** Regular (BPE) vocabulary: byte symbols and merges; ids 0..regularSize-1. */
  vocab: Map<string, number>;
  merges: [string, string][];
  ranks: Map<string, number>;
  regularSize: number;
  /** All added tokens (from <|endoftext|> to the last timestamp), id order. */
  added: { id: number; content: string; special: boolean }[];
  ids: WhisperSpecialIds;
  vocabSize: number;
  encode(text: string): number[];
  decode(ids: number[]): string;
}

export function timestampToken(i: number): string {
  return `<|${(i * 0.02).toFixed(2)}|>`;
}

/** Builds the tokenizer with `regularSize` regular tokens (>= 256 + the word merges you want kept). */
export function buildWhisperTokenizer(regularSize: number, words: readonly string[] = SPEECH_WORDS.split(/\s+/).filter(Boolean)): WhisperTokenizer {
  if (regularSize < 256) throw new Error('regularSize must be at least 256');
  const vocab = new Map<string, number>();
  for (const s of BYTES.order) vocab.set(s, vocab.size);
  const merges: [string, string][] = [];
  const ranks = new Map<string, number>();
  const addMerge = (a: string, b: string): boolean => {
    if (vocab.size >= regularSize) return false;
    const key = `${a} ${b}`;
    if (ranks.has(key)) return true;
    ranks.set(key, merges.length);
    merges.push([a, b]);
    if (!vocab.has(a + b)) vocab.set(a + b, vocab.size);
    return true;
  };
  const uniq = [...new Set(words.map((w) => w.toLowerCase()))];
  // Punctuation tokens GPT-2's vocabulary has (" -", " '", ...), so that e.g. non_speech_tokens() finds
  // them as single tokens instead of falling back to the bare space.
  const forms: string[] = PUNCTUATION_FORMS.map(byteLevel);
  for (const w of uniq) forms.push(byteLevel(' ' + w), byteLevel(w));
  // Left-to-right merges per word, then repair until every form is one token (or the budget is spent).
  outer: for (const f of forms) {
    const chars = [...f];
    let acc = chars[0]!;
    for (let i = 1; i < chars.length; i++) {
      if (!addMerge(acc, chars[i]!)) break outer;
      acc += chars[i]!;
    }
  }
  for (let pass = 0; pass < 50 && vocab.size < regularSize; pass++) {
    let changed = false;
    for (const f of forms) {
      const parts = bpe(f, ranks);
      if (parts.length > 1 && !ranks.has(`${parts[0]} ${parts[1]}`)) {
        if (!addMerge(parts[0]!, parts[1]!)) break;
        changed = true;
      }
    }
    if (!changed) break;
  }
  // Fill up with systematic letter merges: Ġx, xy, Ġxy, xyz, Ġxyz, xyzw ... (deterministic).
  const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
  const G = byteLevel(' ');
  let frontier = [''];
  while (vocab.size < regularSize) {
    const next: string[] = [];
    for (const p of frontier) {
      for (const c of letters) {
        if (vocab.size >= regularSize) break;
        if (p !== '') {
          addMerge(p, c);
          addMerge(G + p, c);
        } else addMerge(G, c);
        next.push(p + c);
      }
      if (vocab.size >= regularSize) break;
    }
    frontier = next;
  }

  const N = vocab.size;
  const added: { id: number; content: string; special: boolean }[] = [];
  const push = (content: string, special = true) => { const id = N + added.length; added.push({ id, content, special }); return id; };
  const eot = push('<|endoftext|>');
  const sot = push('<|startoftranscript|>');
  const languages: Record<string, number> = {};
  for (const l of WHISPER_LANGUAGES) languages[l] = push(`<|${l}|>`);
  const translate = push('<|translate|>');
  const transcribe = push('<|transcribe|>');
  const startoflm = push('<|startoflm|>');
  const startofprev = push('<|startofprev|>');
  const nocaptions = push('<|nocaptions|>');
  const notimestamps = push('<|notimestamps|>');
  const timestampBegin = N + added.length;
  for (let i = 0; i <= 1500; i++) push(timestampToken(i), false);

  const byId = new Map<number, string>();
  for (const [s, id] of vocab) byId.set(id, s);
  const addedById = new Map(added.map((a) => [a.id, a.content]));
  const addedByContent = new Map(added.map((a) => [a.content, a.id]));
  const inverseBytes = new Map(BYTES.byByte.map((c, b) => [c, b]));
  const specialRe = new RegExp(added.map((a) => a.content.replace(/[|.*+?^${}()[\]\\]/g, '\\$&')).join('|'), 'g');

  const encodeText = (text: string, out: number[]) => {
    for (const m of text.matchAll(GPT2_PATTERN)) {
      for (const piece of bpe(byteLevel(m[0]), ranks)) out.push(vocab.get(piece)!);
    }
  };
  const encode = (text: string): number[] => {
    const out: number[] = [];
    let last = 0;
    for (const m of text.matchAll(specialRe)) {
      encodeText(text.slice(last, m.index), out);
      out.push(addedByContent.get(m[0])!);
      last = m.index! + m[0].length;
    }
    encodeText(text.slice(last), out);
    return out;
  };
  const decode = (ids: number[]): string => {
    let s = '';
    const bytes: number[] = [];
    const flush = () => { s += new TextDecoder().decode(new Uint8Array(bytes)); bytes.length = 0; };
    for (const id of ids) {
      const a = addedById.get(id);
      if (a !== undefined) { flush(); s += a; continue; }
      for (const ch of byId.get(id) ?? '') bytes.push(inverseBytes.get(ch)!);
    }
    flush();
    return s;
  };
  return {
    vocab, merges, ranks, regularSize: N, added,
    ids: { eot, sot, languages, translate, transcribe, startoflm, startofprev, nocaptions, notimestamps, timestampBegin },
    vocabSize: N + added.length, encode, decode,
  };
}

/** openai/whisper's non_speech_tokens(): symbols that are suppressed during generation. */
export function nonSpeechTokens(tok: WhisperTokenizer): number[] {
  const symbols = [...'"#()*+/:;<=>@[\\]^_`{|}~「」『』', ...'<< >> <<< >>> -- --- -( -[ (\' (" (( )) ((( ))) [[ ]] {{ }} ♪♪ ♪♪♪'.split(' ')];
  const misc = new Set('♩♪♫♬♭♮♯');
  const result = new Set<number>([tok.encode(' -')[0]!, tok.encode(" '")[0]!]);
  for (const symbol of [...symbols, ...misc]) {
    for (const tokens of [tok.encode(symbol), tok.encode(' ' + symbol)]) {
      if (tokens.length === 1 || misc.has(symbol)) result.add(tokens[0]!);
    }
  }
  return [...result].sort((a, b) => a - b);
}

const addedEntry = (content: string, special: boolean) => ({ content, lstrip: false, normalized: !special, rstrip: false, single_word: false, special });

/** The tokenizer files WhisperTokenizer(Fast).save_pretrained writes. */
export function whisperTokenizerFiles(tok: WhisperTokenizer): Record<string, string> {
  const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
  const vocabObj: Record<string, number> = {};
  for (const [s, id] of tok.vocab) vocabObj[s] = id;
  const eotName = '<|endoftext|>';
  // vocab.json holds the regular tokens plus <|endoftext|> (as GPT-2's does); the rest are added tokens.
  const vocabJson: Record<string, number> = { ...vocabObj, [eotName]: tok.ids.eot };
  const specials = tok.added.filter((a) => a.special);
  const addedJson: Record<string, number> = {};
  for (const a of [...specials].filter((a) => a.content !== eotName).sort((x, y) => (x.content < y.content ? -1 : x.content > y.content ? 1 : 0))) addedJson[a.content] = a.id;
  const addedDecoder: Record<string, unknown> = {};
  for (const a of tok.added) addedDecoder[String(a.id)] = addedEntry(a.content, a.special);
  const specialToken = (content: string) => ({ content, lstrip: false, normalized: false, rstrip: false, single_word: false });
  const st = (c: string) => ({ id: c, ids: [tok.added.find((a) => a.content === c)!.id], tokens: [c] });
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: tok.added.map((a) => ({ id: a.id, content: a.content, single_word: false, lstrip: false, rstrip: false, normalized: !a.special, special: a.special })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '<|startoftranscript|>', type_id: 0 } },
        { SpecialToken: { id: '<|notimestamps|>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: eotName, type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '<|startoftranscript|>', type_id: 0 } },
        { SpecialToken: { id: '<|notimestamps|>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: eotName, type_id: 1 } },
      ],
      special_tokens: {
        [eotName]: st(eotName),
        '<|notimestamps|>': st('<|notimestamps|>'),
        '<|startoftranscript|>': st('<|startoftranscript|>'),
      },
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false,
      ignore_merges: false, vocab: vocabJson, merges: tok.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
  const additional = specials.map((a) => a.content);
  return {
    'vocab.json': JSON.stringify(vocabJson) + '\n',
    'merges.txt': `#version: 0.2\n${tok.merges.map(([a, b]) => `${a} ${b}`).join('\n')}\n`,
    'added_tokens.json': json(addedJson),
    'special_tokens_map.json': json({
      additional_special_tokens: additional,
      bos_token: specialToken(eotName),
      eos_token: specialToken(eotName),
      pad_token: specialToken(eotName),
      unk_token: specialToken(eotName),
    }),
    'tokenizer_config.json': json({
      add_bos_token: false,
      add_prefix_space: false,
      added_tokens_decoder: addedDecoder,
      additional_special_tokens: additional,
      bos_token: eotName,
      clean_up_tokenization_spaces: true,
      eos_token: eotName,
      errors: 'replace',
      model_max_length: 1024,
      pad_token: eotName,
      processor_class: 'WhisperProcessor',
      return_attention_mask: false,
      tokenizer_class: 'WhisperTokenizer',
      unk_token: eotName,
    }),
    'tokenizer.json': JSON.stringify(tokenizerJson) + '\n',
  };
}
