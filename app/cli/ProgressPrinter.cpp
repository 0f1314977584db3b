#include "app/cli/ProgressPrinter.h"

#include "core/util/Clock.h"

#include <cmath>
#include <string>
#include <unistd.h>

namespace fts::cli {

std::string formatDuration(double s) {
  if (s < 0 || !std::isfinite(s)) return "--:--";
  const long t = std::lround(s);
  char buf[32];
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%02ld:%02ld", t / 60, t % 60);
  return buf;
}

ProgressPrinter::ProgressPrinter(std::FILE* out) : out_(out), tty_(::isatty(::fileno(out)) != 0) {}

void ProgressPrinter::finishLine() {
  if (barShown_) std::fputc('\n', out_);
  barShown_ = false;
  std::fflush(out_);
}

void ProgressPrinter::handle(const TrainerEvent& ev) {
  if (const auto* m = std::get_if<MetricEvent>(&ev)) {
    if (m->name == "train/loss") lastLoss_ = m->value;
    if (m->name == "val/loss") {
      lastVal_ = m->value;
      if (!tty_) std::fprintf(out_, "step %lld  val_loss %.4f\n", static_cast<long long>(m->step), m->value);
    }
    if (m->name == "val/accuracy" && !tty_) std::fprintf(out_, "step %lld  val_accuracy %.4f\n", static_cast<long long>(m->step), m->value);
  } else if (const auto* p = std::get_if<ProgressEvent>(&ev)) {
    const double frac = p->totalSteps > 0 ? static_cast<double>(p->step) / static_cast<double>(p->totalSteps) : 0;
    if (tty_) {
      constexpr int width = 28;
      const int filled = static_cast<int>(frac * width);
      std::string bar(static_cast<size_t>(filled), '#');
      bar.append(static_cast<size_t>(width - filled), '.');
      std::fprintf(out_, "\r[%s] %3d%%  step %lld/%lld  loss %.4f%s  %.0f tok/s  ETA %s   ", bar.c_str(),
                   static_cast<int>(frac * 100), static_cast<long long>(p->step), static_cast<long long>(p->totalSteps), lastLoss_,
                   lastVal_ >= 0 ? (" val " + std::to_string(lastVal_).substr(0, 6)).c_str() : "", p->tokensPerSecond,
                   formatDuration(p->etaSeconds).c_str());
      barShown_ = true;
      std::fflush(out_);
    } else {
      // Plain lines: at most one a second, and always the last.
      const double now = monotonicSeconds();
      if (now - lastPlainPrint_ >= 1.0 || p->step == p->totalSteps) {
        lastPlainPrint_ = now;
        std::fprintf(out_, "step %lld/%lld  epoch %.2f  loss %.4f  %.0f tok/s  elapsed %s  ETA %s\n",
                     static_cast<long long>(p->step), static_cast<long long>(p->totalSteps), p->epoch, lastLoss_,
                     p->tokensPerSecond, formatDuration(p->elapsedSeconds).c_str(), formatDuration(p->etaSeconds).c_str());
        std::fflush(out_);
      }
    }
  } else if (const auto* l = std::get_if<LogEvent>(&ev)) {
    finishLine();
    const char* tag = l->level == LogEvent::Level::Error ? "error: " : l->level == LogEvent::Level::Warning ? "warning: " : "";
    std::fprintf(out_, "%s%s\n", tag, l->message.c_str());
  } else if (const auto* r = std::get_if<EvalReportEvent>(&ev)) {
    // Validation reports come with every evaluation and their accuracy is printed above; the test
    // report comes once, at the end, and is the number users look for: one line with the weakest
    // class, the full table being in `ftstudio runs show`.
    if (r->split != "test") return;
    finishLine();
    long samples = 0;
    size_t weakest = r->f1.size();
    for (size_t c = 0; c < r->f1.size(); ++c) {
      samples += r->support[c];
      if (r->support[c] > 0 && (weakest == r->f1.size() || r->f1[c] < r->f1[weakest])) weakest = c;
    }
    std::fprintf(out_, "test: accuracy %.4f  macro-F1 %.4f  weighted-F1 %.4f  on %ld samples", r->accuracy, r->macroF1, r->weightedF1,
                 samples);
    if (weakest < r->labels.size())
      std::fprintf(out_, "; weakest class '%s' (F1 %.4f)", r->labels[weakest].c_str(), r->f1[weakest]);
    std::fprintf(out_, "\n");
    std::fflush(out_);
  } else if (const auto* s = std::get_if<StateEvent>(&ev)) {
    if (s->state == TrainerState::Paused) {
      finishLine();
      std::fprintf(out_, "paused\n");
    }
  }
}

}  // namespace fts::cli
