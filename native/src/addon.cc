// N-API entry points of archc's oneDNN kernel pack. Each tensor operand is either a byte offset into `heap`
// (the tfjs-wasm heap ArrayBuffer, re-read by the caller on every call because the heap can grow) or a
// TypedArray of its own. Sizes are checked against the buffer so a wrong shape throws instead of corrupting memory.
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine.hpp"
#include "ops.hpp"
#include "oneapi/dnnl/dnnl.hpp"

namespace {

using archc::kConvDims;
using archc::kMatMulDims;
using archc::kPoolDims;

std::vector<int64_t> dims_arg(const Napi::Value& v, size_t n, const char* what) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": dims must be an array");
  auto arr = v.As<Napi::Array>();
  if (arr.Length() != n) {
    throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected " + std::to_string(n) + " dims");
  }
  std::vector<int64_t> d(n);
  for (uint32_t i = 0; i < n; i++) {
    d[i] = static_cast<int64_t>(arr.Get(i).As<Napi::Number>().Int64Value());
  }
  return d;
}

/** The float pointer for one operand of `count` floats: an offset into heap, or a TypedArray. */
float* operand(const Napi::Value& heap, const Napi::Value& v, int64_t count, const char* what) {
  const size_t bytes = static_cast<size_t>(count) * sizeof(float);
  if (v.IsNumber()) {
    if (!heap.IsArrayBuffer()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": offset given without a heap");
    auto ab = heap.As<Napi::ArrayBuffer>();
    const int64_t off = v.As<Napi::Number>().Int64Value();
    if (off < 0 || (off & 3) != 0 || static_cast<size_t>(off) + bytes > ab.ByteLength()) {
      throw Napi::RangeError::New(v.Env(), std::string(what) + ": operand lies outside the heap");
    }
    return reinterpret_cast<float*>(static_cast<uint8_t*>(ab.Data()) + off);
  }
  if (v.IsTypedArray()) {
    auto ta = v.As<Napi::TypedArray>();
    if (ta.ByteLength() < bytes) throw Napi::RangeError::New(v.Env(), std::string(what) + ": operand too small");
    return reinterpret_cast<float*>(static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
  }
  throw Napi::TypeError::New(v.Env(), std::string(what) + ": operand must be a heap offset or a TypedArray");
}

template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, F&& body) {
  try {
    body();
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what());
  } catch (const std::exception& e) {
    // archc's own checks (std::invalid_argument) and allocation failures: a JS error, never a crash.
    throw Napi::Error::New(info.Env(), std::string("archc native: ") + e.what());
  }
  return info.Env().Undefined();
}

// conv2d(kind, heap, dims[18], x, w, y)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int kind = info[0].As<Napi::Number>().Int32Value();
    if (kind < 0 || kind > 2) throw Napi::RangeError::New(info.Env(), "conv2d: kind must be 0, 1 or 2");
    auto d = dims_arg(info[2], kConvDims, "conv2d");
    float* x = operand(info[1], info[3], d[0] * d[1] * d[2] * d[3], "conv2d x");
    float* w = operand(info[1], info[4], d[7] * d[8] * (d[3] / d[17]) * d[6], "conv2d w");
    float* y = operand(info[1], info[5], d[0] * d[4] * d[5] * d[6], "conv2d y");
    archc::conv2d(kind, d.data(), x, w, y);
  });
}

// matmul(heap, dims[9], a, b, c, bias|null)
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto d = dims_arg(info[1], kMatMulDims, "matmul");
    float* a = operand(info[0], info[2], d[0] * d[2] * d[4], "matmul a");
    float* b = operand(info[0], info[3], d[1] * d[4] * d[3], "matmul b");
    float* c = operand(info[0], info[4], (d[0] > d[1] ? d[0] : d[1]) * d[2] * d[3], "matmul c");
    float* bias = d[7] != 0 ? operand(info[0], info[5], d[3], "matmul bias") : nullptr;
    archc::matmul(d.data(), a, b, c, bias);
  });
}

// batchNormForward(heap, rows, c, eps, x, gamma, beta, y, mean, var, relu?)
Napi::Value BatchNormForward(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t rows = info[1].As<Napi::Number>().Int64Value(), c = info[2].As<Napi::Number>().Int64Value();
    const float eps = info[3].As<Napi::Number>().FloatValue();
    const auto& h = info[0];
    archc::batch_norm_forward(rows, c, eps, operand(h, info[4], rows * c, "bn x"), operand(h, info[5], c, "bn gamma"),
                              operand(h, info[6], c, "bn beta"), operand(h, info[7], rows * c, "bn y"),
                              operand(h, info[8], c, "bn mean"), operand(h, info[9], c, "bn var"),
                              info.Length() > 10 && info[10].ToBoolean().Value());
  });
}

// batchNormBackward(heap, rows, c, eps, x, gamma, mean, var, dy, dx, dgamma, dbeta, reluY|null?)
Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t rows = info[1].As<Napi::Number>().Int64Value(), c = info[2].As<Napi::Number>().Int64Value();
    const float eps = info[3].As<Napi::Number>().FloatValue();
    const auto& h = info[0];
    archc::batch_norm_backward(rows, c, eps, operand(h, info[4], rows * c, "bn x"), operand(h, info[5], c, "bn gamma"),
                               operand(h, info[6], c, "bn mean"), operand(h, info[7], c, "bn var"),
                               operand(h, info[8], rows * c, "bn dy"), operand(h, info[9], rows * c, "bn dx"),
                               operand(h, info[10], c, "bn dgamma"), operand(h, info[11], c, "bn dbeta"),
                               info.Length() > 12 && !info[12].IsNull() && !info[12].IsUndefined()
                                   ? operand(h, info[12], rows * c, "bn relu y")
                                   : nullptr);
  });
}

// columnSum(heap, rows, c, scale, x, out)
Napi::Value ColumnSum(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t rows = info[1].As<Napi::Number>().Int64Value(), c = info[2].As<Napi::Number>().Int64Value();
    const float scale = info[3].As<Napi::Number>().FloatValue();
    archc::column_sum(rows, c, scale, operand(info[0], info[4], rows * c, "columnSum x"), operand(info[0], info[5], c, "columnSum out"));
  });
}

// unary(kind, heap, n, x, y)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int kind = info[0].As<Napi::Number>().Int32Value();
    if (kind != 0 && kind != 1) throw Napi::RangeError::New(info.Env(), "unary: kind must be 0 (exp) or 1 (relu)");
    const int64_t n = info[2].As<Napi::Number>().Int64Value();
    archc::unary(kind, n, operand(info[1], info[3], n, "unary x"), operand(info[1], info[4], n, "unary y"));
  });
}

// scaleColumns(heap, rows, c, x, m, y)
Napi::Value ScaleColumns(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t rows = info[1].As<Napi::Number>().Int64Value();
    const int64_t c = info[2].As<Napi::Number>().Int64Value();
    if (rows < 0 || c < 1) throw Napi::RangeError::New(info.Env(), "scaleColumns: rows must be >= 0 and c >= 1");
    archc::scale_columns(rows, c, operand(info[0], info[3], rows * c, "scaleColumns x"), operand(info[0], info[4], c, "scaleColumns m"),
                         operand(info[0], info[5], rows * c, "scaleColumns y"));
  });
}

// binary(kind, heap, n, a, b, y)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int kind = info[0].As<Napi::Number>().Int32Value();
    if (kind < 0 || kind > 2) throw Napi::RangeError::New(info.Env(), "binary: kind must be 0 (add), 1 (mul) or 2 (relu grad)");
    const int64_t n = info[2].As<Napi::Number>().Int64Value();
    if (n < 0) throw Napi::RangeError::New(info.Env(), "binary: n must be >= 0");
    archc::binary(kind, n, operand(info[1], info[3], n, "binary a"), operand(info[1], info[4], n, "binary b"),
                  operand(info[1], info[5], n, "binary y"));
  });
}

// scaleColumnsGrad(heap, rows, c, dy, x, dm)
Napi::Value ScaleColumnsGrad(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t rows = info[1].As<Napi::Number>().Int64Value();
    const int64_t c = info[2].As<Napi::Number>().Int64Value();
    if (rows < 0 || c < 1) throw Napi::RangeError::New(info.Env(), "scaleColumnsGrad: rows must be >= 0 and c >= 1");
    const auto& h = info[0];
    archc::scale_columns_grad(rows, c, operand(h, info[3], rows * c, "scaleColumnsGrad dy"), operand(h, info[4], rows * c, "scaleColumnsGrad x"),
                              operand(h, info[5], c, "scaleColumnsGrad dm"));
  });
}

// rowReduce(kind, heap, rows, c, x, out)
Napi::Value RowReduce(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int kind = info[0].As<Napi::Number>().Int32Value();
    if (kind != 0 && kind != 1) throw Napi::RangeError::New(info.Env(), "rowReduce: kind must be 0 (sum) or 1 (max)");
    const int64_t rows = info[2].As<Napi::Number>().Int64Value(), c = info[3].As<Napi::Number>().Int64Value();
    if (c < 1) throw Napi::RangeError::New(info.Env(), "rowReduce: rows must not be empty");
    archc::row_reduce(kind, rows, c, operand(info[1], info[4], rows * c, "rowReduce x"), operand(info[1], info[5], rows, "rowReduce out"));
  });
}

// pool2d(kind, heap, dims[14], x|null, dy|null, out)
Napi::Value Pool2d(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int kind = info[0].As<Napi::Number>().Int32Value();
    if (kind < 0 || kind > 3) throw Napi::RangeError::New(info.Env(), "pool2d: kind must be 0..3");
    auto d = dims_arg(info[2], kPoolDims, "pool2d");
    const int64_t in = d[0] * d[1] * d[2] * d[3], outn = d[0] * d[4] * d[5] * d[3];
    float* x = kind == 3 ? nullptr : operand(info[1], info[3], in, "pool2d x");
    float* dy = kind < 2 ? nullptr : operand(info[1], info[4], outn, "pool2d dy");
    float* out = operand(info[1], info[5], kind < 2 ? outn : in, "pool2d out");
    archc::pool2d(kind, d.data(), x, dy, out);
  });
}

// sgdUpdate(heap, n, lr, wd, momentum, nesterov, w, g, buf, wOut, bufOut)
Napi::Value SgdUpdate(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const auto& h = info[0];
    const int64_t n = info[1].As<Napi::Number>().Int64Value();
    if (n < 0) throw Napi::RangeError::New(info.Env(), "sgdUpdate: n must not be negative");
    const float lr = info[2].As<Napi::Number>().FloatValue(), wd = info[3].As<Napi::Number>().FloatValue();
    const float mom = info[4].As<Napi::Number>().FloatValue();
    const bool nesterov = info[5].As<Napi::Boolean>().Value();
    // buf and bufOut null: no momentum. info[11], the gradient scale, defaults to 1.
    const bool momentum = !info[8].IsNull();
    const float gscale = info.Length() > 11 ? info[11].As<Napi::Number>().FloatValue() : 1.0f;
    archc::sgd_update(n, lr, wd, mom, nesterov, gscale, operand(h, info[6], n, "sgd w"), operand(h, info[7], n, "sgd g"),
                      momentum ? operand(h, info[8], n, "sgd buf") : nullptr, operand(h, info[9], n, "sgd wOut"),
                      momentum ? operand(h, info[10], n, "sgd bufOut") : nullptr);
  });
}

// sumSquares(heap, n, x) → Σ x² (a double)
Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  double out = 0.0;
  guarded(info, [&] {
    const int64_t n = info[1].As<Napi::Number>().Int64Value();
    if (n < 0) throw Napi::RangeError::New(info.Env(), "sumSquares: n must not be negative");
    out = archc::sum_squares(n, operand(info[0], info[2], n, "sumSquares x"));
  });
  return Napi::Number::New(info.Env(), out);
}

// lstmForward(heap, [B, T, H], xw, u, mask|null, h0, c0, y, hOut, cOut, ws)
Napi::Value LstmForward(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto d = dims_arg(info[1], 3, "lstmForward");
    const int64_t b = d[0], t = d[1], h = d[2];
    if (b < 1 || t < 1 || h < 1) throw Napi::RangeError::New(info.Env(), "lstmForward: B, T and H must be positive");
    const auto& hp = info[0];
    const float* xw = operand(hp, info[2], b * t * 4 * h, "lstm xw");
    const float* u = operand(hp, info[3], h * 4 * h, "lstm u");
    const float* mask = info[4].IsNull() ? nullptr : operand(hp, info[4], h, "lstm mask");
    const float* h0 = operand(hp, info[5], b * h, "lstm h0");
    const float* c0 = operand(hp, info[6], b * h, "lstm c0");
    float* y = operand(hp, info[7], b * t * h, "lstm y");
    float* ho = operand(hp, info[8], b * h, "lstm hOut");
    float* co = operand(hp, info[9], b * h, "lstm cOut");
    float* ws = operand(hp, info[10], archc::lstm_workspace_size(b, t, h), "lstm workspace");
    archc::lstm_forward(b, t, h, xw, u, mask, h0, c0, y, ho, co, ws);
  });
}

// lstmBackward(heap, [B, T, H], dy, u, mask|null, ws, dxw, du, dmask|null)
Napi::Value LstmBackward(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto d = dims_arg(info[1], 3, "lstmBackward");
    const int64_t b = d[0], t = d[1], h = d[2];
    if (b < 1 || t < 1 || h < 1) throw Napi::RangeError::New(info.Env(), "lstmBackward: B, T and H must be positive");
    const auto& hp = info[0];
    const float* dy = operand(hp, info[2], b * t * h, "lstm dy");
    const float* u = operand(hp, info[3], h * 4 * h, "lstm u");
    const float* mask = info[4].IsNull() ? nullptr : operand(hp, info[4], h, "lstm mask");
    const float* ws = operand(hp, info[5], archc::lstm_workspace_size(b, t, h), "lstm workspace");
    float* dxw = operand(hp, info[6], b * t * 4 * h, "lstm dxw");
    float* du = operand(hp, info[7], h * 4 * h, "lstm du");
    float* dm = nullptr;
    if (mask != nullptr) {
      if (info[8].IsNull()) throw Napi::TypeError::New(info.Env(), "lstmBackward: a mask needs a dmask output");
      dm = operand(hp, info[8], h, "lstm dmask");
    }
    archc::lstm_backward(b, t, h, dy, u, mask, ws, dxw, du, dm);
  });
}

// softmaxXentForward(heap, [N, K], x, labels(int32), loss[1], correct[1], lse[N])
Napi::Value SoftmaxXentForward(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto d = dims_arg(info[1], 2, "softmaxXentForward");
    const int64_t n = d[0], k = d[1];
    if (n < 1 || k < 1) throw Napi::RangeError::New(info.Env(), "softmaxXentForward: N and K must be positive");
    const auto& hp = info[0];
    const float* x = operand(hp, info[2], n * k, "xent x");
    const auto* labels = reinterpret_cast<const int32_t*>(operand(hp, info[3], n, "xent labels"));
    float* loss = operand(hp, info[4], 1, "xent loss");
    float* correct = operand(hp, info[5], 1, "xent correct");
    float* lse = operand(hp, info[6], n, "xent lse");
    archc::softmax_xent_forward(n, k, x, labels, loss, correct, lse);
  });
}

// softmaxXentBackward(heap, [N, K], x, labels(int32), lse, dLoss[1], dx)
Napi::Value SoftmaxXentBackward(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto d = dims_arg(info[1], 2, "softmaxXentBackward");
    const int64_t n = d[0], k = d[1];
    if (n < 1 || k < 1) throw Napi::RangeError::New(info.Env(), "softmaxXentBackward: N and K must be positive");
    const auto& hp = info[0];
    const float* x = operand(hp, info[2], n * k, "xent x");
    const auto* labels = reinterpret_cast<const int32_t*>(operand(hp, info[3], n, "xent labels"));
    const float* lse = operand(hp, info[4], n, "xent lse");
    const float scale = *operand(hp, info[5], 1, "xent dLoss") / static_cast<float>(n);
    float* dx = operand(hp, info[6], n * k, "xent dx");
    archc::softmax_xent_backward(n, k, x, labels, lse, scale, dx);
  });
}

// lstmWorkspaceSize(B, T, H): floats of the forward's workspace
Napi::Value LstmWorkspaceSize(const Napi::CallbackInfo& info) {
  const int64_t b = info[0].As<Napi::Number>().Int64Value(), t = info[1].As<Napi::Number>().Int64Value(),
                h = info[2].As<Napi::Number>().Int64Value();
  return Napi::Number::New(info.Env(), static_cast<double>(archc::lstm_workspace_size(b, t, h)));
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  archc::set_threads(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(info.Env(), archc::threads());
}

Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), archc::threads()); }

Napi::Value SetCacheCapacity(const Napi::CallbackInfo& info) {
  archc::set_cache_capacity(static_cast<size_t>(info[0].As<Napi::Number>().Int64Value()));
  return info.Env().Undefined();
}

Napi::Value ClearCache(const Napi::CallbackInfo& info) {
  archc::clear_caches();
  return info.Env().Undefined();
}

Napi::Value CacheStats(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("cached", Napi::Number::New(info.Env(), static_cast<double>(archc::cached_primitives())));
  o.Set("capacity", Napi::Number::New(info.Env(), static_cast<double>(archc::cache_capacity())));
  o.Set("created", Napi::Number::New(info.Env(), static_cast<double>(archc::created_primitives())));
  return o;
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  const dnnl_version_t* v = dnnl_version();
  return Napi::String::New(info.Env(), std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                                           std::to_string(v->patch));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("matmul", Napi::Function::New(env, MatMul));
  exports.Set("batchNormForward", Napi::Function::New(env, BatchNormForward));
  exports.Set("batchNormBackward", Napi::Function::New(env, BatchNormBackward));
  exports.Set("columnSum", Napi::Function::New(env, ColumnSum));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("rowReduce", Napi::Function::New(env, RowReduce));
  exports.Set("scaleColumns", Napi::Function::New(env, ScaleColumns));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("scaleColumnsGrad", Napi::Function::New(env, ScaleColumnsGrad));
  exports.Set("pool2d", Napi::Function::New(env, Pool2d));
  exports.Set("sgdUpdate", Napi::Function::New(env, SgdUpdate));
  exports.Set("sumSquares", Napi::Function::New(env, SumSquares));
  exports.Set("lstmForward", Napi::Function::New(env, LstmForward));
  exports.Set("lstmBackward", Napi::Function::New(env, LstmBackward));
  exports.Set("lstmWorkspaceSize", Napi::Function::New(env, LstmWorkspaceSize));
  exports.Set("softmaxXentForward", Napi::Function::New(env, SoftmaxXentForward));
  exports.Set("softmaxXentBackward", Napi::Function::New(env, SoftmaxXentBackward));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("setCacheCapacity", Napi::Function::New(env, SetCacheCapacity));
  exports.Set("clearCache", Napi::Function::New(env, ClearCache));
  exports.Set("cacheStats", Napi::Function::New(env, CacheStats));
  exports.Set("version", Napi::Function::New(env, Version));
  return exports;
}

}  // namespace

NODE_API_MODULE(archc_native, Init)
