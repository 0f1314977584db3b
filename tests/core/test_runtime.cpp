// Thread count and BLAS detection (PLATFORM traps 2 and 3).
#include "core/util/Runtime.h"

#include <QtTest>

class TestRuntime : public QObject {
  Q_OBJECT
 private slots:
  void threadsDefaultToAllCoresAndCanBeSet() {
    QCOMPARE(fts::configureThreads(0), fts::availableCores());
    QCOMPARE(fts::configureThreads(1), 1);
    QCOMPARE(fts::currentThreads(), 1);
    fts::configureThreads(0);
  }

  void referenceBlasIsFlagged() {
    const std::string maps =
        "7f00-7f01 r-xp 00000000 08:01 1 /usr/lib/x86_64-linux-gnu/libc10.so.1.13\n"
        "7f02-7f03 r-xp 00000000 08:01 2 /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0\n";
    const auto info = fts::classifyBlas(maps);
    QVERIFY(info.slow);
    QCOMPARE(info.name, std::string("reference BLAS"));
    QVERIFY(info.warning.find("libopenblas0-openmp") != std::string::npos);
  }

  void openBlasIsFine() {
    const std::string maps =
        "7f02-7f03 r-xp 00000000 08:01 2 /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3\n"
        "7f04-7f05 r-xp 00000000 08:01 3 /usr/lib/x86_64-linux-gnu/libcublasLt.so.12\n";
    const auto info = fts::classifyBlas(maps);
    QVERIFY(!info.slow);
    QCOMPARE(info.name, std::string("OpenBLAS"));
    QVERIFY(info.warning.empty());
  }

  void thisProcessHasSomeBlas() {
    // LibTorch links libblas.so.3; whichever it resolved to must be recognised.
    const auto info = fts::probeBlas();
    QVERIFY2(!info.library.empty(), "no BLAS library mapped into a LibTorch process");
  }
};

QTEST_GUILESS_MAIN(TestRuntime)
#include "test_runtime.moc"
