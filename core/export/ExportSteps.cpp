#include "core/export/ExportSteps.h"

#include "core/io/HfModelFolder.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/text/Tokenizer.h"
#include "core/util/AtomicFile.h"

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace fts {
namespace fs = std::filesystem;

void exportStage(const ExportOptions& o, const char* name) {
  if (o.cancel && o.cancel->load()) throw ExportCancelled();
  if (o.progress) o.progress(name);
}

SafetensorsDtype safetensorsDtypeOf(ExportDtype d) {
  switch (d) {
    case ExportDtype::F16: return SafetensorsDtype::F16;
    case ExportDtype::BF16: return SafetensorsDtype::BF16;
    default: return SafetensorsDtype::F32;
  }
}

std::string readIfExists(const fs::path& p) { return fs::is_regular_file(p) ? readWholeFile(p) : std::string(); }

std::string checkReloadedTokenizer(const fs::path& folder, int64_t vocabSize, const Tokenizer* original,
                                   const std::vector<std::string>& texts) {
  if (!original) return "no tokenizer (the source folder has none)";
  const fs::path file = findTokenizerFile(folder);
  if (file.empty()) throw std::runtime_error(folder.string() + ": the tokenizer's files were not written into the export");
  const std::unique_ptr<Tokenizer> reloaded = loadHfTokenizer(folder, vocabSize);
  const auto* spmOriginal = dynamic_cast<const SentencePieceTokenizer*>(original);
  const auto* spmReloaded = dynamic_cast<const SentencePieceTokenizer*>(reloaded.get());
  if (static_cast<bool>(spmOriginal) != static_cast<bool>(spmReloaded) ||
      (spmOriginal && spmReloaded->serialized() != spmOriginal->serialized()))
    throw std::runtime_error(file.string() + ": reads back different from the tokenizer written");
  for (const auto& t : texts)
    if (reloaded->encode(t) != original->encode(t))
      throw std::runtime_error(file.string() + ": encodes a sample text differently after reloading");
  return file.filename().string() + " reloaded: " + (spmOriginal ? "identical bytes, " : "") + "same ids on every sample";
}

nlohmann::ordered_json verificationJson(const ExportVerification& v) {
  nlohmann::ordered_json j;
  j["samples"] = v.samples;
  j["positions"] = v.positions;
  j["max_abs_diff"] = v.maxAbsDiff;
  j["max_abs_logit"] = v.maxAbsLogit;
  j["argmax_agreement"] = v.argmaxAgreement;
  j["tolerance"] = v.tolerance;
  j["passed"] = v.passed;
  j["reloaded_with"] = v.reloadedWith;
  j["tokenizer"] = v.tokenizerCheck;
  return j;
}

std::string verificationFigures(const ExportVerification& v) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "max abs logit difference %.3g (accepted %.3g, largest logit %.3g), argmax agreement %.1f%% over %lld rows",
                v.maxAbsDiff, v.tolerance, v.maxAbsLogit, 100.0 * v.argmaxAgreement, static_cast<long long>(v.positions));
  return buf;
}

}  // namespace fts
