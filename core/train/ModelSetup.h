#pragma once
// Internal to core/: includes torch. The model and tokenizer a run trains: built from scratch (a
// tokenizer trained on the training texts), loaded from a base model folder, or restored for a
// resume; and which of its parameters train.
#include "core/model/LlamaModules.h"
#include "core/model/TaskModel.h"
#include "core/runs/RunRecorder.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/train/JobFailed.h"
#include "core/train/Optimizers.h"
#include "core/train/TrainConfig.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace fts {

struct ModelSetup {
  std::unique_ptr<TaskModel> model;      // a Llama-family decoder or a BERT encoder
  std::unique_ptr<Tokenizer> tokenizer;  // SentencePiece, WordPiece or byte-level BPE
};

HeadKind headFor(bool classification);

// Trains a SentencePiece tokenizer on `texts` (tokenizer.* settings) into runDir/tokenizer.model and
// builds a freshly initialised model of the model.* shape. labels empty: causal LM.
ModelSetup modelFromScratch(const TrainConfig& cfg, const std::vector<std::string>& texts, const std::vector<std::string>& labels,
                            int threads, const std::filesystem::path& runDir, RunRecorder& events);
// Loads model.base (an HF folder: a Llama-family decoder, or a BERT encoder for classification) with
// its tokenizer; a new head when the task needs one it lacks.
// cfg.task "mlm": an encoder with its masked-LM head (kept freshly initialised when the folder lacks it).
ModelSetup modelFromBase(const TrainConfig& cfg, const std::vector<std::string>& labels, bool classification,
                         const std::filesystem::path& runDir, RunRecorder& events);
// The run's own config.json and tokenizer files; the weights come from a checkpoint.
ModelSetup modelForResume(const std::filesystem::path& runDir, bool classification);

// The model a folder's config.json describes (a decoder, or a BERT encoder), weights not loaded: a
// run's checkpoints fill them. Classification when config.json names classes; otherwise the causal
// LM of a decoder, the masked LM of an encoder.
std::unique_ptr<TaskModel> taskModelFromConfig(const std::filesystem::path& configJson);
// A Hugging Face folder (a finished run's model/, an import, a download) with its weights.
std::unique_ptr<TaskModel> loadTaskModel(const std::filesystem::path& folder);

// Freezes what the config asks (embeddings, first layers; with LoRA attachLora already chose) and
// returns the parameters that train, with weight decay on matrices only.
std::vector<NamedParam> trainableParams(TaskModel& model, const TrainConfig& cfg, RunRecorder& events);

}  // namespace fts
