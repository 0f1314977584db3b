#pragma once
// A local Hugging Face folder holding a BERT-family encoder (config.json with model_type "bert",
// model.safetensors or shards): loading fills fts::BertForSequenceClassification, BertForMaskedLM or a
// bare BertModel by parameter name; saving writes a folder transformers loads back.
//
// Names: HF's task models prefix the encoder with "bert." ("bert.encoder.layer.0..."); a
// sentence-transformers folder (all-MiniLM-L6-v2) holds a bare BertModel ("embeddings.word_embeddings.weight",
// "encoder.layer.0...", "pooler.dense.*"). Both load into every model kind. Old TensorFlow-converted
// checkpoints name LayerNorm parameters gamma/beta; those load too.
//
// Torch-free header: the model types are only declared here (core/model/BertModules.h includes torch).
#include "core/io/HfModelFolder.h"
#include "core/model/BertConfig.h"

#include <filesystem>
#include <vector>

namespace fts {

class BertForSequenceClassification;  // core/model/BertModules.h
class BertForMaskedLM;
class BertModel;

// Whether <folder>/config.json says model_type "bert" (false when it is missing or says another type).
bool isBertHfFolder(const std::filesystem::path& folder);
// <folder>/config.json through BertConfig::load; throws std::runtime_error naming the file.
BertConfig loadBertHfConfig(const std::filesystem::path& folder);

struct BertLoadReport : HfLoadReport {
  bool bareNames = false;  // the folder's encoder names had no "bert." prefix (sentence-transformers)
};

// Copies every parameter from the folder's weights: each must be there with exactly the parameter's
// shape, except the head when options.allowMissingHead is set (pooler and classifier of a classifier;
// cls.predictions.* of a masked LM; the pooler of a bare BertModel): those keep their fresh
// initialisation and are listed in headKeptInitialised. F32/BF16/F16/F64 convert to the parameter's dtype.
// Always accepted unused: embeddings.position_ids (a buffer), cls.predictions.decoder.* (tied copies),
// the other task's head (cls.seq_relationship.* of BertForPreTraining too). Any other tensor with no
// place is an error unless options.allowUnexpected. Throws std::runtime_error naming the tensor and the
// file; a failed load leaves the model as it was.
BertLoadReport loadBertHfWeights(BertForSequenceClassification& model, const HfModelFiles& files, const HfLoadOptions& options = {});
BertLoadReport loadBertHfWeights(BertForMaskedLM& model, const HfModelFiles& files, const HfLoadOptions& options = {});
BertLoadReport loadBertHfWeights(BertModel& model, const HfModelFiles& files, const HfLoadOptions& options = {});

// Writes config.json (the model's config, its architecture: BertForSequenceClassification,
// BertForMaskedLM or BertModel) and model.safetensors (HF's names: "bert."-prefixed for the task
// models, bare for BertModel; the tied decoder is not written, as transformers does not) into a
// temporary sibling folder, copies `extraFiles` (e.g. tokenizer.json, vocab.txt) in, fsyncs, then swaps
// it in for `folder`. LoRA adapters are not written (merge them first, or export them with PEFT's
// names). options.maxShardBytes must be 0 (BERT encoders here fit one file). Refuses to replace a
// non-empty folder without config.json. Throws std::runtime_error naming the path.
void saveBertHfFolder(const std::filesystem::path& folder, const BertForSequenceClassification& model,
                      const HfSaveOptions& options = {}, const std::vector<std::filesystem::path>& extraFiles = {});
void saveBertHfFolder(const std::filesystem::path& folder, const BertForMaskedLM& model, const HfSaveOptions& options = {},
                      const std::vector<std::filesystem::path>& extraFiles = {});
void saveBertHfFolder(const std::filesystem::path& folder, const BertModel& model, const HfSaveOptions& options = {},
                      const std::vector<std::filesystem::path>& extraFiles = {});

}  // namespace fts
