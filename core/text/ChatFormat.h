#pragma once
// Chat formats of instruction-tuned decoders, recognised from tokenizer_config.json's chat_template:
// ChatML (SmolLM2, Qwen2: <|im_start|>role ... <|im_end|>) and Llama 3's headers (<|start_header_id|>
// role <|end_header_id|> ... <|eot_id|>). A prompt -> response pair becomes the user turn and the
// assistant turn the model was tuned on, and generation starts the assistant turn after the prompt.
// We recognise the two families by their markers and write the turns ourselves (the Jinja template
// itself is not run); any other template is reported as unknown and prompts are used as they are.
// Torch-free.
#include <string>
#include <string_view>

namespace fts {

class Tokenizer;

enum class ChatFormat { None, ChatMl, Llama3 };

// None for an empty template and for one we do not recognise (see chatTemplateUnknown).
ChatFormat detectChatFormat(std::string_view chatTemplate);
// True when a template is there but is neither family: the caller says so in the log.
bool chatTemplateUnknown(std::string_view chatTemplate);
std::string chatFormatName(ChatFormat format);  // "none", "ChatML", "Llama 3"

// The text of the user turn followed by the opening of the assistant turn, and the assistant's reply
// without its end-of-turn marker (the end-of-turn token closes it, as EOS closes other sequences).
std::string chatPrompt(ChatFormat format, std::string_view prompt);
std::string chatResponse(ChatFormat format, std::string_view response);
// The token that ends an assistant turn (<|im_end|>, <|eot_id|>), -1 when the vocabulary lacks it.
int chatEndOfTurnId(ChatFormat format, const Tokenizer& tokenizer);
// Whether sequences of this format start with the tokenizer's BOS (Llama 3's <|begin_of_text|>: yes;
// ChatML has no BOS: its turns open with <|im_start|>).
bool chatStartsWithBos(ChatFormat format);

}  // namespace fts
