#pragma once
// `ftstudio import FILE.gguf --out DIR [--dtype bf16|f32] [--json]`: a llama.cpp GGUF file (architecture
// llama) to a Hugging Face folder the studio trains from. Exit codes: 0 imported, 2 the input is bad or
// unsupported (the message names the file and what is wrong), 1 the output could not be written.
namespace CLI {
class App;
}

namespace fts::cli {
void addImportCommand(CLI::App& app, int& exitCode);
}
