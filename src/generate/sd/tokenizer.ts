// A small but real CLIP byte-level BPE tokenizer, generated deterministically, in the files
// `CLIPTokenizer.save_pretrained` writes: vocab.json, merges.txt, tokenizer_config.json,
// special_tokens_map.json. The vocabulary is laid out like CLIP's: the 256 byte symbols (GPT-2's
// bytes_to_unicode order), the same 256 with "</w>", one token per merge, then <|startoftext|>
// and <|endoftext|> (the highest id, which is what the text encoder's argmax pooling relies on).
// Merges are built from an English word list so that common prompt words are single tokens.

import { mergeLowestRank } from '../common/bpe.js';
import { BYTE_LEVEL_ORDER } from '../../components/tokenizers/byte-level.js';

export const WORDS = `a an the of in on at to with and or by for from under over near into through behind above below
photo photograph picture painting drawing sketch illustration render portrait landscape close up closeup view shot
cat cats dog dogs horse bird birds fish lion tiger bear wolf fox rabbit owl eagle dragon unicorn cow sheep
man woman men women person people child boy girl king queen knight robot astronaut wizard warrior princess
house castle city street road bridge tower village forest tree trees flower flowers garden field river lake sea
ocean beach island mountain mountains hill desert snow rain sky cloud clouds sun moon star stars space planet mars
night day sunset sunrise morning evening light dark shadow fire water ice stone wood glass metal gold silver
red green blue yellow orange purple pink black white brown gray grey colorful vibrant
beautiful cute small big large tiny huge old young new ancient futuristic modern magic magical epic detailed
highly intricate sharp focus soft realistic photorealistic hyperrealistic cinematic dramatic lighting studio
art artwork style digital oil watercolor anime cartoon fantasy science fiction concept trending artstation
high quality resolution masterpiece best 4k 8k hd uhd unreal engine octane
riding sitting standing walking running flying swimming playing eating reading wearing holding looking
hat dress suit armor helmet sword book table chair window door car boat ship train plane
is are was with very`;

/** GPT-2 / CLIP bytes_to_unicode() in dict insertion order (CLIP builds its base vocabulary from `.values()` in this order). */
export function bytesToUnicode(): string[] {
  return [...BYTE_LEVEL_ORDER];
}

/** CLIP's bpe() on one pre-tokenized word (already byte-mapped): the last symbol carries `</w>`. */
export function bpeWord(word: string, ranks: Map<string, number>): string[] {
  const chars = [...word];
  if (chars.length === 0) return [];
  return mergeLowestRank([...chars.slice(0, -1), chars[chars.length - 1] + '</w>'], ranks);
}

export interface ClipTokenizerFiles {
  vocab: Record<string, number>;
  merges: [string, string][];
  bosId: number;
  eosId: number;
  vocabSize: number;
}

export function buildClipTokenizer(words: readonly string[] = WORDS.split(/\s+/).filter(Boolean)): ClipTokenizerFiles {
  const uniq = [...new Set(words.map((w) => w.toLowerCase()))];
  const merges: [string, string][] = [];
  const ranks = new Map<string, number>();
  // Left-to-right merges per word, then repair: while some word is not a single token, merge its
  // first two pieces. New merges get the highest rank, so words already single tokens stay single.
  for (const w of uniq) {
    const chars = [...w];
    let acc = chars[0]!;
    for (let i = 1; i < chars.length; i++) {
      const next = i === chars.length - 1 ? chars[i] + '</w>' : chars[i]!;
      const key = `${acc} ${next}`;
      if (!ranks.has(key)) {
        ranks.set(key, merges.length);
        merges.push([acc, next]);
      }
      acc += next;
    }
  }
  for (let pass = 0; pass < 100; pass++) {
    let changed = false;
    for (const w of uniq) {
      const parts = bpeWord(w, ranks);
      if (parts.length > 1) {
        const key = `${parts[0]} ${parts[1]}`;
        if (!ranks.has(key)) {
          ranks.set(key, merges.length);
          merges.push([parts[0]!, parts[1]!]);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  const vocab: Record<string, number> = {};
  let id = 0;
  const base = bytesToUnicode();
  for (const s of base) vocab[s] = id++;
  for (const s of base) vocab[s + '</w>'] = id++;
  for (const [a, b] of merges) if (!(a + b in vocab)) vocab[a + b] = id++;
  const bosId = id++;
  const eosId = id++;
  vocab['<|startoftext|>'] = bosId;
  vocab['<|endoftext|>'] = eosId;
  return { vocab, merges, bosId, eosId, vocabSize: id };
}

const special = (content: string, normalized: boolean) => ({ content, lstrip: false, normalized, rstrip: false, single_word: false });

export function tokenizerFiles(t: ClipTokenizerFiles): Record<string, string> {
  return {
    'vocab.json': JSON.stringify(t.vocab),
    'merges.txt': `#version: 0.2\n${t.merges.map(([a, b]) => `${a} ${b}`).join('\n')}\n`,
    'tokenizer_config.json': JSON.stringify({
      add_prefix_space: false,
      added_tokens_decoder: {
        [t.bosId]: { ...special('<|startoftext|>', true), special: true },
        [t.eosId]: { ...special('<|endoftext|>', false), special: true },
      },
      bos_token: '<|startoftext|>',
      clean_up_tokenization_spaces: true,
      do_lower_case: true,
      eos_token: '<|endoftext|>',
      errors: 'replace',
      model_max_length: 77,
      pad_token: '<|endoftext|>',
      tokenizer_class: 'CLIPTokenizer',
      unk_token: '<|endoftext|>',
    }, null, 2) + '\n',
    'special_tokens_map.json': JSON.stringify({
      bos_token: special('<|startoftext|>', true),
      eos_token: special('<|endoftext|>', false),
      pad_token: special('<|endoftext|>', false),
      unk_token: special('<|endoftext|>', false),
    }, null, 2) + '\n',
  };
}
