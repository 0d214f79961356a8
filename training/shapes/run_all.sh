#!/usr/bin/env bash
# Whole shapes run: VAE, text encoder + UNet, decoder fine-tunes, export, checks, evaluation. From the repo root:
#   bash training/shapes/run_all.sh [VAE_MINUTES] [UNET_MINUTES] [DECODER_MINUTES]
# Defaults are the run in training/README.md: VAE stage 1 7 min (2 threads); then, in parallel on the two cores,
# the text encoder + UNet for 45 min (one thread: a second thread does not make these small ops faster) and the
# two decoder fine-tunes (6 + 25 min, one thread; the encoder is frozen, so the UNet's latents stay valid).
# Uses a process-local OpenBLAS (see training/README.md: the system torch's BLAS is the reference one).
# ONNXFLOW_BUILD: an onnxflow build folder (default .build/h4; built here if missing).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
S="$ROOT/training/shapes"
PY=/usr/bin/python3
BLAS=/tmp/openblas
BUILD=${ONNXFLOW_BUILD:-.build/h4}
export ONNXFLOW_BUILD=$BUILD
if [ ! -e "$BLAS/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3" ]; then
  mkdir -p "$BLAS" && (cd "$BLAS" && apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb .)
fi
export LD_LIBRARY_PATH="$BLAS/usr/lib/x86_64-linux-gnu/openblas-pthread${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
cd "$S"
$PY -c "import data; data.write_heldout('heldout.json'); data.write_trainseen('trainseen.json')"
T0=$(date +%s)
OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 $PY train_vae.py --steps 1000 --minutes "${1:-7}" --threads 2
$PY train_unet.py --steps 8000 --batch 32 --minutes "${2:-45}" --latents 10000 --threads 1 > ckpt/unet.out 2>&1 &
UNET=$!
sleep 150   # the UNet reads ckpt/vae.pt (encoder; its sample grid uses the stage-1 decoder) once, at its start
$PY train_vae.py --decoder-only --steps 800 --minutes 6 --lr 1e-3 --threads 1
$PY train_vae.py --decoder-only --steps 4000 --minutes "${3:-25}" --lr 5e-4 --edge 1.0 --threads 1
wait $UNET
echo "training wall time: $(( $(date +%s) - T0 )) s" | tee ckpt/wall.txt
$PY export.py --out "$S/../../models/shapes-sd"
cd "$ROOT"
[ -e "$BUILD/index.js" ] || npx tsc -p tsconfig.json --outDir "$BUILD" --tsBuildInfoFile "$BUILD.tsbuildinfo"
[ -e "$(dirname "$BUILD")/package.json" ] || cp package.json "$(dirname "$BUILD")/package.json"   # the CLI reads ../../package.json
node training/shapes/check_export.mjs --model-dir models/shapes-sd
node "$BUILD/cli/main.js" run pipelines/stable-diffusion.yaml --model-dir models/shapes-sd \
  --prompt "a red circle on a blue background" --out docs/images/red-circle-blue.png
for b in cpu native ort; do
  node training/shapes/evaluate.mjs --model-dir models/shapes-sd --backend $b --save training/shapes/out/heldout-$b \
    | tee training/shapes/out/evaluate-$b.txt
done
node training/shapes/psnr_dump.mjs --backend cpu && node training/shapes/psnr_dump.mjs --backend native && node training/shapes/psnr_dump.mjs --backend ort
(cd "$S" && $PY psnr_torch.py out/psnr/cpu.json out/psnr/native.json out/psnr/ort.json)
node training/shapes/samples_strip.mjs
