#include "core/train/Preflight.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace fts {

MemoryEstimate estimateMemory(TaskModel& model, const std::vector<NamedParam>& trainable, const TrainConfig& cfg, double meanTokens) {
  const ModelShape c = model.shape();
  double params = 0, trained = 0;
  for (const auto& p : model.module().parameters()) params += static_cast<double>(p.numel());
  for (const auto& p : trainable) trained += static_cast<double>(p.tensor.numel());
  // Packed blocks are all max_len long; padded batches run longer than the mean.
  const double T = cfg.data.pack ? cfg.data.max_len : std::min<double>(cfg.data.max_len, std::max(1.0, meanTokens * 1.5));
  const double B = cfg.train.batch_size;
  const double D = static_cast<double>(c.hidden), L = static_cast<double>(c.layers), H = static_cast<double>(c.heads),
               F = static_cast<double>(c.ffn);
  // Saved activations per layer and token: norms, q/k/v/o, attention rows, SwiGLU (≈ 10 D + 3 F + 2 H T).
  const double actPerTokenLayer = 10 * D + 3 * F + 2 * H * T;
  const double head = model.head() != TaskHead::SequenceClassification ? 3.0 * static_cast<double>(c.vocab) * B * T : 0.0;
  const double bytes = 4.0 * (params + trained /*grads*/ + 2 * trained /*moments*/ + B * T * L * actPerTokenLayer + head);
  MemoryEstimate e;
  e.gib = bytes / (1024.0 * 1024 * 1024);
  e.availableGib = static_cast<double>(sysconf(_SC_AVPHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024 * 1024);
  return e;
}

void reportMemory(const MemoryEstimate& e, RunRecorder& events) {
  char msg[200];
  std::snprintf(msg, sizeof msg, "pre-flight: about %.2f GiB (weights, gradients, optimizer, activations) of %.1f GiB free", e.gib,
                e.availableGib);
  events.push(LogEvent{LogEvent::Level::Info, msg});
  if (!e.fits())
    events.push(LogEvent{LogEvent::Level::Warning,
                         "this run will probably not fit in memory: lower train.batch_size or data.max_len, or freeze layers"});
}

std::string formatSeconds(double s) {
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
  else std::snprintf(buf, sizeof buf, "%.0f s", s);
  return buf;
}

}  // namespace fts
