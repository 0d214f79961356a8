// The onnxflow CLI: run (inputs as flags, trace table and JSON), inspect (text, mermaid, svg, json),
// validate, and exit codes (0 ok, 1 run failure, 2 invalid pipeline or input: --precision included).
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeToyModels, writeYaml } from './helpers/toy-models.js';

const CLI = join(process.cwd(), 'dist/cli/main.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

const YAML = `name: toy-cli
inputs:
  x: { type: tensor, dtype: float32, shape: [1, 4] }
  steps: { type: int, default: 2 }
models:
  encoder: encoder.onnx
  step: step.onnx
  decoder: decoder.onnx
stages:
  encode: { kind: onnx, model: encoder, inputs: { x: inputs.x } }
  refine:
    kind: loop
    count: inputs.steps
    state: { z: encode.h }
    body:
      step: { kind: onnx, model: step, inputs: { state: refine.z, h: encode.h } }
    update: { z: step.next }
  decode: { kind: onnx, model: decoder, inputs: { state: refine.z } }
outputs:
  y: decode.y_act
`;

let dir: string;
let yaml: string;
beforeAll(() => {
  dir = writeToyModels();
  yaml = writeYaml(dir, 'toy.yaml', YAML);
});

describe('onnxflow CLI', () => {
  it('is an executable bin (npx onnxflow runs it directly)', () => {
    expect(statSync(CLI).mode & 0o111, 'dist/cli/main.js must be executable').not.toBe(0);
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });

  it('lists the builtin model sources, and --model-dir takes one', () => {
    const r = cli('models'); // (--path would generate the 1.3 GB sd-base)
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^builtin:shapes-sd\n {2}Stable Diffusion trained on synthetic shapes/m);
    expect(r.stdout).toContain('builtin:sd-tiny');
    expect(r.stdout).toContain('builtin:whisper-tiny');
    const v = cli('validate', 'pipelines/stable-diffusion.yaml', '--model-dir', 'builtin:sd-tiny');
    expect(v.status, v.stderr).toBe(0);
    const bad = cli('validate', 'pipelines/stable-diffusion.yaml', '--model-dir', 'builtin:nope');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown model source 'builtin:nope'; sources: .*builtin:shapes-sd/);
  });

  it('runs a pipeline with inputs as flags and prints a trace table', () => {
    const traceFile = join(dir, 'trace.json');
    const r = cli('run', yaml, '--x', '[[0.5, -1, 0.25, 2]]', '--steps', '3', '--trace', '--trace-out', traceFile);
    expect(r.stderr).toMatch(/done in/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^y: float32\[1,2\] min /m);
    expect(r.stdout).toContain('| refine/step | onnx | 3 | state: float32[1,8], h: float32[1,8] | next: float32[1,8] |');
    expect(r.stdout).toContain('| encode | onnx | 1 | x: float32[1,4] | h: float32[1,8] |');
    const trace = JSON.parse(readFileSync(traceFile, 'utf8'));
    expect(trace.steps).toHaveLength(3);
    expect(trace.stages.map((s: { stage: string }) => s.stage)).toEqual(['encode', 'refine/step', 'refine/step', 'refine/step', 'decode']);
  });

  it('accepts --input key=value and writes outputs as JSON', () => {
    const out = join(dir, 'out.json');
    const r = cli('run', yaml, '--input', 'x=[[1,2,3,4]]', '-o', out);
    expect(r.status).toBe(0);
    const y = JSON.parse(readFileSync(out, 'utf8')).y;
    expect(y.dims).toEqual([1, 2]);
    expect(y.data).toHaveLength(2);
  });

  it('exits 2 on bad input and on an invalid pipeline, 1 on a run failure', () => {
    expect(cli('run', yaml, '--x', '[[1,2,3]]').status).toBe(2);
    expect(cli('run', yaml).stderr).toMatch(/missing input 'x'/);
    const bad = writeYaml(dir, 'bad.yaml', YAML.replace('inputs: { x: inputs.x }', 'inputs: { x: inputs.y }'));
    const v = cli('validate', bad);
    expect(v.status).toBe(2);
    expect(v.stderr).toContain("bad.yaml:10:54: encode: input 'x': undefined value 'inputs.y': the pipeline has no input 'y' (did you mean 'inputs.x'?)");
    const failing = writeYaml(dir, 'fails.yaml', YAML.replace('count: inputs.steps', 'count: inputs.steps\n    maxSteps: 5').replace("steps: { type: int, default: 2 }", "steps: { type: int, default: -1 }"));
    const f = cli('run', failing, '--x', '[[1,2,3,4]]');
    expect(f.status).toBe(1);
    expect(f.stderr).toMatch(/stage 'refine': count must be a non-negative integer, got -1/);
    // --precision: fp32 / bf16 only, and bf16 only where the backend has it (native)
    const p = cli('run', yaml, '--x', '[[1,2,3,4]]', '--precision', 'fp16');
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/--precision must be fp32 or bf16, got "fp16"/);
    const c = cli('run', yaml, '--x', '[[1,2,3,4]]', '--backend', 'cpu', '--precision', 'bf16');
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/precision 'bf16' is not available on backend 'cpu'/);
    expect(cli('run', yaml, '--x', '[[1,2,3,4]]', '--precision', 'fp32').status).toBe(0);
  });

  it('validates and inspects as text, mermaid, svg and json', () => {
    expect(cli('validate', yaml).stdout).toMatch(/ok \(4 stages\)/);
    const text = cli('inspect', yaml).stdout;
    expect(text).toContain('refine [loop: count]');
    expect(text).toContain('→ h: tensor<float32>[1,8]');
    const mermaid = cli('inspect', yaml, '--format', 'mermaid').stdout;
    expect(mermaid).toMatch(/^flowchart TD/);
    expect(mermaid).toContain('subgraph refine');
    expect(mermaid).toContain('encode -->|h→h| refine_step');
    const svg = cli('inspect', yaml, '--format', 'svg').stdout;
    expect(svg).toMatch(/^<svg [^>]*>/);
    expect(svg).toContain('loop refine');
    const json = JSON.parse(cli('inspect', yaml, '--format', 'json').stdout);
    expect(json.stages.map((s: { id: string }) => s.id)).toEqual(['encode', 'refine', 'decode']);
  });
});
