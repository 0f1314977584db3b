#include "ui/AugmentationPanel.h"

#include "core/augment/UserSynonyms.h"
#include "core/augment/WordNet.h"
#include "core/augment/WordVectors.h"
#include "ui/DatasetPanel.h"
#include "widgets/ChangeLogView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <numeric>
#include <random>

namespace fts::ui {
namespace {

using fts::augment::Operation;

// WordNet's files take a second or two to read: read them once per process, in a worker.
std::shared_ptr<const fts::augment::WordNet> sharedWordNet() {
  static std::mutex mutex;
  static std::shared_ptr<const fts::augment::WordNet> wordnet;
  std::lock_guard lock(mutex);
  if (!wordnet) wordnet = std::make_shared<const fts::augment::WordNet>(fts::augment::WordNet::load());
  return wordnet;
}

// ASCII case-insensitive search: enough for English, byte-exact for Chinese.
bool containsFolded(std::string_view text, const std::string& needle) {
  if (needle.empty()) return true;
  const auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

std::int64_t rowKey(const fts::data::Sample& s, std::size_t index) {
  return s.line > 0 ? s.line : static_cast<std::int64_t>(index + 1);
}

}  // namespace

AugmentationPanel::AugmentationPanel(DatasetPanel* dataset, QWidget* parent) : QWidget(parent), dataset_(dataset) {
  auto* layout = new QVBoxLayout(this);

  // Operations: a check box and a rate each.
  auto* opsBox = new QGroupBox(tr("Operations"), this);
  auto* opsGrid = new QGridLayout(opsBox);
  struct OpRow {
    Operation op;
    QString tip;
    double rate;
    double max;
    bool on;
  };
  const OpRow rows[] = {
      {Operation::SynonymReplacement,
       tr("Synonym replacement (EDA): alpha × words (at least one) words are replaced by a synonym from the chosen source"),
       0.1, 0.5, true},
      {Operation::RandomInsertion,
       tr("Random insertion (EDA): a synonym of a word of the sample is inserted at a random place, alpha × words times"),
       0.1, 0.5, false},
      {Operation::RandomSwap, tr("Random swap (EDA): two words swap places, alpha × words times"), 0.1, 0.5, false},
      {Operation::RandomDeletion, tr("Random deletion (EDA): alpha × words words are deleted"), 0.1, 0.5, true},
      {Operation::Punctuation,
       tr("Punctuation insertion (AEDA): marks (. ; ? : ! , and their Chinese forms) inserted between words, up to this "
          "share of the word count (AEDA uses 1/3)"),
       0.3, 1.0, false},
      {Operation::CharacterNoise,
       tr("Character noise: each word gets a typo (keyboard neighbour, swap, deletion, insertion) with this probability"), 0.1,
       1.0, false},
  };
  int r = 0;
  for (const auto& row : rows) {
    const QString name = QString::fromLatin1(fts::augment::shortName(row.op));
    auto* check = new QCheckBox(QStringLiteral("%1 — %2").arg(name, ChangeLogView::operationName(row.op)), opsBox);
    check->setObjectName("op_" + name);
    check->setChecked(row.on);
    check->setToolTip(row.tip);
    // The operation's colour in the preview, beside its name.
    check->setStyleSheet(QStringLiteral("QCheckBox { background: %1; padding: 1px 4px; }")
                             .arg(ChangeLogView::colourOf(row.op).name()));
    auto* rate = new QDoubleSpinBox(opsBox);
    rate->setObjectName("rate_" + name);
    rate->setRange(0.01, row.max);
    rate->setSingleStep(0.01);
    rate->setDecimals(2);
    rate->setValue(row.rate);
    rate->setToolTip(row.tip);
    opsGrid->addWidget(check, r, 0);
    opsGrid->addWidget(rate, r, 1);
    ops_.push_back({row.op, check, rate});
    ++r;
  }
  recommendation_ = new QLabel(opsBox);
  recommendation_->setObjectName("edaRecommendation");
  recommendation_->setWordWrap(true);
  opsGrid->setColumnStretch(0, 1);
  opsGrid->addWidget(recommendation_, r, 0, 1, 2);
  layout->addWidget(opsBox);

  // Variants, seed, synonyms, samples.
  auto* form = new QFormLayout;
  variants_ = new QSpinBox(this);
  variants_->setObjectName("variantCount");
  variants_->setRange(1, 16);
  variants_->setValue(4);
  variants_->setToolTip(tr("Variants per sample. EDA uses 16 for 500 samples, 8 for 2,000, 4 for 5,000 and more"));
  seed_ = new QSpinBox(this);
  seed_->setObjectName("seed");
  seed_->setRange(0, 2147483647);
  seed_->setToolTip(tr("The same seed, data and settings give the same variants"));
  auto* countsRow = new QHBoxLayout;
  countsRow->addWidget(variants_);
  countsRow->addWidget(new QLabel(tr("Seed"), this));
  countsRow->addWidget(seed_, 1);
  form->addRow(tr("Variants"), countsRow);

  synonyms_ = new QComboBox(this);
  synonyms_->setObjectName("synonymSource");
  synonyms_->addItem(tr("WordNet (English)"), int(SynonymChoice::WordNet));
  synonyms_->addItem(tr("Word vectors (word2vec text file)"), int(SynonymChoice::WordVectors));
  synonyms_->addItem(tr("Synonym file (one group a line, HIT Cilin accepted)"), int(SynonymChoice::SynonymFile));
  synonyms_->addItem(tr("None"), int(SynonymChoice::None));
  // Narrow: the items are long, the panel shares the window's width with the Training panel.
  synonyms_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  synonyms_->setMinimumContentsLength(12);
  synonyms_->setToolTip(tr("Where synonym replacement and random insertion find their words; each change names its source"));
  synonymFile_ = new QLineEdit(this);
  synonymFile_->setObjectName("synonymFile");
  synonymFile_->setPlaceholderText(tr("File of word vectors or synonym groups"));
  browse_ = new QPushButton(tr("Browse…"), this);
  connect(browse_, &QPushButton::clicked, this, &AugmentationPanel::chooseSynonymFile);
  auto* synRow = new QHBoxLayout;
  synRow->addWidget(synonyms_);
  synRow->addWidget(synonymFile_, 1);
  synRow->addWidget(browse_);
  form->addRow(tr("Synonyms"), synRow);

  sampleChoice_ = new QComboBox(this);
  sampleChoice_->setObjectName("sampleChoice");
  sampleChoice_->addItem(tr("At random"), int(SampleChoice::Random));
  sampleChoice_->addItem(tr("Of a class"), int(SampleChoice::ByClass));
  sampleChoice_->addItem(tr("Containing"), int(SampleChoice::Search));
  classChoice_ = new QComboBox(this);
  classChoice_->setObjectName("classChoice");
  classChoice_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  classChoice_->setMinimumContentsLength(8);
  search_ = new QLineEdit(this);
  search_->setObjectName("sampleSearch");
  search_->setPlaceholderText(tr("Text to look for"));
  sampleCount_ = new QSpinBox(this);
  sampleCount_->setObjectName("sampleCount");
  sampleCount_->setRange(1, 20);
  sampleCount_->setValue(3);
  sampleCount_->setToolTip(tr("Samples shown in the preview"));
  otherSamples_ = new QPushButton(tr("Other samples"), this);
  otherSamples_->setToolTip(tr("Draw another random pick of samples"));
  auto* sampleRow = new QHBoxLayout;
  sampleRow->addWidget(sampleCount_);
  sampleRow->addWidget(sampleChoice_);
  sampleRow->addWidget(classChoice_, 1);
  sampleRow->addWidget(search_, 1);
  form->addRow(tr("Samples"), sampleRow);
  layout->addLayout(form);

  previewButton_ = new QPushButton(tr("Preview"), this);
  previewButton_->setObjectName("previewButton");
  regenerateButton_ = new QPushButton(tr("Regenerate"), this);
  regenerateButton_->setObjectName("regenerateButton");
  regenerateButton_->setToolTip(tr("Draw a new seed and preview again"));
  writeButton_ = new QPushButton(tr("Write augmented dataset…"), this);
  writeButton_->setObjectName("writeButton");
  writeButton_->setToolTip(tr("Write every sample and its variants to a new file in the input's format, with source_row and "
                              "augment_ops columns, and the change logs to a JSONL file beside it"));
  cancelButton_ = new QPushButton(tr("Cancel"), this);
  cancelButton_->setObjectName("cancelWriteButton");
  openWritten_ = new QPushButton(tr("Open it"), this);
  openWritten_->setObjectName("openWrittenButton");
  openWritten_->setToolTip(tr("Open the augmented dataset in the Dataset panel (to train on it)"));
  openWritten_->setVisible(false);
  progress_ = new QProgressBar(this);
  progress_->setObjectName("writeProgress");
  progress_->setVisible(false);
  auto* actions = new QHBoxLayout;
  actions->addWidget(previewButton_);
  actions->addWidget(regenerateButton_);
  actions->addWidget(otherSamples_);
  actions->addStretch(1);
  layout->addLayout(actions);
  auto* writeRow = new QHBoxLayout;
  writeRow->addWidget(writeButton_);
  writeRow->addWidget(progress_, 1);
  writeRow->addWidget(cancelButton_);
  writeRow->addWidget(openWritten_);
  writeRow->addStretch(0);
  layout->addLayout(writeRow);

  // The same settings for the run: augment.* of the Training panel's next run.
  trainingMode_ = new QComboBox(this);
  trainingMode_->setObjectName("trainingAugmentation");
  trainingMode_->addItem(tr("Off"), QStringLiteral("off"));
  trainingMode_->addItem(tr("Offline: variants made once"), QStringLiteral("offline"));
  trainingMode_->addItem(tr("Online: fresh variants every epoch"), QStringLiteral("online"));
  trainingMode_->setCurrentIndex(2);
  trainingMode_->setToolTip(tr("How the next run uses these settings: online draws new variants of every training row each epoch "
                               "(seeded, so a resumed run sees the same); validation and test rows are never augmented"));
  useInTraining_ = new QPushButton(tr("Use in training"), this);
  useInTraining_->setObjectName("useInTraining");
  useInTraining_->setToolTip(tr("Set the Training panel's run to augment its training rows with these operations, variants, seed "
                                "and synonyms (augment.* in the project file)"));
  connect(useInTraining_, &QPushButton::clicked, this, &AugmentationPanel::useInTraining);
  auto* trainRow = new QHBoxLayout;
  trainRow->addWidget(new QLabel(tr("Training:"), this));
  trainRow->addWidget(trainingMode_, 1);
  trainRow->addWidget(useInTraining_);
  layout->addLayout(trainRow);

  status_ = new QLabel(tr("Open a data file in the Dataset panel, then preview its augmented samples here."), this);
  status_->setObjectName("augmentStatus");
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(status_);

  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  previewPage_ = new QWidget(scroll);
  previewGrid_ = new QGridLayout(previewPage_);
  previewGrid_->setAlignment(Qt::AlignTop);
  scroll->setWidget(previewPage_);
  layout->addWidget(scroll, 1);

  connect(previewButton_, &QPushButton::clicked, this, &AugmentationPanel::preview);
  connect(regenerateButton_, &QPushButton::clicked, this, &AugmentationPanel::regenerate);
  connect(otherSamples_, &QPushButton::clicked, this, [this] {
    ++pickRound_;
    preview();
  });
  connect(writeButton_, &QPushButton::clicked, this, &AugmentationPanel::chooseOutput);
  connect(cancelButton_, &QPushButton::clicked, this, &AugmentationPanel::cancelWrite);
  connect(openWritten_, &QPushButton::clicked, this, [this] {
    if (dataset_ && !written_.isEmpty()) dataset_->open(written_);
  });
  connect(sampleChoice_, &QComboBox::currentIndexChanged, this, &AugmentationPanel::updateEnabled);
  connect(synonyms_, &QComboBox::currentIndexChanged, this, &AugmentationPanel::updateEnabled);
  connect(&previewWatcher_, &QFutureWatcher<PreviewOutcome>::finished, this, [this] { showPreview(previewWatcher_.result()); });
  connect(&writeWatcher_, &QFutureWatcher<WriteOutcome>::finished, this, [this] { showWritten(writeWatcher_.result()); });
  progressTimer_.setInterval(100);
  connect(&progressTimer_, &QTimer::timeout, this, [this] {
    if (!total_ || !done_) return;
    progress_->setMaximum(static_cast<int>(std::max<std::size_t>(1, total_->load())));
    progress_->setValue(static_cast<int>(done_->load()));
  });
  if (dataset_) connect(dataset_, &DatasetPanel::loaded, this, &AugmentationPanel::datasetLoaded);
  updateRecommendations();
  updateEnabled();
}

void AugmentationPanel::setOperation(Operation op, bool enabled, double rate) {
  for (auto& c : ops_)
    if (c.op == op) {
      c.enabled->setChecked(enabled);
      c.rate->setValue(rate);
    }
}

void AugmentationPanel::setVariantCount(int n) { variants_->setValue(n); }
void AugmentationPanel::setSeed(int seed) { seed_->setValue(seed); }
int AugmentationPanel::seed() const { return seed_->value(); }
void AugmentationPanel::setSampleCount(int samples) { sampleCount_->setValue(samples); }

void AugmentationPanel::setSynonyms(SynonymChoice choice, const QString& file) {
  synonyms_->setCurrentIndex(synonyms_->findData(int(choice)));
  synonymFile_->setText(file);
}

void AugmentationPanel::setSampleChoice(SampleChoice choice, const QString& classOrSearch) {
  sampleChoice_->setCurrentIndex(sampleChoice_->findData(int(choice)));
  if (choice == SampleChoice::ByClass) classChoice_->setCurrentText(classOrSearch);
  if (choice == SampleChoice::Search) search_->setText(classOrSearch);
}

void AugmentationPanel::useInTraining() {
  fts::TrainConfig::Augment a;
  a.mode = trainingMode_->currentData().toString().toStdString();
  const auto o = options();
  if (a.mode != "off" && o.ops.empty()) {
    status_->setText(tr("Choose at least one operation to train with."));
    return;
  }
  if (!o.ops.empty()) a.ops = fts::augment::formatOperations(o.ops);
  a.n = o.variants;
  a.seed = seed_->value();
  switch (static_cast<SynonymChoice>(synonyms_->currentData().toInt())) {
    case SynonymChoice::WordNet: a.synonyms = "wordnet"; break;
    case SynonymChoice::None: a.synonyms = "none"; break;
    case SynonymChoice::SynonymFile: a.synonyms = synonymFile_->text().trimmed().toStdString(); break;
    case SynonymChoice::WordVectors:
      status_->setText(tr("Training takes synonyms from WordNet or a synonym file, not yet from word vectors: choose one of those."));
      return;
  }
  emit trainingAugmentationChosen(a);
  status_->setText(a.mode == "off" ? tr("The next run trains without augmentation.")
                                   : tr("The next run augments its training rows: %1, %2, %n variant(s) per row.", "", a.n)
                                         .arg(trainingMode_->currentText(), QString::fromStdString(a.ops)));
}

fts::augment::AugmentOptions AugmentationPanel::options() const {
  fts::augment::AugmentOptions o;
  o.ops.clear();
  for (const auto& c : ops_)
    if (c.enabled->isChecked()) o.ops.push_back({c.op, c.rate->value()});
  o.variants = variants_->value();
  return o;
}

AugmentationPanel::Settings AugmentationPanel::settings() const {
  Settings s;
  s.options = options();
  s.synonyms = static_cast<SynonymChoice>(synonyms_->currentData().toInt());
  s.synonymFile = synonymFile_->text().trimmed().toStdString();
  return s;
}

// Runs in a worker: WordNet and vector files take seconds to read. Throws with the file's name.
std::shared_ptr<const fts::augment::Augmenter> AugmentationPanel::buildAugmenter(const Settings& s) {
  namespace aug = fts::augment;
  aug::AugmentResources resources;
  const bool needsSynonyms = std::any_of(s.options.ops.begin(), s.options.ops.end(), [](const aug::OperationRate& o) {
    return o.op == Operation::SynonymReplacement || o.op == Operation::RandomInsertion;
  });
  if (needsSynonyms) {
    switch (s.synonyms) {
      case SynonymChoice::WordNet:
        resources.synonyms.add(std::make_shared<aug::WordNetSynonyms>(sharedWordNet()));
        break;
      case SynonymChoice::WordVectors:
        if (s.synonymFile.empty()) throw std::runtime_error(tr("Choose a word-vector file (word2vec text format)").toStdString());
        resources.synonyms.add(std::make_shared<aug::NeighbourSynonyms>(aug::WordVectors::loadWord2VecText(s.synonymFile)));
        break;
      case SynonymChoice::SynonymFile:
        if (s.synonymFile.empty()) throw std::runtime_error(tr("Choose a synonym file (one group of synonyms a line)").toStdString());
        resources.synonyms.add(aug::UserSynonyms::load(s.synonymFile));
        break;
      case SynonymChoice::None: break;
    }
  }
  resources.english = aug::StopWords::shipped("en");
  resources.chinese = aug::StopWords::shipped("zh");
  return std::make_shared<const aug::Augmenter>(s.options, std::move(resources));
}

std::vector<fts::data::Sample> AugmentationPanel::pickSamples() const {
  // Cheap enough for the GUI thread: one pass over the rows at most, copying only the picked few.
  std::vector<fts::data::Sample> picked;
  const auto* result = dataset_ ? dataset_->result() : nullptr;
  if (!result) return picked;
  const auto& samples = result->dataset.samples;
  const auto choice = static_cast<SampleChoice>(sampleChoice_->currentData().toInt());
  const std::string label = classChoice_->currentText().toStdString(), needle = search_->text().trimmed().toStdString();
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (choice == SampleChoice::ByClass && samples[i].label != label) continue;
    if (choice == SampleChoice::Search && !containsFolded(samples[i].text, needle)) continue;
    candidates.push_back(i);
  }
  // The pick is seeded by the pick round, not the augmentation seed: regenerating shows new
  // variants of the same samples.
  std::mt19937_64 rng(0x5eedULL + static_cast<std::uint64_t>(pickRound_));
  const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(sampleCount_->value()), candidates.size());
  for (std::size_t i = 0; i < k; ++i) {
    std::uniform_int_distribution<std::size_t> pick(i, candidates.size() - 1);
    std::swap(candidates[i], candidates[pick(rng)]);
    fts::data::Sample s = samples[candidates[i]];
    s.line = rowKey(s, candidates[i]);
    picked.push_back(std::move(s));
  }
  return picked;
}

void AugmentationPanel::preview() {
  if (previewWatcher_.isRunning()) {
    previewAgain_ = true;
    return;
  }
  auto samples = pickSamples();
  if (samples.empty()) {
    status_->setText(dataset_ && dataset_->result() ? tr("No sample matches the choice.")
                                                    : tr("Open a data file in the Dataset panel first."));
    return;
  }
  status_->setText(tr("Augmenting %n sample(s)…", nullptr, static_cast<int>(samples.size())));
  const Settings s = settings();
  const std::uint64_t seed = static_cast<std::uint64_t>(seed_->value());
  previewWatcher_.setFuture(QtConcurrent::run([s, seed, samples = std::move(samples)]() -> PreviewOutcome {
    PreviewOutcome out;
    try {
      const auto augmenter = buildAugmenter(s);
      for (const auto& sample : samples)
        out.samples.push_back({sample, augmenter->augment(sample.text, {seed, 0, sample.line})});
    } catch (const std::exception& e) {
      out.error = QString::fromStdString(e.what());
    }
    return out;
  }));
  updateEnabled();
}

void AugmentationPanel::regenerate() {
  // Any other seed will do; stay in the spin box's range.
  int next = static_cast<int>(QRandomGenerator::global()->bounded(2147483647));
  if (next == seed_->value()) next = (next + 1) % 2147483647;
  seed_->setValue(next);
  preview();
}

void AugmentationPanel::showPreview(const PreviewOutcome& outcome) {
  updateEnabled();
  if (!outcome.error.isEmpty()) {
    status_->setText(tr("Cannot augment: %1").arg(outcome.error));
    emit failed(outcome.error);
  } else {
    previewed_ = outcome.samples;
    views_.clear();  // the grid owns the views: they go with its items
    while (auto* item = previewGrid_->takeAt(0)) {
      if (item->widget()) item->widget()->deleteLater();
      delete item;
    }
    // Side by side as far as the width allows (about 220 pixels a view), then on the next line.
    const int perLine = std::max(2, previewPage_->width() / 220);
    for (int c = 0; c < previewGrid_->columnCount(); ++c) previewGrid_->setColumnStretch(c, c < perLine ? 1 : 0);
    for (int c = 0; c < perLine; ++c) previewGrid_->setColumnStretch(c, 1);
    int gridRow = 0;
    std::size_t shortOnes = 0;
    for (int r = 0; r < static_cast<int>(previewed_.size()); ++r) {
      const auto& p = previewed_[static_cast<std::size_t>(r)];
      const QString where = p.sample.label.empty()
                                ? tr("line %1").arg(p.sample.line)
                                : tr("line %1, class %2").arg(p.sample.line).arg(QString::fromStdString(p.sample.label));
      auto* header = new QLabel(QStringLiteral("<b>%1</b>").arg(where.toHtmlEscaped()), previewPage_);
      previewGrid_->addWidget(header, gridRow++, 0, 1, perLine);
      QVector<ChangeLogView*> row;
      // A view under its caption ("Original", "Variant 2 · sr+rd"), in the next cell of the grid.
      auto place = [&](ChangeLogView* view, const QString& caption, int index) {
        if (index > 0 && index % perLine == 0) ++gridRow;
        auto* cell = new QWidget(previewPage_);
        auto* box = new QVBoxLayout(cell);
        box->setContentsMargins(0, 0, 0, 0);
        box->setSpacing(1);
        auto* label = new QLabel(caption, cell);
        label->setStyleSheet(QStringLiteral("QLabel { color: #555; }"));
        box->addWidget(label);
        view->setParent(cell);
        box->addWidget(view);
        previewGrid_->addWidget(cell, gridRow, index % perLine);
      };
      auto* original = new ChangeLogView(previewPage_);
      original->setPlainSource(p.sample.text);
      original->setStyleSheet(QStringLiteral("QTextEdit { border: 2px solid #888; background: #f6f6f6; }"));
      place(original, tr("Original"), 0);
      row.push_back(original);
      for (int c = 0; c < static_cast<int>(p.variants.size()); ++c) {
        const auto& v = p.variants[static_cast<std::size_t>(c)];
        auto* view = new ChangeLogView(previewPage_);
        view->setVariant(v.output, v.log);
        place(view, tr("Variant %1 · %2").arg(c + 1).arg(QString::fromStdString(fts::augment::opsLabel(v.ops))), c + 1);
        row.push_back(view);
      }
      ++gridRow;
      if (static_cast<int>(p.variants.size()) < variants_->value()) ++shortOnes;
      views_.push_back(row);
    }
    QString text = tr("Seed %1: %n sample(s); hover a highlight to see the change.", nullptr, static_cast<int>(previewed_.size()))
                       .arg(seed_->value());
    if (shortOnes)
      text += ' ' + tr("%n sample(s) got fewer variants than asked (too few words that may change, or no synonym found).",
                       nullptr, static_cast<int>(shortOnes));
    status_->setText(text);
    emit previewReady();
  }
  if (previewAgain_) {
    previewAgain_ = false;
    preview();
  }
}

QSize AugmentationPanel::sizeHint() const { return dataset_ ? dataset_->sizeHint() : QWidget::sizeHint(); }

ChangeLogView* AugmentationPanel::viewAt(int row, int column) const {
  if (row < 0 || row >= views_.size() || column < 0 || column >= views_[row].size()) return nullptr;
  return views_[row][column];
}

void AugmentationPanel::chooseSynonymFile() {
  const QString file = QFileDialog::getOpenFileName(this, tr("Synonym source"), {},
                                                    tr("Word vectors or synonym groups (*.txt *.vec);;All files (*)"));
  if (file.isEmpty()) return;
  synonymFile_->setText(file);
  // A file with a "count dim" first line is word vectors; anything else a list of groups.
  if (synonyms_->currentData().toInt() == int(SynonymChoice::WordNet) || synonyms_->currentData().toInt() == int(SynonymChoice::None))
    synonyms_->setCurrentIndex(synonyms_->findData(int(file.endsWith(".vec") ? SynonymChoice::WordVectors : SynonymChoice::SynonymFile)));
}

void AugmentationPanel::chooseOutput() {
  if (!dataset_ || dataset_->path().isEmpty()) return;
  const QFileInfo in(dataset_->path());
  const QString suffix = in.isDir() || in.suffix().isEmpty() || in.suffix() == "txt" ? QStringLiteral("jsonl") : in.suffix();
  const QString proposal = in.absolutePath() + '/' + in.completeBaseName() + ".augmented." + suffix;
  const QString output = QFileDialog::getSaveFileName(this, tr("Write augmented dataset"), proposal);
  if (!output.isEmpty()) writeAugmented(output);
}

void AugmentationPanel::writeAugmented(const QString& output) {
  if (writeWatcher_.isRunning() || !dataset_ || dataset_->path().isEmpty()) return;
  const Settings s = settings();
  fts::augment::DatasetAugmentOptions d;
  d.load.textColumn = dataset_->textColumn().toStdString();
  d.load.labelColumn = dataset_->labelColumn().toStdString();
  d.load.onError = dataset_->errorPolicy() == QLatin1String("skip") ? fts::data::ErrorPolicy::SkipAndReport
                                                                     : fts::data::ErrorPolicy::StopAtFirst;
  d.seed = static_cast<std::uint64_t>(seed_->value());
  d.threads = 0;  // every core: the output is the same for any count
  cancel_ = std::make_shared<std::atomic<bool>>(false);
  done_ = std::make_shared<std::atomic<std::size_t>>(0);
  total_ = std::make_shared<std::atomic<std::size_t>>(0);
  d.cancel = cancel_.get();
  d.progress = [done = done_, total = total_](std::size_t n, std::size_t all) {
    done->store(n);
    total->store(all);
  };
  const std::string input = dataset_->path().toStdString(), out = output.toStdString();
  progress_->setValue(0);
  progress_->setVisible(true);
  openWritten_->setVisible(false);
  progressTimer_.start();
  status_->setText(tr("Writing %1 …").arg(output));
  // The lambda holds the cancel flag and the counters: they outlive the panel if it closes mid-way.
  writeWatcher_.setFuture(QtConcurrent::run([s, d, input, out, cancel = cancel_, done = done_, total = total_]() -> WriteOutcome {
    WriteOutcome w;
    try {
      const auto augmenter = buildAugmenter(s);
      w.result = fts::augment::augmentDataFile(input, out, *augmenter, d);
    } catch (const fts::augment::AugmentCancelled&) {
      w.cancelled = true;
    } catch (const fts::data::DataError& e) {
      QStringList lines;
      for (const auto& i : e.issues()) lines << QString::fromStdString(i.format());
      w.error = lines.isEmpty() ? QString::fromStdString(e.what()) : lines.join('\n');
    } catch (const std::exception& e) {
      w.error = QString::fromStdString(e.what());
    }
    return w;
  }));
  updateEnabled();
}

void AugmentationPanel::cancelWrite() {
  if (cancel_) cancel_->store(true);
}

void AugmentationPanel::showWritten(const WriteOutcome& w) {
  progressTimer_.stop();
  progress_->setVisible(false);
  updateEnabled();
  if (w.cancelled) {
    status_->setText(tr("Cancelled: nothing was written."));
    emit failed(status_->text());
    return;
  }
  if (!w.error.isEmpty()) {
    status_->setText(tr("Cannot write the augmented dataset: %1").arg(w.error));
    emit failed(w.error);
    return;
  }
  const QString output = QString::fromStdString(w.result.output.string()), log = QString::fromStdString(w.result.log.string());
  status_->setText(tr("Wrote %1: %2 rows (%3 variants of %4 samples). Change log: %5")
                       .arg(output)
                       .arg(w.result.rowsWritten)
                       .arg(w.result.variants)
                       .arg(w.result.sourceRows)
                       .arg(log));
  written_ = output;
  openWritten_->setVisible(true);
  emit written(output, log);
}

void AugmentationPanel::datasetLoaded() {
  const auto* result = dataset_->result();
  classChoice_->clear();
  if (result)
    for (const auto& label : result->dataset.labels()) classChoice_->addItem(QString::fromStdString(label));
  pickRound_ = 0;
  updateRecommendations();
  updateEnabled();
  status_->setText(tr("%1 is open: choose operations and press Preview.").arg(QFileInfo(dataset_->path()).fileName()));
}

void AugmentationPanel::updateRecommendations() {
  // EDA (Wei and Zou, 2019), table 3: alpha 0.1 and 16 variants for 500 samples, 8 for 2,000, 4 for
  // 5,000 and more, where alpha 0.05 does as well.
  const auto* result = dataset_ ? dataset_->result() : nullptr;
  const qint64 n = result ? static_cast<qint64>(result->dataset.samples.size()) : 0;
  const double alpha = n > 5000 ? 0.05 : 0.1;
  const int variants = n <= 500 ? 16 : n <= 2000 ? 8 : 4;
  const QString advice = n > 0 ? tr("For %1 samples EDA recommends alpha = %2 and %3 variants per sample.").arg(n).arg(alpha).arg(variants)
                               : tr("EDA recommends alpha = 0.1 up to 5,000 samples and 0.05 above; 16 variants for 500 "
                                    "samples, 8 for 2,000, 4 for 5,000 and more.");
  recommendation_->setText(advice);
  for (auto& c : ops_) {
    const bool eda = c.op == Operation::SynonymReplacement || c.op == Operation::RandomInsertion ||
                     c.op == Operation::RandomSwap || c.op == Operation::RandomDeletion;
    const QString base = c.enabled->toolTip().section("\n", 0, 0);
    const QString tip = eda ? base + "\n" + advice : base;
    c.enabled->setToolTip(tip);
    c.rate->setToolTip(tip);
  }
}

void AugmentationPanel::updateEnabled() {
  const bool hasData = dataset_ && dataset_->result();
  const bool writing = writeWatcher_.isRunning();
  previewButton_->setEnabled(hasData);
  regenerateButton_->setEnabled(hasData);
  otherSamples_->setEnabled(hasData);
  writeButton_->setEnabled(hasData && !writing);
  cancelButton_->setEnabled(writing);
  const auto choice = static_cast<SampleChoice>(sampleChoice_->currentData().toInt());
  classChoice_->setVisible(choice == SampleChoice::ByClass);
  search_->setVisible(choice == SampleChoice::Search);
  const auto syn = static_cast<SynonymChoice>(synonyms_->currentData().toInt());
  const bool needsFile = syn == SynonymChoice::WordVectors || syn == SynonymChoice::SynonymFile;
  synonymFile_->setEnabled(needsFile);
  browse_->setEnabled(needsFile);
}

}  // namespace fts::ui
