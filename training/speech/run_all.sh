#!/bin/sh
# Everything in order, from the repo root: bash training/speech/run_all.sh [TRAIN_MINUTES] [BUILD_DIR]
# Needs onnxflow built into BUILD_DIR (default .build/h8; see training/README.md) and OpenBLAS as set up there.
set -e
MIN=${1:-19}
BUILD=${2:-.build/h8}
export LD_LIBRARY_PATH=/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
PY=/usr/bin/python3
mkdir -p training/speech/out/digits-whisper
node training/speech/make_files.mjs files training/speech/out/digits-whisper --build $BUILD   # tokenizer + configs (+ tokens.json)
$PY training/speech/prep.py heldout --n 200                                      # cache/heldout/*.wav, heldout.json
$PY training/speech/prep.py train --n 16000 --workers 2                          # cache/train_feats.npy, train.json
$PY training/speech/train.py --steps 100000 --minutes "$MIN" --batch 16 --lr 1e-3 --warmup 200 --threads 2 --eval-every 5   # ckpt/model.pt, ckpt/train.log
$PY training/speech/export.py --build $BUILD                                     # out/digits-whisper/*.onnx
$PY training/speech/torch_decode.py                                              # out/torch_greedy.json
$PY training/speech/make_samples.py                                              # out/samples/
node training/speech/check_export.mjs --build $BUILD > training/speech/out/check_export.txt
for b in cpu native ort; do
  node training/speech/evaluate.mjs --backends $b --beams 1,4 --build $BUILD --out training/speech/out/evaluate-$b
done
