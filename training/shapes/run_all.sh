#!/usr/bin/env bash
# Whole shapes run: VAE, text encoder + UNet, decoder fine-tune, export, checks, evaluation. From the repo root:
#   bash training/shapes/run_all.sh [VAE_MINUTES] [UNET_MINUTES] [DECODER_MINUTES]
# (the run in training/README.md: VAE stage 1 7 min (2 threads, 2026-11-22), decoder fine-tune 6 min, UNet 37 + 10 min
# (--resume), decoder fine-tune with edge loss 12 min);
# every step uses ONE torch/BLAS thread (the machine's other core is shared with other jobs).
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
$PY train_vae.py --steps 1000 --minutes "${1:-7}" --threads 1
$PY train_vae.py --decoder-only --steps 800 --minutes 6 --lr 1e-3 --threads 1
$PY train_unet.py --steps 20000 --batch 32 --minutes "${2:-37}" --latents 10000 --threads 1
$PY train_unet.py --resume --steps 1000 --batch 32 --minutes 10 --latents 10000 --lr 4e-4 --threads 1
$PY train_vae.py --decoder-only --steps 4000 --minutes "${3:-12}" --lr 5e-4 --edge 1.0 --threads 1
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
