#pragma once
// `ftstudio tokenizer train --input FILE... --vocab-size N --out DIR`: a SentencePiece tokenizer
// from data files (any format `data inspect` reads) or plain text files.
// `ftstudio tokenizer encode MODEL_DIR --text "..." | --file FILE [--json] [--special]`: the ids and
// pieces of any tokenizer the studio reads (tokenizer.model, WordPiece or byte-level BPE tokenizer.json).
namespace CLI {
class App;
}

namespace fts::cli {

// Adds `tokenizer` with its subcommands `train` and `encode`; exitCode: 0 done, 2 unusable input, 1 failure.
void addTokenizerCommands(CLI::App& app, int& exitCode);

}  // namespace fts::cli
