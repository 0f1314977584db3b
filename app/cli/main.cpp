// ftstudio: the command-line face of Fine-tuning Studio (same engine and files as the GUI).
#include "app/cli/CliAugment.h"
#include "app/cli/CliBench.h"
#include "app/cli/CliData.h"
#include "app/cli/CliExport.h"
#include "app/cli/CliImport.h"
#include "app/cli/CliModel.h"
#include "app/cli/CliModels.h"
#include "app/cli/CliPretrain.h"
#include "app/cli/CliRuns.h"
#include "app/cli/CliTokenizer.h"
#include "app/cli/CliTrain.h"
#include "core/text/SentencePieceLibrary.h"
#include "core/util/OpenMpWaitPolicy.h"
#include "core/util/Runtime.h"

#include <CLI/CLI.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  fts::applyOpenMpWaitPolicy(argv);  // may start the program again, before anything else runs
  CLI::App app{"ftstudio: fine-tune language models from the command line (Fine-tuning Studio)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("ftstudio ") + FTS_VERSION);
  int exitCode = 0;

  fts::cli::TrainArgs trainArgs;
  fts::cli::addTrainCommand(app, trainArgs, exitCode);
  fts::cli::addDataCommands(app, exitCode);
  fts::cli::addTokenizerCommands(app, exitCode);
  fts::cli::addRunsCommands(app, exitCode);
  fts::cli::addModelCommands(app, exitCode);
  fts::cli::addModelsCommand(app, exitCode);
  fts::cli::addExportCommands(app, exitCode);
  fts::cli::addImportCommand(app, exitCode);
  fts::cli::addPretrainCommand(app, exitCode);
  fts::cli::addBenchCommands(app, exitCode);
  fts::cli::addAugmentCommand(app, exitCode);

  auto* doctor = app.add_subcommand("doctor", "Check this machine: threads, BLAS, SentencePiece shim");
  doctor->callback([&] {
    const int threads = fts::configureThreads(0);
    const auto blas = fts::probeBlas();
    std::printf("cores available: %d\nLibTorch threads: %d\nOpenMP waiting: %s\nBLAS: %s (%s)\n", fts::availableCores(), threads,
                fts::openMpWaitPolicy().c_str(), blas.name.c_str(), blas.library.empty() ? "not found" : blas.library.c_str());
    if (blas.slow) std::printf("warning: %s\n", blas.warning.c_str());
    try {
      fts::sentencePiece();
      std::printf("SentencePiece shim: %s\n", fts::sentencePieceShimPath().c_str());
    } catch (const std::exception& e) {
      std::printf("SentencePiece shim: NOT LOADED: %s\n", e.what());
      exitCode = 1;
    }
    if (blas.slow) exitCode = 1;
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exitCode;
}
