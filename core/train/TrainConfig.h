#pragma once
// Everything a run needs to know, with the same dotted keys in project files and `--set key=value`.
#include <filesystem>
#include <string>
#include <vector>

namespace fts {

struct TrainConfig {
  // "cls" (sequence classification), "lm" (causal language model), or "" to decide from the data:
  // labelled rows train a classifier, plain text trains the causal LM.
  std::string task;

  struct Data {
    std::string train;               // path; relative paths resolve against the project file's folder
    std::string validation;          // empty: split off from train
    std::string test;
    std::string text_col, label_col; // empty: detect
    // A row that cannot be read (bad UTF-8, wrong field count, empty text, ...): "stop" fails the run
    // with FILE:LINE: message; "skip" leaves it out and lists every one (run log, skipped_rows.txt).
    std::string on_error = "stop";
    double val_fraction = -1;        // -1: by size (none under 50 rows, 10% up to 500, 5% beyond)
    int max_len = 128;               // tokens per sample (BOS/EOS included); longer ones are truncated
    std::string truncation = "head"; // which part of a long text is kept: head | tail | head+tail
    bool bucket_by_length = true;    // batch texts of similar length together (less padding, same epochs)
    // Causal LM only: join the texts (each between BOS and EOS) into one stream and cut it into
    // blocks of max_len tokens, as pretraining does; no padding and no text cut short.
    bool pack = false;
  } data;

  // How a tokenizer is trained when the run starts from scratch (a base model brings its own).
  struct Tokenizer {
    std::string type = "unigram";    // unigram | bpe
    double character_coverage = 0.9995;  // below 1 so rare CJK characters fall back to bytes
    bool byte_fallback = true;       // unknown characters become byte pieces, never <unk>
    std::string user_symbols;        // comma-separated pieces kept whole (e.g. "<sep>,<mask>")
    int max_sentences = 0;           // train on at most this many lines (sampled); 0: all
  } tokenizer;

  struct Model {
    // llama: a Llama-family network; bow / majority: a baseline it has to beat (bag-of-words naive
    // Bayes over words and word pairs, or the most frequent class), classification only.
    std::string type = "llama";
    std::string base;                // HF model folder to start from; empty: train from scratch
    int vocab_size = 2000;           // tokenizer trained from the data when starting from scratch
    int hidden_size = 128;
    int layers = 2;
    int heads = 4;
    int kv_heads = 0;                // 0: as heads
    int ffn_size = 0;                // 0: Llama's rule (2/3 * 4 * hidden, rounded up to 64)
    bool tie_embeddings = false;     // the LM head shares the token embedding matrix
    int max_positions = 0;           // max_position_embeddings; 0: data.max_len
    double dropout = 0.0;
    bool freeze_embeddings = false;  // keep the token embeddings as they are
    int freeze_layers = 0;           // keep the first N decoder layers as they are
    int lora_rank = 0;               // > 0: train LoRA adapters of this rank instead of the weights
    double lora_alpha = 16;
    double lora_dropout = 0.05;
    std::string lora_targets = "q,v";  // among q, k, v, o, gate, up, down
    // How an encoder's classifier pools its tokens: "pooler" (BERT's tanh dense on [CLS]), "mean"
    // (over the real tokens), or "auto": mean for a sentence-transformers folder (its pooler was never
    // trained for classification: 1_Pooling/config.json says mean), else pooler. Decoders pool the last token.
    std::string pooling = "auto";
  } model;

  struct Train {
    int steps = 0;                   // 0: run `epochs` epochs
    int epochs = 3;
    int batch_size = 16;
    double lr = 1e-3;
    double weight_decay = 0.01;
    int warmup_steps = 20;
    std::string schedule = "cosine"; // cosine | linear | constant
    double grad_clip = 1.0;
    int eval_every = 50;             // steps; 0: at epoch ends only
    int seed = 42;
    int threads = 0;                 // 0: all cores
    std::string optimizer = "adamw"; // adamw | sgd
    double momentum = 0.9;           // sgd only
    int grad_accum = 1;              // batches per optimizer step
    double label_smoothing = 0.0;
    std::string class_weights = "none";  // none | balanced (inverse class frequency)
    bool bf16 = false;               // bf16 autocast where the CPU has native bf16 (else fp32, said so)
    bool deterministic = false;      // deterministic kernels: a resumed run repeats the same losses
    int checkpoint_every = 0;        // steps; 0: only when stopped and at the end
    int keep_checkpoints = 2;        // newest step checkpoints kept (the best one is kept apart)
    int early_stopping_patience = 0; // evaluations without improvement before stopping; 0: off
    std::string early_stopping_metric = "val_loss";  // val_loss | accuracy | macro_f1 | perplexity
    double early_stopping_min_delta = 0.0;
  } train;

  // Data augmentation of the training rows (core/augment; validation and test rows never).
  struct Augment {
    // off; offline: n variants of each training row, made once before training; online: n fresh
    // variants of each row every epoch (seeded by seed, epoch and row, so a resume sees the same).
    std::string mode = "off";
    std::string ops = "sr=0.1,ri=0.1,rs=0.1,rd=0.1";  // as `ftstudio augment --ops`: sr ri rs rd aeda char
    int n = 1;                       // variants per training row, beside the original
    int seed = 0;                    // 0: train.seed
    std::string synonyms = "wordnet";  // wordnet (Debian's files), none, or a synonym file (one group a line)
  } augment;

  // Sets one dotted key ("train.lr", "data.max_len", "task", ...) from text, converting to the
  // key's type. Throws std::invalid_argument naming the key and listing the valid ones when unknown.
  void set(const std::string& key, const std::string& value);
  static std::vector<std::string> keys();

  std::string toJson() const;
  // `source` names the file in error messages. Unknown keys are errors (a typo must not be ignored).
  static TrainConfig fromJson(const std::string& json, const std::string& source);
};

// A project file (*.ftproject, JSON): a name plus a TrainConfig, with data paths relative to it.
struct ProjectFile {
  std::string name;
  std::filesystem::path path;
  TrainConfig config;  // data paths already resolved to absolute paths

  static ProjectFile load(const std::filesystem::path& file);
};

}  // namespace fts
