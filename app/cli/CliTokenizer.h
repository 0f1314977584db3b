#pragma once
// `ftstudio tokenizer train --input FILE... --vocab-size N --out DIR`: a SentencePiece tokenizer
// from data files (any format `data inspect` reads) or plain text files.
namespace CLI {
class App;
}

namespace fts::cli {

// Adds `tokenizer` with its subcommand `train`; exitCode: 0 trained, 2 unusable input, 1 failure.
void addTokenizerCommands(CLI::App& app, int& exitCode);

}  // namespace fts::cli
