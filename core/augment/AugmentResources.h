#pragma once
// Finds the data files augmentation ships (resources/augment/*.txt): beside a build of the source
// tree, or installed under share/finetune-studio/augment.
#include <filesystem>
#include <string>
#include <vector>

namespace fts::augment {

// Folders searched, in order: $FTSTUDIO_RESOURCES/augment, <executable>/../share/finetune-studio/augment,
// the install prefix's share/finetune-studio/augment, and the source tree's resources/augment.
std::vector<std::filesystem::path> resourceFolders();

// The first folder holding `name`. Throws std::runtime_error listing the folders searched.
std::filesystem::path findResource(const std::string& name);

}  // namespace fts::augment
