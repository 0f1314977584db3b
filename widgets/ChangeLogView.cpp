#include "widgets/ChangeLogView.h"

#include <QAbstractTextDocumentLayout>
#include <QHelpEvent>
#include <QScrollBar>
#include <QTextCursor>
#include <QTextDocument>
#include <QToolTip>

#include <algorithm>

namespace fts::ui {
namespace {

using fts::augment::Operation;

QString fromUtf8(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

}  // namespace

ChangeLogView::ChangeLogView(QWidget* parent) : QTextEdit(parent) {
  setReadOnly(true);
  setLineWrapMode(QTextEdit::WidgetWidth);
  setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Minimum);
  viewport()->setMouseTracking(true);
}

int ChangeLogView::utf16Offset(std::string_view utf8, std::size_t byteOffset) {
  // Count code units over the lead bytes before the offset: a four-byte sequence (lead 11110xxx) is
  // a surrogate pair in UTF-16, every other sequence one unit; continuation bytes count nothing.
  const std::size_t end = std::min(byteOffset, utf8.size());
  int units = 0;
  for (std::size_t i = 0; i < end; ++i) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    if ((b & 0xC0) == 0x80) continue;
    units += (b & 0xF8) == 0xF0 ? 2 : 1;
  }
  return units;
}

QColor ChangeLogView::colourOf(Operation op) {
  // Light backgrounds that keep black text readable, one hue per operation (as the CLI's preview).
  switch (op) {
    case Operation::SynonymReplacement: return QColor(0xc8, 0xf0, 0xc8);  // green
    case Operation::RandomInsertion: return QColor(0xc4, 0xec, 0xf2);     // cyan
    case Operation::RandomSwap: return QColor(0xfa, 0xe8, 0xa8);          // amber
    case Operation::RandomDeletion: return QColor(0xf8, 0xc8, 0xc8);      // red
    case Operation::Punctuation: return QColor(0xf0, 0xcc, 0xf0);         // magenta
    case Operation::CharacterNoise: return QColor(0xcc, 0xd8, 0xfa);      // blue
    case Operation::WordSubstitution: return QColor(0xfa, 0xd8, 0xb8);    // orange
  }
  return QColor(Qt::lightGray);
}

QString ChangeLogView::operationName(Operation op) {
  switch (op) {
    case Operation::SynonymReplacement: return tr("synonym replacement");
    case Operation::RandomInsertion: return tr("random insertion");
    case Operation::RandomSwap: return tr("random swap");
    case Operation::RandomDeletion: return tr("random deletion");
    case Operation::Punctuation: return tr("punctuation insertion");
    case Operation::CharacterNoise: return tr("character noise");
    case Operation::WordSubstitution: return tr("word substitution");
  }
  return {};
}

void ChangeLogView::setPlainSource(const std::string& utf8) {
  log_ = {};
  highlights_.clear();
  setPlainText(QString::fromStdString(utf8));
  fitHeight();
}

void ChangeLogView::setVariant(const std::string& output, const fts::augment::ChangeLog& log) {
  log_ = log;
  highlights_.clear();
  clear();
  const QString text = QString::fromStdString(output);
  QTextCursor cursor(document());
  const QTextCharFormat plain;
  int at = 0;  // UTF-16 position in `text` written so far
  for (int i = 0; i < static_cast<int>(log.edits.size()); ++i) {
    const auto& e = log.edits[static_cast<std::size_t>(i)];
    const int begin = std::max(at, utf16Offset(output, e.outputBegin));
    const int end = std::max(begin, utf16Offset(output, e.outputEnd));
    cursor.insertText(text.mid(at, begin - at), plain);
    QTextCharFormat marked;
    marked.setBackground(colourOf(e.op));
    Highlight h;
    h.edit = i;
    h.begin = cursor.position();
    if (end == begin && !e.oldToken.empty()) {
      // A deletion leaves nothing in the output: show what went, struck through, where it was.
      marked.setFontStrikeOut(true);
      marked.setForeground(QColor(0x8a, 0x1c, 0x1c));
      cursor.insertText(fromUtf8(e.oldToken), marked);
      h.deletion = true;
    } else {
      cursor.insertText(text.mid(begin, end - begin), marked);
    }
    h.end = cursor.position();
    highlights_.push_back(h);
    at = end;
  }
  cursor.insertText(text.mid(at), plain);
  fitHeight();
}

QString ChangeLogView::toolTipOf(const fts::augment::Edit& e) const {
  const QString oldTok = fromUtf8(e.oldToken).trimmed(), newTok = fromUtf8(e.newToken).trimmed();
  QString what;
  if (oldTok.isEmpty()) what = tr("inserted “%1”").arg(newTok);
  else if (newTok.isEmpty()) what = tr("deleted “%1”").arg(oldTok);
  else what = tr("“%1” → “%2”").arg(oldTok, newTok);
  // Words are counted from 1 for people (the log's index is 0-based); one line per fact, unwrapped.
  QString tip = tr("<b>%1</b> (%2), word %3: %4").arg(QString::fromLatin1(fts::augment::shortName(e.op)),
                                                      operationName(e.op)).arg(e.wordIndex + 1).arg(what.toHtmlEscaped());
  if (!e.from.empty()) tip += tr("<br>from: %1").arg(fromUtf8(e.from).toHtmlEscaped());
  return QStringLiteral("<p style='white-space:pre'>%1</p>").arg(tip);
}

QString ChangeLogView::toolTipAt(int position) const {
  for (const auto& h : highlights_)
    if (position >= h.begin && position < h.end) return toolTipOf(log_.edits[static_cast<std::size_t>(h.edit)]);
  return {};
}

bool ChangeLogView::viewportEvent(QEvent* event) {
  if (event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    const int position = document()->documentLayout()->hitTest(help->pos() + QPoint(horizontalScrollBar()->value(),
                                                                                   verticalScrollBar()->value()),
                                                              Qt::ExactHit);
    const QString tip = position >= 0 ? toolTipAt(position) : QString();
    if (tip.isEmpty()) QToolTip::hideText();
    else QToolTip::showText(help->globalPos(), tip, viewport());
    return true;
  }
  return QTextEdit::viewportEvent(event);
}

void ChangeLogView::fitHeight() {
  // Tall enough for a few lines of a sample; longer ones scroll inside the view.
  const int line = fontMetrics().lineSpacing();
  setMinimumHeight(line * 3 + 2 * frameWidth() + 8);
  setMaximumHeight(line * 7 + 2 * frameWidth() + 8);
}

}  // namespace fts::ui
