#pragma once
// A text with its change log shown inline: each changed span highlighted in its operation's colour
// (sr, ri, rs, rd, aeda, char, sub), a deleted token shown struck through where it was, and a
// tooltip over a highlight naming the edit (operation, old -> new, where the new token came from).
// Shared by the augmentation preview and the robustness report of word-substitution attacks.
//
// The log's offsets are UTF-8 bytes; Qt's text positions are UTF-16 code units. utf16Offset converts
// one to the other, so a highlight never lands inside a CJK character or splits an emoji's pair.
#include "core/augment/ChangeLog.h"

#include <QColor>
#include <QTextEdit>
#include <QVector>

#include <string>
#include <string_view>

namespace fts::ui {

class ChangeLogView : public QTextEdit {
  Q_OBJECT
 public:
  // One highlighted span of the shown document: [begin, end) in toPlainText() positions.
  struct Highlight {
    int edit = 0;   // index into the log's edits
    int begin = 0;
    int end = 0;
    bool deletion = false;  // the span shows the removed token (it is not in the output)
  };

  explicit ChangeLogView(QWidget* parent = nullptr);

  // A text without changes (an original sample).
  void setPlainSource(const std::string& utf8);
  // The output of a variant, its edits highlighted at their output offsets.
  void setVariant(const std::string& output, const fts::augment::ChangeLog& log);

  const QVector<Highlight>& highlights() const { return highlights_; }
  const fts::augment::ChangeLog& log() const { return log_; }
  // The tooltip shown over document position `position` (empty: no highlight there).
  QString toolTipAt(int position) const;
  QString toolTipOf(const fts::augment::Edit& edit) const;

  // The UTF-16 position of UTF-8 byte offset `byteOffset` of `utf8` (a character boundary; past
  // the end: the length). Four-byte sequences (emoji, CJK extension B) count as two code units.
  static int utf16Offset(std::string_view utf8, std::size_t byteOffset);
  static QColor colourOf(fts::augment::Operation op);
  // "synonym replacement", ... translated.
  static QString operationName(fts::augment::Operation op);

 protected:
  bool viewportEvent(QEvent* event) override;

 private:
  void fitHeight();
  fts::augment::ChangeLog log_;
  QVector<Highlight> highlights_;
};

}  // namespace fts::ui
