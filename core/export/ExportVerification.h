#pragma once
// What the studio proves after every export: the written files, read back, give the same logits as
// the model in memory on a few sample texts. Torch-free (the GUI shows these figures).
#include <cstdint>
#include <stdexcept>
#include <string>

namespace fts {

struct ExportVerification {
  int samples = 0;               // sample texts run through both models
  int64_t positions = 0;         // logit rows compared: every token of each sample (causal LM), one per sample (classifier)
  double maxAbsDiff = 0;         // max |reloaded - in memory| over every logit compared
  double maxAbsLogit = 0;        // the largest |logit| of the model in memory: the scale maxAbsDiff is judged against
  double argmaxAgreement = 1;    // share of rows where both pick the same token (or label)
  double tolerance = 0;          // the largest maxAbsDiff accepted for this format and dtype
  bool passed = false;
  std::string reloadedWith;      // how the export was read back, e.g. "our GGUF reader, Q8_0 dequantized"
  std::string tokenizerCheck;    // what was checked of the tokenizer written beside the weights
};

// Thrown when the reloaded export disagrees with the model beyond the tolerance; the export is then
// not put under its final name. what() gives the figures.
class ExportVerificationError : public std::runtime_error {
 public:
  ExportVerificationError(const std::string& what, ExportVerification v) : std::runtime_error(what), verification(std::move(v)) {}
  ExportVerification verification;
};

}  // namespace fts
