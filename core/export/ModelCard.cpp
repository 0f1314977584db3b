#include "core/export/ModelCard.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>

namespace fts {
namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// 158016 -> "158.0K", 1100048384 -> "1.10B": the way model sizes are spoken of.
std::string count(int64_t n) {
  char buf[32];
  const double v = static_cast<double>(n);
  if (v >= 1e9) std::snprintf(buf, sizeof buf, "%.2fB", v / 1e9);
  else if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.1fM", v / 1e6);
  else if (v >= 1e3) std::snprintf(buf, sizeof buf, "%.1fK", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n));
  return buf;
}

// A value inside a Markdown table cell: no pipes or line breaks.
std::string cell(std::string s) {
  for (auto& ch : s)
    if (ch == '|' || ch == '\n' || ch == '\r') ch = ' ';
  return s;
}

// YAML double-quoted scalar.
std::string yamlQuoted(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (ch == '\n') {
      out += "\\n";
      continue;
    }
    out += ch;
  }
  return out + "\"";
}

std::string prettyJson(const std::string& text) {
  try {
    return nlohmann::ordered_json::parse(text).dump(2);
  } catch (const std::exception&) {
    return text;  // shown as it is: better than dropping it
  }
}

// A flat JSON object of scalars becomes a table; anything else a JSON block.
void robustnessSection(std::ostringstream& md, const std::string& text) {
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(text);
  } catch (const std::exception&) {
    md << "```\n" << text << "\n```\n\n";
    return;
  }
  bool flat = j.is_object();
  if (flat)
    for (const auto& [k, v] : j.items()) flat = flat && !v.is_structured();
  if (!flat) {
    md << "```json\n" << j.dump(2) << "\n```\n\n";
    return;
  }
  md << "| measure | value |\n| --- | --- |\n";
  for (const auto& [k, v] : j.items())
    md << "| " << cell(k) << " | " << cell(v.is_number() ? number(v.get<double>()) : v.is_string() ? v.get<std::string>() : v.dump()) << " |\n";
  md << "\n";
}

}  // namespace

std::string renderModelCard(const ModelCardInfo& run, const ModelCardExport& ex) {
  const bool classifier = run.task == "cls" || !ex.labels.empty();
  std::string title = run.title;
  if (title.empty()) title = !run.runName.empty() ? run.runName : !run.runId.empty() ? "run " + run.runId : "Exported model";

  std::ostringstream md;
  // ---- Front matter: what the Hub (and tools reading model cards) index ----------------------
  md << "---\n";
  const bool peft = ex.format == "peft";
  if (ex.format == "gguf") md << "library_name: gguf\n";
  else if (peft) md << "library_name: peft\n";
  else md << "library_name: transformers\n";
  // The Hub's task and family tags follow the model: a BERT masked LM fills masks, an encoder is no llama.
  const bool encoder = ex.architecture.rfind("Bert", 0) == 0;
  const bool maskedLm = run.task == "mlm" || ex.architecture == "BertForMaskedLM";
  md << "pipeline_tag: " << (classifier ? "text-classification" : maskedLm ? "fill-mask" : "text-generation") << "\n";
  md << "tags:\n  - fine-tuning-studio\n  - " << (encoder ? "bert" : "llama") << "\n";
  if (ex.format == "gguf") md << "  - gguf\n";
  if (peft || ex.format == "merged") md << "  - lora\n";
  if (peft) md << "  - peft\n";
  if (!run.baseModel.empty()) md << "base_model_local_path: " << yamlQuoted(run.baseModel) << "\n";
  md << "---\n\n";

  md << "# " << title << "\n\n";
  const std::string tool = run.toolVersion.empty() ? "" : " (" + run.toolVersion + ")";
  if (peft) {
    md << "A LoRA adapter (" << count(ex.parameters) << " parameters" << (classifier ? ", with its classification head" : "")
       << ") for the " << (classifier ? "text classifier" : "causal language model") << " built on the base model `"
       << (ex.adapterBase.empty() ? run.baseModel : ex.adapterBase) << "` (" << (ex.architecture.empty() ? "Llama" : ex.architecture)
       << "), trained with Fine-tuning Studio" << tool << " and exported in PEFT's format in " << ex.dtype
       << ". It is used together with that base model: the base is not in this folder.\n\n";
  } else {
    md << (classifier ? "A text classifier" : "A causal language model") << " (" << (ex.architecture.empty() ? "Llama" : ex.architecture)
       << ", " << count(ex.parameters) << " parameters) " << (run.baseModel.empty() ? "trained from scratch" : "fine-tuned")
       << " with Fine-tuning Studio" << tool;
    if (ex.format == "merged") md << " with LoRA, the adapters merged into the base weights,";
    md << " and exported as " << (ex.format == "gguf" ? "GGUF" : "a Hugging Face model folder") << " in " << ex.dtype << ".\n\n";
  }

  // ---- Provenance -----------------------------------------------------------------------------
  md << "## Provenance\n\n| | |\n| --- | --- |\n";
  if (!run.runId.empty()) md << "| run | " << cell(run.runId) << (run.runName.empty() ? "" : " (" + cell(run.runName) + ")") << " |\n";
  md << "| task | " << (classifier ? "sequence classification" : "causal language modelling") << " |\n";
  md << "| base model | " << (run.baseModel.empty() ? "none: trained from scratch" : cell(run.baseModel)) << " |\n";
  md << "| training data fingerprint | " << (run.datasetFingerprint.empty() ? "not recorded" : "`" + cell(run.datasetFingerprint) + "`")
     << " |\n";
  md << "| method | " << (run.method.empty() ? (ex.lora.empty() ? "not recorded" : cell(ex.lora)) : cell(run.method)) << " |\n";
  if (!ex.exportedAt.empty()) md << "| exported | " << ex.exportedAt << " |\n";
  md << "\n";
  if (classifier && !ex.labels.empty()) {
    md << "Labels (id: label): ";
    for (size_t i = 0; i < ex.labels.size(); ++i) md << (i ? ", " : "") << i << ": " << ex.labels[i];
    md << ".\n\n";
  }

  // ---- Method and configuration ---------------------------------------------------------------
  md << "## Method and configuration\n\n";
  if (!run.trainConfigJson.empty()) md << "Training configuration (`train_config.json`):\n\n```json\n" << prettyJson(run.trainConfigJson) << "\n```\n\n";
  else md << "No training configuration was recorded for this model.\n\n";
  if (!ex.modelConfigJson.empty()) md << "Model configuration (`config.json`):\n\n```json\n" << prettyJson(ex.modelConfigJson) << "\n```\n\n";

  // ---- Metrics ----------------------------------------------------------------------------------
  md << "## Metrics\n\n";
  if (run.metrics.empty()) {
    md << "No metrics were recorded.\n\n";
  } else {
    md << "| metric | value |\n| --- | --- |\n";
    for (const auto& [k, v] : run.metrics) md << "| " << cell(k) << " | " << number(v) << " |\n";
    md << "\n";
  }
  if (!run.robustnessJson.empty()) {
    md << "## Robustness\n\n";
    robustnessSection(md, run.robustnessJson);
  }

  // ---- Export and its verification ------------------------------------------------------------
  const auto& v = ex.verification;
  md << "## Export verification\n\n";
  md << "After writing, the files were read back (" << (v.reloadedWith.empty() ? "reloaded" : v.reloadedWith) << ") and run on "
     << v.samples << " sample texts (" << v.positions << " logit rows) beside the model in memory:\n\n";
  md << "| figure | value |\n| --- | --- |\n";
  md << "| max abs logit difference | " << number(v.maxAbsDiff) << " |\n";
  md << "| largest abs logit | " << number(v.maxAbsLogit) << " |\n";
  md << "| argmax agreement | " << number(100.0 * v.argmaxAgreement) << "% |\n";
  md << "| accepted difference | " << number(v.tolerance) << " |\n";
  md << "| result | " << (v.passed ? "passed" : "FAILED") << " |\n\n";
  for (const auto& n : ex.notes) md << "Note: " << n << "\n\n";

  md << "## Files\n\n";
  for (const auto& f : ex.files) md << "- `" << f << "`\n";
  md << "\n## How to load\n\n";
  if (peft) {
    const std::string head = classifier ? "SequenceClassification" : "CausalLM";
    md << "```python\nfrom peft import PeftModel\nfrom transformers import AutoModelFor" << head << ", AutoTokenizer\n";
    md << "base = AutoModelFor" << head << ".from_pretrained(\"" << (ex.adapterBase.empty() ? "path/to/the/base" : ex.adapterBase) << "\"";
    if (classifier) {
      md << ",\n    num_labels=" << ex.labels.size() << ", id2label={";
      for (size_t i = 0; i < ex.labels.size(); ++i) md << (i ? ", " : "") << i << ": " << nlohmann::json(ex.labels[i]).dump();
      md << "},\n    pad_token_id=" << ex.padTokenId;
    }
    md << ")\nmodel = PeftModel.from_pretrained(base, \"path/to/this/folder\")  # or model.merge_and_unload()\n"
       << "tokenizer = AutoTokenizer.from_pretrained(\"path/to/this/folder\")\n```\n";
    if (classifier)
      md << "\nThe classification head (`score`) was trained with the adapters and is stored here as `modules_to_save`; the "
            "tokenizer appends the end-of-sequence token the head reads (`add_eos_token`).\n";
  } else if (ex.format == "gguf") {
    std::string file = "model.gguf";
    for (const auto& f : ex.files)
      if (f.size() > 5 && f.compare(f.size() - 5, 5, ".gguf") == 0) file = f;
    md << "With llama.cpp: `llama-cli -m " << file << " -p \"...\"`. In Python: `gguf.GGUFReader(\"" << file
       << "\")` reads the metadata and tensors.\n";
  } else {
    md << "```python\nfrom transformers import AutoModelFor" << (classifier ? "SequenceClassification" : "CausalLM")
       << ", AutoTokenizer\nmodel = AutoModelFor" << (classifier ? "SequenceClassification" : "CausalLM")
       << ".from_pretrained(\"path/to/this/folder\")\ntokenizer = AutoTokenizer.from_pretrained(\"path/to/this/folder\")\n```\n";
    md << "\nThe tokenizer is the SentencePiece `tokenizer.model`; with transformers 4, `LlamaTokenizer.from_pretrained` "
          "loads it too.\n";
    if (classifier)
      md << "\nThe classifier reads the hidden state of the last token, which is the end-of-sequence token in training: the "
            "tokenizer here is configured to append it (`add_eos_token`).\n";
  }
  return md.str();
}

}  // namespace fts
