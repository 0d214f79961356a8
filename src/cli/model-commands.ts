// `onnxflow check model.onnx` and `onnxflow info model.onnx`.

import type { Command } from 'commander';
import { checkModel, formatShape, inferShapes, loadModel, modelSources, resolveModelSource } from '../index.js';
import type { Model, TypeInfo } from '../index.js';

function typeText(t: TypeInfo | undefined): string {
  if (!t) return '?';
  if (t.kind === 'tensor' || t.kind === 'sparse_tensor') return `${t.elemType}${formatShape(t.shape)}`;
  if (t.kind === 'sequence') return `sequence<${typeText(t.elem)}>`;
  if (t.kind === 'optional') return `optional<${typeText(t.elem)}>`;
  return 'map';
}

function load(path: string): Model {
  try {
    return loadModel(path);
  } catch (e) {
    console.error(`onnxflow: ${(e as Error).message}`);
    process.exit(2);
  }
}

export function registerModelCommands(program: Command): void {
  program
    .command('models')
    .description('list the builtin model sources a pipeline\'s modelDir (or --model-dir) can name as builtin:NAME')
    .option('--path', 'also resolve each to its folder (generates the random-weight ones on first use)')
    .action(async (o: { path?: boolean }) => {
      for (const s of modelSources()) {
        console.log(`builtin:${s.name}\n  ${s.description}`);
        if (o.path) console.log(`  ${await resolveModelSource(s.name)}`);
      }
    });

  program
    .command('check')
    .description('check a model: structure, operators, types and inferred shapes; exit 2 on problems')
    .argument('<model>', 'path to an .onnx file')
    .action((path: string) => {
      const model = load(path);
      const issues = checkModel(model);
      const shapes = inferShapes(model);
      const all = [...issues.map((i) => `${i.where}: ${i.message}`), ...shapes.issues];
      if (all.length) {
        for (const i of all) console.error(`${path}: ${i}`);
        process.exit(2);
      }
      console.log(`${path}: ok (${model.graph.nodes.length} nodes)`);
    });

  program
    .command('info')
    .description('print a model\'s inputs, outputs (with inferred shapes), opsets and operator counts')
    .argument('<model>', 'path to an .onnx file')
    .action((path: string) => {
      const model = load(path);
      const g = model.graph;
      const { values } = inferShapes(model);
      console.log(`model: ${path}\nproducer: ${model.producerName ?? '?'} ${model.producerVersion ?? ''}\nir_version: ${model.irVersion}`);
      console.log(`opsets: ${[...model.opsets].map(([d, v]) => `${d || 'ai.onnx'}=${v}`).join(', ')}`);
      console.log('inputs:');
      for (const i of g.inputs.filter((x) => !g.initializers.has(x.name))) console.log(`  ${i.name}: ${typeText(i.type)}`);
      console.log('outputs:');
      for (const o of g.outputs) {
        const v = values.get(o.name);
        console.log(`  ${o.name}: ${typeText(o.type)}${v?.shape ? `  (inferred ${v.type ?? '?'}${formatShape(v.shape)})` : ''}`);
      }
      const counts = new Map<string, number>();
      for (const n of g.nodes) counts.set(n.opType, (counts.get(n.opType) ?? 0) + 1);
      console.log(`nodes: ${g.nodes.length}; initializers: ${g.initializers.size}`);
      for (const [op, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`  ${op} x${n}`);
    });
}
