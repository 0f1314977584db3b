#pragma once
// `ftstudio pretrain --recipe FILE`: trains a causal LM from scratch as the recipe says, then publishes
// it as a Hugging Face folder (verified by reloading), measures its held-out perplexity and draws its
// curve. Reproduces the shipped base model (projects/base-model/).
namespace CLI {
class App;
}

namespace fts::cli {
void addPretrainCommand(CLI::App& app, int& exitCode);
}
