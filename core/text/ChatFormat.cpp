#include "core/text/ChatFormat.h"

#include "core/text/Tokenizer.h"

namespace fts {

ChatFormat detectChatFormat(std::string_view t) {
  if (t.find("<|im_start|>") != std::string_view::npos) return ChatFormat::ChatMl;
  if (t.find("<|start_header_id|>") != std::string_view::npos) return ChatFormat::Llama3;
  return ChatFormat::None;
}

bool chatTemplateUnknown(std::string_view t) { return !t.empty() && detectChatFormat(t) == ChatFormat::None; }

std::string chatFormatName(ChatFormat f) {
  switch (f) {
    case ChatFormat::ChatMl: return "ChatML";
    case ChatFormat::Llama3: return "Llama 3";
    case ChatFormat::None: break;
  }
  return "none";
}

std::string chatPrompt(ChatFormat f, std::string_view prompt) {
  switch (f) {
    case ChatFormat::ChatMl:
      return "<|im_start|>user\n" + std::string(prompt) + "<|im_end|>\n<|im_start|>assistant\n";
    case ChatFormat::Llama3:
      return "<|start_header_id|>user<|end_header_id|>\n\n" + std::string(prompt) +
             "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";
    case ChatFormat::None: break;
  }
  return std::string(prompt);
}

std::string chatResponse(ChatFormat, std::string_view response) { return std::string(response); }

int chatEndOfTurnId(ChatFormat f, const Tokenizer& tok) {
  switch (f) {
    case ChatFormat::ChatMl: return tok.pieceId("<|im_end|>");
    case ChatFormat::Llama3: return tok.pieceId("<|eot_id|>");
    case ChatFormat::None: break;
  }
  return -1;
}

bool chatStartsWithBos(ChatFormat f) { return f != ChatFormat::ChatMl; }

}  // namespace fts
