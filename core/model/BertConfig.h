#pragma once
// The shape of a BERT-family encoder, with Hugging Face's config.json field names (model_type "bert":
// BERT, MiniLM, sentence-transformers checkpoints, bert-base-*). Torch-free: the GUI's model picker and
// the CLI read it without LibTorch.
#include <filesystem>
#include <string>
#include <vector>

namespace fts {

struct BertConfig {
  int vocab_size = 30522;
  int hidden_size = 768;
  int num_hidden_layers = 12;
  int num_attention_heads = 12;
  int intermediate_size = 3072;
  std::string hidden_act = "gelu";        // gelu (exact, erf) | gelu_new / gelu_pytorch_tanh (tanh approximation)
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  double classifier_dropout = -1;         // < 0: HF's null, the classifier uses hidden_dropout_prob
  int max_position_embeddings = 512;
  int type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  int pad_token_id = 0;
  std::string position_embedding_type = "absolute";  // the only kind supported
  bool tie_word_embeddings = true;        // the masked-LM decoder is the word embedding matrix
  // Sequence classification only (BertForSequenceClassification); empty otherwise.
  std::vector<std::string> id2label;
  // Ours: how BertForSequenceClassification pools. "pooler" is HF's (tanh dense on [CLS]); "mean"
  // averages the last hidden states of the non-pad tokens, for sentence-transformers checkpoints whose
  // pooler was never trained for classification. transformers knows only "pooler": a "mean" export
  // gives other logits there (saved as ftstudio_classifier_pooling so our own load keeps it).
  std::string classifier_pooling = "pooler";

  int headDim() const { return hidden_size / num_attention_heads; }
  // Dropout before the classifier: classifier_dropout when set, else hidden_dropout_prob (HF's rule).
  double classifierDropout() const { return classifier_dropout >= 0 ? classifier_dropout : hidden_dropout_prob; }
  bool tanhGelu() const { return hidden_act == "gelu_new" || hidden_act == "gelu_pytorch_tanh"; }
  // Throws std::invalid_argument naming the field when the shape is impossible or unsupported.
  void validate() const;

  // config.json text; architecture is "BertForSequenceClassification", "BertForMaskedLM" or "BertModel".
  std::string toJson(const std::string& architecture) const;
  // Written atomically; throws std::runtime_error naming the path.
  void save(const std::filesystem::path& configJson, const std::string& architecture) const;
  static BertConfig fromJson(const std::string& json, const std::string& sourceName);
  static BertConfig load(const std::filesystem::path& configJson);
  // The model_type of a config.json ("" when it has none), to choose between Llama and BERT configs.
  // Throws std::runtime_error naming the source when the text is not a JSON object.
  static std::string modelTypeOf(const std::string& json, const std::string& sourceName);
};

}  // namespace fts
