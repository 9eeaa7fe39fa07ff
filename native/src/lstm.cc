// A whole LSTM layer's recurrence in one call each way: the forward over every time step and backpropagation
// through time, with archc's hidden-unit mask on the output (h_t = m ⊙ o_t ⊙ tanh(c_t), h_0 ← m ⊙ h_0; see
// src/runtime/layers/lstm.ts). The input projection xw = x·W + b stays a tfjs matmul; here only the recurrent
// matmuls (oneDNN, matmul.cc) and the gate math. The float formulas are those of the tfjs path (sigmoid
// 1/(1+e^−x), tanh, the same products), so results agree to float rounding.
//
// Workspace layout (time-major, floats), written by the forward and read by the backward:
//   gates [T, B, 4H]  post-activation i, f, g (tanh candidate), o
//   cs    [T+1, B, H] cell states, cs[0] = c0
//   hs    [T+1, B, H] masked outputs, hs[0] = m ⊙ h0 (the recurrent inputs)
//   tc    [T, B, H]   tanh(c_t)
//   h0    [B, H]      the unmasked initial state (for the mask gradient)
#include <cmath>
#include <cstring>
#include <vector>

#include "ops.hpp"

namespace archc {
namespace {

inline float sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

struct Ws {
  float *gates, *cs, *hs, *tc, *h0;
  Ws(float* ws, int64_t b, int64_t t, int64_t h) {
    gates = ws;
    cs = gates + t * b * 4 * h;
    hs = cs + (t + 1) * b * h;
    tc = hs + (t + 1) * b * h;
    h0 = tc + t * b * h;
  }
};

/** c = a · op(u) for a [m, k], u [k, n] (or [n, k] when tb): one cached oneDNN matmul. */
void mm(int64_t m, int64_t n, int64_t k, bool ta, bool tb, const float* a, const float* u, float* c) {
  const int64_t d[kMatMulDims] = {1, 1, m, n, k, ta ? 1 : 0, tb ? 1 : 0, 0, 0};
  matmul(d, const_cast<float*>(a), const_cast<float*>(u), c, nullptr);
}

}  // namespace

int64_t lstm_workspace_size(int64_t b, int64_t t, int64_t h) { return b * h * (7 * t + 3); }

void lstm_forward(int64_t b, int64_t t, int64_t h, const float* xw, const float* u, const float* mask,
                  const float* h0, const float* c0, float* y, float* h_out, float* c_out, float* ws) {
  const int64_t g4 = 4 * h;
  Ws w(ws, b, t, h);
  std::memcpy(w.h0, h0, sizeof(float) * b * h);
  std::memcpy(w.cs, c0, sizeof(float) * b * h);
  for (int64_t r = 0; r < b; r++) {
    for (int64_t j = 0; j < h; j++) w.hs[r * h + j] = mask ? h0[r * h + j] * mask[j] : h0[r * h + j];
  }
  std::vector<float> z(static_cast<size_t>(b * g4));
  for (int64_t s = 0; s < t; s++) {
    const float* hprev = w.hs + s * b * h;
    const float* cprev = w.cs + s * b * h;
    float* gates = w.gates + s * b * g4;
    float* cnow = w.cs + (s + 1) * b * h;
    float* hnow = w.hs + (s + 1) * b * h;
    float* tcnow = w.tc + s * b * h;
    mm(b, g4, h, false, false, hprev, u, z.data());
    for (int64_t r = 0; r < b; r++) {
      const float* xr = xw + (r * t + s) * g4;  // xw is [B, T, 4H]
      const float* zr = z.data() + r * g4;
      float* gr = gates + r * g4;
      for (int64_t j = 0; j < h; j++) {
        // tfjs: z = xw_t + h·U (Add), then the gate nonlinearities of the split blocks.
        const float i = sigmoid(xr[j] + zr[j]);
        const float f = sigmoid(xr[h + j] + zr[h + j]);
        const float g = std::tanh(xr[2 * h + j] + zr[2 * h + j]);
        const float o = sigmoid(xr[3 * h + j] + zr[3 * h + j]);
        gr[j] = i, gr[h + j] = f, gr[2 * h + j] = g, gr[3 * h + j] = o;
        const int64_t q = r * h + j;
        const float c = f * cprev[q] + i * g;
        cnow[q] = c;
        const float tch = std::tanh(c);
        tcnow[q] = tch;
        const float hv = mask ? o * tch * mask[j] : o * tch;
        hnow[q] = hv;
        y[(r * t + s) * h + j] = hv;  // y is [B, T, H]
      }
    }
  }
  std::memcpy(h_out, w.hs + t * b * h, sizeof(float) * b * h);
  std::memcpy(c_out, w.cs + t * b * h, sizeof(float) * b * h);
}

void lstm_backward(int64_t b, int64_t t, int64_t h, const float* dy, const float* u, const float* mask,
                   const float* ws_in, float* dxw, float* du, float* dmask) {
  const int64_t g4 = 4 * h;
  Ws w(const_cast<float*>(ws_in), b, t, h);
  std::vector<float> dz(static_cast<size_t>(t * b * g4));  // time-major, for dU = Σ_t hs_tᵀ dz_t
  std::vector<float> dh(static_cast<size_t>(b * h), 0.f);  // dL/dh_t from step t+1 (recurrent)
  std::vector<float> dc(static_cast<size_t>(b * h), 0.f);  // dL/dc_t from step t+1
  std::vector<double> dm(static_cast<size_t>(h), 0.0);
  for (int64_t s = t - 1; s >= 0; s--) {
    const float* gates = w.gates + s * b * g4;
    const float* cprev = w.cs + s * b * h;
    const float* tcnow = w.tc + s * b * h;
    float* dzs = dz.data() + s * b * g4;
    for (int64_t r = 0; r < b; r++) {
      const float* gr = gates + r * g4;
      float* dzr = dzs + r * g4;
      for (int64_t j = 0; j < h; j++) {
        const int64_t q = r * h + j;
        const float dht = dy[(r * t + s) * h + j] + dh[q];
        const float i = gr[j], f = gr[h + j], g = gr[2 * h + j], o = gr[3 * h + j];
        const float tch = tcnow[q];
        float dhr = dht;  // gradient of the unmasked output o·tanh(c)
        if (mask) {
          dm[j] += static_cast<double>(dht) * (o * tch);
          dhr = dht * mask[j];
        }
        const float dov = dhr * tch;
        const float dcv = dc[q] + dhr * o * (1.f - tch * tch);
        const float di = dcv * g, dg = dcv * i, df = dcv * cprev[q];
        dc[q] = dcv * f;
        dzr[j] = di * i * (1.f - i);
        dzr[h + j] = df * f * (1.f - f);
        dzr[2 * h + j] = dg * (1.f - g * g);
        dzr[3 * h + j] = dov * o * (1.f - o);
      }
      std::memcpy(dxw + (r * t + s) * g4, dzr, sizeof(float) * g4);  // dxw is [B, T, 4H]
    }
    // dL/dh_{t−1} through the recurrent matmul: dz_t · Uᵀ (U is [H, 4H]).
    mm(b, h, g4, false, true, dzs, u, dh.data());
  }
  if (mask) {
    // h_0 enters as m ⊙ h0: its share of the mask gradient.
    for (int64_t r = 0; r < b; r++) {
      for (int64_t j = 0; j < h; j++) dm[j] += static_cast<double>(dh[r * h + j]) * w.h0[r * h + j];
    }
    for (int64_t j = 0; j < h; j++) dmask[j] = static_cast<float>(dm[j]);
  }
  // dU = Σ_t hs_tᵀ · dz_t = hs[0..T−1]ᵀ (as [T·B, H]) · dz (as [T·B, 4H]).
  mm(h, g4, t * b, true, false, w.hs, dz.data(), du);
}

}  // namespace archc
