// N-API bindings of the native kernels (module `onnxflow_native`). Every compute entry point
// returns a Promise: the work runs on a libuv worker thread (Napi::AsyncWorker), which fans out to
// the persistent thread pool, so the JS event loop stays free; with `sync: true` (small jobs) it runs
// on the calling thread and returns undefined (or throws) instead ("-> Done" below: either). Entry
// points are also made positional (`positional(name, keys)`, see Args); the TS side calls those.
// Inputs of an async job are typed arrays whose memory is pinned by references held for the job's
// lifetime; outputs are written into caller-allocated Float32Arrays.
#include <napi.h>

#include <cmath>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "cpu/attention.h"
#include "cpu/conv.h"
#include "cpu/gemm.h"
#include "cpu/ops.h"
#include "cpu/peak.h"
#include "cpu/pool.h"
#include "runtime/buffer_pool.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

using namespace onnxflow;

namespace {

// The async half of a job: runs `fn` on a libuv worker, then settles the promise on the JS thread;
// holds references that pin the job's typed arrays until then.
class AsyncJob : public Napi::AsyncWorker {
 public:
  AsyncJob(Napi::Env env, std::function<void()> fn, std::vector<Napi::ObjectReference> refs, Napi::Promise::Deferred d)
      : Napi::AsyncWorker(env), fn_(std::move(fn)), refs_(std::move(refs)), deferred_(d) {}
  void Execute() override {
    try {
      fn_();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::function<void()> fn_;
  std::vector<Napi::ObjectReference> refs_;
  Napi::Promise::Deferred deferred_;
};

// One call's work and the arrays it reads and writes. Small jobs (`sync`) run on the calling (JS)
// thread and return undefined, or throw: no thread hops (each can cost a scheduler time slice on a
// loaded machine), no async work object, no references, no promise (a settled promise and the await
// on it were a good part of a small kernel's call). Only an async job pins its arrays (the handles
// below are valid for the duration of the call) and returns a promise.
class Job {
 public:
  Job(Napi::Env env, bool sync) : env_(env), sync_(sync) {}
  // pin v for an async job (a sync one completes while the call's handles are valid)
  void keep(const Napi::Value& v) {
    if (!sync_) kept_.push_back(v);
  }
  void set(std::function<void()> fn) { fn_ = std::move(fn); }
  Napi::Value start() {
    if (sync_) {
      try {
        ThreadPool::NoWait no_wait;  // on the JS thread: never wait behind another pipeline's job
        fn_();
      } catch (const std::exception& e) {
        throw Napi::Error::New(env_, e.what());
      }
      return env_.Undefined();
    }
    Napi::Promise::Deferred d = Napi::Promise::Deferred::New(env_);
    std::vector<Napi::ObjectReference> refs;
    refs.reserve(kept_.size());
    for (const Napi::Value& v : kept_) refs.push_back(Napi::Persistent(v.As<Napi::Object>()));
    (new AsyncJob(env_, std::move(fn_), std::move(refs), d))->Queue();  // deletes itself when done
    return d.Promise();
  }

 private:
  Napi::Env env_;
  bool sync_;
  std::function<void()> fn_;
  std::vector<Napi::Value> kept_;
};

// The argument names of a positional entry point, in the order JS passes their values; the index of
// a name is looked up by the address of the literal each reader passes (strcmp only the first time).
struct Keys {
  std::vector<std::string> names;
  mutable std::unordered_map<const char*, int> at;
  int find(const char* key) const {
    auto it = at.find(key);
    if (it != at.end()) return it->second;
    int i = -1;
    for (size_t j = 0; j < names.size(); j++)
      if (names[j] == key) i = static_cast<int>(j);
    at.emplace(key, i);
    return i;
  }
};

// Property names as JS strings made once per environment (addon instance data): `o.Get("name")`
// would build and internalize the string on every read. The strings live in a referenced array
// (Node-API 8 cannot reference a string itself). `fast` holds the key lists of the positional entry
// points (see Args), owned here so they live as long as the functions that point at them.
struct AddonData {
  Napi::ObjectReference names;
  std::unordered_map<const char*, uint32_t> index;
  std::deque<Keys> fast;
};

// A call's named arguments: either one object ({ M, N, a, ... }) or, for the positional variant of an
// entry point (made by `positional(name, keys)`), the values themselves in the order of its key list.
// Reading a property of an object costs a V8 lookup (a few hundred ns, a dozen or more per call); a
// positional argument is a plain read, which takes small kernels' call overhead from ~6 to ~1 us.
class Args {
 public:
  explicit Args(const Napi::CallbackInfo& info)
      : info_(info), keys_(static_cast<const Keys*>(info.Data())),
        obj_(keys_ ? Napi::Object()
                   : info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(info.Env())) {}
  Napi::Env Env() const { return info_.Env(); }
  Napi::Value get(const char* key) const;

 private:
  const Napi::CallbackInfo& info_;
  const Keys* keys_;
  Napi::Object obj_;
};

Napi::Value Args::get(const char* key) const {
  Napi::Env env = info_.Env();
  if (keys_) {
    const int i = keys_->find(key);
    if (i < 0) throw Napi::Error::New(env, std::string("positional call: argument '") + key + "' is not in its key list");
    return static_cast<size_t>(i) < info_.Length() ? info_[i] : env.Undefined();
  }
  AddonData* d = env.GetInstanceData<AddonData>();
  if (!d) return obj_.Get(key);
  if (d->names.IsEmpty()) d->names = Napi::Persistent(Napi::Object(env, Napi::Array::New(env)));
  Napi::Object names = d->names.Value();
  auto it = d->index.find(key);
  if (it == d->index.end()) {
    const uint32_t i = static_cast<uint32_t>(d->index.size());
    names.Set(i, Napi::String::New(env, key));
    it = d->index.emplace(key, i).first;
  }
  return obj_.Get(names.Get(it->second));
}

Napi::Value get(const Args& o, const char* key) { return o.get(key); }

// A double that is an integer JS can hold exactly (|x| < 2^53): what every size, offset and dim must be.
bool safe_int(double d) { return std::fabs(d) <= 9007199254740991.0 && d == std::floor(d); }

int64_t num(const Args& o, const char* key, int64_t dflt = INT64_MIN) {
  Napi::Value v = get(o, key);
  if (v.IsUndefined() || v.IsNull()) {
    if (dflt == INT64_MIN) throw Napi::TypeError::New(o.Env(), std::string("missing number '") + key + "'");
    return dflt;
  }
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("'") + key + "' must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d)) throw Napi::TypeError::New(o.Env(), std::string("'") + key + "' must be an integer");
  if (!safe_int(d)) throw Napi::RangeError::New(o.Env(), std::string("'") + key + "' must be a safe integer (|x| < 2^53)");
  return static_cast<int64_t>(d);
}

double fnum(const Args& o, const char* key, double dflt) {
  Napi::Value v = get(o, key);
  if (v.IsUndefined() || v.IsNull()) return dflt;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("'") + key + "' must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

bool flag(const Args& o, const char* key) {
  Napi::Value v = get(o, key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : false;
}

// A typed array argument: its data and element count (empty when absent).
template <class T>
struct Typed {
  T* data = nullptr;
  int64_t length = 0;
};
using F32 = Typed<float>;
using U16 = Typed<uint16_t>;  // bf16 panels
using U8 = Typed<uint8_t>;    // bool masks

template <class T> struct TypedKind;
template <> struct TypedKind<float> { static constexpr napi_typedarray_type kind = napi_float32_array; static constexpr const char* name = "Float32Array"; };
template <> struct TypedKind<uint16_t> { static constexpr napi_typedarray_type kind = napi_uint16_array; static constexpr const char* name = "Uint16Array"; };
template <> struct TypedKind<uint8_t> { static constexpr napi_typedarray_type kind = napi_uint8_array; static constexpr const char* name = "Uint8Array"; };

// A typed array field of element type T (optional unless `required`: empty when absent); pins it in the job.
template <class T>
Typed<T> typed(const Args& o, const char* key, Job* job, bool required) {
  Napi::Value v = get(o, key);
  if (v.IsUndefined() || v.IsNull()) {
    if (required) throw Napi::TypeError::New(o.Env(), std::string("missing ") + TypedKind<T>::name + " '" + key + "'");
    return {};
  }
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != TypedKind<T>::kind) {
    throw Napi::TypeError::New(o.Env(), std::string("'") + key + "' must be a " + TypedKind<T>::name);
  }
  auto a = v.As<Napi::TypedArrayOf<T>>();
  job->keep(v);
  return {a.Data(), static_cast<int64_t>(a.ElementLength())};
}

F32 f32(const Args& o, const char* key, Job* job, bool required) { return typed<float>(o, key, job, required); }

// Per-batch offsets from a Float64Array (empty when absent); checked against `batch`.
std::vector<int64_t> offsets(const Args& o, const char* key, int64_t batch) {
  Napi::Value v = get(o, key);
  if (v.IsUndefined() || v.IsNull()) return {};
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw Napi::TypeError::New(o.Env(), std::string("'") + key + "' must be a Float64Array");
  }
  auto a = v.As<Napi::Float64Array>();
  if (static_cast<int64_t>(a.ElementLength()) != batch) {
    throw Napi::RangeError::New(o.Env(), std::string("'") + key + "' must have one offset per batch");
  }
  std::vector<int64_t> out(batch);
  for (int64_t i = 0; i < batch; i++) {
    const double d = a.Data()[i];
    if (!safe_int(d))
      throw Napi::RangeError::New(o.Env(), std::string("'") + key + "' must hold safe integers");
    out[i] = static_cast<int64_t>(d);
  }
  return out;
}

// Product (and sum of products) of sizes from JS, checked: absurd sizes must fail with a clear error,
// not wrap around int64 and pass a bounds check.
int64_t mul(Napi::Env env, std::initializer_list<int64_t> xs) {
  int64_t r = 1;
  for (int64_t x : xs)
    if (__builtin_mul_overflow(r, x, &r)) throw Napi::RangeError::New(env, "sizes overflow a 64-bit element count");
  return r;
}
int64_t add(Napi::Env env, int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) throw Napi::RangeError::New(env, "sizes overflow a 64-bit element count");
  return r;
}

// off + a * sa + b * sb + c, overflow-checked: one past the last element a strided access touches.
int64_t span_end(Napi::Env env, int64_t off, int64_t a, int64_t sa, int64_t b, int64_t sb, int64_t c) {
  return add(env, add(env, add(env, off, mul(env, {a, sa})), mul(env, {b, sb})), c);
}

// The message is built only on failure (a std::string per check cost a malloc on every call).
void check(bool ok, Napi::Env env, const char* what, const char* detail = "") {
  if (!ok) throw Napi::RangeError::New(env, std::string(what) + detail);
}
void check(bool ok, Napi::Env env, const std::string& what) {
  if (!ok) throw Napi::RangeError::New(env, what);
}

// Largest element index + 1 of a strided rows x K matrix at each offset.
// A JS array of integers (dims, strides), as `what: 'key' must be an array` when it is not one.
std::vector<int64_t> int_array(const Args& o, const char* key, const char* what) {
  Napi::Value v = get(o, key);
  if (!v.IsArray()) check(false, o.Env(), std::string(what) + ": '" + key + "' must be an array");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) {
    const Napi::Value e = a.Get(i);
    const double d = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : NAN;
    if (!safe_int(d))
      check(false, o.Env(), std::string(what) + ": '" + key + "' must hold safe integers");
    out[i] = static_cast<int64_t>(d);
  }
  return out;
}

// Panels packed from rows x K (panels of P rows) at each offset fit in a.
void check_packed(Napi::Env env, const char* what, int64_t length, const std::vector<int64_t>& offs, int64_t batch,
                  int64_t rows, int64_t K, int P) {
  const int64_t need = mul(env, {(rows + P - 1) / P * P, K});
  for (int64_t b = 0; b < (offs.empty() ? 1 : batch); b++) {
    const int64_t o = offs.empty() ? 0 : offs[b];
    check(o >= 0 && add(env, o, need) <= length, env, what);
  }
}

void check_strided(Napi::Env env, const char* name, const F32& a, const std::vector<int64_t>& offs, int64_t batch,
                   int64_t rows, int64_t K, int64_t rs, int64_t ks) {
  check(rs >= 0 && ks >= 0, env, name, ": negative stride");
  const int64_t span = (rows > 0 && K > 0) ? span_end(env, 0, rows - 1, rs, K - 1, ks, 1) : 0;
  for (int64_t b = 0; b < (offs.empty() ? 1 : batch); b++) {
    const int64_t o = offs.empty() ? 0 : offs[b];
    check(o >= 0 && add(env, o, span) <= a.length, env, name, ": out of bounds");
  }
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const MicroKernel& uk = active_kernel();
  const CpuFeatures f = detect_cpu_features();
  Napi::Object o = Napi::Object::New(env);
  o.Set("isa", uk.isa);
  o.Set("mr", uk.mr);
  o.Set("nr", uk.nr);
  o.Set("kc", uk.kc);
  o.Set("threads", ThreadPool::global().size());
  o.Set("avx2", f.avx2_fma);
  o.Set("avx512", f.avx512);
  Napi::Array isas = Napi::Array::New(env);
  uint32_t i = 0;
  for (const char* n : available_isas()) isas.Set(i++, n);
  o.Set("isas", isas);
  return o;
}

// poolStats() -> { threads, serialFallbacks }: sync jobs that ran on the JS thread alone because the
// pool was busy with another job.
Napi::Value PoolStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("threads", ThreadPool::global().size());
  o.Set("serialFallbacks", static_cast<double>(ThreadPool::global().serial_fallbacks()));
  return o;
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return Napi::Boolean::New(info.Env(), set_isa(name.c_str()));
}

// packPanels({ src, rs, ks, rows, K, count, srcStride, dst, dstStride, P, scale, bf16 }) -> Done
// bf16: dst is a Uint16Array of bf16 panels (cpu/bf16.h; P even, scale 1).
Napi::Value PackPanels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args o(info);
  Job h(env, flag(o, "sync"));
  const bool bf16 = flag(o, "bf16");
  F32 src = f32(o, "src", &h, true), dst;
  U16 dst16;
  if (bf16) dst16 = typed<uint16_t>(o, "dst", &h, true);
  else dst = f32(o, "dst", &h, true);
  const int64_t dst_length = bf16 ? dst16.length : dst.length;
  const int64_t rs = num(o, "rs"), ks = num(o, "ks"), rows = num(o, "rows"), K = num(o, "K");
  const int64_t count = num(o, "count", 1), ss = num(o, "srcStride", 0), ds = num(o, "dstStride", 0);
  const int P = static_cast<int>(num(o, "P"));
  const float scale = static_cast<float>(fnum(o, "scale", 1.0));
  check(P >= 1 && P <= 64, env, "packPanels: bad panel width");
  check(!bf16 || (P % 2 == 0 && scale == 1.f), env, "packPanels: bf16 panels need an even width and no scale");
  check(rows >= 0 && K >= 0 && count >= 0 && count <= (int64_t{1} << 31) && ss >= 0 && ds >= 0, env, "packPanels: bad sizes");
  const int64_t need = mul(env, {(rows + P - 1) / P * P, K});
  check(count == 0 || span_end(env, 0, count - 1, ds, 0, 0, need) <= dst_length, env, "packPanels dst: too small");
  if (count > 0) mul(env, {count - 1, ss});  // the largest source offset fits
  std::vector<int64_t> so(count), dof(count);
  for (int64_t i = 0; i < count; i++) so[i] = i * ss, dof[i] = i * ds;
  check_strided(env, "packPanels src", src, so, count, rows, K, rs, ks);
  h.set([=] {
    ThreadPool::global().parallel_for(count, [&](int64_t i, int) {
      if (bf16) pack_panels_bf16(src.data + so[i], rs, ks, rows, K, P, dst16.data + dof[i]);
      else pack_panels(src.data + so[i], rs, ks, rows, K, P, scale, dst.data + dof[i]);
    });
  });
  return h.start();
}

// gemm({ M, N, K, batch, a, aRs, aKs, aOffsets?, aPacked?, alpha?, b, bRs, bKs, bOffsets?, bPacked?,
//        c, cOffsets?, ldc, accumulate?, rowBias?, colBias?, act?, residual?, bf16? }) -> Done
// residual: laid out as c (same offsets and ldc), added after the activation.
// bf16: b is a Uint16Array of bf16 panels (packPanels with bf16; needs bPacked).
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args o(info);
  Job h(env, flag(o, "sync"));
  const MicroKernel& uk = active_kernel();
  const int64_t M = num(o, "M"), N = num(o, "N"), K = num(o, "K"), batch = num(o, "batch", 1);
  check(M >= 0 && N >= 0 && K >= 0 && batch >= 0, env, "gemm: negative size");
  const bool bf16 = flag(o, "bf16");
  F32 a = f32(o, "a", &h, true), b, c = f32(o, "c", &h, true);
  U16 b16;
  if (bf16) b16 = typed<uint16_t>(o, "b", &h, true);
  else b = f32(o, "b", &h, true);
  F32 rowBias = f32(o, "rowBias", &h, false), colBias = f32(o, "colBias", &h, false), residual = f32(o, "residual", &h, false);
  std::vector<int64_t> aOff = offsets(o, "aOffsets", batch), bOff = offsets(o, "bOffsets", batch);
  std::vector<int64_t> cOff = offsets(o, "cOffsets", batch);
  const bool aPacked = flag(o, "aPacked"), bPacked = flag(o, "bPacked");
  const int64_t ldc = num(o, "ldc", N);
  const float alpha = static_cast<float>(fnum(o, "alpha", 1.0));
  const int act = static_cast<int>(num(o, "act", 0));
  check(act >= 0 && act <= 4, env, "gemm: unknown activation");
  check(!aPacked || alpha == 1.f, env, "gemm: alpha needs an unpacked A");
  check(!bf16 || bPacked, env, "gemm: bf16 B must be packed (packPanels with bf16)");
  int64_t aRs = 0, aKs = 0, bRs = 0, bKs = 0;
  if (aPacked) {
    check_packed(env, "gemm: packed A out of bounds", a.length, aOff, batch, M, K, uk.mr);
  } else {
    aRs = num(o, "aRs"), aKs = num(o, "aKs");
    check_strided(env, "gemm A", a, aOff, batch, M, K, aRs, aKs);
  }
  if (bPacked) {
    check_packed(env, "gemm: packed B out of bounds", bf16 ? b16.length : b.length, bOff, batch, N, K, uk.nr);
  } else {
    bRs = num(o, "bRs"), bKs = num(o, "bKs");
    check_strided(env, "gemm B", b, bOff, batch, N, K, bRs, bKs);
  }
  check(ldc >= N, env, "gemm: ldc < N");
  for (int64_t i = 0; i < batch; i++) {
    const int64_t off = cOff.empty() ? mul(env, {i, M, ldc}) : cOff[i];
    check(off >= 0 && (M == 0 || N == 0 || span_end(env, off, M - 1, ldc, 0, 0, N) <= c.length), env, "gemm: C out of bounds");
    check(!residual.data || M == 0 || N == 0 || span_end(env, off, M - 1, ldc, 0, 0, N) <= residual.length, env, "gemm: residual out of bounds");
  }
  check(!rowBias.data || rowBias.length >= M, env, "gemm: rowBias too short");
  check(!colBias.data || colBias.length >= N, env, "gemm: colBias too short");
  const bool accumulate = flag(o, "accumulate");
  h.set([=] {
    std::unique_ptr<Operand> A, B;
    if (aPacked) A.reset(new PackedOperand(a.data, K, aOff));
    else A.reset(new StridedOperand(a.data, aRs, aKs, aOff, alpha, /*zero_pad=*/false));
    Bf16Panels B16;
    if (bf16) B16.data = b16.data, B16.offsets = bOff;
    else if (bPacked) B.reset(new PackedOperand(b.data, K, bOff));
    else B.reset(new StridedOperand(b.data, bRs, bKs, bOff));
    GemmCall call;
    call.M = M, call.N = N, call.K = K, call.batch = batch;
    call.B16 = bf16 ? &B16 : nullptr;
    call.A = A.get(), call.A_prepacked = aPacked, call.B = B.get(), call.B_prepacked = bPacked, call.C = c.data, call.c_offsets = cOff, call.ldc = ldc;
    call.accumulate = accumulate;
    call.ep.row_bias = rowBias.data;
    call.ep.col_bias = colBias.data;
    call.ep.act = static_cast<Act>(act);
    call.ep.residual = residual.data;
    gemm_run(call);
  });
  return h.start();
}

Conv2dParams conv_params(const Args& o) {
  Conv2dParams p;
  p.N = num(o, "N"), p.C = num(o, "C"), p.H = num(o, "H"), p.W = num(o, "W");
  p.M = num(o, "M"), p.group = num(o, "group", 1);
  p.KH = num(o, "KH"), p.KW = num(o, "KW");
  p.sh = num(o, "sh", 1), p.sw = num(o, "sw", 1), p.ph = num(o, "ph", 0), p.pw = num(o, "pw", 0);
  p.dh = num(o, "dh", 1), p.dw = num(o, "dw", 1);
  p.OH = num(o, "OH"), p.OW = num(o, "OW");
  Napi::Env env = o.Env();
  check(p.N >= 0 && p.C >= 1 && p.H >= 0 && p.W >= 0 && p.M >= 0 && p.group >= 1 && p.KH >= 1 && p.KW >= 1, env,
        "conv2d: bad sizes");
  check(p.C % p.group == 0 && p.M % p.group == 0, env, "conv2d: channels not divisible by group");
  check(p.sh >= 1 && p.sw >= 1 && p.dh >= 1 && p.dw >= 1 && p.OH >= 0 && p.OW >= 0, env, "conv2d: bad geometry");
  return p;
}

Napi::Value Conv2dPackedSize(const Napi::CallbackInfo& info) {
  Conv2dParams p = conv_params(Args(info));
  return Napi::Number::New(info.Env(), static_cast<double>(conv2d_packed_weight_floats(p)));
}

// conv2dPackWeight({ ...geometry, w, packed }) -> Done
Napi::Value Conv2dPackWeight(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args o(info);
  Job h(env, flag(o, "sync"));
  Conv2dParams p = conv_params(o);
  F32 w = f32(o, "w", &h, true), packed = f32(o, "packed", &h, true);
  check(w.length == mul(env, {p.M, p.C / p.group, p.KH, p.KW}), env, "conv2d: W has the wrong size");
  check(packed.length >= conv2d_packed_weight_floats(p), env, "conv2d: packed buffer too small");
  h.set([=] { conv2d_pack_weight(p, w.data, packed.data); });
  return h.start();
}

// The arrays every conv-like entry takes, checked against the geometry: x [N, C, H, W], y [N, M, OH, OW],
// optional bias [M], activation code, optional residual (laid out as y, added after the activation).
struct ConvIO {
  Conv2dParams p;
  F32 x, y, bias, residual;
  int act = 0;
};
ConvIO conv_io(const Args& o, Job* job, const char* what) {
  Napi::Env env = o.Env();
  ConvIO c;
  c.p = conv_params(o);
  c.x = f32(o, "x", job, true), c.y = f32(o, "y", job, true), c.bias = f32(o, "bias", job, false);
  c.residual = f32(o, "residual", job, false);
  c.act = static_cast<int>(num(o, "act", 0));
  check(c.act >= 0 && c.act <= 4, env, what, ": unknown activation");
  check(c.x.length == mul(env, {c.p.N, c.p.C, c.p.H, c.p.W}), env, what, ": X has the wrong size");
  check(c.y.length == mul(env, {c.p.N, c.p.M, c.p.OH, c.p.OW}), env, what, ": Y has the wrong size");
  check(!c.bias.data || c.bias.length == c.p.M, env, what, ": bias has the wrong size");
  check(!c.residual.data || c.residual.length == c.y.length, env, what, ": residual must have Y's size");
  return c;
}

// conv2d({ ...geometry, x, packed, bias?, y, act?, residual? }) -> Done
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  Args o(info);
  Job h(info.Env(), flag(o, "sync"));
  const ConvIO c = conv_io(o, &h, "conv2d");
  F32 packed = f32(o, "packed", &h, true);
  // exactly the size this geometry packs to: weights packed as Winograd transforms and as plain panels
  // differ in size, so one packed for another kernel size, stride, dilation, group or ISA is caught here
  check(packed.length == conv2d_packed_weight_floats(c.p), info.Env(),
        "conv2d: packed weight has the wrong size for this geometry (packed for another stride, dilation, group or ISA?)");
  h.set([=] { conv2d_run(c.p, c.x.data, packed.data, c.bias.data, c.y.data, static_cast<Act>(c.act), c.residual.data); });
  return h.start();
}

// depthwise2d({ ...geometry, x, w, bias?, y, act?, residual? }) -> Done (C / group == 1, W unpacked)
Napi::Value Depthwise2d(const Napi::CallbackInfo& info) {
  Args o(info);
  Job h(info.Env(), flag(o, "sync"));
  const ConvIO c = conv_io(o, &h, "depthwise2d");
  F32 w = f32(o, "w", &h, true);
  check(c.p.C == c.p.group, info.Env(), "depthwise2d: needs C / group == 1");  // M % group: conv_params
  check(w.length == mul(info.Env(), {c.p.M, c.p.KH, c.p.KW}), info.Env(), "depthwise2d: W has the wrong size");
  h.set([=] { depthwise2d_run(c.p, c.x.data, w.data, c.bias.data, c.y.data, static_cast<Act>(c.act), c.residual.data); });
  return h.start();
}

// convTranspose2d({ N, C, H, W, M, group, KH, KW, sh, sw, ph, pw, dh, dw, OH, OW, x, w, bias?, y }) -> Done
Napi::Value ConvTranspose2d(const Napi::CallbackInfo& info) {
  Args o(info);
  Job h(info.Env(), flag(o, "sync"));
  const ConvIO c = conv_io(o, &h, "convTranspose2d");
  F32 w = f32(o, "w", &h, true);
  check(c.p.ph >= 0 && c.p.pw >= 0, info.Env(), "convTranspose2d: negative pads");
  check(!c.residual.data && c.act == 0, info.Env(), "convTranspose2d: no epilogue (activation, residual)");
  check(w.length == mul(info.Env(), {c.p.C, c.p.M / c.p.group, c.p.KH, c.p.KW}), info.Env(), "convTranspose2d: W has the wrong size");
  h.set([=] { convtranspose2d_run(c.p, c.x.data, w.data, c.bias.data, c.y.data); });
  return h.start();
}

// attention({ BH, Sq, Skv, D, Dv, scale, causal?, causalOffset?, q, k, v, y, qo, ko, vo, yo (Float64Array
//             offsets per entry), qs, ks, kd?, vs, ys, mask?, mo?, mi?, mj?, cond?, co?, ci?, cj?, fill?, keep?,
//             maskedNan? })
//   -> Done: fused blockwise attention (see cpu/attention.h).
Napi::Value Attention(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args o(info);
  Job h(env, flag(o, "sync"));
  struct Owned {
    AttentionParams p;
    std::vector<int64_t> qo, ko, vo, yo, mo, co;
  };
  auto own = std::make_shared<Owned>();
  AttentionParams& p = own->p;
  p.BH = num(o, "BH"), p.Sq = num(o, "Sq"), p.Skv = num(o, "Skv"), p.D = num(o, "D"), p.Dv = num(o, "Dv");
  check(p.BH >= 0 && p.Sq >= 0 && p.Skv >= 0 && p.D >= 1 && p.Dv >= 1, env, "attention: bad sizes");
  p.scale = static_cast<float>(fnum(o, "scale", 1.0 / std::sqrt(static_cast<double>(p.D))));
  p.causal = flag(o, "causal");
  p.causal_offset = num(o, "causalOffset", 0);
  p.qs = num(o, "qs"), p.ks = num(o, "ks"), p.kd = num(o, "kd", 1), p.vs = num(o, "vs"), p.ys = num(o, "ys");
  check(p.qs >= 0 && p.ks >= 0 && p.kd >= 0 && p.vs >= 0 && p.ys >= 0, env, "attention: negative stride");
  own->qo = offsets(o, "qo", p.BH), own->ko = offsets(o, "ko", p.BH), own->vo = offsets(o, "vo", p.BH), own->yo = offsets(o, "yo", p.BH);
  check(static_cast<int64_t>(own->qo.size()) == p.BH && static_cast<int64_t>(own->ko.size()) == p.BH &&
            static_cast<int64_t>(own->vo.size()) == p.BH && static_cast<int64_t>(own->yo.size()) == p.BH,
        env, "attention: qo, ko, vo, yo are required");
  F32 q = f32(o, "q", &h, true), k = f32(o, "k", &h, true), v = f32(o, "v", &h, true), y = f32(o, "y", &h, true);
  F32 mask = f32(o, "mask", &h, false);
  U8 cond = typed<uint8_t>(o, "cond", &h, false);
  if (mask.data) {
    own->mo = offsets(o, "mo", p.BH);
    p.mi = num(o, "mi", 0), p.mj = num(o, "mj", 0);
    check(static_cast<int64_t>(own->mo.size()) == p.BH && p.mi >= 0 && p.mj >= 0, env, "attention: bad mask layout");
  }
  if (cond.data) {
    own->co = offsets(o, "co", p.BH);
    p.ci = num(o, "ci", 0), p.cj = num(o, "cj", 0);
    check(static_cast<int64_t>(own->co.size()) == p.BH && p.ci >= 0 && p.cj >= 0, env, "attention: bad cond layout");
    p.fill = static_cast<float>(fnum(o, "fill", 0.0));
    Napi::Value kv = get(o, "keep");
    p.keep = kv.IsBoolean() ? kv.As<Napi::Boolean>().Value() : true;
  }
  p.masked_nan = flag(o, "maskedNan");
  const int64_t sq1 = std::max<int64_t>(0, p.Sq - 1), sk1 = std::max<int64_t>(0, p.Skv - 1);
  auto end = [&](int64_t off, int64_t a, int64_t sa, int64_t b, int64_t sb, int64_t c) { return span_end(env, off, a, sa, b, sb, c); };
  for (int64_t t = 0; t < p.BH; t++) {
    if (p.Sq > 0) {
      check(own->qo[t] >= 0 && end(own->qo[t], sq1, p.qs, 0, 0, p.D) <= q.length, env, "attention: Q out of bounds");
      check(own->yo[t] >= 0 && end(own->yo[t], sq1, p.ys, 0, 0, p.Dv) <= y.length, env, "attention: Y out of bounds");
    }
    if (p.Skv > 0) {
      check(own->ko[t] >= 0 && end(own->ko[t], sk1, p.ks, p.D - 1, p.kd, 1) <= k.length, env, "attention: K out of bounds");
      check(own->vo[t] >= 0 && end(own->vo[t], sk1, p.vs, 0, 0, p.Dv) <= v.length, env, "attention: V out of bounds");
      if (mask.data && p.Sq > 0)
        check(own->mo[t] >= 0 && end(own->mo[t], sq1, p.mi, sk1, p.mj, 1) <= mask.length, env, "attention: mask out of bounds");
      if (cond.data && p.Sq > 0)
        check(own->co[t] >= 0 && end(own->co[t], sq1, p.ci, sk1, p.cj, 1) <= cond.length, env, "attention: cond out of bounds");
    }
  }
  p.qo = own->qo.data(), p.ko = own->ko.data(), p.vo = own->vo.data(), p.yo = own->yo.data();
  p.mask = mask.data, p.mo = own->mo.empty() ? nullptr : own->mo.data();
  p.cond = cond.data, p.co = own->co.empty() ? nullptr : own->co.data();
  h.set([=] { attention_run(own->p, q.data, k.data, v.data, y.data); });
  return h.start();
}

// pool2d({ x, y, planes, H, W, OH, OW, KH, KW, sh, sw, ph, pw, peh, pew, dh, dw, max, includePad }) -> Done
Napi::Value Pool2d(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args o(info);
  Job h(env, flag(o, "sync"));
  Pool2dParams p;
  p.planes = num(o, "planes"), p.H = num(o, "H"), p.W = num(o, "W"), p.OH = num(o, "OH"), p.OW = num(o, "OW");
  p.KH = num(o, "KH"), p.KW = num(o, "KW"), p.sh = num(o, "sh", 1), p.sw = num(o, "sw", 1);
  p.ph = num(o, "ph", 0), p.pw = num(o, "pw", 0), p.peh = num(o, "peh", 0), p.pew = num(o, "pew", 0);
  p.dh = num(o, "dh", 1), p.dw = num(o, "dw", 1);
  p.max = flag(o, "max"), p.include_pad = flag(o, "includePad");
  check(p.planes >= 0 && p.H >= 1 && p.W >= 1 && p.OH >= 0 && p.OW >= 0 && p.KH >= 1 && p.KW >= 1, env, "pool2d: bad sizes");
  check(p.sh >= 1 && p.sw >= 1 && p.dh >= 1 && p.dw >= 1 && p.ph >= 0 && p.pw >= 0 && p.peh >= 0 && p.pew >= 0, env,
        "pool2d: bad geometry");
  F32 x = f32(o, "x", &h, true), y = f32(o, "y", &h, true);
  check(x.length == mul(env, {p.planes, p.H, p.W}) && y.length == mul(env, {p.planes, p.OH, p.OW}), env, "pool2d: wrong sizes");
  h.set([=] { pool2d_run(p, x.data, y.data); });
  return h.start();
}

// groupNorm({ x, gamma, beta, y, N, C, S, G, eps, act? }) -> Done
Napi::Value GroupNorm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args o(info);
  Job h(env, flag(o, "sync"));
  const int64_t N = num(o, "N"), C = num(o, "C"), S = num(o, "S"), G = num(o, "G");
  const float eps = static_cast<float>(fnum(o, "eps", 1e-5));
  const int act = static_cast<int>(num(o, "act", 0));
  check(N >= 0 && C >= 1 && S >= 0 && G >= 1 && C % G == 0 && act >= 0 && act <= 4, env, "groupNorm: bad sizes");
  F32 x = f32(o, "x", &h, true), g = f32(o, "gamma", &h, true), b = f32(o, "beta", &h, true), y = f32(o, "y", &h, true);
  check(x.length == mul(env, {N, C, S}) && y.length == x.length && g.length == C && b.length == C, env, "groupNorm: wrong sizes");
  h.set([=] { group_norm_run(x.data, g.data, b.data, y.data, N, C, S, G, eps, act); });
  return h.start();
}

// layerNorm({ a, b?, gamma, beta?, y, sum?, mean?, invStd?, rows, D, eps }) -> Done
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args o(info);
  Job h(env, flag(o, "sync"));
  const int64_t rows = num(o, "rows"), D = num(o, "D");
  const float eps = static_cast<float>(fnum(o, "eps", 1e-5));
  check(rows >= 0 && D >= 1, env, "layerNorm: bad sizes");
  F32 a = f32(o, "a", &h, true), b = f32(o, "b", &h, false), g = f32(o, "gamma", &h, true);
  F32 be = f32(o, "beta", &h, false), y = f32(o, "y", &h, true), s = f32(o, "sum", &h, false);
  F32 mean = f32(o, "mean", &h, false), inv = f32(o, "invStd", &h, false);
  const int64_t n = mul(env, {rows, D});
  check(a.length == n && y.length == n && (!b.data || b.length == n) && (!s.data || s.length == n), env, "layerNorm: wrong sizes");
  check(g.length == D && (!be.data || be.length == D), env, "layerNorm: gamma / beta must have D values");
  check((!mean.data || mean.length == rows) && (!inv.data || inv.length == rows), env, "layerNorm: mean / invStd must have one value per row");
  h.set([=] { layer_norm_run(a.data, b.data, g.data, be.data, y.data, s.data, mean.data, inv.data, rows, D, eps); });
  return h.start();
}

// softmax({ x, y, rows, D, log? }) -> Done
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args o(info);
  Job h(env, flag(o, "sync"));
  const int64_t rows = num(o, "rows"), D = num(o, "D");
  check(rows >= 0 && D >= 1, env, "softmax: bad sizes");
  F32 x = f32(o, "x", &h, true), y = f32(o, "y", &h, true);
  check(x.length == mul(env, {rows, D}) && y.length == x.length, env, "softmax: wrong sizes");
  const bool lg = flag(o, "log");
  h.set([=] { softmax_run(x.data, y.data, rows, D, lg); });
  return h.start();
}

// activation({ x, y, act }) -> Done
Napi::Value Activation(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args o(info);
  Job h(env, flag(o, "sync"));
  const int act = static_cast<int>(num(o, "act"));
  check(act >= 0 && act <= 4, env, "activation: unknown activation");
  F32 x = f32(o, "x", &h, true), y = f32(o, "y", &h, true);
  check(x.length == y.length, env, "activation: wrong sizes");
  h.set([=] { activation_run(x.data, y.data, x.length, act); });
  return h.start();
}

// geglu({ x, y, rows, n, act }) -> Done: y [rows, n] = x[:, :n] * act(x[:, n:]).
Napi::Value GeGlu(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args o(info);
  Job h(env, flag(o, "sync"));
  const int64_t rows = num(o, "rows"), n = num(o, "n");
  const int act = static_cast<int>(num(o, "act"));
  check(rows >= 0 && n >= 0 && act >= 0 && act <= 4, env, "geglu: bad arguments");
  F32 x = f32(o, "x", &h, true), y = f32(o, "y", &h, true);
  check(x.length == mul(env, {rows, 2, n}) && y.length == mul(env, {rows, n}), env, "geglu: wrong sizes");
  h.set([=] { geglu_run(x.data, y.data, rows, n, act); });
  return h.start();
}

// binary({ a, b, y, dims: number[], aStrides: number[], bStrides: number[], op: 0 add | 1 sub | 2 mul | 3 div }) -> Done
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args o(info);
  Job h(env, flag(o, "sync"));
  const int op = static_cast<int>(num(o, "op"));
  check(op >= 0 && op <= 3, env, "binary: unknown op");
  auto ints = [&](const char* key) { return int_array(o, key, "binary"); };
  auto dims = std::make_shared<std::vector<int64_t>>(ints("dims"));
  auto as = std::make_shared<std::vector<int64_t>>(ints("aStrides"));
  auto bs = std::make_shared<std::vector<int64_t>>(ints("bStrides"));
  const int rank = static_cast<int>(dims->size());
  check(rank <= 8 && static_cast<int>(as->size()) == rank && static_cast<int>(bs->size()) == rank, env, "binary: bad rank");
  F32 a = f32(o, "a", &h, true), b = f32(o, "b", &h, true), y = f32(o, "y", &h, true);
  int64_t n = 1, amax = 0, bmax = 0;
  for (int i = 0; i < rank; i++) {
    check((*dims)[i] >= 0 && (*as)[i] >= 0 && (*bs)[i] >= 0, env, "binary: negative size");
    n = mul(env, {n, (*dims)[i]});
    amax = add(env, amax, mul(env, {(*dims)[i] - 1, (*as)[i]}));
    bmax = add(env, bmax, mul(env, {(*dims)[i] - 1, (*bs)[i]}));
  }
  if (rank) check((*as)[rank - 1] <= 1 && (*bs)[rank - 1] <= 1, env, "binary: inner strides must be 0 or 1");
  check(y.length == n && (n == 0 || (amax < a.length && bmax < b.length)), env, "binary: out of bounds");
  h.set([=] { binary_run(a.data, as->data(), b.data, bs->data(), y.data, dims->data(), rank, op); });
  return h.start();
}

// stridedCopy({ x, y, dims: number[], xStrides: number[] }) -> Done: y (dense) = x read with strides.
Napi::Value StridedCopy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args o(info);
  Job h(env, flag(o, "sync"));
  auto ints = [&](const char* key) { return int_array(o, key, "stridedCopy"); };
  auto dims = std::make_shared<std::vector<int64_t>>(ints("dims"));
  auto xs = std::make_shared<std::vector<int64_t>>(ints("xStrides"));
  const int rank = static_cast<int>(dims->size());
  check(rank <= 8 && static_cast<int>(xs->size()) == rank, env, "stridedCopy: bad rank");
  F32 x = f32(o, "x", &h, true), y = f32(o, "y", &h, true);
  int64_t n = 1, xmax = 0;
  for (int i = 0; i < rank; i++) {
    check((*dims)[i] >= 0 && (*xs)[i] >= 0, env, "stridedCopy: negative size");
    n = mul(env, {n, (*dims)[i]});
    xmax = add(env, xmax, mul(env, {(*dims)[i] - 1, (*xs)[i]}));
  }
  check(y.length == n && (n == 0 || xmax < x.length), env, "stridedCopy: out of bounds");
  h.set([=] { strided_copy_run(x.data, xs->data(), y.data, dims->data(), rank); });
  return h.start();
}

// alloc(n) -> Float32Array of n floats, uninitialized (kernels write every element), from the
// recycling huge-page pool; its memory returns to the pool when the array is collected.
Napi::Value Alloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double nd = info[0].As<Napi::Number>().DoubleValue();
  if (!(nd >= 0) || nd > 1e12 || nd != std::floor(nd)) throw Napi::RangeError::New(env, "alloc: bad length");
  const size_t n = static_cast<size_t>(nd), bytes = n * sizeof(float);
  void* p = buffer_acquire(bytes);
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, p, bytes, [bytes](Napi::Env e, void* data) {
    Napi::MemoryManagement::AdjustExternalMemory(e, -static_cast<int64_t>(bytes));
    buffer_release(data, bytes);
  });
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(bytes));
  return Napi::Float32Array::New(env, n, ab, 0);
}

// fmaPeak({ isa?, seconds? }) -> Promise<{ isa, perThread: number[], total }>: every pool thread runs
// the FMA probe at once; GFLOP/s.
Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Args o(info);
  const Napi::Value isaArg = get(o, "isa");
  std::string isa = isaArg.IsString() ? isaArg.As<Napi::String>().Utf8Value() : active_kernel().isa;
  const double seconds = fnum(o, "seconds", 0.3);
  auto results = std::make_shared<std::vector<double>>(ThreadPool::global().size(), 0.0);
  bool ok = false;
  for (const char* n : available_isas()) ok = ok || isa == n;
  if (!ok || isa == "scalar") throw Napi::Error::New(env, "fmaPeak: ISA '" + isa + "' is not available");
  Job h(env, false);
  h.set([=] {
    ThreadPool& pool = ThreadPool::global();
    pool.parallel_for(pool.size(), [&](int64_t i, int) {
#if defined(ONNXFLOW_X86)
      (*results)[i] = isa == "avx512" ? fma_peak_avx512(seconds) : fma_peak_avx2(seconds);
#endif
    });
  });
  Napi::Promise p = h.start().As<Napi::Promise>();
  return p.Get("then").As<Napi::Function>().Call(p, {Napi::Function::New(env, [results, isa](const Napi::CallbackInfo& ci) {
    Napi::Env e = ci.Env();
    Napi::Object r = Napi::Object::New(e);
    Napi::Array per = Napi::Array::New(e, results->size());
    double total = 0;
    for (size_t i = 0; i < results->size(); i++) per.Set(static_cast<uint32_t>(i), (*results)[i]), total += (*results)[i];
    r.Set("isa", isa);
    r.Set("perThread", per);
    r.Set("total", total);
    return r;
  })});
}

// The entry points that take named arguments, by name.
const std::unordered_map<std::string, Napi::Value (*)(const Napi::CallbackInfo&)>& named_entries() {
  static const std::unordered_map<std::string, Napi::Value (*)(const Napi::CallbackInfo&)> m = {
      {"packPanels", PackPanels}, {"gemm", Gemm}, {"conv2dPackWeight", Conv2dPackWeight}, {"conv2d", Conv2d},
      {"attention", Attention}, {"groupNorm", GroupNorm}, {"pool2d", Pool2d}, {"depthwise2d", Depthwise2d},
      {"convTranspose2d", ConvTranspose2d}, {"layerNorm", LayerNorm}, {"softmax", Softmax},
      {"activation", Activation}, {"binary", Binary}, {"geglu", GeGlu}, {"stridedCopy", StridedCopy},
  };
  return m;
}

// positional(name, keys: string[]) -> the entry point `name` taking its arguments' values in the
// order of `keys` instead of one object (same checks, same errors; reading a key that is not in the
// list throws, so an incomplete list fails loudly on its first call). Each call keeps its key list for
// the life of the environment: the TS side makes one per entry point when the addon loads.
Napi::Value Positional(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  check(info.Length() == 2 && info[0].IsString() && info[1].IsArray(), env, "positional(name, keys)");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  auto it = named_entries().find(name);
  check(it != named_entries().end(), env, "positional: no entry point '" + name + "'");
  Napi::Array arr = info[1].As<Napi::Array>();
  Keys k;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    check(arr.Get(i).IsString(), env, "positional: keys must be strings");
    k.names.push_back(arr.Get(i).As<Napi::String>().Utf8Value());
  }
  AddonData* d = env.GetInstanceData<AddonData>();
  d->fast.push_back(std::move(k));
  return Napi::Function::New(env, it->second, name, &d->fast.back());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonData());
  exports.Set("positional", Napi::Function::New(env, Positional));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa));
  exports.Set("poolStats", Napi::Function::New(env, PoolStats));
  exports.Set("conv2dPackedSize", Napi::Function::New(env, Conv2dPackedSize));
  for (const auto& [name, fn] : named_entries()) exports.Set(name, Napi::Function::New(env, fn, name));  // object form
  exports.Set("alloc", Napi::Function::New(env, Alloc));
  exports.Set("fmaPeak", Napi::Function::New(env, FmaPeak));
  return exports;
}

}  // namespace

NODE_API_MODULE(onnxflow_native, Init)
