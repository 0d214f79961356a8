// onnxflow public API.

import './components/register.js';
import './generate/sources.js';

export { Tensor } from './ir/tensor.js';
export type { DataType } from './ir/dtype.js';
export { InferenceSession } from './engine/session.js';
export type { SessionOptions, ValueMetadata, Feeds, Results, MemoryReport, ArenaStats } from './engine/session.js';
export type { Value, KernelConfig, KernelContext, KernelFn, Backend } from './backends/backend.js';
export { registerBackend, listBackends, KernelTable } from './backends/registry.js';
export { OnnxflowError, ModelError, InputError, KernelError, UnsupportedOpError } from './errors.js';
export { decodeModel, loadModelFile } from './onnx/decode.js';
export type { Model, Graph, Node, ValueInfo, TypeInfo, AttrValue, FunctionDef, Dim } from './ir/graph.js';
export { encodeModel } from './onnx/encode.js';
export {
  makeTensor, makeNode, makeAttr, floatAttr, floatsAttr, intsAttr, makeTensorValueInfo, makeValueInfo,
  makeTensorType, makeSequenceType, makeOptionalType, makeGraph, makeModel, makeFunction, saveModel, loadModel,
} from './onnx/builder.js';
export type { NamedTensor, AttrInput, NodeOptions, ModelOptions } from './onnx/builder.js';
export { findNode, findNodes, consumers, producer, replaceUses, removeNode, insertNode, pruneUnused } from './onnx/edit.js';
export { checkModel, assertValidModel, knownOp } from './engine/check.js';
export type { CheckIssue, CheckOptions } from './onnx/checker.js';
export { inferShapes } from './ir/shape/infer.js';
export type { ShapeInfo, ShapeInference } from './ir/shape/infer.js';
export { formatShape } from './ir/shape/dims.js';
export { loadPipeline, runPipeline, definePipeline, Pipeline } from './pipeline/pipeline.js';
export type { RunOptions, LoadOptions } from './pipeline/pipeline.js';
export { registerComponent, componentNames } from './pipeline/components.js';
export type { ComponentDef, ComponentInstance, ComponentEnv, PortDef } from './pipeline/components.js';
export { registerStageKind, stageKindNames } from './pipeline/stage-kinds.js';
export type { StageKind, StageBody, StageRunContext, StageCompileContext, CompiledStage, CompiledBinding } from './pipeline/stage-kinds.js';
export type { Interceptor } from './pipeline/runner.js';
export type { HookEvents, StageEvent, StageAfterEvent, StepEvent, ProgressEvent, PortInfo } from './pipeline/hooks.js';
export { PipelineError, StageError, formatDiagnostic } from './pipeline/diagnostics.js';
export type { Diagnostic } from './pipeline/diagnostics.js';
export type { PipelineSpec, StageSpec, InputSpec, ModelSpec, ValueType, Binding } from './pipeline/types.js';
export { describePipeline, renderText, renderMermaid } from './pipeline/describe.js';
export { compilePipeline } from './pipeline/compile.js';
export { clearSessionCache } from './pipeline/sessions.js';
export { extractModel } from './onnx/extract.js';
export { registerModelSource, modelSourceNames, modelSources, resolveModelSource } from './pipeline/model-sources.js';
export { writePng, readImage, encodePng } from './components/image/index.js';
export type { RgbImage } from './components/image/index.js';
export { ClipTokenizer } from './components/tokenizers/clip.js';
export { createScheduler, SCHEDULER_NAMES } from './components/schedulers/index.js';
export { createGenerator } from './components/random.js';
export { generateStableDiffusion, ensureStableDiffusion, generateWhisper, ensureWhisper } from './generate/index.js';
export { readAudio } from './components/audio/index.js';
export { logMelSpectrogram } from './components/audio/index.js';
export { WhisperTokenizer } from './components/tokenizers/whisper.js';
export { optimizeModel, estimatePeakMemory, LEVELS } from './optimize/index.js';
export type { OptimizeOptions, OptimizeReport, OptimizationLevel } from './optimize/index.js';
