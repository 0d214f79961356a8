// Model sources: a pipeline's `modelDir: builtin:NAME` names a folder that onnxflow provides, e.g.
// the tiny models it generates on first use; `--model-dir` (LoadOptions.modelDir) replaces it with
// a real export.

type Ensure = () => Promise<string>;

const sources = new Map<string, { ensure: Ensure; description: string }>();

export function registerModelSource(name: string, description: string, ensure: Ensure): void {
  if (sources.has(name)) throw new Error(`model source '${name}' is already registered`);
  sources.set(name, { ensure, description });
}

/** Every source with its description, sorted by name. */
export function modelSources(): { name: string; description: string }[] {
  return modelSourceNames().map((name) => ({ name, description: sources.get(name)!.description }));
}

export function modelSourceNames(): string[] {
  return [...sources.keys()].sort();
}

/** The folder for `builtin:NAME`, created if needed. */
export async function resolveModelSource(name: string): Promise<string> {
  const s = sources.get(name);
  if (!s) throw new Error(`unknown model source 'builtin:${name}'; sources: ${modelSourceNames().map((n) => `builtin:${n}`).join(', ') || '(none)'}`);
  return s.ensure();
}
