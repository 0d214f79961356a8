// `onnxflow optimize in.onnx out.onnx [--level]`: runs the graph optimizer and prints a before/after
// report (node counts per op type, fusions by kind, peak activation memory as the engine's memory
// planner lays it out, and the naive sum of every intermediate).

import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { loadModel } from '../onnx/builder.js';
import { encodeModel } from '../onnx/encode.js';
import { optimizeModel, parseLevel } from '../optimize/index.js';
import { planPeakMemory } from '../optimize/memory.js';

function mib(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function parseDims(list: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of list) {
    const m = /^(.+)=(\d+)$/.exec(s);
    if (!m) throw new Error(`--dim expects NAME=SIZE, got '${s}'`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

export function registerOptimizeCommand(program: Command): void {
  program
    .command('optimize')
    .description('optimize a model graph (constant folding, CSE, fusions) and save it; prints a before/after report')
    .argument('<in>', 'input .onnx file')
    .argument('<out>', 'output .onnx file')
    .option('--level <level>', 'disabled | basic | extended | all (basic keeps standard ONNX ops only)', 'all')
    .option('--dim <name=size...>', 'size of a symbolic dim for the memory plan (default 1)', [])
    .action((input: string, output: string, opts: { level: string; dim: string[] }) => {
      let level;
      let dims: Record<string, number>;
      try {
        level = parseLevel(opts.level);
        dims = parseDims(opts.dim);
      } catch (e) {
        console.error(`onnxflow: ${(e as Error).message}`);
        process.exit(2);
      }
      const model = loadModel(input);
      const { model: opt, report } = optimizeModel(model, { level });
      writeFileSync(output, encodeModel(opt));
      const memBefore = planPeakMemory(model, dims);
      const memAfter = planPeakMemory(opt, dims);
      console.log(`${input} -> ${output} (level ${level}, ${report.ms.toFixed(0)} ms)`);
      console.log(`nodes: ${report.nodesBefore} -> ${report.nodesAfter}`);
      // Same line as before the planner existed (scripts read it); the figures are the engine's arena plan.
      const scratch = memBefore.scratch || memAfter.scratch ? `; + kernel scratch ${mib(memBefore.scratch)} -> ${mib(memAfter.scratch)}` : '';
      const branches = memBefore.subgraphs || memAfter.subgraphs ? `; + largest If/Loop body ${mib(memBefore.subgraphs)} -> ${mib(memAfter.subgraphs)}` : '';
      console.log(`peak activation memory (estimated): ${mib(memBefore.planned)} -> ${mib(memAfter.planned)} (planned arena${scratch}${branches}; naive sum ${mib(memBefore.naive)} -> ${mib(memAfter.naive)})`);
      const fusions = Object.entries(report.fusions);
      console.log(`fusions: ${fusions.length ? fusions.map(([k, n]) => `${k} x${n}`).join(', ') : 'none'}`);
      const ops = [...new Set([...Object.keys(report.opsBefore), ...Object.keys(report.opsAfter)])]
        .sort((a, b) => (report.opsBefore[b] ?? 0) - (report.opsBefore[a] ?? 0) || a.localeCompare(b));
      const w = Math.max(8, ...ops.map((o) => o.length));
      console.log(`${'op'.padEnd(w)}  before  after`);
      for (const op of ops) console.log(`${op.padEnd(w)}  ${String(report.opsBefore[op] ?? 0).padStart(6)}  ${String(report.opsAfter[op] ?? 0).padStart(5)}`);
    });
}
